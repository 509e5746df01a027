import type { NewAccount } from '../../shared/types';

export type Security = 'tls' | 'starttls' | 'none';
export type TestedService = 'imap' | 'smtp' | 'caldav' | 'carddav';

/** What the IMAP/SMTP form holds: strings as typed, turned into a NewAccount only on test or save. */
export interface ImapFormFields {
  displayName: string;
  email: string;
  user: string;
  password: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: Security;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: Security;
  caldavUrl: string;
  carddavUrl: string;
  /** Certificate fingerprints the user chose to trust, per service (self-signed servers). */
  trusted: Partial<Record<TestedService, string>>;
}

export const EMPTY_IMAP_FORM: ImapFormFields = {
  displayName: '',
  email: '',
  user: '',
  password: '',
  imapHost: '',
  imapPort: '993',
  imapSecurity: 'tls',
  smtpHost: '',
  smtpPort: '465',
  smtpSecurity: 'tls',
  caldavUrl: '',
  carddavUrl: '',
  trusted: {},
};

const DEFAULT_PORT: Record<'imap' | 'smtp', Record<Security, string>> = {
  imap: { tls: '993', starttls: '143', none: '143' },
  smtp: { tls: '465', starttls: '587', none: '587' },
};

/** Changing the security also changes the port, unless the user typed a port of their own. */
export function withSecurity(
  f: ImapFormFields,
  service: 'imap' | 'smtp',
  security: Security,
): ImapFormFields {
  const portKey = service === 'imap' ? 'imapPort' : 'smtpPort';
  const securityKey = service === 'imap' ? 'imapSecurity' : 'smtpSecurity';
  const wasDefault = Object.values(DEFAULT_PORT[service]).includes(f[portKey]);
  return {
    ...f,
    [securityKey]: security,
    [portKey]: wasDefault ? DEFAULT_PORT[service][security] : f[portKey],
  };
}

function port(value: string, label: string): number {
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${label} port must be a number from 1 to 65535`);
  return n;
}

function url(value: string, label: string): string {
  try {
    const u = new URL(value.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.toString();
  } catch {
    throw new Error(`${label} URL must start with https:// (or http://)`);
  }
}

/** Builds the account the core receives; throws a readable error for a field that cannot work. */
export function imapAccountFrom(f: ImapFormFields): Extract<NewAccount, { kind: 'imap' }> {
  const email = f.email.trim();
  if (!email) throw new Error('Enter the email address');
  if (!f.imapHost.trim()) throw new Error('Enter the IMAP server');
  const user = f.user.trim() || email;
  const password = f.password;
  const trust = (service: TestedService) =>
    f.trusted[service] ? { trustedCertFingerprint: f.trusted[service] } : {};
  return {
    kind: 'imap',
    displayName: f.displayName.trim() || email,
    email,
    imap: {
      host: f.imapHost.trim(),
      port: port(f.imapPort, 'IMAP'),
      security: f.imapSecurity,
      user,
      password,
      ...trust('imap'),
    },
    smtp: f.smtpHost.trim()
      ? {
          host: f.smtpHost.trim(),
          port: port(f.smtpPort, 'SMTP'),
          security: f.smtpSecurity,
          user,
          password,
          ...trust('smtp'),
        }
      : undefined,
    caldav: f.caldavUrl.trim()
      ? { url: url(f.caldavUrl, 'CalDAV'), user, password, ...trust('caldav') }
      : undefined,
    carddav: f.carddavUrl.trim()
      ? { url: url(f.carddavUrl, 'CardDAV'), user, password, ...trust('carddav') }
      : undefined,
  };
}

export type GraphAuthChoice = 'interactive' | 'deviceCode' | 'tokenCommand';

export interface GraphFormFields {
  displayName: string;
  email: string;
  clientId: string;
  graphBaseUrl: string;
  /** Optional: a tenant-specific sign-in authority (e.g. https://login.microsoftonline.com/contoso.com). */
  authority: string;
  auth: GraphAuthChoice;
  tokenCommand: string;
}

export const EMPTY_GRAPH_FORM: GraphFormFields = {
  displayName: '',
  email: '',
  clientId: '',
  graphBaseUrl: 'https://graph.microsoft.com/v1.0',
  authority: '',
  auth: 'interactive',
  tokenCommand: '',
};

export function graphAccountFrom(f: GraphFormFields): Extract<NewAccount, { kind: 'graph' }> {
  const email = f.email.trim();
  if (!email) throw new Error('Enter the email address');
  if (f.auth === 'tokenCommand' && !f.tokenCommand.trim())
    throw new Error('Enter the command that prints an access token');
  // Browser and device-code sign-in go through an app registration; without its id nothing can sign in.
  if (f.auth !== 'tokenCommand' && !f.clientId.trim())
    throw new Error('Signing in with Microsoft needs an application (client) id; see the README');
  return {
    kind: 'graph',
    displayName: f.displayName.trim() || email,
    email,
    graphBaseUrl: url(f.graphBaseUrl || EMPTY_GRAPH_FORM.graphBaseUrl, 'Graph').replace(/\/$/, ''),
    clientId: f.clientId.trim() || undefined,
    authority: f.auth !== 'tokenCommand' && f.authority.trim() ? httpsUrl(f.authority.trim(), 'Sign-in authority') : undefined,
    auth:
      f.auth === 'tokenCommand' ? { type: 'tokenCommand', command: f.tokenCommand.trim() } : { type: f.auth },
  };
}

export const STEP_LABEL: Record<string, string> = {
  dns: 'DNS',
  tcp: 'Connect (TCP)',
  tls: 'Secure connection (TLS)',
  auth: 'Sign-in (auth)',
  capability: 'Capabilities',
};

export const SERVICE_LABEL: Record<TestedService, string> = {
  imap: 'IMAP',
  smtp: 'SMTP',
  caldav: 'CalDAV',
  carddav: 'CardDAV',
};

/** Services of an account's settings (new or saved) that connect without TLS. */
export function plainServices(settings: Record<string, unknown>): TestedService[] {
  const section = (name: string) => settings[name] as { security?: unknown; url?: unknown } | undefined;
  const plain: TestedService[] = [];
  for (const service of ['imap', 'smtp'] as const)
    if (section(service)?.security === 'none') plain.push(service);
  for (const service of ['caldav', 'carddav'] as const) {
    const u = section(service)?.url;
    if (typeof u === 'string' && u.startsWith('http:')) plain.push(service);
  }
  return plain;
}

/** Microsoft sign-in happens only over https. */
function httpsUrl(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${what}: enter a full address such as https://login.microsoftonline.com/contoso.com`);
  }
  if (u.protocol !== 'https:') throw new Error(`${what} must be an https:// address`);
  return u.toString().replace(/\/$/, '');
}
