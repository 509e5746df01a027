// The IMAP part's view of one cached server folder answers the same whether it looks UIDs up one by one
// (an incremental resync) or has read the whole folder (a full pass, or many lookups).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../../src/main/core/store';
import { ImapCache } from '../../../src/main/core/providers/imap/cache';
import { tempDir } from '../../support/core';

let store: Store;
afterEach(() => store?.close());

function seeded(count: number): { folderId: string; ids: Map<number, string> } {
  store = Store.open(join(tempDir(), 'imap-cache.sqlite3'));
  store.accounts.insert({ id: 'a1', kind: 'imap', displayName: 'Me', email: 'me@example.com', settings: {}, now: 1 });
  const folderId = store.mail.upsertFolder({ accountId: 'a1', path: 'INBOX', name: 'Inbox', role: 'inbox', remoteId: 'INBOX' });
  const ids = new Map<number, string>();
  store.transaction(() => {
    for (let uid = 1; uid <= count; uid++) {
      const id = store.mail.insertMessage(
        {
          accountId: 'a1',
          folderId,
          remoteId: String(uid * 3),
          messageIdHeader: null,
          inReplyTo: null,
          references: [],
          subject: `m${uid}`,
          from: null,
          to: [],
          cc: [],
          bcc: [],
          replyTo: [],
          date: uid,
          snippet: '',
          bodyText: '',
          bodyHtml: null,
          isRead: uid % 2 === 0,
          isFlagged: uid % 5 === 0,
          isAnswered: uid % 7 === 0,
          importance: 'normal',
          size: 1,
          attachments: [],
        },
        1,
      );
      ids.set(uid * 3, id);
    }
  });
  return { folderId, ids };
}

describe('CachedFolder', () => {
  it('answers single lookups, then the same after switching to reading the whole folder', () => {
    const { folderId, ids } = seeded(700);
    const folder = new ImapCache(store).folder(folderId);
    expect(folder.size).toBe(700);
    // UID 30 (message 10): read, flagged; UID 21 (message 7): answered, unread.
    expect(folder.get(30)).toEqual({ id: ids.get(30), read: true, flagged: true, answered: false, draft: false });
    expect(folder.get(21)).toMatchObject({ id: ids.get(21), read: false, flagged: false, answered: true });
    expect(folder.has(31)).toBe(false);
    expect(folder.idsOf([3, 4, 6])).toEqual([ids.get(3), ids.get(6)]);
    // Past the single-lookup budget every UID is asked about: answers must not change.
    for (let uid = 1; uid <= 2200; uid++) expect(folder.has(uid), `uid ${uid}`).toBe(ids.has(uid));
    expect(folder.get(30)).toEqual({ id: ids.get(30), read: true, flagged: true, answered: false, draft: false });
    const server = new Set([...ids.keys()].filter((uid) => uid !== 9 && uid !== 600));
    expect(folder.idsNotIn(server).sort()).toEqual([ids.get(9), ids.get(600)].sort());
  });
});
