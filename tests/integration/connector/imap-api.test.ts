// The connector's routes over HTTP against an 'imap' account on the real test servers: Dovecot
// (IMAP), Postfix (submission, delivers to Dovecot) and Radicale (CalDAV/CardDAV). Every write is
// checked on the server with a separate client, and the triggers' 202/200 cycle survives a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { connectorRoutes } from '../../../src/main/core/api/connector';
import type { CalendarItem, ContactItem, ReceiveAttachment, ReceiveMessage } from '../../../src/main/core/api/connector/objects';
import { ApiServer } from '../../../src/main/core/api/server';
import type { Core } from '../../../src/main/core/core';
import { buildMessage } from '../../../src/main/core/mime';
import { defaultProviders } from '../../../src/main/core/providers/registry';
import { resetDavUser, resetMailUser, startImap, stopImap } from '../../servers';
import { createTestCore, tempDir } from '../../support/core';
import { call, TOKEN, type Reply } from '../../unit/connector/support';
import { eventually, listServer, serverSession, user } from '../imap/support';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');
const dataDir = tempDir('pimlico-connector-imap-');

let core: Core;
let server: ApiServer;
let base: string;
let accountId: string;
let aliceImap: ImapFlow;
let bobImap: ImapFlow;

async function open(): Promise<void> {
  core = createTestCore({ dataDir });
  server = new ApiServer({ core, host: '127.0.0.1', port: 0, token: TOKEN, routes: [connectorRoutes] });
  base = `http://127.0.0.1:${(await server.listen()).port}`;
}

async function close(): Promise<void> {
  await server.close();
  await core.close();
}

/** Lets queued tasks and the outbox reach the servers, then pulls what the servers have. */
async function settle(): Promise<void> {
  await core.tasks.idle();
  await core.outbox.idle();
  await core.sync.syncNow(accountId);
}

async function appendToAlice(subject: string, opts: { attachment?: Buffer; from?: string } = {}): Promise<void> {
  const built = await buildMessage({
    from: { name: 'Carol', address: opts.from ?? 'carol@example.com' },
    to: [{ name: 'Alice', address: alice.email }],
    subject,
    text: `Body of ${subject}`,
    attachments: opts.attachment ? [{ filename: 'data.bin', contentType: 'application/octet-stream', content: opts.attachment }] : [],
  });
  await aliceImap.append('INBOX', built.raw, []);
}

function next(r: Reply): string {
  const url = new URL(r.headers.get('location')!);
  return `${url.pathname}${url.search}`;
}

beforeAll(async () => {
  expect(defaultProviders.imap, "the 'imap' account kind is registered").toBeDefined();
  await resetMailUser(alice.email, servers);
  await resetMailUser(bob.email, servers);
  await resetDavUser(alice.email, servers);
  await open();
  accountId = core.accounts.create({
    kind: 'imap',
    displayName: 'Alice',
    email: alice.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: alice.email, password: alice.password },
    smtp: { host: servers.smtp.host, port: servers.smtp.port, security: 'none', user: alice.email, password: alice.password },
    caldav: { url: servers.dav.url, user: alice.email, password: alice.password },
    carddav: { url: servers.dav.url, user: alice.email, password: alice.password },
  }).id;
  core.accounts.setDefault(accountId);
  await core.sync.syncNow(accountId);
  aliceImap = await serverSession(servers, alice);
  bobImap = await serverSession(servers, bob);
});

afterAll(async () => {
  await aliceImap?.logout();
  await bobImap?.logout();
  await close();
});

describe('mail on an IMAP account', () => {
  let triggerLocation: string;

  it('OnNewEmail records a watermark before any mail arrives', async () => {
    const first = await call(base, 'GET', '/Mail/OnNewEmail');
    expect(first.status).toBe(202);
    expect(first.headers.get('retry-after')).toMatch(/^\d+$/);
    triggerLocation = next(first);
  });

  it('GET /Mail and GetAttachment read what the server delivered', async () => {
    const bytes = Buffer.from([0, 1, 2, 3, 250, 251, 252]);
    await appendToAlice('Report with data', { attachment: bytes });
    await appendToAlice('Plain hello');
    await core.sync.syncNow(accountId);
    const r = await call(base, 'GET', '/Mail?fetchOnlyUnread=true');
    expect(r.status).toBe(200);
    const list = r.body as ReceiveMessage[];
    expect(list.map((m) => m.Subject).sort()).toEqual(['Plain hello', 'Report with data']);
    const report = list.find((m) => m.Subject === 'Report with data')!;
    expect(report).toMatchObject({ From: 'carol@example.com', To: alice.email, HasAttachment: true, IsRead: false });
    const attId = core.mail.get(report.Id).attachments.find((a) => !a.inline)!.id;
    const att = await call(base, 'GET', `/Mail/${report.Id}/Attachments/${attId}`);
    expect(att.status).toBe(200);
    expect(Buffer.from((att.body as ReceiveAttachment).ContentBytes, 'base64').equals(bytes)).toBe(true);
    const xml = await call(base, 'GET', '/Mail?includeAttachments=true&searchQuery=report', { xml: true });
    const items = (xml.body as { item: { Subject: string; Attachments: { item: { ContentBytes: string }[] } }[] }).item;
    expect(items.map((m) => m.Subject)).toEqual(['Report with data']);
    expect(items[0]!.Attachments.item[0]!.ContentBytes).toBe(bytes.toString('base64'));
  });

  it('OnNewEmail answers the new mail, then 202, and resumes after a restart', async () => {
    const batch = await call(base, 'GET', triggerLocation);
    expect(batch.status).toBe(200);
    expect((batch.body as { value: ReceiveMessage[] }).value.map((m) => m.Subject).sort()).toEqual(['Plain hello', 'Report with data']);
    const idle = await call(base, 'GET', next(batch));
    expect(idle.status).toBe(202);
    const saved = next(idle);

    await close();
    await appendToAlice('While Pimlico was closed');
    await open();
    await core.sync.syncNow(accountId);
    const resumed = await call(base, 'GET', saved);
    expect(resumed.status).toBe(200);
    expect((resumed.body as { value: ReceiveMessage[] }).value.map((m) => m.Subject)).toEqual(['While Pimlico was closed']);
    expect((await call(base, 'GET', next(resumed))).status).toBe(202);
  });

  it('MarkAsRead and DeleteEmail reach the server', async () => {
    const list = (await call(base, 'GET', '/Mail?fetchOnlyUnread=false&top=50')).body as ReceiveMessage[];
    const hello = list.find((m) => m.Subject === 'Plain hello')!;
    const closed = list.find((m) => m.Subject === 'While Pimlico was closed')!;
    expect((await call(base, 'POST', `/Mail/MarkAsRead/${hello.Id}`)).status).toBe(200);
    expect((await call(base, 'DELETE', `/Mail/${closed.Id}`, { xml: true })).status).toBe(200);
    await settle();
    const inbox = await listServer(aliceImap, 'INBOX');
    expect(inbox.find((m) => m.subject === 'Plain hello')!.flags.has('\\Seen')).toBe(true);
    expect(inbox.some((m) => m.subject === 'While Pimlico was closed')).toBe(false);
    expect((await listServer(aliceImap, 'Trash')).some((m) => m.subject === 'While Pimlico was closed')).toBe(true);
  });

  it('a write made while the IMAP server is down is applied when it is back', async () => {
    const list = (await call(base, 'GET', '/Mail?fetchOnlyUnread=true')).body as ReceiveMessage[];
    const report = list.find((m) => m.Subject === 'Report with data')!;
    await stopImap({ kill: true }, servers);
    try {
      const r = await call(base, 'POST', `/Mail/MarkAsRead/${report.Id}`);
      expect(r.status).toBe(200);
      await core.tasks.idle();
      // The local effect is there at once; the remote one waits in the queue.
      expect(core.mail.get(report.Id).isRead).toBe(true);
      expect(core.store.tasks.pendingCount(accountId)).toBe(1);
    } finally {
      await startImap(servers);
    }
    // The other clients' connections died with the server.
    aliceImap.close();
    bobImap.close();
    aliceImap = await serverSession(servers, alice);
    bobImap = await serverSession(servers, bob);
    await eventually(async () => {
      await core.tasks.run(accountId);
      return core.store.tasks.pendingCount(accountId) === 0;
    }, 'the queued task to reach the server', 30_000);
    expect((await listServer(aliceImap, 'INBOX')).find((m) => m.subject === 'Report with data')!.flags.has('\\Seen')).toBe(true);
  });

  it('SendEmail, ReplyTo and SendMailWithOptions are delivered over SMTP', async () => {
    const send = await call(base, 'POST', '/Mail', {
      body: { To: bob.email, Subject: 'Connector hello', Body: '<p>Hi Bob</p>', IsHtml: true, Attachments: [{ Name: 'note.txt', ContentBytes: Buffer.from('note').toString('base64') }] },
    });
    expect(send.status).toBe(200);
    const list = (await call(base, 'GET', '/Mail?fetchOnlyUnread=false&top=50')).body as ReceiveMessage[];
    const report = list.find((m) => m.Subject === 'Report with data')!;
    const reply = await call(base, 'POST', `/Mail/ReplyTo/${report.Id}?comment=${encodeURIComponent('Thanks Carol')}`, { xml: true });
    expect(reply.status).toBe(200);
    const options = await call(base, 'POST', '/mailwithoptions/$subscriptions', { body: { Message: { To: bob.email, Subject: 'Pick a day', Options: 'Monday, Tuesday' } } });
    expect(options.status).toBe(201);
    await core.outbox.idle();
    await core.outbox.run(accountId);
    const statuses = core.store.outbox.list().map((e) => e.status);
    expect(statuses.every((s) => s === 'sent'), statuses.join()).toBe(true);
    const bobInbox = await eventually(async () => {
      const all = await listServer(bobImap, 'INBOX', true);
      return all.some((m) => m.subject === 'Connector hello') && all.some((m) => m.subject === 'Pick a day') ? all : null;
    }, 'delivery to bob');
    const hello = bobInbox.find((m) => m.subject === 'Connector hello')!.source!.toString('utf8');
    expect(hello).toContain('note.txt');
    const pick = bobInbox.find((m) => m.subject === 'Pick a day')!.source!.toString('utf8').replace(/=\r\n/g, '');
    expect(pick).toContain(`pimlico%3A${(options.body as { id: string }).id}%3A2`);
    // The reply went to Carol, whose domain Postfix discards: it was accepted, and Sent has it.
    await core.sync.syncNow(accountId);
    const sent = await listServer(aliceImap, 'Sent');
    expect(sent.map((m) => m.subject)).toEqual(expect.arrayContaining(['Connector hello', 'Re: Report with data', 'Pick a day']));
  });
});

describe('calendars and contacts on CalDAV/CardDAV', () => {
  let calendar: string;
  let book: string;

  it('lists the server calendar and address book as tables', async () => {
    const cals = (await call(base, 'GET', '/datasets/calendars/tables')).body as { value: { Name: string; DisplayName: string }[] };
    expect(cals.value.map((c) => c.DisplayName)).toEqual(['Calendar']);
    calendar = cals.value[0]!.Name;
    const books = (await call(base, 'GET', '/datasets/contacts/tables', { xml: true })).body as { value: { item: { Name: string; DisplayName: string }[] } };
    expect(books.value.item.map((b) => b.DisplayName)).toEqual(['Contacts']);
    book = books.value.item[0]!.Name;
  });

  it('creates, patches and deletes events on the server, and the triggers see them across a restart', async () => {
    const onNew = await call(base, 'GET', `/datasets/calendars/tables/${calendar}/onnewitems`);
    const onUpd = await call(base, 'GET', `/datasets/calendars/tables/${calendar}/onupdateditems`);
    expect([onNew.status, onUpd.status]).toEqual([202, 202]);
    const items = `/datasets/calendars/tables/${calendar}/items`;
    const created = await call(base, 'POST', items, { body: { Subject: 'Standup', Start: '2026-10-05T09:00:00', End: '2026-10-05T09:15:00', TimeZone: 'Europe/Berlin', Recurrence: 'FREQ=DAILY;COUNT=3' } });
    expect(created.status).toBe(200);
    const event = created.body as CalendarItem;
    await settle();
    const stored = await eventually(() => core.store.pim.event(event.Id)?.etag, 'event on the server');
    expect(stored).toBeTruthy();

    const view = await call(base, 'GET', `/datasets/calendars/v3/tables/${calendar}/calendarview?calendarStartTime=2026-10-01T00:00:00Z&calendarEndTime=2026-10-31T00:00:00Z`);
    expect((view.body as { value: CalendarItem[] }).value.map((o) => o.Start)).toEqual(['2026-10-05T09:00:00+02:00', '2026-10-06T09:00:00+02:00', '2026-10-07T09:00:00+02:00']);

    const news = await call(base, 'GET', next(onNew));
    expect(news.status).toBe(200);
    expect((news.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Standup']);
    const savedUpd = next(await call(base, 'GET', next(onUpd)));

    await close();
    await open();
    const patched = await call(base, 'PATCH', `${items}/${event.Id}`, { xml: true, body: { Location: 'Room 7' } });
    expect(patched.status).toBe(200);
    await settle();
    const upd = await call(base, 'GET', savedUpd);
    expect(upd.status).toBe(200);
    expect((upd.body as { value: CalendarItem[] }).value.map((e) => [e.Subject, e.Location])).toEqual([['Standup', 'Room 7']]);
    const filtered = await call(base, 'GET', `${items}?${new URLSearchParams({ $filter: "Location eq 'Room 7' and IsAllDay eq false" })}`);
    expect((filtered.body as { value: CalendarItem[] }).value.map((e) => e.Id)).toEqual([event.Id]);

    expect((await call(base, 'DELETE', `${items}/${event.Id}`)).status).toBe(200);
    await settle();
    expect(core.store.pim.event(event.Id)).toBeUndefined();
    expect(((await call(base, 'GET', items)).body as { value: CalendarItem[] }).value).toEqual([]);
  });

  it('OnUpcomingEvents reports an event on the server calendar that starts soon, once', async () => {
    const first = await call(base, 'GET', `/Events/OnUpcomingEvents?table=${calendar}&lookAheadTimeInMinutes=30`);
    expect(first.status).toBe(202);
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = await call(base, 'POST', `/datasets/calendars/tables/${calendar}/items`, { body: { Subject: 'Starting soon', Start: at(10), End: at(40), TimeZone: 'UTC' } });
    expect(created.status).toBe(200);
    await settle();
    const r = await call(base, 'GET', next(first), { xml: true });
    expect(r.status).toBe(200);
    expect((r.body as { value: { item: { Subject: string }[] } }).value.item.map((e) => e.Subject)).toEqual(['Starting soon']);
    expect((await call(base, 'GET', next(r))).status).toBe(202);
  });

  it('creates and updates contacts on the server', async () => {
    const onNew = await call(base, 'GET', `/datasets/contacts/tables/${book}/onnewitems`);
    expect(onNew.status).toBe(202);
    const items = `/datasets/contacts/tables/${book}/items`;
    const created = await call(base, 'POST', items, { xml: true, body: { GivenName: 'Grace', Surname: 'Hopper', EmailAddresses: [{ Name: 'Grace', Address: 'grace@example.com' }] } });
    expect(created.status).toBe(200);
    const id = (created.body as Record<string, string>).Id!;
    await settle();
    await eventually(() => core.store.pim.contact(id)?.etag, 'contact on the server');
    const patched = await call(base, 'PATCH', `${items}/${id}`, { body: { CompanyName: 'US Navy' } });
    expect((patched.body as ContactItem).CompanyName).toBe('US Navy');
    await settle();
    const news = await call(base, 'GET', next(onNew));
    expect((news.body as { value: ContactItem[] }).value.map((c) => [c.DisplayName, c.CompanyName])).toEqual([['Grace Hopper', 'US Navy']]);
    const list = await call(base, 'GET', `${items}?$filter=${encodeURIComponent("startswith(DisplayName, 'Grace')")}`);
    expect((list.body as { value: ContactItem[] }).value.map((c) => c.Id)).toEqual([id]);
  });
});
