import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store, type NewMessage } from '../../../src/main/core/store';
import { searchMessages } from '../../../src/main/core/search/search';
import { parseSearch } from '../../../src/main/core/search/query';
import { tempDir } from '../../support/core';

// One small mailbox on a real SQLite file; each message is built to be found by exactly one kind of query.
let store: Store;
const ids: Record<string, string> = {};

function msg(folderId: string, over: Partial<NewMessage>): NewMessage {
  return {
    accountId: 'a1',
    folderId,
    remoteId: null,
    messageIdHeader: null,
    inReplyTo: null,
    references: [],
    subject: 'Weekly notes',
    from: { name: 'Carol Default', address: 'carol@example.org' },
    to: [{ name: 'Me', address: 'me@example.com' }],
    cc: [],
    bcc: [],
    replyTo: [],
    date: Date.UTC(2026, 2, 10, 12),
    snippet: '',
    bodyText: 'nothing special here',
    bodyHtml: null,
    isRead: true,
    isFlagged: false,
    importance: 'normal',
    size: 100,
    attachments: [],
    ...over,
  };
}

beforeAll(() => {
  store = Store.open(join(tempDir(), 'search.sqlite3'));
  store.accounts.insert({ id: 'a1', kind: 'local', displayName: 'Me', email: 'me@example.com', settings: {}, now: 1 });
  const inbox = store.mail.upsertFolder({ accountId: 'a1', path: 'Inbox', name: 'Inbox', role: 'inbox' });
  const receipts = store.mail.upsertFolder({ accountId: 'a1', path: 'Receipts/2026', name: 'Receipts', role: 'custom' });
  const archive = store.mail.upsertFolder({ accountId: 'a1', path: 'Archive', name: 'Archive', role: 'archive' });
  const add = (name: string, folder: string, over: Partial<NewMessage>) => (ids[name] = store.mail.insertMessage(msg(folder, over), 1));
  add('fromBob', inbox, { from: { name: 'Bob Builder', address: 'bob@builders.test' }, subject: 'Site visit' });
  add('toDave', inbox, { to: [{ name: 'Dave Recipient', address: 'dave@example.net' }], subject: 'For Dave' });
  add('subjectBudget', inbox, { subject: 'Budget 2026 draft', bodyText: 'see attached figures' });
  add('bodyBudget', inbox, { subject: 'Misc', bodyText: 'the budget is approved' });
  add('attachment', inbox, {
    subject: 'Scan',
    attachments: [{ filename: 'scan.pdf', contentType: 'application/pdf', size: 10, contentId: null, inline: false, sha256: null }],
  });
  add('unread', inbox, { subject: 'Unread one', isRead: false });
  add('flagged', inbox, { subject: 'Flagged one', isFlagged: true });
  add('receipt', receipts, { subject: 'Your order' });
  add('archived', archive, { subject: 'Archived thing' });
  add('old', inbox, { subject: 'Ancient history', date: Date.UTC(2025, 0, 5, 9) });
  add('new', inbox, { subject: 'Future plans', date: Date.UTC(2026, 5, 1, 9) });
  add('phrase', inbox, { subject: 'Notes', bodyText: 'the quick brown fox jumps' });
  add('scrambled', inbox, { subject: 'Notes', bodyText: 'brown quick fox, the jumps' });
});
afterAll(() => store?.close());

const find = (q: string) => searchMessages(store, q, 100).items.map((m) => m.id).sort();
const names = (...n: string[]) => n.map((k) => ids[k]!).sort();

describe('search operators find exactly what they should', () => {
  it('from: matches the sender name or address, and nothing else', () => {
    expect(find('from:bob')).toEqual(names('fromBob'));
    expect(find('from:bob@builders.test')).toEqual(names('fromBob'));
    expect(find('from:builder')).toEqual(names('fromBob'));
    expect(find('from:dave')).toEqual([]);
  });

  it('to: matches recipients only', () => {
    expect(find('to:dave')).toEqual(names('toDave'));
    expect(find('to:dave@example.net')).toEqual(names('toDave'));
    expect(find('to:bob')).toEqual([]);
  });

  it('subject: looks at the subject only, while free text looks everywhere', () => {
    expect(find('subject:budget')).toEqual(names('subjectBudget'));
    expect(find('budget')).toEqual(names('subjectBudget', 'bodyBudget'));
  });

  it('has:attachment, is:unread, is:read, is:flagged and their negations', () => {
    expect(find('has:attachment')).toEqual(names('attachment'));
    expect(find('is:unread')).toEqual(names('unread'));
    expect(find('is:flagged')).toEqual(names('flagged'));
    expect(find('is:read').length).toBe(Object.keys(ids).length - 1);
    expect(find('-is:flagged').length).toBe(Object.keys(ids).length - 1);
    expect(find('-is:flagged')).not.toContain(ids.flagged);
  });

  it('in: takes a folder name, path or role', () => {
    expect(find('in:receipts')).toEqual(names('receipt'));
    expect(find('in:Receipts/2026')).toEqual(names('receipt'));
    expect(find('in:archive')).toEqual(names('archived'));
  });

  it('before: and after: bound the date, and a malformed date is searched as text instead of filtering', () => {
    expect(find('before:2026-01-01')).toEqual(names('old'));
    expect(find('after:2026-04-01')).toEqual(names('new'));
    expect(find('after:2025-01-05 before:2025-01-06')).toEqual(names('old'));
    expect(parseSearch('before:2026-02-30').filters.before).toBeUndefined();
  });

  it('quoted phrases match the words in that order only', () => {
    expect(find('"quick brown fox"')).toEqual(names('phrase'));
    expect(find('quick brown fox')).toEqual(names('phrase', 'scrambled'));
  });

  it('combines operators with AND and negates words with -', () => {
    expect(find('budget -subject:budget')).toEqual(names('bodyBudget'));
    expect(find('notes -brown')).not.toContain(ids.phrase);
    expect(find('subject:notes from:carol')).toEqual(names('phrase', 'scrambled'));
  });

  it('matches as you type: a partial word is a prefix, an unfinished operator is ignored', () => {
    expect(find('budg')).toEqual(names('subjectBudget', 'bodyBudget'));
    expect(find('from:bo')).toEqual(names('fromBob'));
    expect(find('budget from:')).toEqual(names('subjectBudget', 'bodyBudget'));
    expect(find('"quick bro')).toEqual(names('phrase'));
  });

  it('never throws on odd input, and returns the terms to highlight', () => {
    for (const q of ['"', '-', '(', 'AND', 'NOT', '*', 'from:"', 'a:b:c', '""', 'is:', '-"x"', "o'brien", 'NEAR(a b)']) {
      expect(() => searchMessages(store, q, 10)).not.toThrow();
    }
    expect(searchMessages(store, 'budget from:carol', 10).highlights).toEqual(['budget', 'carol']);
  });
});
