import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { errorMessage } from '../../util/errors';
import { certFingerprint, isIp, normalizeFingerprint, type Endpoint } from './settings';

export type ProbeStep = 'dns' | 'tcp' | 'tls' | 'auth' | 'capability';

/** Which step of reaching a server failed, so the settings screen can say exactly what to fix. */
export class ConnectionStepError extends Error {
  constructor(
    readonly step: ProbeStep,
    message: string,
    /** SHA-256 of the certificate the server showed, when the TLS step refused it (to offer trusting it). */
    readonly certFingerprint?: string,
  ) {
    super(message);
    this.name = 'ConnectionStepError';
  }
}

const TIMEOUT_MS = 10_000;

/** Reads CRLF lines from a socket until one matches `done`. */
function readUntil(socket: net.Socket, done: (line: string) => boolean, what: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const lines: string[] = [];
    const timer = setTimeout(() => finish(new Error(`No answer to ${what} within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        lines.push(line);
        if (done(line)) return finish();
      }
    };
    const onEnd = () => finish(new Error(`The server closed the connection during ${what}`));
    const onError = (err: Error) => finish(err);
    function finish(err?: Error) {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('error', onError);
      if (err) reject(err);
      else resolve(lines);
    }
    socket.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

async function resolveHost(host: string): Promise<string> {
  if (isIp(host)) return host;
  try {
    // The system resolver can hang for many seconds offline; the user learns sooner that DNS is the problem.
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS / 2000} s`)), TIMEOUT_MS / 2).unref());
    return (await Promise.race([lookup(host), timeout])).address;
  } catch (err) {
    throw new ConnectionStepError('dns', `Cannot resolve ${host}: ${errorMessage(err)}`);
  }
}

function connectTcp(address: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionStepError('tcp', `No connection to ${address}:${port} within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ConnectionStepError('tcp', `Cannot connect to ${address}:${port}: ${errorMessage(err)}`));
    });
  });
}

/** Switches a plain session to TLS the way the protocol says (IMAP STARTTLS or SMTP EHLO + STARTTLS). */
async function startTls(socket: net.Socket, protocol: 'imap' | 'smtp'): Promise<void> {
  try {
    if (protocol === 'imap') {
      await readUntil(socket, (l) => l.startsWith('* '), 'the greeting');
      socket.write('p1 STARTTLS\r\n');
      const lines = await readUntil(socket, (l) => l.startsWith('p1 '), 'STARTTLS');
      if (!/^p1 OK/i.test(lines.at(-1) ?? '')) throw new Error(`STARTTLS refused: ${lines.at(-1) ?? ''}`);
    } else {
      await readUntil(socket, (l) => /^\d{3} /.test(l), 'the greeting');
      socket.write('EHLO pimlico.localhost\r\n');
      const ehlo = await readUntil(socket, (l) => /^\d{3} /.test(l), 'EHLO');
      if (!ehlo.some((l) => /STARTTLS/i.test(l))) throw new Error('The server does not offer STARTTLS');
      socket.write('STARTTLS\r\n');
      const answer = await readUntil(socket, (l) => /^\d{3} /.test(l), 'STARTTLS');
      if (!/^220/.test(answer.at(-1) ?? '')) throw new Error(`STARTTLS refused: ${answer.at(-1) ?? ''}`);
    }
  } catch (err) {
    socket.destroy();
    throw new ConnectionStepError('tls', errorMessage(err));
  }
}

export interface TlsInspection {
  /** The certificate verifies against the system's CAs and names this host. */
  authorized: boolean;
  authorizationError: string | null;
  fingerprint: string;
  pem: string;
}

function handshake(socket: net.Socket, host: string): Promise<TlsInspection> {
  return new Promise((resolve, reject) => {
    // Nothing is sent over this connection: it only shows the certificate, which is judged below.
    const secure = tls.connect({ socket, servername: isIp(host) ? undefined : host, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new ConnectionStepError('tls', `No TLS handshake within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = secure.getPeerCertificate(false);
      const pem = `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
      let authorizationError = secure.authorized ? null : String(secure.authorizationError);
      if (secure.authorized) {
        const identity = tls.checkServerIdentity(host, cert);
        if (identity) authorizationError = identity.message;
      }
      secure.destroy();
      resolve({ authorized: authorizationError === null, authorizationError, fingerprint: certFingerprint(cert), pem });
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      reject(new ConnectionStepError('tls', `TLS handshake failed: ${errorMessage(err)}`));
    });
  });
}

/**
 * DNS, TCP and TLS for one endpoint, each failure named by its step. A certificate that does not
 * verify is refused unless its SHA-256 equals the endpoint's trusted fingerprint.
 * Returns the certificate (PEM) to pin when it was accepted by fingerprint.
 */
export async function probeTransport(ep: Endpoint, protocol: 'imap' | 'smtp'): Promise<{ pinnedPem?: string; fingerprint?: string }> {
  const address = await resolveHost(ep.host);
  const socket = await connectTcp(address, ep.port);
  if (ep.security === 'none') {
    socket.destroy();
    return {};
  }
  if (ep.security === 'starttls') await startTls(socket, protocol);
  const seen = await handshake(socket, ep.host);
  if (seen.authorized) return { fingerprint: seen.fingerprint };
  const trusted = ep.trustedCertFingerprint ? normalizeFingerprint(ep.trustedCertFingerprint) : null;
  if (trusted === seen.fingerprint) return { pinnedPem: seen.pem, fingerprint: seen.fingerprint };
  throw new ConnectionStepError(
    'tls',
    trusted
      ? `The server's certificate (SHA-256 ${seen.fingerprint}) is not the trusted one`
      : `The server's certificate is not trusted (${seen.authorizationError ?? 'unknown reason'}); SHA-256 ${seen.fingerprint}`,
    seen.fingerprint,
  );
}
