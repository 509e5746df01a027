import { errorMessage } from '../../util/errors';
import { createImapClient } from './client';
import { ConnectionStepError, probeTransport, type ProbeStep } from './probe';
import { readSettings, type Endpoint } from './settings';
import { openSmtp } from './smtp';

export interface EndpointCheck {
  service: 'imap' | 'smtp';
  ok: boolean;
  /** The first step that failed, null when all passed. */
  failedStep: ProbeStep | null;
  message: string;
  /** SHA-256 of the server's certificate (to show, or to trust when it was refused). */
  certFingerprint: string | null;
  capabilities: string[];
}

const RECOMMENDED_IMAP = ['IDLE', 'CONDSTORE', 'QRESYNC', 'MOVE', 'UIDPLUS', 'SPECIAL-USE', 'LIST-STATUS'];

function failed(service: EndpointCheck['service'], err: unknown, fallbackStep: ProbeStep): EndpointCheck {
  const step = err instanceof ConnectionStepError ? err.step : fallbackStep;
  return {
    service,
    ok: false,
    failedStep: step,
    message: errorMessage(err),
    certFingerprint: err instanceof ConnectionStepError ? (err.certFingerprint ?? null) : null,
    capabilities: [],
  };
}

/** DNS, TCP, TLS (with fingerprint trust), login, then whether the server speaks enough IMAP. */
export async function checkImap(ep: Endpoint, password: string | undefined): Promise<EndpointCheck> {
  let fingerprint: string | null;
  try {
    fingerprint = (await probeTransport(ep, 'imap')).fingerprint ?? null;
  } catch (err) {
    return failed('imap', err, 'tcp');
  }
  if (password === undefined) return { ...failed('imap', new Error('No password given'), 'auth'), certFingerprint: fingerprint };
  const client = await createImapClient(ep, password);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; responseText?: string };
    const step: ProbeStep = e.authenticationFailed ? 'auth' : 'tls';
    client.close();
    return { ...failed('imap', new Error(e.authenticationFailed ? `Login refused${e.responseText ? `: ${e.responseText}` : ''}` : errorMessage(err)), step), certFingerprint: fingerprint };
  }
  const capabilities = [...client.capabilities.keys()];
  await client.logout().catch(() => client.close());
  const rev = capabilities.includes('IMAP4rev1') || capabilities.includes('IMAP4rev2');
  const missing = RECOMMENDED_IMAP.filter((c) => !capabilities.includes(c));
  if (!rev) {
    return { service: 'imap', ok: false, failedStep: 'capability', message: 'The server does not speak IMAP4rev1', certFingerprint: fingerprint, capabilities };
  }
  return {
    service: 'imap',
    ok: true,
    failedStep: null,
    message: missing.length ? `Connected; without ${missing.join(', ')} sync is slower` : 'Connected',
    certFingerprint: fingerprint,
    capabilities,
  };
}

/** DNS, TCP, TLS (with fingerprint trust), then login on the submission server. */
export async function checkSmtp(ep: Endpoint, password: string | undefined): Promise<EndpointCheck> {
  let fingerprint: string | null;
  try {
    fingerprint = (await probeTransport(ep, 'smtp')).fingerprint ?? null;
  } catch (err) {
    return failed('smtp', err, 'tcp');
  }
  if (password === undefined) return { ...failed('smtp', new Error('No password given'), 'auth'), certFingerprint: fingerprint };
  try {
    const session = await openSmtp(ep, password);
    const allowsAuth = session.conn.allowsAuth;
    session.close();
    return {
      service: 'smtp',
      ok: true,
      failedStep: null,
      message: allowsAuth ? 'Connected' : 'Connected (the server did not ask for a login)',
      certFingerprint: fingerprint,
      capabilities: allowsAuth ? ['AUTH'] : [],
    };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const step: ProbeStep = code === 'EAUTH' ? 'auth' : code === 'ETLS' ? 'tls' : 'capability';
    return { ...failed('smtp', err, step), certFingerprint: fingerprint };
  }
}

/**
 * Tests every server of an 'imap' account's settings, one result per service. Secrets come from
 * `secret(name)` ("imap.password", "smtp.password"): the account's keychain, or the form being filled.
 */
export async function testAccountConnection(
  settings: Record<string, unknown>,
  secret: (name: string) => string | undefined,
): Promise<{ ok: boolean; checks: EndpointCheck[] }> {
  const parsed = readSettings(settings);
  const checks: EndpointCheck[] = [await checkImap(parsed.imap, secret('imap.password'))];
  if (parsed.smtp) checks.push(await checkSmtp(parsed.smtp, secret('smtp.password') ?? secret('imap.password')));
  return { ok: checks.every((c) => c.ok), checks };
}
