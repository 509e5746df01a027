import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/core';
import { ALICE, ALICE_TOKEN, folderId, graphFixture, subjects, type GraphFixture } from './support';

describe('Graph provider: throttling, expired delta tokens, sign-in failures', () => {
  let fx: GraphFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('rides out a storm of 429s and 503s without exceeding 4 concurrent requests or losing anything', async () => {
    fx = await graphFixture({ latencyMs: 5 });
    const { emu, core, accountId } = fx;
    for (const name of ['A', 'B', 'C']) emu.addMailFolder(ALICE, name);
    for (let i = 0; i < 40; i++) {
      emu.seedMessage(ALICE, 'inbox', { subject: `S${String(i).padStart(2, '0')}`, attachments: i % 4 === 0 ? [{ name: `f${i}.txt`, content: `file ${i}` }] : [] });
    }
    emu.resetStats();
    emu.failNext(14, { status: 429, retryAfterSeconds: 0 });
    emu.failNext(5, { status: 503, retryAfterSeconds: 0 });
    await core.sync.syncNow(accountId);
    const inbox = folderId(core, accountId, 'inbox');
    expect(subjects(core, inbox)).toHaveLength(40);
    expect(emu.stats.injectedFailures).toBe(19);

    // Now a bulk action under throttling, with parallel attachment fetches competing for slots.
    const ids = core.store.mail.list({ folderId: inbox, offset: 0, limit: 100 }).items.map((m) => m.id);
    emu.failNext(25, { status: 429, retryAfterSeconds: 0 });
    core.mail.setFlags(ids, { read: true, flagged: true });
    await core.tasks.run(accountId);
    expect(emu.getMessages(ALICE, 'inbox').filter((m) => m.isRead && m.flag.flagStatus === 'flagged')).toHaveLength(40);
    expect(core.store.tasks.recent(10).filter((t) => t.status !== 'done')).toEqual([]);
    // The emulator refuses (429 ApplicationThrottled) anything over the limit; none happened and the peak stayed at 4.
    expect(emu.stats.maxConcurrentSeen).toBeLessThanOrEqual(4);
    expect(emu.stats.throttled).toBe(0);
  });

  it('honours Retry-After before trying again', async () => {
    fx = await graphFixture();
    const { emu, core, accountId } = fx;
    emu.seedMessage(ALICE, 'inbox', { subject: 'Patience' });
    emu.failNext(1, { status: 429, retryAfterSeconds: 1 });
    await core.sync.syncNow(accountId);
    const log = emu.requests.filter((r) => r.via === 'http');
    const i = log.findIndex((r) => r.status === 429);
    // The retry (the next request) came no sooner than the second Graph asked for.
    expect(Date.parse(log[i + 1]!.at) - Date.parse(log[i]!.at)).toBeGreaterThanOrEqual(1000);
    expect(subjects(core, folderId(core, accountId, 'inbox'))).toEqual(['Patience']);
  });

  it('resyncs from scratch when delta tokens expire (410), without duplicates and dropping what went meanwhile', async () => {
    fx = await graphFixture();
    const { emu, core, accountId } = fx;
    for (let i = 0; i < 15; i++) emu.seedMessage(ALICE, 'inbox', { subject: `T${String(i).padStart(2, '0')}` });
    emu.seedEvent(ALICE, { subject: 'Standup', start: { dateTime: tomorrow(9), timeZone: 'UTC' }, end: { dateTime: tomorrow(10), timeZone: 'UTC' } });
    emu.seedContact(ALICE, { givenName: 'Carol', surname: 'Jones', emailAddresses: [{ address: 'carol@example.com' }] });
    await core.sync.syncNow(accountId);
    const inbox = folderId(core, accountId, 'inbox');
    expect(subjects(core, inbox)).toHaveLength(15);

    const gone = emu.getMessages(ALICE, 'inbox')[0]!;
    emu.deleteMessage(ALICE, gone.id);
    emu.seedMessage(ALICE, 'inbox', { subject: 'After expiry' });
    emu.expireDeltaTokens();
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    expect(emu.requests.some((r) => r.status === 410)).toBe(true);
    const now = subjects(core, inbox);
    expect(now).toHaveLength(15);
    expect(now).toContain('After expiry');
    expect(now).not.toContain(gone.subject);
    expect(new Set(now).size).toBe(now.length);
    expect(core.calendar.range(Date.now(), Date.now() + 3 * 86_400_000).map((o) => o.event.summary)).toEqual(['Standup']);
    expect(core.contacts.list({ limit: 100 }).filter((c) => c.accountId === accountId).map((c) => c.displayName)).toEqual(['Carol Jones']);
    // And the next round is incremental again.
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    expect(emu.requests.some((r) => r.status === 410)).toBe(false);
    expect(subjects(core, inbox)).toHaveLength(15);
  });

  it('re-runs the token command after a 401, and marks the account needs-sign-in when that fails', async () => {
    const dir = tempDir('pimlico-graph-token-');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'token-old');
    const script = join(dir, 'get-token.sh');
    writeFileSync(script, `#!/bin/sh\nif [ -f "${tokenFile}" ]; then cat "${tokenFile}"; else echo "refresh token revoked" >&2; exit 3; fi\n`);
    chmodSync(script, 0o755);
    fx = await graphFixture({ command: script });
    const { emu, core, accountId } = fx;
    emu.addToken(ALICE, 'token-old');
    emu.seedMessage(ALICE, 'inbox', { subject: 'One' });
    await core.sync.syncNow(accountId);
    expect(core.store.accounts.get(accountId)!.status).toBe('ok');

    // The token expires; the command now gives a fresh one, which is picked up on the 401.
    emu.revokeToken('token-old');
    writeFileSync(tokenFile, ALICE_TOKEN);
    emu.seedMessage(ALICE, 'inbox', { subject: 'Two' });
    await core.sync.syncNow(accountId);
    expect(subjects(core, folderId(core, accountId, 'inbox'))).toEqual(['One', 'Two']);

    // Refresh fails: the account asks for sign-in, with the reason, instead of failing in the background.
    emu.revokeToken(ALICE_TOKEN);
    writeFileSync(tokenFile, '');
    const { rmSync } = await import('node:fs');
    rmSync(tokenFile);
    await expect(core.sync.syncNow(accountId)).rejects.toThrow(/token command failed/);
    const account = core.store.accounts.get(accountId)!;
    expect(account.status).toBe('needs-sign-in');
    expect(account.lastError).toMatch(/refresh token revoked/);
    // Nothing cached was lost.
    expect(subjects(core, folderId(core, accountId, 'inbox'))).toEqual(['One', 'Two']);
  });

  it('refuses nextLinks that point anywhere but the configured Graph service', async () => {
    fx = await graphFixture();
    const client = fx.provider().client;
    expect(() => client.checkLink('https://evil.example.com/v1.0/me/messages?$skip=10')).toThrow(/outside the configured Graph service/);
    expect(() => client.checkLink(`${fx!.emu.baseUrl.replace('/v1.0', '/beta')}/me/messages`)).toThrow(/outside/);
    expect(() => client.checkLink(`${fx!.emu.baseUrl}/me/messages?$skip=10`)).not.toThrow();
  });

  it('says clearly that interactive sign-in needs a client id instead of pretending', async () => {
    fx = await graphFixture();
    const { core } = fx;
    const { id } = core.accounts.create({ kind: 'graph', displayName: 'No app', email: 'nobody@contoso.test', graphBaseUrl: fx.emu.baseUrl, auth: { type: 'interactive' } });
    await expect(core.sync.syncNow(id)).rejects.toThrow(/client\) id is configured/);
    expect(core.store.accounts.get(id)!.status).toBe('needs-sign-in');
    expect(core.store.accounts.get(id)!.lastError).toMatch(/Register an app/);
    const { signInGraphAccount } = await import('../../../src/main/core/providers/graph');
    await expect(signInGraphAccount(core, id, { mode: 'deviceCode', onCode: () => undefined })).rejects.toThrow(/client\) id is configured/);
  });
  it('an interactive account never signed in (or whose MSAL cache has no entry) asks for sign-in', async () => {
    fx = await graphFixture();
    const { core } = fx;
    const { id } = core.accounts.create({
      kind: 'graph',
      displayName: 'Work',
      email: 'carol@contoso.test',
      graphBaseUrl: fx.emu.baseUrl,
      clientId: '11111111-2222-3333-4444-555555555555',
      auth: { type: 'interactive' },
    });
    await expect(core.sync.syncNow(id)).rejects.toThrow(/Sign in to carol@contoso.test/);
    expect(core.store.accounts.get(id)).toMatchObject({ status: 'needs-sign-in', lastError: expect.stringMatching(/Sign in to carol@contoso.test/) });
    // No request went to Graph without a token.
    expect(fx.emu.requests.filter((r) => r.mailbox === 'carol@contoso.test')).toEqual([]);
  });
  it('gives up a cycle when throttling outlasts its retries, and the next cycle completes without duplicates', async () => {
    fx = await graphFixture({ latencyMs: 5 });
    const { emu, core, accountId } = fx;
    for (let i = 0; i < 25; i++) emu.seedMessage(ALICE, 'inbox', { subject: `P${String(i).padStart(2, '0')}` });
    await core.sync.syncNow(accountId);
    for (let i = 25; i < 40; i++) emu.seedMessage(ALICE, 'inbox', { subject: `P${String(i).padStart(2, '0')}` });
    emu.failNext(30, { status: 429, retryAfterSeconds: 0 });
    await expect(core.sync.syncNow(accountId)).rejects.toThrow(/throttling/);
    expect(core.store.accounts.get(accountId)!.status).toBe('error');
    await core.sync.syncNow(accountId);
    const inbox = folderId(core, accountId, 'inbox');
    const now = subjects(core, inbox);
    expect(now).toHaveLength(40);
    expect(new Set(now).size).toBe(40);
    expect(core.store.accounts.get(accountId)!.status).toBe('ok');
  });

  it('keeps sync, user actions and attachment downloads running side by side within 4 requests', async () => {
    fx = await graphFixture({ latencyMs: 20 });
    const { emu, core, accountId } = fx;
    for (let i = 0; i < 12; i++) emu.seedMessage(ALICE, 'inbox', { subject: `Q${String(i).padStart(2, '0')}`, attachments: [{ name: `q${i}.txt`, content: `attachment ${i}` }] });
    await core.sync.syncNow(accountId);
    const inbox = folderId(core, accountId, 'inbox');
    const list = core.store.mail.list({ folderId: inbox, offset: 0, limit: 100 }).items;
    for (let i = 0; i < 10; i++) emu.seedMessage(ALICE, 'inbox', { subject: `R${i}` });
    emu.resetStats();
    const provider = fx.provider();
    core.mail.setFlags(list.map((m) => m.id), { read: true });
    const downloads = list.map((m) => {
      const att = core.mail.get(m.id).attachments[0]!;
      return provider.fetchAttachment!(m.id, att.id).then((b) => Buffer.from(b).toString());
    });
    const [texts] = await Promise.all([Promise.all(downloads), core.sync.syncNow(accountId), core.tasks.run(accountId)]);
    expect(texts.sort()).toEqual(list.map((_, i) => `attachment ${i}`).sort());
    expect(emu.stats.maxConcurrentSeen).toBe(4);
    expect(emu.stats.throttled).toBe(0);
    expect(emu.getMessages(ALICE, 'inbox').filter((m) => m.subject.startsWith('Q')).every((m) => m.isRead)).toBe(true);
    expect(subjects(core, inbox)).toHaveLength(22);
  });
  it('keeps a user action queued while the account needs sign-in, and applies it once a token is back', async () => {
    const dir = tempDir('pimlico-graph-token-');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, ALICE_TOKEN);
    let offset = 0;
    fx = await graphFixture({ command: `cat "${tokenFile}"`, now: () => Date.now() + offset });
    const { emu, core, accountId } = fx;
    emu.seedMessage(ALICE, 'inbox', { subject: 'Read me later' });
    await core.sync.syncNow(accountId);
    const msg = core.store.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 1 }).items[0]!;

    emu.revokeToken(ALICE_TOKEN);
    const { rmSync } = await import('node:fs');
    rmSync(tokenFile);
    const task = core.mail.setFlags([msg.id], { read: true });
    await core.tasks.run(accountId);
    expect(core.store.tasks.get(task.id)!.status).toBe('pending');
    expect(core.store.accounts.get(accountId)!.status).toBe('needs-sign-in');
    expect(core.mail.get(msg.id).isRead).toBe(true); // the local effect stays

    // Signed in again (the command works again); later the queue retries and the server gets it.
    emu.addToken(ALICE, 'token-new');
    writeFileSync(tokenFile, 'token-new');
    offset = 31 * 60_000;
    await core.sync.syncNow(accountId);
    expect(core.store.tasks.get(task.id)!.status).toBe('done');
    expect(emu.getMessages(ALICE, 'inbox')[0]!.isRead).toBe(true);
    expect(core.store.accounts.get(accountId)!.status).toBe('ok');
  });
});

function tomorrow(hour: number): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
}