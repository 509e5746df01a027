// A tiny Microsoft identity platform on loopback: OpenID configuration, /devicecode and /token, over
// https with a throwaway self-signed certificate (MSAL refuses http authorities). The process that
// uses it trusts the certificate through tls.setDefaultCACertificates, which Node's fetch (MSAL's
// HTTP client) honours.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';

export interface FakeAuthority {
  /** e.g. https://127.0.0.1:PORT/common */
  authority: string;
  origin: string;
  /** Requests as "METHOD /path" with their form bodies. */
  requests: { method: string; path: string; form: URLSearchParams }[];
  /** The certificate in a PEM file, for another process to trust (NODE_EXTRA_CA_CERTS). */
  certPath: string;
  /** The user enters the device code: until then /token answers authorization_pending. */
  approveDeviceCode(): void;
  close(): Promise<void>;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export async function startFakeAuthority(user: { username: string; clientId: string; accessToken: string }, opts: { deviceCodeApproved?: boolean } = {}): Promise<FakeAuthority> {
  const dir = mkdtempSync(join(tmpdir(), 'pimlico-authority-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  rmSync(join(dir, 'key.pem'));
  let approved = opts.deviceCodeApproved ?? true;
  setDefaultCACertificates([...getCACertificates('default'), cert]);

  const requests: FakeAuthority['requests'] = [];
  let origin = '';
  const server: Server = createServer({ cert, key }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, form: new URLSearchParams(body) });
      const json = (status: number, o: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const base = `${origin}/common`;
      if (url.pathname === '/common/v2.0/.well-known/openid-configuration') {
        return json(200, {
          issuer: `${origin}/{tenantid}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${origin}/keys`,
          response_types_supported: ['code'],
        });
      }
      if (url.pathname === '/common/oauth2/v2.0/devicecode') {
        // Every new code waits for its own approval.
        approved = opts.deviceCodeApproved ?? true;
        return json(200, { device_code: 'device-code-1', user_code: 'PIML-1234', verification_uri: `${origin}/devicelogin`, expires_in: 900, interval: 1, message: 'Enter PIML-1234' });
      }
      if (url.pathname === '/common/oauth2/v2.0/token') {
        if (requests.at(-1)?.form.get('grant_type')?.includes('device_code') && !approved) {
          return json(400, { error: 'authorization_pending', error_description: 'The user has not yet entered the code' });
        }
        const now = Math.floor(Date.now() / 1000);
        const idToken = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: user.clientId, iss: `${origin}/tid/v2.0`, iat: now, nbf: now, exp: now + 3600, name: 'Test', oid: 'oid-1', preferred_username: user.username, sub: 'sub-1', tid: 'tid' })}.`;
        return json(200, {
          token_type: 'Bearer',
          scope: 'Mail.ReadWrite Mail.Send Calendars.ReadWrite Contacts.ReadWrite User.Read',
          expires_in: 3600,
          ext_expires_in: 3600,
          access_token: user.accessToken,
          refresh_token: 'refresh-1',
          id_token: idToken,
          client_info: b64({ uid: 'oid-1', utid: 'tid' }),
        });
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    authority: `${origin}/common`,
    origin,
    requests,
    certPath: join(dir, 'cert.pem'),
    approveDeviceCode: () => {
      approved = true;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
