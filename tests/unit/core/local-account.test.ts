import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../../../src/main/core/core';
import type { Account, CalendarInfo, Contact, Folder } from '../../../src/shared/types';
import { createTestCore, tempDir } from '../../support/core';

let core: Core;
afterEach(async () => core?.close());

async function local(c: Core) {
  const accounts = (await c.handle('accounts.list', {})) as Account[];
  const account = accounts.find((a) => a.kind === 'local')!;
  const folders = (await c.handle('folders.list', { accountId: account.id })) as Folder[];
  const role = (r: string) => folders.find((f) => f.role === r)!;
  return { account, folders, role };
}

describe('the Local account', () => {
  it('exists on first start with its folders, a calendar and an address book', async () => {
    core = createTestCore();
    const { account, folders } = await local(core);
    expect(account).toMatchObject({ kind: 'local', isDefault: true, status: 'ok' });
    expect(folders.map((f) => f.role)).toEqual(['inbox', 'drafts', 'sent', 'archive', 'trash']);
    expect((await core.handle('calendars.list', {})) as CalendarInfo[]).toHaveLength(1);
    expect((await core.handle('addressBooks.list', {})) as unknown[]).toHaveLength(1);
  });

  it('is created once: a restart on the same data keeps the same account', async () => {
    const dataDir = tempDir();
    core = createTestCore({ dataDir });
    const first = (await local(core)).account.id;
    await core.close();
    core = createTestCore({ dataDir });
    const accounts = (await core.handle('accounts.list', {})) as Account[];
    expect(accounts.map((a) => a.id)).toEqual([first]);
  });

  it('saves drafts and keeps a send queued in the outbox until a sending account exists', async () => {
    core = createTestCore();
    const { account, role } = await local(core);
    const { id } = (await core.handle('mail.saveDraft', { accountId: account.id, to: [{ name: '', address: 'bob@example.com' }], subject: 'Plan', bodyText: 'Draft 1' })) as { id: string };
    const drafts = (await core.handle('mail.list', { folderId: role('drafts').id })) as { items: { id: string; subject: string }[] };
    expect(drafts.items).toEqual([expect.objectContaining({ id, subject: 'Plan' })]);
    const { outboxId } = (await core.handle('mail.send', { id, accountId: account.id, to: [{ name: 'Bob', address: 'bob@example.com' }], subject: 'Plan', bodyText: 'Final' })) as { outboxId: string };
    await core.outbox.idle();
    const outbox = (await core.handle('outbox.list', {})) as { id: string; status: string }[];
    expect(outbox).toEqual([expect.objectContaining({ id: outboxId, status: 'queued' })]);
    // The draft became the outgoing message.
    expect(((await core.handle('mail.list', { folderId: role('drafts').id })) as { total: number }).total).toBe(0);
    await core.handle('outbox.cancel', { id: outboxId });
    expect(((await core.handle('outbox.list', {})) as { status: string }[])[0]!.status).toBe('cancelled');
  });

  it('rejects a send with no recipient and an attachment that is not base64, changing nothing', async () => {
    core = createTestCore();
    const { account } = await local(core);
    await expect(core.handle('mail.send', { accountId: account.id, subject: 'x' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(
      core.handle('mail.send', { accountId: account.id, to: [{ address: 'a@b.c' }], attachments: [{ filename: 'x.bin', contentBase64: 'not base64!!' }] }),
    ).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/base64/) });
    expect(await core.handle('outbox.list', {})).toEqual([]);
  });

  it('archives, deletes, flags and undoes through the task queue', async () => {
    core = createTestCore();
    const { account, role } = await local(core);
    const inbox = role('inbox').id;
    const id = core.store.mail.insertMessage(
      { accountId: account.id, folderId: inbox, remoteId: null, messageIdHeader: '<m1@x>', inReplyTo: null, references: [], subject: 'Hi', from: { name: 'A', address: 'a@x' }, to: [], cc: [], bcc: [], replyTo: [], date: Date.now(), snippet: '', bodyText: 'x', bodyHtml: null, isRead: false, isFlagged: false, importance: 'normal', size: 1, attachments: [] },
      Date.now(),
    );
    const flagTask = (await core.handle('mail.setFlags', { ids: [id], flagged: true })) as { id: string; undoable: boolean };
    expect(core.store.mail.summary(id)!.isFlagged).toBe(true);
    const archive = (await core.handle('mail.archive', { ids: [id] })) as { id: string; undoable: boolean };
    expect(archive.undoable).toBe(true);
    expect(core.store.mail.summary(id)!.folderId).toBe(role('archive').id);
    await core.handle('tasks.undo', { id: archive.id });
    expect(core.store.mail.summary(id)!.folderId).toBe(inbox);
    // An undone task cannot be undone twice.
    await expect(core.handle('tasks.undo', { id: archive.id })).rejects.toMatchObject({ code: 'BadRequest' });
    await core.handle('tasks.undo', { id: flagTask.id });
    expect(core.store.mail.summary(id)!.isFlagged).toBe(false);
    await core.handle('mail.delete', { ids: [id] });
    expect(core.store.mail.summary(id)!.folderId).toBe(role('trash').id);
    await core.handle('mail.delete', { ids: [id] });
    expect(core.store.mail.summary(id)).toBeUndefined();
    await core.tasks.idle();
    const tasks = (await core.handle('tasks.list', {})) as { status: string }[];
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
  });

  it('creates, edits, finds and deletes contacts with undo', async () => {
    core = createTestCore();
    const [book] = (await core.handle('addressBooks.list', {})) as { id: string }[];
    const c = (await core.handle('contacts.create', {
      addressBookId: book!.id,
      contact: { givenName: 'Grace', surname: 'Hopper', emails: [{ type: 'work', address: 'grace@navy.example' }], company: 'US Navy' },
    })) as Contact;
    expect(c.displayName).toBe('Grace Hopper');
    expect(((await core.handle('contacts.list', { query: 'hop' })) as Contact[]).map((x) => x.id)).toEqual([c.id]);
    expect(((await core.handle('contacts.list', { query: 'navy.exa' })) as Contact[]).map((x) => x.id)).toEqual([c.id]);
    await core.handle('contacts.update', { id: c.id, patch: { jobTitle: 'Rear Admiral' } });
    expect(((await core.handle('contacts.get', { id: c.id })) as Contact).jobTitle).toBe('Rear Admiral');
    await core.handle('contacts.delete', { id: c.id });
    await expect(core.handle('contacts.get', { id: c.id })).rejects.toMatchObject({ code: 'NotFound' });
    const [deleteTask] = (await core.handle('tasks.list', { limit: 1 })) as { id: string }[];
    await core.handle('tasks.undo', { id: deleteTask!.id });
    expect(((await core.handle('contacts.get', { id: c.id })) as Contact).jobTitle).toBe('Rear Admiral');
  });

  it('creates events in the user zone and returns them by time range, recurring ones expanded', async () => {
    core = createTestCore();
    const [cal] = (await core.handle('calendars.list', {})) as CalendarInfo[];
    await core.handle('events.create', {
      calendarId: cal!.id,
      event: { summary: 'Standup', start: '2026-03-02T09:00', end: '2026-03-02T09:15', timeZone: 'America/New_York', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    await core.handle('events.create', { calendarId: cal!.id, event: { summary: 'Holiday', start: '2026-03-10', end: '2026-03-11', allDay: true } });
    const occ = (await core.handle('events.range', { fromUtc: Date.parse('2026-03-01T00:00:00Z'), toUtc: Date.parse('2026-04-01T00:00:00Z') })) as {
      startUtc: number;
      event: { summary: string };
    }[];
    expect(occ.map((o) => [o.event.summary, new Date(o.startUtc).toISOString()])).toEqual([
      ['Standup', '2026-03-02T14:00:00.000Z'],
      ['Standup', '2026-03-09T13:00:00.000Z'], // New York moved to daylight time on 8 March: still 09:00 local
      ['Holiday', '2026-03-10T00:00:00.000Z'],
      ['Standup', '2026-03-16T13:00:00.000Z'],
    ]);
    await expect(core.handle('events.create', { calendarId: cal!.id, event: { start: '2026-03-02T10:00', end: '2026-03-02T09:00' } })).rejects.toMatchObject({
      code: 'BadRequest',
    });
  });

  it('keeps secrets encrypted: never in account settings, never in the database file as plaintext', async () => {
    const dataDir = tempDir();
    core = createTestCore({ dataDir });
    const { id } = (await core.handle('accounts.create', {
      kind: 'imap',
      displayName: 'Work',
      email: 'me@work.example',
      imap: { host: '127.0.0.1', port: 1, security: 'none', user: 'me', password: 'hunter2-super-secret' },
    })) as { id: string };
    const account = ((await core.handle('accounts.list', {})) as Account[]).find((a) => a.id === id)!;
    expect(JSON.stringify(account)).not.toContain('hunter2');
    expect(core.accounts.secret(id, 'imap.password')).toBe('hunter2-super-secret');
    core.store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(dataDir, 'pimlico.sqlite3')).includes('hunter2-super-secret')).toBe(false);
  });
});
