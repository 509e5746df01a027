import type { ImapFlow } from 'imapflow';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { PimlicoError } from '../../util/errors';
import { probeTransport } from './probe';
import { tlsOptions, type Endpoint } from './settings';

/** Certificates pinned by fingerprint, fetched once per endpoint and process. */
const pinned = new Map<string, string>();

async function pinnedPemFor(ep: Endpoint, protocol: 'imap' | 'smtp'): Promise<string | undefined> {
  if (ep.security === 'none' || !ep.trustedCertFingerprint) return undefined;
  const key = `${protocol}:${ep.host}:${ep.port}:${ep.trustedCertFingerprint}`;
  const cached = pinned.get(key);
  if (cached) return cached;
  const { pinnedPem } = await probeTransport(ep, protocol);
  if (pinnedPem) pinned.set(key, pinnedPem);
  return pinnedPem;
}

export function requirePassword(password: string | undefined, what: string): string {
  if (password === undefined) throw new PimlicoError('Unauthorized', `No ${what} password is stored for this account`);
  return password;
}

export async function createImapClient(ep: Endpoint & { useCondstore?: boolean }, password: string): Promise<ImapFlow> {
  const pem = await pinnedPemFor(ep, 'imap');
  // Loaded with the first IMAP connection: a profile without IMAP accounts never pays for it.
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    host: ep.host,
    port: ep.port,
    secure: ep.security === 'tls',
    // 'starttls' insists on the upgrade (no silent downgrade); 'none' never tries it.
    doSTARTTLS: ep.security === 'starttls' ? true : ep.security === 'none' ? false : undefined,
    tls: tlsOptions(ep, pem),
    auth: { user: ep.user, pass: password },
    logger: false,
    qresync: ep.useCondstore !== false,
    // Not even ENABLEd when the account opts out, so the server behaves as one without CONDSTORE.
    disableAutoEnable: ep.useCondstore === false,
    disableAutoIdle: true,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    clientInfo: { name: 'Pimlico' },
  });
}

/** Connection options for nodemailer's SMTPConnection (used directly, to know how far a send got). */
export async function smtpConnectionOptions(ep: Endpoint): Promise<SMTPConnection.Options> {
  const pem = await pinnedPemFor(ep, 'smtp');
  return {
    host: ep.host,
    port: ep.port,
    secure: ep.security === 'tls',
    requireTLS: ep.security === 'starttls',
    ignoreTLS: ep.security === 'none',
    tls: tlsOptions(ep, pem),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    name: 'pimlico.localhost',
  };
}
