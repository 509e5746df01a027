// iTIP COUNTER, DECLINECOUNTER and REFRESH (RFC 5546 3.2.6-3.2.8) against a real core: real iMIP text delivered
// into the organiser's inbox, decisions written to the calendar and the answers queued in the outbox.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { invitationsFor } from '../../../src/main/core/handlers/pim';
import type { InvitationService } from '../../../src/main/core/invitations';
import { withSequence } from '../../../src/main/core/calendar/ics';
import { parseMessage } from '../../../src/main/core/mime';
import { parseICalendar } from '../../../src/main/core/pim';
import { createTestCore } from '../../support/core';

const ALICE = 'alice@pimlico.test';
const BOB = 'bob@pimlico.test';

let core: Core;
let invitations: InvitationService;
let alice: string;
let bob: string;

afterEach(async () => core?.close());
beforeEach(() => {
  core = createTestCore({ now: () => Date.parse('2027-01-20T09:00:00Z') });
  alice = core.accounts.create({ kind: 'local', displayName: 'Alice', email: ALICE }).id;
  bob = core.accounts.create({ kind: 'local', displayName: 'Bob', email: BOB }).id;
  invitations = invitationsFor(core);
});

const calendarOf = (accountId: string) => core.store.pim.calendars(accountId).find((c) => !c.readOnly)!;

/** A message carrying iMIP text, stored the way a sync stores one. */
function deliverItip(accountId: string, from: { name: string; address: string }, subject: string, ics: string): string {
  const content = Buffer.from(ics.replace(/\n/g, '\r\n'), 'utf8');
  const inbox = core.store.mail.folderByRole(accountId, 'inbox')!;
  return core.store.mail.insertMessage(
    {
      accountId,
      folderId: inbox.id,
      remoteId: null,
      messageIdHeader: `<${createHash('sha1').update(subject + ics).digest('hex')}@example.com>`,
      inReplyTo: null,
      references: [],
      subject,
      from,
      to: [{ name: '', address: core.accounts.get(accountId).email }],
      cc: [],
      bcc: [],
      replyTo: [],
      date: core.now(),
      snippet: subject,
      bodyText: subject,
      bodyHtml: null,
      headers: {},
      isRead: false,
      isFlagged: false,
      importance: 'normal',
      size: content.length,
      attachments: [{ filename: 'invite.ics', contentType: 'text/calendar', size: content.length, contentId: null, inline: false, sha256: createHash('sha256').update(content).digest('hex'), content }],
    },
    core.now(),
  );
}

/** The calendar part of a queued message, with its recipients. */
async function queued(outboxId: string | null): Promise<{ to: string[]; subject: string; ics: string; method: string | null }> {
  const entry = core.store.outbox.get(outboxId!)!;
  const parsed = await parseMessage(entry.raw);
  const ics = parsed.calendarParts[0] ?? '';
  return { to: parsed.to.map((a) => a.address), subject: parsed.subject, ics, method: parseICalendar(ics).method };
}

/** Alice organises "Planning" on 10 Feb 2027, 12:00-13:00 Paris time, with Bob and Carol invited. */
function alicesMeeting() {
  const { event } = core.calendar.create(calendarOf(alice).id, {
    summary: 'Planning',
    start: '2027-02-10T12:00',
    end: '2027-02-10T13:00',
    timeZone: 'Europe/Paris',
    attendees: [
      { name: 'Bob', address: BOB },
      { name: 'Carol', address: 'carol@example.com' },
    ],
  });
  return event;
}

// As Thunderbird/Lightning writes a counter proposal: the whole event with the proposed times, the
// proposing attendee and a COMMENT.
const counterFromBob = (uid: string, start: string, end: string, comment = 'I have a dentist appointment at noon') => `BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
METHOD:COUNTER
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CREATED:20270120T080000Z
LAST-MODIFIED:20270120T085500Z
DTSTAMP:20270120T085500Z
UID:${uid}
SUMMARY:Planning
ORGANIZER;CN=Alice:mailto:${ALICE}
ATTENDEE;CN=Bob;PARTSTAT=TENTATIVE;ROLE=REQ-PARTICIPANT:mailto:${BOB}
COMMENT:${comment}
DTSTART;TZID=Europe/Paris:${start}
DTEND;TZID=Europe/Paris:${end}
SEQUENCE:0
END:VEVENT
END:VCALENDAR
`;

// RFC 5546 4.4.3 style REFRESH: no DTSTART, only who asks about which event.
const refreshFrom = (uid: string, attendee: string) => `BEGIN:VCALENDAR
PRODID:-//Example/ExampleCalendarClient//EN
METHOD:REFRESH
VERSION:2.0
BEGIN:VEVENT
ORGANIZER:mailto:${ALICE}
ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:${attendee}
DTSTAMP:20270120T090000Z
UID:${uid}
COMMENT:I lost the invitation
END:VEVENT
END:VCALENDAR
`;

describe('COUNTER: an attendee proposes a new time to the organiser', () => {
  it('shows who proposes what, and accepting moves the event, raises SEQUENCE and sends the REQUEST to everyone', async () => {
    const event = alicesMeeting();
    const msg = deliverItip(alice, { name: 'Bob', address: BOB }, 'New time proposed: Planning', counterFromBob(event.uid, '20270210T150000', '20270210T160000'));

    const preview = (await invitations.preview(msg))!;
    expect(preview).toMatchObject({
      method: 'COUNTER',
      summary: 'Planning',
      start: '2027-02-10T15:00:00',
      end: '2027-02-10T16:00:00',
      timeZone: 'Europe/Paris',
      existingEventId: event.id,
      applied: false,
      counter: { from: { name: 'Bob', address: BOB }, comment: 'I have a dentist appointment at noon', state: 'open', currentStartUtc: Date.parse('2027-02-10T11:00:00Z'), currentEndUtc: Date.parse('2027-02-10T12:00:00Z') },
    });
    expect(preview.startUtc).toBe(Date.parse('2027-02-10T14:00:00Z'));
    // Background sync never decides a proposal for the organiser.
    expect(await invitations.applyFromSync(msg)).toEqual({ applied: false, reason: 'needs-user' });

    const res = await invitations.acceptCounter(msg);
    expect(res.eventId).toBe(event.id);
    const moved = core.calendar.get(event.id);
    expect(moved).toMatchObject({ start: '2027-02-10T15:00:00', end: '2027-02-10T16:00:00', timeZone: 'Europe/Paris', startUtc: Date.parse('2027-02-10T14:00:00Z') });
    expect(moved.ical).toMatch(/^SEQUENCE:1\r?$/m);

    const sent = await queued(res.outboxId);
    expect(sent.method).toBe('REQUEST');
    expect(sent.to.sort()).toEqual([BOB, 'carol@example.com']);
    const request = parseICalendar(sent.ics).events[0]!.data;
    expect(request).toMatchObject({ uid: event.uid, start: '2027-02-10T15:00:00', timeZone: 'Europe/Paris', sequence: 1 });

    expect((await invitations.preview(msg))!).toMatchObject({ applied: true, counter: { state: 'accepted' } });
    await expect(invitations.acceptCounter(msg)).rejects.toMatchObject({ code: 'Conflict' });
    await expect(invitations.declineCounter(msg)).rejects.toMatchObject({ code: 'Conflict' });

    // Undo of the move is an ordinary task undo.
    await core.handle('tasks.undo', { id: res.task.id });
    expect(core.calendar.get(event.id).start).toBe('2027-02-10T12:00:00');
  });

  it('declining sends a DECLINECOUNTER to the proposer only and leaves the event where it was', async () => {
    const event = alicesMeeting();
    const msg = deliverItip(alice, { name: 'Bob', address: BOB }, 'New time proposed: Planning', counterFromBob(event.uid, '20270211T090000', '20270211T100000', 'Thursday morning?'));
    const { outboxId } = await invitations.declineCounter(msg, 'Thursday is full, sorry');
    expect(core.calendar.get(event.id)).toMatchObject({ start: '2027-02-10T12:00:00', end: '2027-02-10T13:00:00' });
    const sent = await queued(outboxId);
    expect(sent).toMatchObject({ method: 'DECLINECOUNTER', to: [BOB], subject: 'New time declined: Planning' });
    const declined = parseICalendar(sent.ics).events[0]!.data;
    expect(declined).toMatchObject({ uid: event.uid, start: '2027-02-10T12:00:00', organizer: { address: ALICE } });
    expect(declined.attendees.map((a) => a.address)).toEqual([BOB]);
    expect(sent.ics).toMatch(/^COMMENT:Thursday is full\\, sorry\r?$/m);
    expect((await invitations.preview(msg))!).toMatchObject({ applied: true, counter: { state: 'declined' } });
  });

  it('a proposal about an event the user does not organise cannot be accepted', async () => {
    // Bob got Alice's invitation into his own calendar; a counter arriving at Bob is not his to decide.
    const { event } = core.calendar.create(calendarOf(bob).id, { summary: 'Planning', start: '2027-02-10T12:00', end: '2027-02-10T13:00', timeZone: 'Europe/Paris' });
    const row = core.calendar.get(event.id);
    core.store.pim.upsertEvent({ ...row, organizer: { name: 'Alice', address: ALICE }, attendees: [{ name: 'Bob', address: BOB, role: 'required', status: 'accepted' }] });
    const msg = deliverItip(bob, { name: 'Carol', address: 'carol@example.com' }, 'New time proposed', counterFromBob(event.uid, '20270210T150000', '20270210T160000'));
    expect((await invitations.preview(msg))!.counter?.state).toBe('unknown');
    await expect(invitations.acceptCounter(msg)).rejects.toMatchObject({ code: 'Forbidden' });
  });
});

describe('REFRESH: an attendee asks for the current version', () => {
  it('is answered once, automatically, with the current REQUEST to that attendee only', async () => {
    const event = alicesMeeting();
    core.calendar.update(event.id, { location: 'Room 9' });
    const msg = deliverItip(alice, { name: 'Bob', address: BOB }, 'Refresh: Planning', refreshFrom(event.uid, BOB));
    expect((await invitations.preview(msg))!).toMatchObject({ method: 'REFRESH', summary: 'Planning', existingEventId: event.id, applied: false, refresh: { from: { address: BOB }, state: 'open' } });

    expect(await invitations.applyFromSync(msg)).toEqual({ applied: true, reason: 'applied' });
    expect(await invitations.applyFromSync(msg)).toEqual({ applied: false, reason: 'unchanged' });
    expect((await invitations.preview(msg))!).toMatchObject({ applied: true, refresh: { state: 'sent' } });
    const outbox = core.store.db.prepare('SELECT id FROM outbox ORDER BY rowid').all() as { id: string }[];
    expect(outbox).toHaveLength(1);
    const sent = await queued(outbox.at(-1)!.id);
    expect(sent).toMatchObject({ method: 'REQUEST', to: [BOB], subject: 'Invitation: Planning' });
    expect(parseICalendar(sent.ics).events[0]!.data).toMatchObject({ uid: event.uid, location: 'Room 9', start: '2027-02-10T12:00:00' });
  });

  it('from someone who is not invited, or about an unknown event, sends nothing', async () => {
    const event = alicesMeeting();
    const stranger = deliverItip(alice, { name: 'Mallory', address: 'mallory@example.net' }, 'Refresh', refreshFrom(event.uid, 'mallory@example.net'));
    expect(await invitations.applyFromSync(stranger)).toEqual({ applied: false, reason: 'unknown-event' });
    expect((await invitations.preview(stranger))!.refresh?.state).toBe('unknown');
    await expect(invitations.answerRefresh(stranger)).rejects.toMatchObject({ code: 'NotFound' });
    // Bob's address in the REFRESH, but sent by someone else: left to the user.
    const spoofed = deliverItip(alice, { name: 'Mallory', address: 'mallory@example.net' }, 'Refresh', refreshFrom(event.uid, BOB));
    expect(await invitations.applyFromSync(spoofed)).toEqual({ applied: false, reason: 'sender-mismatch' });
    const unknown = deliverItip(alice, { name: 'Bob', address: BOB }, 'Refresh', refreshFrom('no-such-event@example.com', BOB));
    expect(await invitations.applyFromSync(unknown)).toEqual({ applied: false, reason: 'unknown-event' });
    expect(core.store.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });
});

describe('propose a new time, as an attendee', () => {
  const requestToBob = `BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:REQUEST
BEGIN:VEVENT
DTSTART:20270210T110000Z
DTEND:20270210T120000Z
DTSTAMP:20270120T080000Z
ORGANIZER;CN=Alice:mailto:${ALICE}
UID:2d5bq1@google.com
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=${BOB}:mailto:${BOB}
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Alice:mailto:${ALICE}
CREATED:20270120T080000Z
DESCRIPTION:Quarterly planning
LOCATION:Room 1
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Planning
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR
`;

  it('sends a COUNTER with the proposed times to the organiser and changes nothing in the calendar', async () => {
    const msg = deliverItip(bob, { name: 'Alice', address: ALICE }, 'Invitation: Planning', requestToBob);
    const { outboxId } = await invitations.proposeTime(msg, { start: '2027-02-10T16:00', end: '2027-02-10T17:00', timeZone: 'Europe/Paris', comment: 'Noon clashes with my dentist' });
    const sent = await queued(outboxId);
    expect(sent).toMatchObject({ method: 'COUNTER', to: [ALICE], subject: 'New time proposed: Planning' });
    const counter = parseICalendar(sent.ics).events[0]!.data;
    expect(counter).toMatchObject({ uid: '2d5bq1@google.com', start: '2027-02-10T16:00:00', end: '2027-02-10T17:00:00', timeZone: 'Europe/Paris', summary: 'Planning', organizer: { address: ALICE } });
    expect(counter.attendees.map((a) => a.address)).toEqual([BOB]);
    expect(sent.ics).toMatch(/^COMMENT:Noon clashes with my dentist\r?$/m);
    expect(core.store.pim.eventsInCalendar(calendarOf(bob).id)).toEqual([]);
    // The organiser's reading pane shows the note: the COUNTER just built, read back as alice would.
    const atAlice = deliverItip(alice, { name: 'Bob', address: BOB }, 'New time proposed: Planning', sent.ics.replace(/\r\n/g, '\n'));
    expect((await invitations.preview(atAlice))!.counter).toMatchObject({ from: { address: BOB }, comment: 'Noon clashes with my dentist', state: 'unknown' });
  });

  it('refuses an end before the start, dates for a timed event, and a proposal to an event the user organises', async () => {
    const msg = deliverItip(bob, { name: 'Alice', address: ALICE }, 'Invitation: Planning', requestToBob);
    await expect(invitations.proposeTime(msg, { start: '2027-02-10T16:00', end: '2027-02-10T15:00' })).rejects.toMatchObject({ code: 'BadRequest', message: /end must be after/ });
    await expect(invitations.proposeTime(msg, { start: '2027-02-10', end: '2027-02-11' })).rejects.toMatchObject({ code: 'BadRequest' });
    const own = deliverItip(alice, { name: 'Alice', address: ALICE }, 'Invitation: Planning', requestToBob);
    await expect(invitations.proposeTime(own, { start: '2027-02-10T16:00', end: '2027-02-10T17:00' })).rejects.toMatchObject({ code: 'BadRequest', message: /Only an attendee/ });
  });
});

describe('withSequence', () => {
  it('sets SEQUENCE on every VEVENT of the UID, adding it where missing, leaving other UIDs alone', () => {
    const text = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'SEQUENCE:2', 'END:VEVENT', 'BEGIN:VEVENT', 'UID:a', 'RECURRENCE-ID:20270101T100000Z', 'END:VEVENT', 'BEGIN:VEVENT', 'UID:b', 'SEQUENCE:7', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const out = withSequence(text, 'a', 3);
    expect(out.match(/SEQUENCE:\d+/g)).toEqual(['SEQUENCE:3', 'SEQUENCE:3', 'SEQUENCE:7']);
  });
});
