// The settings screen's connection test for CalDAV/CardDAV: which step failed, against the real
// Radicale (plain and behind a TLS front with a self-signed certificate).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { checkDav } from '../../../src/main/core/providers/dav';
import { resetDavUser } from '../../servers';
import { startDavProxy, type DavProxy } from './proxy';

const servers = inject('servers');
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let tlsProxy: DavProxy;
let fingerprint: string;

beforeAll(async () => {
  await resetDavUser(bob.email, servers);
  const tlsDir = join(servers.stateDir, 'tls');
  const cert = readFileSync(join(tlsDir, 'cert.pem'), 'utf8');
  fingerprint = new X509Certificate(cert).fingerprint256;
  tlsProxy = await startDavProxy({ target: servers.dav.url, tls: { cert, key: readFileSync(join(tlsDir, 'key.pem'), 'utf8') } });
});

afterAll(async () => {
  await tlsProxy?.close();
});

describe('DAV connection test', () => {
  it('passes every step and reports the DAV capabilities and what it found', async () => {
    const cal = await checkDav('caldav', { url: servers.dav.url, user: bob.email }, bob.password);
    expect(cal).toMatchObject({ service: 'caldav', ok: true, failedStep: null, message: 'Connected; 1 calendar found' });
    expect(cal.capabilities).toContain('calendar-access');
    const card = await checkDav('carddav', { url: servers.dav.url, user: bob.email }, bob.password);
    expect(card).toMatchObject({ ok: true, message: 'Connected; 1 address book found' });
    expect(card.capabilities).toContain('addressbook');
  });

  it('names the failing step: dns, tcp, auth', async () => {
    expect(await checkDav('caldav', { url: 'http://no-such-host.invalid/', user: bob.email }, bob.password)).toMatchObject({ ok: false, failedStep: 'dns' });
    const closed = await freePort();
    expect(await checkDav('caldav', { url: `http://127.0.0.1:${closed}/`, user: bob.email }, bob.password)).toMatchObject({ ok: false, failedStep: 'tcp' });
    const wrong = await checkDav('caldav', { url: servers.dav.url, user: bob.email }, 'not-the-password');
    expect(wrong).toMatchObject({ ok: false, failedStep: 'auth' });
    expect(wrong.message).toMatch(/Login refused \(401\)/);
  });

  it('refuses a self-signed certificate at the tls step, showing its fingerprint, and accepts it once trusted', async () => {
    const untrusted = await checkDav('caldav', { url: tlsProxy.url, user: bob.email }, bob.password);
    expect(untrusted).toMatchObject({ ok: false, failedStep: 'tls', certFingerprint: fingerprint });
    const trusted = await checkDav('caldav', { url: tlsProxy.url, user: bob.email, trustedCertFingerprint: fingerprint }, bob.password);
    expect(trusted).toMatchObject({ ok: true, failedStep: null, certFingerprint: fingerprint });
    const otherPin = fingerprint.replace(/^[0-9A-F]{2}/, (b) => (b === '00' ? '01' : '00'));
    expect(await checkDav('caldav', { url: tlsProxy.url, user: bob.email, trustedCertFingerprint: otherPin }, bob.password)).toMatchObject({ ok: false, failedStep: 'tls' });
  });
});
