import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { errorMessage } from '../../util/errors';
import { DavClient, type DavEndpointSettings } from './client';
import { basicAuth, createDavFetch } from './http';

export type DavProbeStep = 'dns' | 'tcp' | 'tls' | 'auth' | 'capability';

/** One service's result, in the shape of the contract's ConnectionCheck. */
export interface DavEndpointCheck {
  service: 'caldav' | 'carddav';
  ok: boolean;
  failedStep: DavProbeStep | null;
  message: string;
  certFingerprint: string | null;
  capabilities: string[];
}

const TIMEOUT_MS = 10_000;

function normaliseFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * DNS, TCP, TLS (a self-signed certificate passes only by its pinned fingerprint), login, then whether
 * the server speaks CalDAV/CardDAV and has at least one calendar or address book.
 */
export async function checkDav(service: 'caldav' | 'carddav', settings: DavEndpointSettings, password: string | undefined): Promise<DavEndpointCheck> {
  const result = (failedStep: DavProbeStep | null, message: string, extra: Partial<DavEndpointCheck> = {}): DavEndpointCheck => ({
    service,
    ok: failedStep === null,
    failedStep,
    message,
    certFingerprint: null,
    capabilities: [],
    ...extra,
  });
  let url: URL;
  try {
    url = new URL(settings.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`unsupported scheme ${url.protocol}`);
  } catch (err) {
    return result('dns', `Not a usable server address: ${errorMessage(err)}`);
  }
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');

  let address: string;
  try {
    address = net.isIP(host) ? host : (await withTimeout(lookup(host), `Looking up ${host}`)).address;
  } catch (err) {
    return result('dns', `Cannot find ${host}: ${errorMessage(err)}`);
  }

  let fingerprint: string | null = null;
  try {
    if (!https) {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: address, port }, () => {
            s.destroy();
            resolve();
          });
          s.on('error', reject);
        }),
        `Connecting to ${host}:${port}`,
      );
    } else {
      // Handshake without verification first, to learn the certificate, then judge it ourselves.
      const inspected = await withTimeout(
        new Promise<{ fingerprint: string; authorized: boolean; error: string | null }>((resolve, reject) => {
          const s = tls.connect({ host: address, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false }, () => {
            const cert = s.getPeerCertificate();
            const hostError = tls.checkServerIdentity(host, cert);
            resolve({
              fingerprint: cert.fingerprint256 ?? '',
              authorized: s.authorized && !hostError,
              error: s.authorizationError ? String(s.authorizationError) : (hostError?.message ?? null),
            });
            s.destroy();
          });
          s.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { step: err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT' ? 'tcp' : 'tls' })));
        }),
        `TLS with ${host}:${port}`,
      );
      fingerprint = inspected.fingerprint || null;
      const pinned = settings.trustedCertFingerprint ? normaliseFingerprint(settings.trustedCertFingerprint) : null;
      if (pinned) {
        if (normaliseFingerprint(inspected.fingerprint) !== pinned) {
          return result('tls', `The server's certificate (SHA-256 ${inspected.fingerprint}) is not the one you trusted`, { certFingerprint: fingerprint });
        }
      } else if (!inspected.authorized) {
        return result('tls', `The server's certificate is not trusted (${inspected.error ?? 'unknown issuer'}); trust its fingerprint to connect anyway`, { certFingerprint: fingerprint });
      }
    }
  } catch (err) {
    const step = (err as { step?: DavProbeStep }).step ?? 'tcp';
    return result(step, `Cannot connect to ${host}:${port}: ${errorMessage(err)}`, { certFingerprint: fingerprint });
  }

  if (password === undefined) return result('auth', 'No password given', { certFingerprint: fingerprint });
  const fetcher = createDavFetch({ trustedCertFingerprint: settings.trustedCertFingerprint, timeoutMs: TIMEOUT_MS });
  let capabilities: string[];
  try {
    const res = await fetcher(url.href, {
      method: 'PROPFIND',
      headers: { authorization: basicAuth(settings.user, password), depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
    });
    await res.arrayBuffer();
    if (res.status === 401 || res.status === 403) return result('auth', `Login refused (${res.status})`, { certFingerprint: fingerprint });
    const options = await fetcher(url.href, { method: 'OPTIONS', headers: { authorization: basicAuth(settings.user, password) } });
    await options.arrayBuffer();
    capabilities = (options.headers.get('dav') ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  } catch (err) {
    return result('tcp', `The server stopped answering: ${errorMessage(err)}`, { certFingerprint: fingerprint });
  }

  const needed = service === 'caldav' ? 'calendar-access' : 'addressbook';
  if (capabilities.length && !capabilities.includes(needed)) {
    return result('capability', `The server does not offer ${service === 'caldav' ? 'CalDAV' : 'CardDAV'} (no "${needed}" in its DAV header)`, { certFingerprint: fingerprint, capabilities });
  }
  try {
    const found = await new DavClient(settings, password).discover(service === 'caldav' ? 'calendar' : 'addressbook');
    if (!found.length) {
      return result('capability', `Signed in, but no ${service === 'caldav' ? 'calendar' : 'address book'} was found at this address`, { certFingerprint: fingerprint, capabilities });
    }
    const what = service === 'caldav' ? 'calendar' : 'address book';
    return result(null, `Connected; ${found.length} ${what}${found.length === 1 ? '' : 's'} found`, { certFingerprint: fingerprint, capabilities });
  } catch (err) {
    return result('capability', `Signed in, but discovery failed: ${errorMessage(err)}`, { certFingerprint: fingerprint, capabilities });
  }
}
