import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { PimlicoError } from '../../util/errors';
import { RetryableError } from '../types';

export interface DavHttpOptions {
  /** SHA-256 fingerprint ("AB:CD:…" or plain hex) of a self-signed certificate the user chose to trust. */
  trustedCertFingerprint?: string;
  timeoutMs?: number;
}

const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function normaliseFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/**
 * A fetch for tsdav and our own requests, on node:http(s) rather than the global fetch: only here can
 * a self-signed certificate be accepted by its pinned fingerprint (and nothing else) without a custom
 * dispatcher package.
 */
export function createDavFetch(options: DavHttpOptions = {}): typeof fetch {
  const pinned = options.trustedCertFingerprint ? normaliseFingerprint(options.trustedCertFingerprint) : null;
  const timeoutMs = options.timeoutMs ?? 60_000;

  const once = (url: URL, init: RequestInit | undefined): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new PimlicoError('BadRequest', `Unsupported DAV URL scheme ${url.protocol}`));
        return;
      }
      const body = init?.body;
      if (body != null && typeof body !== 'string') {
        reject(new PimlicoError('Internal', 'DAV requests carry string bodies only'));
        return;
      }
      const headers = headersOf(init);
      if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
      const requestOptions: https.RequestOptions = {
        method: init?.method ?? 'GET',
        headers,
        timeout: timeoutMs,
        // A pinned certificate replaces CA validation; it is checked below before anything is sent.
        ...(isHttps && pinned ? { rejectUnauthorized: false } : {}),
      };
      const req = (isHttps ? https : http).request(url, requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) responseHeaders.append(k, one);
          }
          const status = res.statusCode ?? 0;
          const noBody = status === 204 || status === 304 || status < 200;
          const response = new Response(noBody ? null : Buffer.concat(chunks), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          });
          // tsdav reads response.url for error reports.
          Object.defineProperty(response, 'url', { value: url.href });
          resolve(response);
        });
      });
      req.on('timeout', () => req.destroy(new RetryableError(`DAV request to ${url.host} timed out`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof PimlicoError || err instanceof RetryableError) reject(err);
        else if (err.code && CERTIFICATE_ERRORS.has(err.code)) {
          // Retrying cannot help: the user has to trust this certificate (by fingerprint) or fix the server.
          reject(new PimlicoError('Unauthorized', `The DAV server ${url.host} presented a certificate that is not trusted (${err.code}); trust its SHA-256 fingerprint to connect`));
        } else reject(new RetryableError(`DAV server ${url.host} unreachable: ${err.message}`));
      });
      if (isHttps && pinned) {
        req.on('socket', (socket) => {
          (socket as TLSSocket).once('secureConnect', () => {
            const cert = (socket as TLSSocket).getPeerCertificate();
            const got = cert?.fingerprint256 ? normaliseFingerprint(cert.fingerprint256) : '';
            if (got !== pinned) {
              req.destroy(new PimlicoError('Unauthorized', `The DAV server's certificate (SHA-256 ${cert?.fingerprint256 ?? 'none'}) is not the trusted one`));
            }
          });
        });
      }
      if (body != null) req.write(body);
      req.end();
    });

  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    // Follow redirects unless the caller handles them (tsdav's well-known discovery does).
    for (let hops = 0; ; hops++) {
      const res = await once(url, init);
      const location = res.headers.get('location');
      if (init?.redirect === 'manual' || res.status < 300 || res.status >= 400 || !location || hops >= 5) return res;
      url = new URL(location, url);
    }
  };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** One spelling per resource: percent-encoding differs between servers and between our own URLs and theirs. */
export function canonicalHref(href: string, base?: string): string {
  const u = new URL(href, base);
  const path = u.pathname
    .split('/')
    .map((seg) => {
      try {
        return encodeURIComponent(decodeURIComponent(seg));
      } catch {
        return seg;
      }
    })
    .join('/');
  return `${u.protocol}//${u.host}${path}`;
}
