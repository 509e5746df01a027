// The connector's REST routes against a 'graph' account, the same scenarios as the IMAP account's
// (tests/integration/connector/imap-api.test.ts), with every write checked in the Graph emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRoutes } from '../../../src/main/core/api/connector';
import type { CalendarItem, ContactItem, ReceiveAttachment, ReceiveMessage } from '../../../src/main/core/api/connector/objects';
import { ApiServer } from '../../../src/main/core/api/server';
import { call, TOKEN, type Reply } from '../connector/support';
import { ALICE, BOB, graphFixture, type GraphFixture } from './support';

let fx: GraphFixture;
let server: ApiServer;
let base: string;

function next(r: Reply): string {
  const url = new URL(r.headers.get('location')!);
  return `${url.pathname}${url.search}`;
}

async function settle(): Promise<void> {
  await fx.core.tasks.idle();
  await fx.core.outbox.idle();
  await fx.core.sync.syncNow(fx.accountId);
}

beforeAll(async () => {
  fx = await graphFixture();
  fx.core.accounts.setDefault(fx.accountId);
  server = new ApiServer({ core: fx.core, host: '127.0.0.1', port: 0, token: TOKEN, routes: [connectorRoutes] });
  base = `http://127.0.0.1:${(await server.listen()).port}`;
  await fx.core.sync.syncNow(fx.accountId);
});

afterAll(async () => {
  await server.close();
  await fx.close();
});

describe('mail on a Graph account', () => {
  let triggerLocation: string;

  it('OnNewEmail records a watermark before any mail arrives', async () => {
    const first = await call(base, 'GET', '/Mail/OnNewEmail');
    expect(first.status).toBe(202);
    triggerLocation = next(first);
  });

  it('GET /Mail and GetAttachment read what the server delivered (bytes fetched on demand)', async () => {
    const bytes = Buffer.from([0, 1, 2, 3, 250, 251, 252]);
    fx.emu.seedMessage(ALICE, 'inbox', { subject: 'Report with data', from: 'Carol <carol@example.com>', body: 'Body of report', attachments: [{ name: 'data.bin', content: bytes }] });
    fx.emu.seedMessage(ALICE, 'inbox', { subject: 'Plain hello', from: 'Carol <carol@example.com>', body: 'Body of hello' });
    await fx.core.sync.syncNow(fx.accountId);
    const r = await call(base, 'GET', '/Mail?fetchOnlyUnread=true');
    expect(r.status).toBe(200);
    const list = r.body as ReceiveMessage[];
    expect(list.map((m) => m.Subject).sort()).toEqual(['Plain hello', 'Report with data']);
    const report = list.find((m) => m.Subject === 'Report with data')!;
    expect(report).toMatchObject({ From: 'carol@example.com', To: ALICE, HasAttachment: true, IsRead: false });
    const attId = fx.core.mail.get(report.Id).attachments[0]!.id;
    const att = await call(base, 'GET', `/Mail/${report.Id}/Attachments/${attId}`);
    expect(att.status).toBe(200);
    expect(Buffer.from((att.body as ReceiveAttachment).ContentBytes, 'base64').equals(bytes)).toBe(true);
    const xml = await call(base, 'GET', '/Mail?includeAttachments=true&searchQuery=report', { xml: true });
    const items = (xml.body as { item: { Subject: string; Attachments: { item: { ContentBytes: string }[] } }[] }).item;
    expect(items.map((m) => m.Subject)).toEqual(['Report with data']);
    expect(items[0]!.Attachments.item[0]!.ContentBytes).toBe(bytes.toString('base64'));
  });

  it('OnNewEmail answers the new mail, then 202', async () => {
    const batch = await call(base, 'GET', triggerLocation);
    expect(batch.status).toBe(200);
    expect((batch.body as { value: ReceiveMessage[] }).value.map((m) => m.Subject).sort()).toEqual(['Plain hello', 'Report with data']);
    expect((await call(base, 'GET', next(batch))).status).toBe(202);
  });

  it('MarkAsRead and DeleteEmail reach the server', async () => {
    const list = (await call(base, 'GET', '/Mail?fetchOnlyUnread=false&top=50')).body as ReceiveMessage[];
    const hello = list.find((m) => m.Subject === 'Plain hello')!;
    const report = list.find((m) => m.Subject === 'Report with data')!;
    expect((await call(base, 'POST', `/Mail/MarkAsRead/${hello.Id}`)).status).toBe(200);
    expect((await call(base, 'DELETE', `/Mail/${report.Id}`, { xml: true })).status).toBe(200);
    await settle();
    const inbox = fx.emu.getMessages(ALICE, 'inbox');
    expect(inbox.find((m) => m.subject === 'Plain hello')!.isRead).toBe(true);
    expect(inbox.some((m) => m.subject === 'Report with data')).toBe(false);
    expect(fx.emu.getMessages(ALICE, 'deleteditems').map((m) => m.subject)).toEqual(['Report with data']);
  });

  it('SendEmail and ReplyTo are delivered through Graph', async () => {
    const send = await call(base, 'POST', '/Mail', {
      body: { To: BOB, Subject: 'Connector hello', Body: '<p>Hi Bob</p>', IsHtml: true, Attachments: [{ Name: 'note.txt', ContentBytes: Buffer.from('note').toString('base64') }] },
    });
    expect(send.status).toBe(200);
    const list = (await call(base, 'GET', '/Mail?fetchOnlyUnread=false&top=50')).body as ReceiveMessage[];
    const hello = list.find((m) => m.Subject === 'Plain hello')!;
    const reply = await call(base, 'POST', `/Mail/ReplyTo/${hello.Id}?comment=${encodeURIComponent('Thanks Carol')}`, { xml: true });
    expect(reply.status).toBe(200);
    await fx.core.outbox.idle();
    await fx.core.outbox.run(fx.accountId);
    const statuses = fx.core.store.outbox.list().map((e) => e.status);
    expect(statuses.every((s) => s === 'sent'), statuses.join()).toBe(true);
    const atBob = fx.emu.getMessages(BOB, 'inbox');
    expect(atBob.map((m) => m.subject)).toEqual(['Connector hello']);
    expect(atBob[0]!.body.content).toContain('Hi Bob');
    expect((atBob[0]!.attachments as unknown as { name: string }[]).map((a) => a.name)).toEqual(['note.txt']);
    const sent = fx.emu.sentMail.map((m) => m.message.subject);
    expect(sent).toEqual(expect.arrayContaining(['Connector hello', 'Re: Plain hello']));
    await fx.core.sync.syncNow(fx.accountId);
    const sentFolder = (await call(base, 'GET', `/Mail?fetchOnlyUnread=false&folderPath=${encodeURIComponent('Sent Items')}`)).body as ReceiveMessage[];
    expect(sentFolder.map((m) => m.Subject).sort()).toEqual(['Connector hello', 'Re: Plain hello']);
  });
});

describe('calendars and contacts on Graph', () => {
  let calendar: string;
  let book: string;

  it('lists the Outlook calendar and contact folder as tables', async () => {
    const cals = (await call(base, 'GET', '/datasets/calendars/tables')).body as { value: { Name: string; DisplayName: string }[] };
    expect(cals.value.map((c) => c.DisplayName)).toEqual(['Calendar']);
    calendar = cals.value[0]!.Name;
    const books = (await call(base, 'GET', '/datasets/contacts/tables', { xml: true })).body as { value: { item: { Name: string; DisplayName: string }[] } };
    expect(books.value.item.map((b) => b.DisplayName)).toEqual(['Contacts']);
    book = books.value.item[0]!.Name;
  });

  it('creates, patches and deletes events on the server, recurrence included', async () => {
    const onNew = await call(base, 'GET', `/datasets/calendars/tables/${calendar}/onnewitems`);
    expect(onNew.status).toBe(202);
    const items = `/datasets/calendars/tables/${calendar}/items`;
    const created = await call(base, 'POST', items, { body: { Subject: 'Standup', Start: '2026-12-07T09:00:00', End: '2026-12-07T09:15:00', TimeZone: 'Europe/Berlin', Recurrence: 'FREQ=DAILY;COUNT=3' } });
    expect(created.status).toBe(200);
    const event = created.body as CalendarItem;
    await settle();
    const remote = fx.emu.getEvents(ALICE).find((e) => e.subject === 'Standup')!;
    expect(remote.recurrence?.pattern.type).toBe('daily');
    expect(remote.recurrence?.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 3 });
    expect(fx.core.store.pim.event(event.Id)?.remoteId).toBe(remote.immutableId);

    const view = await call(base, 'GET', `/datasets/calendars/v3/tables/${calendar}/calendarview?calendarStartTime=2026-12-01T00:00:00Z&calendarEndTime=2026-12-31T00:00:00Z`);
    expect((view.body as { value: CalendarItem[] }).value.map((o) => o.Start)).toEqual(['2026-12-07T09:00:00+01:00', '2026-12-08T09:00:00+01:00', '2026-12-09T09:00:00+01:00']);
    const news = await call(base, 'GET', next(onNew));
    expect((news.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Standup']);

    const patched = await call(base, 'PATCH', `${items}/${event.Id}`, { xml: true, body: { Location: 'Room 7' } });
    expect(patched.status).toBe(200);
    await settle();
    expect(fx.emu.getEvents(ALICE).find((e) => e.subject === 'Standup')!.location.displayName).toBe('Room 7');
    // Still one series after the round trip through Graph.
    expect(fx.core.store.pim.eventsInCalendar(calendar).map((e) => e.summary)).toEqual(['Standup']);

    expect((await call(base, 'DELETE', `${items}/${event.Id}`)).status).toBe(200);
    await settle();
    expect(fx.emu.getEvents(ALICE).filter((e) => e.subject === 'Standup')).toEqual([]);
    expect(((await call(base, 'GET', items)).body as { value: CalendarItem[] }).value).toEqual([]);
  });

  it('creates and updates contacts on the server', async () => {
    const items = `/datasets/contacts/tables/${book}/items`;
    const created = await call(base, 'POST', items, { xml: true, body: { GivenName: 'Grace', Surname: 'Hopper', EmailAddresses: [{ Name: 'Grace', Address: 'grace@example.com' }] } });
    expect(created.status).toBe(200);
    const id = (created.body as Record<string, string>).Id!;
    await settle();
    const patched = await call(base, 'PATCH', `${items}/${id}`, { body: { CompanyName: 'US Navy' } });
    expect((patched.body as ContactItem).CompanyName).toBe('US Navy');
    await settle();
    const remote = fx.emu.getContacts(ALICE).find((c) => c.givenName === 'Grace')!;
    expect(remote).toMatchObject({ surname: 'Hopper', companyName: 'US Navy' });
    expect(remote.emailAddresses.map((e) => e.address)).toEqual(['grace@example.com']);
    const list = await call(base, 'GET', `${items}?$filter=${encodeURIComponent("startswith(DisplayName, 'Grace')")}`);
    expect((list.body as { value: ContactItem[] }).value.map((c) => c.Id)).toEqual([id]);
  });
});
