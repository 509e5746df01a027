import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { bumpUidValidity, resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { addImapAccount, appendOnServer, eventually, folderId, listServer, serverSession, user } from './support';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');

/** Every user action goes through the task queue; each is checked on the server over a separate connection. */
describe('IMAP actions and server-side changes', () => {
  let core: Core;
  let accountId: string;
  let server: ImapFlow;

  const inboxItems = () => core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 200 }).items;
  const bySubject = (role: string, subject: string) =>
    core.mail.list({ folderId: folderId(core, accountId, role), offset: 0, limit: 200 }).items.find((m) => m.subject === subject);
  const onServer = async (path: string, subject: string) => (await listServer(server, path)).find((m) => m.subject === subject);
  /** One sync cycle: queued tasks first, then the pull, as the background engine does. */
  const sync = () => core.sync.syncNow(accountId);

  beforeAll(async () => {
    await resetMailUser(bob.email, servers);
    await resetMailUser(alice.email, servers);
    server = await serverSession(servers, bob);
    for (const s of ['Read me', 'Flag me', 'Move me', 'Archive me', 'Trash me', 'Reply to me', 'Forward me']) {
      await appendOnServer(server, 'INBOX', { subject: s, from: alice.email });
    }
    core = createTestCore();
    accountId = addImapAccount(core, servers, bob);
    await sync();
    expect(inboxItems()).toHaveLength(7);
  });

  afterAll(async () => {
    await server?.logout();
    await core?.close();
  });

  it('marks read and unread on the server', async () => {
    const m = bySubject('inbox', 'Read me')!;
    core.mail.setFlags([m.id], { read: true });
    await core.tasks.run(accountId);
    expect((await onServer('INBOX', 'Read me'))!.flags.has('\\Seen')).toBe(true);
    core.mail.setFlags([m.id], { read: false });
    await core.tasks.run(accountId);
    expect((await onServer('INBOX', 'Read me'))!.flags.has('\\Seen')).toBe(false);
    expect(core.store.tasks.recent(5).every((t) => t.status === 'done')).toBe(true);
  });

  it('flags and unflags on the server, and undo restores it', async () => {
    const m = bySubject('inbox', 'Flag me')!;
    const task = core.mail.setFlags([m.id], { flagged: true });
    await core.tasks.run(accountId);
    expect((await onServer('INBOX', 'Flag me'))!.flags.has('\\Flagged')).toBe(true);
    core.tasks.undo(task.id);
    await core.tasks.run(accountId);
    expect((await onServer('INBOX', 'Flag me'))!.flags.has('\\Flagged')).toBe(false);
    expect(core.store.mail.summary(m.id)!.isFlagged).toBe(false);
  });

  it('moves to another folder, recording the new UID so sync sees no duplicate', async () => {
    await server.mailboxCreate('Projects');
    await sync();
    const projects = core.store.mail.folderByPath(accountId, 'Projects')!;
    const m = bySubject('inbox', 'Move me')!;
    core.mail.move([m.id], projects.id);
    await core.tasks.run(accountId);
    expect(await onServer('INBOX', 'Move me')).toBeUndefined();
    const moved = await onServer('Projects', 'Move me');
    expect(moved).toBeDefined();
    expect(core.store.mail.remoteRef(m.id)).toMatchObject({ remoteFolderId: projects.id, remoteId: String(moved!.uid) });
    await sync();
    const inProjects = core.mail.list({ folderId: projects.id, offset: 0, limit: 50 }).items.filter((x) => x.subject === 'Move me');
    expect(inProjects.map((x) => x.id)).toEqual([m.id]);
  });

  it('archives and deletes to Trash, then deletes for good from Trash', async () => {
    const a = bySubject('inbox', 'Archive me')!;
    core.mail.moveToRole([a.id], 'archive');
    const t = bySubject('inbox', 'Trash me')!;
    core.mail.delete([t.id]);
    await sync();
    expect(await onServer('Archive', 'Archive me')).toBeDefined();
    expect(await onServer('Trash', 'Trash me')).toBeDefined();
    expect(await onServer('INBOX', 'Trash me')).toBeUndefined();
    expect(bySubject('trash', 'Trash me')?.id).toBe(t.id);

    core.mail.delete([t.id]);
    await sync();
    expect(await onServer('Trash', 'Trash me')).toBeUndefined();
    expect(core.store.mail.exists(t.id)).toBe(false);
    await sync();
    expect(bySubject('trash', 'Trash me')).toBeUndefined();
  });

  it('delete to Trash and delete for good, queued together offline, leave nothing on the server', async () => {
    await appendOnServer(server, 'INBOX', { subject: 'Gone for good' });
    await sync();
    const m = bySubject('inbox', 'Gone for good')!;
    core.mail.delete([m.id]); // to Trash, not yet applied remotely
    core.mail.delete([m.id]); // from Trash: for good
    expect(core.store.mail.exists(m.id)).toBe(false);
    await sync();
    expect(await onServer('INBOX', 'Gone for good')).toBeUndefined();
    expect(await onServer('Trash', 'Gone for good')).toBeUndefined();
    await sync();
    expect(bySubject('trash', 'Gone for good')).toBeUndefined();
  });

  it('replies with In-Reply-To and References, which land on the server copy in Sent', async () => {
    const original = core.mail.get(bySubject('inbox', 'Reply to me')!.id);
    await core.mail.send({
      accountId,
      to: [{ name: '', address: alice.email }],
      subject: 'Re: Reply to me',
      bodyText: 'Here is my answer.',
      inReplyToMessageId: original.id,
    });
    await core.outbox.run(accountId);
    const copy = (await listServer(server, 'Sent', true)).find((m) => m.subject === 'Re: Reply to me');
    expect(copy).toBeDefined();
    const headers = copy!.source!.toString('utf8').split('\r\n\r\n')[0]!;
    expect(headers).toContain(`In-Reply-To: ${original.messageIdHeader}`);
    expect(headers).toMatch(new RegExp(`References: .*${original.messageIdHeader!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // The reply joins the original's conversation once synced.
    await sync();
    const reply = bySubject('sent', 'Re: Reply to me')!;
    expect(reply.threadId).toBe(original.threadId);
    expect(core.store.mail.summary(original.id)!.isAnswered).toBe(true);
  });

  it('forwards with an attachment that alice receives intact', async () => {
    const pdf = Buffer.from('%PDF-1.4 pretend report '.repeat(200));
    await core.mail.send({
      accountId,
      to: [{ name: '', address: alice.email }],
      subject: 'Fwd: Forward me',
      bodyText: 'See the attached report.',
      attachments: [{ filename: 'report.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    });
    await core.outbox.run(accountId);
    const aliceCore = createTestCore();
    try {
      const aliceId = addImapAccount(aliceCore, servers, alice);
      const aliceServer = await serverSession(servers, alice);
      await eventually(async () => (await listServer(aliceServer, 'INBOX')).some((m) => m.subject === 'Fwd: Forward me'), 'delivery to alice');
      await aliceServer.logout();
      await aliceCore.sync.syncNow(aliceId);
      const got = aliceCore.mail.list({ folderId: folderId(aliceCore, aliceId, 'inbox'), offset: 0, limit: 50 }).items.find((m) => m.subject === 'Fwd: Forward me')!;
      expect(got.hasAttachments).toBe(true);
      const detail = aliceCore.mail.get(got.id);
      const att = detail.attachments.find((a) => a.filename === 'report.pdf')!;
      const bytes = await aliceCore.mail.attachment(got.id, att.id);
      expect(Buffer.from(bytes.contentBase64, 'base64').equals(pdf)).toBe(true);
    } finally {
      await aliceCore.close();
    }
  });

  it('shows changes made directly on the server after one sync: new mail, flags, moves, deletions', async () => {
    await appendOnServer(server, 'INBOX', { subject: 'Arrived elsewhere' });
    const lock = await server.getMailboxLock('INBOX');
    try {
      const all = await server.fetchAll('1:*', { uid: true, envelope: true });
      const uidOf = (s: string) => all.find((m) => m.envelope?.subject === s)!.uid;
      await server.messageFlagsAdd(String(uidOf('Read me')), ['\\Seen', '\\Flagged'], { uid: true });
      await server.messageMove(String(uidOf('Forward me')), 'Archive', { uid: true });
      await server.messageDelete(String(uidOf('Flag me')), { uid: true });
    } finally {
      lock.release();
    }
    const result = await sync();
    expect(result.messagesAdded).toBeGreaterThanOrEqual(2);
    expect(bySubject('inbox', 'Arrived elsewhere')).toBeDefined();
    expect(bySubject('inbox', 'Read me')).toMatchObject({ isRead: true, isFlagged: true });
    expect(bySubject('inbox', 'Forward me')).toBeUndefined();
    expect(bySubject('archive', 'Forward me')).toBeDefined();
    expect(bySubject('inbox', 'Flag me')).toBeUndefined();
  });

  it('finds a message whose UID is unknown by its Message-ID', async () => {
    const m = bySubject('inbox', 'Arrived elsewhere')!;
    core.store.mail.setRemoteLocation(m.id, folderId(core, accountId, 'inbox'), null);
    core.mail.setFlags([m.id], { flagged: true });
    await core.tasks.run(accountId);
    const there = await onServer('INBOX', 'Arrived elsewhere');
    expect(there!.flags.has('\\Flagged')).toBe(true);
    expect(core.store.mail.remoteRef(m.id)!.remoteId).toBe(String(there!.uid));
    await sync();
    expect(inboxItems().filter((x) => x.subject === 'Arrived elsewhere')).toHaveLength(1);
  });

  it('removes a folder deleted on the server, with its messages', async () => {
    const projects = core.store.mail.folderByPath(accountId, 'Projects')!;
    expect(core.mail.list({ folderId: projects.id, offset: 0, limit: 10 }).total).toBe(1);
    await server.mailboxDelete('Projects');
    await sync();
    expect(core.store.mail.folderByPath(accountId, 'Projects')).toBeUndefined();
    expect(core.store.db.prepare('SELECT count(*) FROM messages WHERE folder_id = ?').pluck().get(projects.id)).toBe(0);
  });

  it('refetches a folder whose UIDVALIDITY changed, without duplicates', async () => {
    const before = inboxItems().map((m) => m.subject).sort();
    const inbox = core.store.mail.getFolder(folderId(core, accountId, 'inbox'))!;
    const newValidity = await bumpUidValidity(bob.email, 'INBOX', servers);
    expect(newValidity).not.toBe(inbox.uidvalidity);
    await server.logout();
    server = await serverSession(servers, bob);
    const result = await sync();
    expect(result.messagesRemoved).toBeGreaterThanOrEqual(before.length);
    expect(inboxItems().map((m) => m.subject).sort()).toEqual(before);
    expect(core.store.mail.getFolder(inbox.id)!.uidvalidity).toBe(newValidity);
  });
});
