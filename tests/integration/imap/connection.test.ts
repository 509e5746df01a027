import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { folderId, imapAccountInput, user } from './support';

const servers = inject('servers');
const bob = user(servers, 'bob');
const alice = user(servers, 'alice');

interface Check {
  service: string;
  ok: boolean;
  failedStep: string | null;
  message: string;
  certFingerprint: string | null;
}
interface Outcome {
  ok: boolean;
  checks: Check[];
}

/** The test servers' self-signed certificate, as a user would read it from the server admin. */
const certSha256 = new X509Certificate(readFileSync(servers.imap.caCertPath)).fingerprint256;

describe('connection test and certificate trust', () => {
  let core: Core;
  const test = async (account: ReturnType<typeof imapAccountInput>) => (await core.handle('accounts.testConnection', { account })) as Outcome;

  beforeAll(async () => {
    await resetMailUser(bob.email, servers);
    core = createTestCore();
  });
  afterAll(async () => {
    await core?.close();
  });

  it('reports both servers reachable with good settings', async () => {
    const out = await test(imapAccountInput(servers, bob));
    expect(out.ok).toBe(true);
    expect(out.checks.map((c) => [c.service, c.ok, c.failedStep])).toEqual([
      ['imap', true, null],
      ['smtp', true, null],
    ]);
  });

  it('tests CalDAV and CardDAV through the DAV part when the account has them', async () => {
    const dav = { url: servers.dav.url, user: bob.email, password: bob.password };
    const good = (await core.handle('accounts.testConnection', { account: { ...imapAccountInput(servers, bob), caldav: dav, carddav: dav } })) as Outcome;
    expect(good.checks.map((c) => [c.service, c.ok])).toEqual([
      ['imap', true],
      ['smtp', true],
      ['caldav', true],
      ['carddav', true],
    ]);
    const bad = (await core.handle('accounts.testConnection', {
      account: { ...imapAccountInput(servers, bob), caldav: { ...dav, password: 'wrong' } },
    })) as Outcome;
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.service === 'caldav')).toMatchObject({ ok: false, failedStep: 'auth' });
  });

  it('names the failing step: auth, tcp, dns', async () => {
    const badPassword = await test(imapAccountInput(servers, bob, { imap: { password: 'wrong' }, smtp: { password: 'wrong' } }));
    expect(badPassword.ok).toBe(false);
    expect(badPassword.checks.map((c) => [c.service, c.failedStep])).toEqual([
      ['imap', 'auth'],
      ['smtp', 'auth'],
    ]);
    const closedPort = await test(imapAccountInput(servers, bob, { imap: { port: 1 } }));
    expect(closedPort.checks[0]).toMatchObject({ service: 'imap', ok: false, failedStep: 'tcp' });
    const noSuchHost = await test(imapAccountInput(servers, bob, { imap: { host: 'no-such-host.invalid' } }));
    expect(noSuchHost.checks[0]).toMatchObject({ service: 'imap', ok: false, failedStep: 'dns' });
  });

  it('refuses a self-signed certificate, telling its fingerprint, and accepts it once trusted', async () => {
    const tls = { port: servers.imap.tlsPort, security: 'tls' };
    const refused = await test(imapAccountInput(servers, bob, { imap: tls }));
    expect(refused.checks[0]).toMatchObject({ service: 'imap', ok: false, failedStep: 'tls' });
    expect(refused.checks[0]!.certFingerprint).toBe(certSha256.replace(/:/g, '').toLowerCase());

    const trusted = await test(imapAccountInput(servers, bob, { imap: { ...tls, trustedCertFingerprint: certSha256 } }));
    expect(trusted.checks[0]).toMatchObject({ service: 'imap', ok: true, failedStep: null });

    const wrong = await test(imapAccountInput(servers, bob, { imap: { ...tls, trustedCertFingerprint: 'AB'.repeat(32) } }));
    expect(wrong.checks[0]).toMatchObject({ service: 'imap', ok: false, failedStep: 'tls' });

    // STARTTLS on the plain ports, IMAP and SMTP alike.
    const starttls = await test(
      imapAccountInput(servers, bob, {
        imap: { security: 'starttls', trustedCertFingerprint: certSha256 },
        smtp: { security: 'starttls', trustedCertFingerprint: certSha256 },
      }),
    );
    expect(starttls.checks.map((c) => [c.service, c.ok])).toEqual([
      ['imap', true],
      ['smtp', true],
    ]);
    const starttlsUntrusted = await test(imapAccountInput(servers, bob, { smtp: { security: 'starttls' } }));
    expect(starttlsUntrusted.checks[1]).toMatchObject({ service: 'smtp', ok: false, failedStep: 'tls' });
  });

  it('syncs and sends over TLS with a trusted fingerprint, and refuses to sync without it', async () => {
    const untrusted = core.accounts.create(imapAccountInput(servers, bob, { imap: { port: servers.imap.tlsPort, security: 'tls' } })).id;
    await expect(core.sync.syncNow(untrusted)).rejects.toThrow(/certificate/i);
    expect(core.store.mail.listFolders(untrusted)).toHaveLength(0);

    const pinned = core.accounts.create(
      imapAccountInput(servers, bob, {
        imap: { port: servers.imap.tlsPort, security: 'tls', trustedCertFingerprint: certSha256 },
        smtp: { security: 'starttls', trustedCertFingerprint: certSha256 },
      }),
    ).id;
    await core.sync.syncNow(pinned);
    expect(core.store.mail.listFolders(pinned).some((f) => f.role === 'inbox')).toBe(true);
    const { outboxId } = await core.mail.send({ accountId: pinned, to: [{ name: '', address: alice.email }], subject: 'Over TLS', bodyText: 'pinned' });
    await core.outbox.run(pinned);
    expect(core.store.outbox.get(outboxId)!.status).toBe('sent');
    await core.sync.syncNow(pinned);
    const sent = core.mail.list({ folderId: folderId(core, pinned, 'sent'), offset: 0, limit: 10 }).items;
    expect(sent.some((m) => m.subject === 'Over TLS')).toBe(true);

    const byId = (await core.handle('accounts.testConnection', { accountId: pinned })) as Outcome;
    expect(byId.ok).toBe(true);
  });
});
