import { createHash, X509Certificate } from 'node:crypto';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { PimlicoError } from '../../util/errors';

export type Security = 'tls' | 'starttls' | 'none';

export interface Endpoint {
  host: string;
  port: number;
  security: Security;
  user: string;
  /** SHA-256 of a self-signed certificate the user chose to trust (hex, colons and case ignored). */
  trustedCertFingerprint?: string;
}

export interface SmtpEndpoint extends Endpoint {
  /** The server files its own copy in Sent (Gmail, Outlook.com): no APPEND after sending. */
  serverSavesSent?: boolean;
}

export interface ImapEndpoint extends Endpoint {
  /** False for servers whose CONDSTORE is broken: every sync then compares all UIDs and flags. */
  useCondstore: boolean;
}

export interface ImapAccountSettings {
  imap: ImapEndpoint;
  smtp?: SmtpEndpoint;
}

function endpoint(value: unknown, what: string): Endpoint {
  const v = value as Partial<Endpoint> | undefined;
  if (!v || typeof v.host !== 'string' || typeof v.port !== 'number' || typeof v.user !== 'string') {
    throw new PimlicoError('BadRequest', `The account has no valid ${what} settings (host, port, user)`);
  }
  const security: Security = v.security === 'tls' || v.security === 'starttls' || v.security === 'none' ? v.security : 'tls';
  return { host: v.host, port: v.port, security, user: v.user, trustedCertFingerprint: v.trustedCertFingerprint };
}

export function readSettings(settings: Record<string, unknown>): ImapAccountSettings {
  const imapRaw = settings['imap'] as Record<string, unknown> | undefined;
  const imap = { ...endpoint(imapRaw, 'IMAP'), useCondstore: imapRaw?.['useCondstore'] !== false };
  const smtpRaw = settings['smtp'] as (Partial<SmtpEndpoint> & Record<string, unknown>) | undefined;
  const smtp = smtpRaw ? { ...endpoint(smtpRaw, 'SMTP'), serverSavesSent: smtpRaw.serverSavesSent === true } : undefined;
  return { imap, smtp };
}

export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

export function certFingerprint(cert: PeerCertificate | X509Certificate): string {
  const raw = cert instanceof X509Certificate ? cert.raw : cert.raw;
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * TLS options for an endpoint. Normal certificates are verified as usual. A trusted fingerprint
 * pins that exact certificate: it is accepted whatever its issuer and host name, and nothing else
 * is (the pinned certificate is the only trust anchor, and the identity check compares hashes).
 * The PEM comes from a first handshake that sends nothing (see probe.ts fetchPeerCertificate).
 */
export function tlsOptions(ep: Endpoint, pinnedPem?: string): ConnectionOptions {
  const base: ConnectionOptions = { servername: isIp(ep.host) ? undefined : ep.host, minVersion: 'TLSv1.2' };
  if (!ep.trustedCertFingerprint || !pinnedPem) return base;
  const expected = normalizeFingerprint(ep.trustedCertFingerprint);
  return {
    ...base,
    ca: [pinnedPem],
    checkServerIdentity: (_host, cert) =>
      certFingerprint(cert) === expected ? undefined : new Error('The server certificate does not match the trusted fingerprint'),
  };
}

export function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
