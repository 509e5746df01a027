import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store, type NewMessage } from '../../../src/main/core/store';
import { searchMessages } from '../../../src/main/core/search/search';
import { tempDir } from '../../support/core';

let store: Store;
afterEach(() => store?.close());

function setup() {
  store = Store.open(join(tempDir(), 'mail.sqlite3'));
  store.accounts.insert({ id: 'a1', kind: 'local', displayName: 'Me', email: 'me@example.com', settings: {}, now: 1 });
  const inbox = store.mail.upsertFolder({ accountId: 'a1', path: 'Inbox', name: 'Inbox', role: 'inbox' });
  const archive = store.mail.upsertFolder({ accountId: 'a1', path: 'Archive', name: 'Archive', role: 'archive' });
  return { inbox, archive };
}

function msg(folderId: string, over: Partial<NewMessage> = {}): NewMessage {
  return {
    accountId: 'a1',
    folderId,
    remoteId: null,
    messageIdHeader: null,
    inReplyTo: null,
    references: [],
    subject: 'Hello',
    from: { name: 'Alice Example', address: 'alice@example.com' },
    to: [{ name: 'Me', address: 'me@example.com' }],
    cc: [],
    bcc: [],
    replyTo: [],
    date: 1_700_000_000_000,
    snippet: '',
    bodyText: 'body',
    bodyHtml: null,
    isRead: false,
    isFlagged: false,
    importance: 'normal',
    size: 100,
    attachments: [],
    ...over,
  };
}

describe('mail store', () => {
  it('lists newest first with unread counts per folder and across inboxes', () => {
    const { inbox } = setup();
    store.mail.insertMessage(msg(inbox, { subject: 'old', date: 1 }), 1);
    store.mail.insertMessage(msg(inbox, { subject: 'new', date: 3, isRead: true }), 1);
    store.mail.insertMessage(msg(inbox, { subject: 'mid', date: 2 }), 1);
    const page = store.mail.list({ folderId: inbox, offset: 0, limit: 2 });
    expect(page.total).toBe(3);
    expect(page.items.map((m) => m.subject)).toEqual(['new', 'mid']);
    expect(store.mail.list({ role: 'inbox', offset: 2, limit: 10 }).items.map((m) => m.subject)).toEqual(['old']);
    expect(store.mail.unreadInboxCount()).toBe(2);
    expect(store.mail.listFolders('a1').find((f) => f.id === inbox)).toMatchObject({ unreadCount: 2, totalCount: 3 });
  });

  it('pages through a unified inbox of two accounts in one order, equal dates broken by id, conversations counted once', () => {
    const { inbox } = setup();
    store.accounts.insert({ id: 'a2', kind: 'local', displayName: 'Work', email: 'me@work.test', settings: {}, now: 1 });
    const work = store.mail.upsertFolder({ accountId: 'a2', path: 'Inbox', name: 'Inbox', role: 'inbox' });
    for (let i = 0; i < 40; i++) {
      const folderId = i % 3 === 0 ? work : inbox;
      store.mail.insertMessage(
        msg(folderId, { accountId: folderId === work ? 'a2' : 'a1', subject: `m${i}`, date: 1_000 + Math.floor(i / 4), messageIdHeader: `<m${i}@t>`, inReplyTo: i % 5 === 4 ? `<m${i - 1}@t>` : null }),
        1,
      );
    }
    const all = store.db
      .prepare("SELECT id FROM messages WHERE folder_id IN (SELECT id FROM folders WHERE role = 'inbox') ORDER BY date DESC, id")
      .pluck()
      .all() as string[];
    const paged: string[] = [];
    for (let offset = 0; offset < 45; offset += 7) paged.push(...store.mail.list({ role: 'inbox', offset, limit: 7 }).items.map((m) => m.id));
    expect(paged).toEqual(all);
    expect(store.mail.list({ role: 'inbox', offset: 0, limit: 1 }).total).toBe(40);
    const threads = store.mail.list({ role: 'inbox', threads: true, offset: 0, limit: 100 });
    const distinct = store.db.prepare("SELECT count(DISTINCT thread_id) FROM messages").pluck().get() as number;
    expect(threads.items).toHaveLength(distinct);
    expect(threads.total).toBe(distinct);
    expect(distinct).toBeLessThan(40);
  });

  it('threads replies by References and In-Reply-To, in either arrival order', () => {
    const { inbox } = setup();
    const root = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<root@x>', date: 1 }), 1);
    const reply = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<r1@x>', inReplyTo: '<root@x>', references: ['<root@x>'], date: 2 }), 1);
    // A reply arrives before the message it answers:
    const early = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<c2@x>', inReplyTo: '<late@x>', references: ['<late@x>'], date: 3 }), 1);
    const late = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<late@x>', date: 2 }), 1);
    const other = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<other@x>', date: 4 }), 1);
    const t = (id: string) => store.mail.summary(id)!.threadId;
    expect(t(reply)).toBe(t(root));
    expect(t(late)).toBe(t(early));
    expect(t(other)).not.toBe(t(root));
    const threads = store.mail.list({ folderId: inbox, threads: true, offset: 0, limit: 10 });
    expect(threads.total).toBe(3);
    expect(threads.items.map((m) => m.threadCount)).toEqual([1, 2, 2]);
  });

  it('threads a message with a reply that another connection to the same file stored first', () => {
    const { inbox } = setup();
    const file = store.db.name;
    // This connection has already looked for replies (and remembers what it saw)...
    store.mail.insertMessage(msg(inbox, { messageIdHeader: '<first@x>', date: 1 }), 1);
    // ...then another connection (another process, say) stores a reply to a message not here yet.
    const other = Store.open(file);
    let early: string;
    try {
      early = other.mail.insertMessage(msg(inbox, { messageIdHeader: '<reply@x>', inReplyTo: '<parent@x>', date: 3 }), 1);
    } finally {
      other.close();
    }
    const parent = store.mail.insertMessage(msg(inbox, { messageIdHeader: '<parent@x>', date: 2 }), 1);
    expect(store.mail.summary(parent)!.threadId).toBe(store.mail.summary(early)!.threadId);
  });

  it('keeps the full-text index current through insert, update and delete', () => {
    const { inbox } = setup();
    const id = store.mail.insertMessage(msg(inbox, { subject: 'Quarterly report', bodyText: 'Numbers attached', from: { name: 'Bob Builder', address: 'bob@corp.example' } }), 1);
    expect(searchMessages(store, 'quarter', 10).items.map((m) => m.id)).toEqual([id]);
    expect(searchMessages(store, 'from:bob', 10).items.map((m) => m.id)).toEqual([id]);
    expect(searchMessages(store, 'from:alice', 10).items).toEqual([]);
    store.db.prepare("UPDATE messages SET subject = 'Annual summary' WHERE id = ?").run(id);
    expect(searchMessages(store, 'quarterly', 10).items).toEqual([]);
    expect(searchMessages(store, 'subject:annual', 10).items.map((m) => m.id)).toEqual([id]);
    store.mail.remove([id]);
    expect(searchMessages(store, 'annual', 10).items).toEqual([]);
  });

  it('stores identical attachment bytes once and frees them when unused', () => {
    const { inbox } = setup();
    const content = new TextEncoder().encode('same bytes');
    const att = { filename: 'a.txt', contentType: 'text/plain', size: content.length, contentId: null, inline: false, sha256: 'abc', content };
    const m1 = store.mail.insertMessage(msg(inbox, { attachments: [att] }), 1);
    store.mail.insertMessage(msg(inbox, { attachments: [{ ...att, filename: 'b.txt' }] }), 1);
    expect(store.db.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 1 });
    expect(store.mail.summary(m1)!.hasAttachments).toBe(true);
    store.mail.remove([m1]);
    expect(store.mail.collectBlobs()).toBe(0);
    store.db.exec('DELETE FROM messages');
    expect(store.mail.collectBlobs()).toBe(1);
  });
});
