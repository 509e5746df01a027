import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { addImapAccount, appendOnServer, eventually, folderId, listServer, serverSession, user } from './support';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');

describe('IMAP/SMTP account: send, receive, folders', () => {
  let aliceCore: Core;
  let bobCore: Core;
  let aliceId: string;
  let bobId: string;
  let bobServer: ImapFlow;
  let aliceServer: ImapFlow;

  beforeAll(async () => {
    await resetMailUser(alice.email, servers);
    await resetMailUser(bob.email, servers);
    aliceCore = createTestCore();
    bobCore = createTestCore();
    aliceId = addImapAccount(aliceCore, servers, alice);
    bobId = addImapAccount(bobCore, servers, bob);
    bobServer = await serverSession(servers, bob);
    aliceServer = await serverSession(servers, alice);
  });

  afterAll(async () => {
    await bobServer?.logout();
    await aliceServer?.logout();
    await aliceCore?.close();
    await bobCore?.close();
  });

  it('lists the server folders with their special-use roles', async () => {
    const result = await bobCore.sync.syncNow(bobId);
    expect(result.folders).toBeGreaterThanOrEqual(6);
    const roles = Object.fromEntries(bobCore.store.mail.listFolders(bobId).map((f) => [f.role, f.path]));
    expect(roles).toMatchObject({ inbox: 'INBOX', drafts: 'Drafts', sent: 'Sent', archive: 'Archive', trash: 'Trash', junk: 'Junk' });
  });

  it('alice sends to bob, bob reads it in Pimlico, and alice has a copy in Sent on the server', async () => {
    await aliceCore.sync.syncNow(aliceId);
    const subject = `Lunch ${Date.now()}`;
    const { outboxId } = await aliceCore.mail.send({
      accountId: aliceId,
      to: [{ name: 'Bob', address: bob.email }],
      subject,
      bodyText: 'Shall we meet at noon?\nAlice',
    });
    await aliceCore.outbox.run(aliceId);
    expect(aliceCore.store.outbox.get(outboxId)?.status).toBe('sent');

    await eventually(async () => (await listServer(bobServer, 'INBOX')).find((m) => m.subject === subject), 'delivery to bob');
    const result = await bobCore.sync.syncNow(bobId);
    expect(result.messagesAdded).toBeGreaterThanOrEqual(1);
    const inbox = bobCore.mail.list({ folderId: folderId(bobCore, bobId, 'inbox'), offset: 0, limit: 50 });
    const summary = inbox.items.find((m) => m.subject === subject);
    expect(summary).toBeDefined();
    expect(summary!.from?.address).toBe(alice.email);
    expect(summary!.isRead).toBe(false);
    const detail = bobCore.mail.get(summary!.id);
    expect(detail.bodyText).toContain('Shall we meet at noon?');

    const sent = await listServer(aliceServer, 'Sent');
    const copy = sent.find((m) => m.subject === subject);
    expect(copy).toBeDefined();
    expect(copy!.flags.has('\\Seen')).toBe(true);
    // The copy syncs into alice's Sent folder once, not twice.
    await aliceCore.sync.syncNow(aliceId);
    await aliceCore.sync.syncNow(aliceId);
    const aliceSent = aliceCore.mail.list({ folderId: folderId(aliceCore, aliceId, 'sent'), offset: 0, limit: 50 });
    expect(aliceSent.items.filter((m) => m.subject === subject)).toHaveLength(1);
  });

  it('shows the newest mail first and keeps the search index current', async () => {
    for (let i = 0; i < 5; i++) {
      await appendOnServer(bobServer, 'INBOX', { subject: `Ordered ${i} zebracorn`, date: new Date(Date.UTC(2024, 0, 1 + i)) });
    }
    await bobCore.sync.syncNow(bobId);
    const inbox = bobCore.mail.list({ folderId: folderId(bobCore, bobId, 'inbox'), offset: 0, limit: 50 });
    const ordered = inbox.items.filter((m) => m.subject.startsWith('Ordered')).map((m) => m.subject);
    expect(ordered).toEqual(['Ordered 4 zebracorn', 'Ordered 3 zebracorn', 'Ordered 2 zebracorn', 'Ordered 1 zebracorn', 'Ordered 0 zebracorn']);
    const hits = bobCore.mail.search('zebracorn', 20);
    expect(hits.items.length).toBe(5);
  });

  it('a no-change resync changes nothing', async () => {
    const before = bobCore.store.mail.list({ folderId: folderId(bobCore, bobId, 'inbox'), offset: 0, limit: 500 }).total;
    const result = await bobCore.sync.syncNow(bobId);
    expect(result).toMatchObject({ messagesAdded: 0, messagesUpdated: 0, messagesRemoved: 0 });
    expect(bobCore.store.mail.list({ folderId: folderId(bobCore, bobId, 'inbox'), offset: 0, limit: 500 }).total).toBe(before);
  });
});
