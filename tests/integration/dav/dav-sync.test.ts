// CalDAV/CardDAV half of an 'imap' account against the real Radicale: discovery, two-way sync with
// sync-collection tokens, ETag-guarded writes, recurring events and vCard 3/4. Every server-side
// effect is checked, and every server-side change made, with separate plain HTTP requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { parseICalendar, parseVCards } from '../../../src/main/core/pim';
import { composeProvider } from '../../../src/main/core/providers/compose';
import { createDavPart } from '../../../src/main/core/providers/dav';
import type { StoredCalendar } from '../../../src/main/core/store';
import { resetDavUser } from '../../servers';
import { createTestCore } from '../../support/core';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const auth = `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString('base64')}`;
const home = new URL(`${encodeURIComponent(alice.email)}/`, servers.dav.url).href;
const calendarUrl = new URL('calendar/', home).href;
const contactsUrl = new URL('contacts/', home).href;

/** A separate HTTP client: what is on the server, independent of Pimlico's code. */
async function server(method: string, url: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, body, headers: { authorization: auth, ...headers } });
  return { status: res.status, etag: res.headers.get('etag'), text: await res.text() };
}

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

function ics(uid: string, summary: string, extra: string[] = []): string {
  return crlf([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Other Client//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20260401T090000Z',
    'DTEND:20260401T100000Z',
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
  ]);
}

let core: Core;
let accountId: string;
let calendar: StoredCalendar;
let bookId: string;

async function sync() {
  return core.sync.syncNow(accountId);
}

function eventByUid(uid: string) {
  return core.store.pim.eventsByUid(calendar.id, uid);
}

beforeAll(async () => {
  await resetDavUser(alice.email, servers);
  core = createTestCore({
    // The DAV part composed on its own: the IMAP part is tested by its own files.
    providers: { imap: (ctx) => composeProvider([createDavPart(ctx)!]) },
  });
  accountId = core.accounts.create({
    kind: 'imap',
    displayName: 'Alice',
    email: alice.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: alice.email, password: alice.password },
    caldav: { url: servers.dav.url, user: alice.email, password: alice.password },
    carddav: { url: servers.dav.url, user: alice.email, password: alice.password },
  }).id;
});

afterAll(async () => {
  await core?.close();
});

describe('CalDAV/CardDAV sync against Radicale', () => {
  it('returns no part when neither caldav nor carddav is configured', () => {
    const account = core.accounts.get(accountId);
    const part = createDavPart({
      account: { ...account, settings: { imap: account.settings['imap'] } },
      store: core.store,
      events: core.events,
      log: core.log,
      now: () => Date.now(),
      secret: () => undefined,
      setSecret: () => undefined,
    });
    expect(part).toBeNull();
  });

  it('discovers the calendar and the address book with their names', async () => {
    const result = await sync();
    expect(result.events).toBe(0);
    const calendars = core.store.pim.calendars(accountId);
    expect(calendars.map((c) => [c.name, decodeURIComponent(c.remoteId ?? '')])).toEqual([['Calendar', decodeURIComponent(calendarUrl)]]);
    calendar = calendars[0]!;
    expect(calendar.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);
    const books = core.store.pim.addressBooks(accountId);
    expect(books.map((b) => [b.name, decodeURIComponent(b.remoteId ?? '')])).toEqual([['Contacts', decodeURIComponent(contactsUrl)]]);
    bookId = books[0]!.id;
  });

  it('mirrors calendars added, recoloured and removed on the server', async () => {
    const workUrl = new URL('work/', home).href;
    const made = await server(
      'MKCALENDAR',
      workUrl,
      '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Work</D:displayname><A:calendar-color>#FF8800FF</A:calendar-color></D:prop></D:set></C:mkcalendar>',
      { 'content-type': 'application/xml' },
    );
    expect(made.status).toBe(201);
    await sync();
    const work = core.store.pim.calendars(accountId).find((c) => c.name === 'Work');
    expect(work).toMatchObject({ color: '#ff8800' });
    expect(decodeURIComponent(work!.remoteId!)).toBe(decodeURIComponent(workUrl));

    const patched = await server(
      'PROPPATCH',
      workUrl,
      '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Work (old)</D:displayname><A:calendar-color>#00AA55</A:calendar-color></D:prop></D:set></D:propertyupdate>',
      { 'content-type': 'application/xml' },
    );
    expect(patched.status).toBe(207);
    await sync();
    expect(core.store.pim.calendar(work!.id)).toMatchObject({ name: 'Work (old)', color: '#00aa55' });

    expect((await server('DELETE', workUrl)).status).toBe(200);
    await sync();
    expect(core.store.pim.calendars(accountId).map((c) => c.name)).toEqual(['Calendar']);
  });

  it('puts an event created in Pimlico on the server, in its time zone, with the etag stored', async () => {
    const { event } = core.calendar.create(calendar.id, {
      summary: 'Lunch with Bob',
      location: 'Café',
      start: '2026-03-10T12:00:00',
      end: '2026-03-10T13:30:00',
      timeZone: 'Europe/Berlin',
    });
    await core.tasks.run(accountId);
    const stored = core.store.pim.event(event.id)!;
    expect(stored.remoteId).toBeTruthy();
    expect(stored.etag).toBeTruthy();
    const onServer = await server('GET', stored.remoteId!);
    expect(onServer.status).toBe(200);
    expect(onServer.etag).toBe(stored.etag);
    expect(onServer.text).toContain('SUMMARY:Lunch with Bob');
    expect(onServer.text).toContain('DTSTART;TZID=Europe/Berlin:20260310T120000');
    expect(onServer.text).toContain('BEGIN:VTIMEZONE');
    expect(parseICalendar(onServer.text).events[0]!.data.uid).toBe(event.uid);
    // A following sync sees our own write and changes nothing.
    expect((await sync()).events).toBe(0);
    expect(eventByUid(event.uid)).toHaveLength(1);
  });

  it('puts a contact created in Pimlico on the server', async () => {
    const { contact } = core.contacts.create(bookId, {
      givenName: 'Carol',
      surname: 'Jones',
      emails: [{ type: 'work', address: 'carol@example.com' }],
      phones: [{ type: 'mobile', number: '+44 20 7946 0000' }],
    });
    await core.tasks.run(accountId);
    const stored = core.store.pim.contact(contact.id)!;
    expect(stored.remoteId).toMatch(/\.vcf$/);
    const onServer = await server('GET', stored.remoteId!);
    expect(onServer.status).toBe(200);
    expect(onServer.etag).toBe(stored.etag);
    const card = parseVCards(onServer.text)[0]!;
    expect(card.data.displayName).toBe('Carol Jones');
    expect(card.data.emails.map((e) => e.address)).toEqual(['carol@example.com']);
    expect(card.data.phones.map((p) => p.number)).toEqual(['+44 20 7946 0000']);
  });

  it('shows an event created and a contact edited directly on the server after one sync', async () => {
    const longNote = `Bring the forms: ${'x'.repeat(120)} — ünïcödé ✓`;
    const put = await server('PUT', `${calendarUrl}made-elsewhere.ics`, ics('made-elsewhere@other', 'Dentist', [`DESCRIPTION:${longNote}`, 'LOCATION:Café & <Zürich>']), {
      'content-type': 'text/calendar',
      'if-none-match': '*',
    });
    expect(put.status).toBe(201);

    const carol = core.store.pim.contacts({ addressBookId: bookId, query: 'Carol', limit: 10 })[0]!;
    const current = await server('GET', carol.remoteId!);
    const edited = current.text
      .replace(/^FN:.*$/m, 'FN:Carol Smith')
      .replace(/^N:.*$/m, 'N:Smith;Carol;;;')
      .replace('END:VCARD', 'X-OTHER-CLIENT:kept\r\nEND:VCARD');
    const updated = await server('PUT', carol.remoteId!, edited, { 'content-type': 'text/vcard', 'if-match': current.etag! });
    expect(updated.status).toBe(201);

    const result = await sync();
    expect(result.events).toBe(1);
    expect(result.contacts).toBe(1);
    const [dentist] = eventByUid('made-elsewhere@other');
    expect(dentist?.summary).toBe('Dentist');
    expect(dentist?.startUtc).toBe(Date.parse('2026-04-01T09:00:00Z'));
    // Through the multiget XML: entities, non-ASCII text and long lines come back exactly.
    expect(dentist?.location).toBe('Café & <Zürich>');
    expect(dentist?.description).toBe(longNote);
    const local = core.store.pim.contact(carol.id)!;
    expect(local.displayName).toBe('Carol Smith');
    expect(local.surname).toBe('Smith');
    expect(local.vcard).toContain('X-OTHER-CLIENT:kept');
  });

  it('edits in Pimlico keep what other clients wrote', async () => {
    const carol = core.store.pim.contacts({ addressBookId: bookId, query: 'Carol', limit: 10 })[0]!;
    core.contacts.update(carol.id, { jobTitle: 'Dentist' });
    await core.tasks.run(accountId);
    const onServer = await server('GET', carol.remoteId!);
    expect(onServer.text).toContain('X-OTHER-CLIENT:kept');
    expect(onServer.text).toMatch(/^TITLE:Dentist/m);
    expect(onServer.text).toMatch(/^FN:Carol Smith/m);
    expect(core.store.pim.contact(carol.id)!.etag).toBe(onServer.etag);
  });

  it('removes locally what was deleted on the server, and on the server what was deleted in Pimlico', async () => {
    const [dentist] = eventByUid('made-elsewhere@other');
    const gone = await server('DELETE', dentist!.remoteId!);
    expect(gone.status).toBe(200);
    await sync();
    expect(eventByUid('made-elsewhere@other')).toHaveLength(0);

    const carol = core.store.pim.contacts({ addressBookId: bookId, query: 'Carol', limit: 10 })[0]!;
    core.contacts.delete(carol.id);
    await core.tasks.run(accountId);
    expect((await server('GET', carol.remoteId!)).status).toBe(404);
    expect(core.store.pim.contact(carol.id)).toBeUndefined();

    const lunch = core.store.pim.eventsInCalendar(calendar.id).find((e) => e.summary === 'Lunch with Bob')!;
    core.calendar.delete(lunch.id);
    await core.tasks.run(accountId);
    expect((await server('GET', lunch.remoteId!)).status).toBe(404);
    // Nothing comes back on the next sync.
    await sync();
    expect(core.store.pim.eventsInCalendar(calendar.id)).toHaveLength(0);
  });

  const seriesText = crlf([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Other Client//EN',
    'X-WR-CALNAME:Work',
    'BEGIN:VTIMEZONE',
    'TZID:America/New_York',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:-0500',
    'TZOFFSETTO:-0400',
    'TZNAME:EDT',
    'DTSTART:19700308T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:-0400',
    'TZOFFSETTO:-0500',
    'TZNAME:EST',
    'DTSTART:19701101T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    'UID:standup-series@other',
    'DTSTAMP:20260101T000000Z',
    'DTSTART;TZID=America/New_York:20260302T093000',
    'DTEND;TZID=America/New_York:20260302T094500',
    'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6',
    'EXDATE;TZID=America/New_York:20260316T093000',
    'SUMMARY:Standup',
    'X-OTHER-CLIENT-COLOR:teal',
    'BEGIN:VALARM',
    'ACTION:AUDIO',
    'TRIGGER:-PT5M',
    'END:VALARM',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:standup-series@other',
    'DTSTAMP:20260101T000000Z',
    'RECURRENCE-ID;TZID=America/New_York:20260323T093000',
    'DTSTART;TZID=America/New_York:20260324T140000',
    'DTEND;TZID=America/New_York:20260324T141500',
    'SUMMARY:Standup (moved to Tuesday)',
    'X-OTHER-CLIENT-NOTE:moved by Bob',
    'END:VEVENT',
    'END:VCALENDAR',
  ]);

  it('keeps a recurring event with EXDATE and a moved instance intact when Pimlico edits it', async () => {
    const href = `${calendarUrl}standup.ics`;
    expect((await server('PUT', href, seriesText, { 'content-type': 'text/calendar', 'if-none-match': '*' })).status).toBe(201);
    // Radicale may re-serialise what it stores; "unchanged" means unchanged from what the server had.
    const serverBefore = await server('GET', href);
    await sync();
    const rows = eventByUid('standup-series@other');
    expect(rows).toHaveLength(2);
    const master = rows.find((r) => !r.recurrenceId)!;
    const moved = rows.find((r) => r.recurrenceId)!;
    expect(master.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=6');
    expect(master.timeZone).toBe('America/New_York');
    expect(master.exdates).toEqual(['2026-03-16T09:30:00']);
    expect(moved.recurrenceId).toBe('2026-03-23T09:30:00');
    expect(moved.summary).toBe('Standup (moved to Tuesday)');

    // Occurrences: 6 Mondays, minus the excluded one; the 23rd is on Tuesday 24th at 14:00 New York time.
    const occurrences = core.calendar.range(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-05-01T00:00:00Z'), [calendar.id]);
    expect(occurrences.map((o) => new Date(o.startUtc).toISOString())).toEqual([
      '2026-03-02T14:30:00.000Z',
      '2026-03-09T13:30:00.000Z',
      '2026-03-24T18:00:00.000Z',
      '2026-03-30T13:30:00.000Z',
      '2026-04-06T13:30:00.000Z',
    ]);

    core.calendar.update(master.id, { summary: 'Team standup' });
    await core.tasks.run(accountId);
    const onServer = await server('GET', href);
    const before = parseICalendar(serverBefore.text);
    const after = parseICalendar(onServer.text);
    expect(after.events).toHaveLength(2);
    const newMaster = after.events.find((e) => !e.data.recurrenceId)!;
    const newMoved = after.events.find((e) => e.data.recurrenceId)!;
    expect(newMaster.data.summary).toBe('Team standup');
    expect(newMaster.component).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6');
    expect(newMaster.component).toContain('EXDATE;TZID=America/New_York:20260316T093000');
    expect(newMaster.component).toContain('DTSTART;TZID=America/New_York:20260302T093000');
    expect(newMaster.component).toContain('X-OTHER-CLIENT-COLOR:teal');
    expect(newMaster.component).toContain('ACTION:AUDIO');
    // The moved instance, which Pimlico did not edit, is byte for byte what the other client wrote.
    expect(newMoved.component).toBe(before.events[1]!.component);
    expect(after.timezones).toEqual(before.timezones);
    expect(after.calendarProperties).toContain('X-WR-CALNAME:Work');
    // Both rows learnt the resource's new etag, so the next edit is not mistaken for a conflict.
    expect(eventByUid('standup-series@other').map((r) => r.etag)).toEqual([onServer.etag, onServer.etag]);

    core.calendar.update(moved.id, { location: 'Room 4' });
    await core.tasks.run(accountId);
    const again = parseICalendar((await server('GET', href)).text);
    expect(again.events.find((e) => e.data.recurrenceId)!.data.location).toBe('Room 4');
    expect(again.events.find((e) => e.data.recurrenceId)!.component).toContain('X-OTHER-CLIENT-NOTE:moved by Bob');
    expect(again.events.find((e) => !e.data.recurrenceId)!.data.summary).toBe('Team standup');
    expect(core.tasks ? core.store.tasks.recent(5).filter((t) => t.status === 'failed') : []).toEqual([]);
  });

  it('deleting one moved instance in Pimlico excludes that date from the series on the server', async () => {
    const href = `${calendarUrl}standup.ics`;
    const moved = eventByUid('standup-series@other').find((r) => r.recurrenceId)!;
    const task = core.calendar.delete(moved.id);
    await core.tasks.run(accountId);
    expect(core.store.tasks.get(task.id)?.status).toBe('done');
    const onServer = parseICalendar((await server('GET', href)).text);
    expect(onServer.events).toHaveLength(1);
    const master = onServer.events[0]!;
    expect(master.data.exdates).toEqual(['2026-03-16T09:30:00', '2026-03-23T09:30:00']);
    expect(master.data.summary).toBe('Team standup');
    expect(master.component).toContain('X-OTHER-CLIENT-COLOR:teal');
    const rows = eventByUid('standup-series@other');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.exdates).toEqual(['2026-03-16T09:30:00', '2026-03-23T09:30:00']);
  });

  it('applies several edits queued before the server was reached without a false conflict', async () => {
    // Created and edited twice in one go: the later tasks were queued before the create reached the server.
    const { event } = core.calendar.create(calendar.id, { summary: 'Draft', start: '2026-06-01T10:00:00', end: '2026-06-01T11:00:00', timeZone: 'Europe/London' });
    const second = core.calendar.update(event.id, { summary: 'Planning' });
    const third = core.calendar.update(event.id, { location: 'Room 1' });
    await core.tasks.run(accountId);
    await core.tasks.idle();
    expect([second.task.id, third.task.id].map((id) => core.store.tasks.get(id)?.status)).toEqual(['done', 'done']);
    const row = core.store.pim.event(event.id)!;
    const onServer = await server('GET', row.remoteId!);
    expect(onServer.etag).toBe(row.etag);
    expect(onServer.text).toContain('SUMMARY:Planning');
    expect(onServer.text).toContain('LOCATION:Room 1');
    expect(onServer.text).toContain('DTSTART;TZID=Europe/London:20260601T100000');

    // Created and deleted before it reached the server: nothing is left anywhere.
    const { contact } = core.contacts.create(bookId, { givenName: 'Temp', surname: 'Orary' });
    core.contacts.update(contact.id, { jobTitle: 'Intern' });
    const del = core.contacts.delete(contact.id);
    await core.tasks.run(accountId);
    await core.tasks.idle();
    expect(core.store.tasks.get(del.id)?.status).toBe('done');
    await sync();
    expect(core.store.pim.contacts({ addressBookId: bookId, query: 'Temp', limit: 5 })).toEqual([]);
    const listing = await server('PROPFIND', contactsUrl, undefined, { depth: '1' });
    expect(listing.text).not.toContain('Temp');
    expect(listing.text).not.toMatch(/pimlico[^<]*\.vcf|urn-uuid-[^<]*\.vcf/);

    const planning = core.store.pim.event(event.id)!;
    core.calendar.delete(planning.id);
    await core.tasks.run(accountId);
    expect((await server('GET', planning.remoteId!)).status).toBe(404);
  });

  it('detects a concurrent edit on the server as a conflict and overwrites nothing', async () => {
    const href = `${calendarUrl}standup.ics`;
    const master = eventByUid('standup-series@other').find((r) => !r.recurrenceId)!;
    // Someone else edits the series; Pimlico has not synced since.
    const current = await server('GET', href);
    const theirs = current.text.replace('SUMMARY:Team standup', 'SUMMARY:Standup (renamed by Bob)');
    expect((await server('PUT', href, theirs, { 'content-type': 'text/calendar', 'if-match': current.etag! })).status).toBe(201);
    const theirEtag = (await server('GET', href)).etag;

    const { task } = core.calendar.update(master.id, { summary: 'Standup (renamed by Alice)' });
    await core.tasks.run(accountId);
    const after = core.store.tasks.get(task.id)!;
    expect(after.status).toBe('failed');
    expect(after.lastError).toMatch(/changed on the server/);
    const onServer = await server('GET', href);
    expect(onServer.etag).toBe(theirEtag);
    expect(onServer.text).toContain('SUMMARY:Standup (renamed by Bob)');
    expect(onServer.text).not.toContain('renamed by Alice');
    // Locally the server's version is what the user now sees.
    const local = core.store.pim.event(master.id)!;
    expect(local.summary).toBe('Standup (renamed by Bob)');
    expect(local.etag).toBe(theirEtag);
  });

  it('detects a concurrent contact edit and a delete of a changed item as conflicts', async () => {
    const vcard = crlf(['BEGIN:VCARD', 'VERSION:3.0', 'UID:dave@other', 'FN:Dave Brown', 'N:Brown;Dave;;;', 'EMAIL;TYPE=INTERNET:dave@example.com', 'END:VCARD']);
    const href = `${contactsUrl}dave.vcf`;
    expect((await server('PUT', href, vcard, { 'content-type': 'text/vcard', 'if-none-match': '*' })).status).toBe(201);
    await sync();
    const dave = core.store.pim.contacts({ addressBookId: bookId, query: 'Dave', limit: 5 })[0]!;
    const theirs = vcard.replace('dave@example.com', 'dave@elsewhere.example');
    const current = await server('GET', href);
    expect((await server('PUT', href, theirs, { 'content-type': 'text/vcard', 'if-match': current.etag! })).status).toBe(201);

    const { task } = core.contacts.update(dave.id, { jobTitle: 'Plumber' });
    await core.tasks.run(accountId);
    expect(core.store.tasks.get(task.id)).toMatchObject({ status: 'failed' });
    expect(core.store.tasks.get(task.id)!.lastError).toMatch(/changed on the server/);
    expect((await server('GET', href)).text).not.toContain('Plumber');
    expect(core.store.pim.contact(dave.id)!.emails.map((e) => e.address)).toEqual(['dave@elsewhere.example']);

    // Deleting in Pimlico a contact changed elsewhere meanwhile: not deleted, restored locally.
    const now = await server('GET', href);
    expect((await server('PUT', href, theirs.replace('FN:Dave Brown', 'FN:David Brown'), { 'content-type': 'text/vcard', 'if-match': now.etag! })).status).toBe(201);
    const del = core.contacts.delete(dave.id);
    await core.tasks.run(accountId);
    expect(core.store.tasks.get(del.id)).toMatchObject({ status: 'failed' });
    expect((await server('GET', href)).status).toBe(200);
    const restored = core.store.pim.contactByRemoteId(bookId, core.store.pim.contact(dave.id)?.remoteId ?? dave.remoteId!);
    expect(restored?.displayName).toBe('David Brown');
  });

  it('starts over with a full resync when the server rejects the sync token', async () => {
    // Changes made while our token is (made) stale: one new event, the series deleted.
    expect((await server('PUT', `${calendarUrl}after-reset.ics`, ics('after-reset@other', 'After reset'), { 'content-type': 'text/calendar' })).status).toBe(201);
    expect((await server('DELETE', `${calendarUrl}standup.ics`)).status).toBe(200);
    core.store.pim.updateCalendar(calendar.id, { syncToken: 'http://radicale.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000' });

    await sync();
    const events = core.store.pim.eventsInCalendar(calendar.id);
    expect(events.map((e) => e.uid)).toEqual(['after-reset@other']);
    const token = core.store.pim.calendar(calendar.id)!.syncToken;
    expect(token).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/[0-9a-f]{64}$/);
    expect(token).not.toBe('http://radicale.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000');
    // The new token works: an incremental sync afterwards finds nothing to do.
    expect((await sync()).events).toBe(0);
  });

  it('reads vCard 3.0 and 4.0 contacts, and writes each back in its own version', async () => {
    const v3 = crlf([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:erin-v3@other',
      'FN:Erin Three',
      'N:Three;Erin;;;',
      'EMAIL;TYPE=INTERNET,WORK:erin@example.com',
      'TEL;TYPE=CELL:+1 555 0100',
      'ORG:Three Corp',
      'BDAY:1990-05-17',
      'END:VCARD',
    ]);
    const v4 = crlf([
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:5a1d1e2f-0000-4000-8000-000000000004',
      'FN:Frank Four',
      'N:Four;Frank;;;',
      'EMAIL;TYPE=home;PREF=1:frank@example.org',
      'TEL;VALUE=uri;TYPE=work:tel:+1-555-0104',
      'BDAY:--0412',
      'X-ABC-CUSTOM:stays',
      'END:VCARD',
    ]);
    expect((await server('PUT', `${contactsUrl}erin.vcf`, v3, { 'content-type': 'text/vcard' })).status).toBe(201);
    expect((await server('PUT', `${contactsUrl}frank.vcf`, v4, { 'content-type': 'text/vcard' })).status).toBe(201);
    await sync();
    const erin = core.store.pim.contacts({ addressBookId: bookId, query: 'Erin', limit: 5 })[0]!;
    const frank = core.store.pim.contacts({ addressBookId: bookId, query: 'Frank', limit: 5 })[0]!;
    expect(erin).toMatchObject({ displayName: 'Erin Three', givenName: 'Erin', surname: 'Three', company: 'Three Corp', birthday: '1990-05-17' });
    expect(erin.emails.map((e) => e.address)).toEqual(['erin@example.com']);
    expect(erin.phones).toEqual([{ type: 'mobile', number: '+1 555 0100' }]);
    expect(frank).toMatchObject({ displayName: 'Frank Four', givenName: 'Frank', surname: 'Four', birthday: '--04-12' });
    expect(frank.emails.map((e) => e.address)).toEqual(['frank@example.org']);
    expect(frank.phones.map((p) => p.number)).toEqual(['+1-555-0104']);

    core.contacts.update(frank.id, { jobTitle: 'Baker' });
    core.contacts.update(erin.id, { jobTitle: 'Pilot' });
    await core.tasks.run(accountId);
    const frankOnServer = await server('GET', `${contactsUrl}frank.vcf`);
    expect(frankOnServer.text).toMatch(/^VERSION:4\.0/m);
    expect(frankOnServer.text).toMatch(/^TITLE:Baker/m);
    expect(frankOnServer.text).toContain('X-ABC-CUSTOM:stays');
    const erinOnServer = await server('GET', `${contactsUrl}erin.vcf`);
    expect(erinOnServer.text).toMatch(/^VERSION:3\.0/m);
    expect(erinOnServer.text).toMatch(/^TITLE:Pilot/m);
  });

  it('undoes a delete by recreating the item on the server', async () => {
    const [event] = eventByUid('after-reset@other');
    const task = core.calendar.delete(event!.id);
    await core.tasks.run(accountId);
    expect((await server('GET', event!.remoteId!)).status).toBe(404);
    core.tasks.undo(task.id);
    await core.tasks.run(accountId);
    const back = await server('GET', event!.remoteId!);
    expect(back.status).toBe(200);
    expect(back.text).toContain('SUMMARY:After reset');
    expect(core.store.pim.event(event!.id)?.etag).toBe(back.etag);
  });
});

describe('undo of an edit', () => {
  it('puts the previous version back on the server without a false conflict', async () => {
    const [event] = core.store.pim.eventsByUid(calendar.id, 'after-reset@other');
    const edit = core.calendar.update(event!.id, { summary: 'Renamed by mistake' });
    await core.tasks.run(accountId);
    expect((await server('GET', event!.remoteId!)).text).toContain('SUMMARY:Renamed by mistake');
    const undo = core.tasks.undo(edit.task.id);
    await core.tasks.run(accountId);
    expect(core.store.tasks.get(undo.id)?.status).toBe('done');
    const back = await server('GET', event!.remoteId!);
    expect(back.text).toContain('SUMMARY:After reset');
    expect(core.store.pim.event(event!.id)).toMatchObject({ summary: 'After reset', etag: back.etag });
  });
});

describe('a collection the server does not let us change', () => {
  it('fails the task as Forbidden and undoes the local effect, leaving the server untouched', async () => {
    // Bob's calendar and address book, as a calendar shared read-only with Alice would appear.
    const bob = servers.users.find((u) => u.email.startsWith('bob'))!;
    await resetDavUser(bob.email, servers);
    const bobHome = new URL(`${encodeURIComponent(bob.email)}/`, servers.dav.url).href;
    core.store.pim.insertCalendar({ id: 'cal_shared_by_bob', accountId, name: "Bob's", remoteId: new URL('calendar/', bobHome).href });
    core.store.pim.insertAddressBook({ id: 'abk_shared_by_bob', accountId, name: "Bob's", remoteId: new URL('contacts/', bobHome).href });

    const { event, task } = core.calendar.create('cal_shared_by_bob', { summary: 'Sneaky', start: '2026-09-01', end: '2026-09-02', allDay: true });
    const { contact, task: contactTask } = core.contacts.create('abk_shared_by_bob', { givenName: 'Sneaky', surname: 'Contact' });
    await core.tasks.run(accountId);
    await core.tasks.idle();
    for (const id of [task.id, contactTask.id]) {
      expect(core.store.tasks.get(id)).toMatchObject({ status: 'failed' });
      expect(core.store.tasks.get(id)!.lastError).toMatch(/does not allow changing 'Sneaky.*'.*undone here/);
    }
    expect(core.store.pim.event(event.id)).toBeUndefined();
    expect(core.store.pim.contact(contact.id)).toBeUndefined();
    const bobAuth = { authorization: `Basic ${Buffer.from(`${bob.email}:${bob.password}`).toString('base64')}`, depth: '1' };
    for (const coll of ['calendar/', 'contacts/']) {
      const listing = await fetch(new URL(coll, bobHome), { method: 'PROPFIND', headers: bobAuth });
      expect(listing.status).toBe(207);
      expect(await listing.text()).not.toMatch(/\.(ics|vcf)</);
    }
    core.store.pim.removeCalendar('cal_shared_by_bob');
    core.store.pim.removeAddressBook('abk_shared_by_bob');
  });
});

