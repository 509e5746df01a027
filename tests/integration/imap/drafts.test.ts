import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { addImapAccount, folderId, listServer, serverSession, user } from './support';

const servers = inject('servers');
const bob = user(servers, 'bob');
const alice = user(servers, 'alice');

/**
 * Drafts on the server: saving a draft (the contract's mail.saveDraft) files it in the server's
 * Drafts, replacing the previous version; sending it removes it from there.
 */
describe('IMAP drafts on the server', () => {
  let core: Core;
  let accountId: string;
  let server: ImapFlow;

  beforeAll(async () => {
    await resetMailUser(bob.email, servers);
    server = await serverSession(servers, bob);
    core = createTestCore();
    accountId = addImapAccount(core, servers, bob);
    await core.sync.syncNow(accountId);
  });
  afterAll(async () => {
    await server?.logout();
    await core?.close();
  });

  it('files a draft in Drafts, replaces it when edited, and sync keeps exactly one', async () => {
    const first = core.mail.saveDraft({ accountId, to: [{ name: 'Alice', address: alice.email }], subject: 'Draft v1', bodyText: 'first words' });
    await core.tasks.run(accountId);
    let onServer = await listServer(server, 'Drafts', true);
    expect(onServer.map((m) => m.subject)).toEqual(['Draft v1']);
    expect(onServer[0]!.flags.has('\\Draft')).toBe(true);
    expect(onServer[0]!.source!.toString()).toContain('first words');
    const firstRef = core.store.mail.remoteRef(first.id)!;
    expect(firstRef.remoteId).toBe(String(onServer[0]!.uid));

    const second = core.mail.saveDraft({ id: first.id, accountId, to: [{ name: 'Alice', address: alice.email }], subject: 'Draft v2', bodyText: 'better words' });
    await core.tasks.run(accountId);
    onServer = await listServer(server, 'Drafts', true);
    expect(onServer.map((m) => m.subject)).toEqual(['Draft v2']);
    expect(onServer[0]!.source!.toString()).toContain('better words');

    await core.sync.syncNow(accountId);
    await core.sync.syncNow(accountId);
    const local = core.mail.list({ folderId: folderId(core, accountId, 'drafts'), offset: 0, limit: 20 }).items;
    expect(local.map((m) => [m.id, m.subject])).toEqual([[second.id, 'Draft v2']]);
    expect(core.store.tasks.recent(10).filter((t) => t.kind === 'mail.saveDraft').every((t) => t.status === 'done')).toBe(true);
  });

  it('sends a saved draft and removes it from the server Drafts, so no sync brings it back', async () => {
    const saved = core.mail.saveDraft({ accountId, to: [{ name: 'Alice', address: alice.email }], subject: 'Send me', bodyText: 'ready' });
    await core.tasks.run(accountId);
    expect((await listServer(server, 'Drafts')).map((m) => m.subject)).toContain('Send me');
    await core.mail.send({ id: saved.id, accountId, to: [{ name: 'Alice', address: alice.email }], subject: 'Send me', bodyText: 'ready' });
    await core.tasks.run(accountId);
    await core.outbox.run(accountId);
    expect((await listServer(server, 'Drafts')).map((m) => m.subject)).not.toContain('Send me');
    await core.sync.syncNow(accountId);
    const local = core.mail.list({ folderId: folderId(core, accountId, 'drafts'), offset: 0, limit: 20 }).items;
    expect(local.map((m) => m.subject)).not.toContain('Send me');
    expect(core.store.outbox.list().find((o) => o.subject === 'Send me')?.status).toBe('sent');
  });
});
