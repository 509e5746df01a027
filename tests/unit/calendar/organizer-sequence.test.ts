// A meeting the user organises gets a higher SEQUENCE when its time changes, so attendees' calendars take
// the update (RFC 5546 2.1.4); other edits, and copies of other people's meetings, keep theirs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { CalendarEvent } from '../../../src/shared/types';
import { createTestCore } from '../../support/core';
import { settleAndClose } from './settle';

let core: Core;
let calendarId: string;
const call = <T>(name: string, req: unknown) => core.handle(name, req) as Promise<T>;
const sequence = async (eventId: string) => {
  const { text } = await call<{ text: string }>('events.exportIcs', { eventId });
  return Number(/\nSEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
};

beforeEach(async () => {
  core = createTestCore();
  const me = core.accounts.create({ kind: 'local', displayName: 'Me', email: 'me@pimlico.test' });
  calendarId = (await call<{ id: string }[]>('calendars.list', { accountId: me.id }))[0]!.id;
});
afterEach(async () => settleAndClose(core));

const attendees = [{ name: 'Ada', address: 'ada@example.com', status: 'needs-action', role: 'required' }];

describe('SEQUENCE of an organised meeting', () => {
  it('goes up when the time changes, not when only the description does', async () => {
    const ev = await call<CalendarEvent>('events.create', {
      calendarId,
      event: { summary: 'Review', start: '2026-05-04T10:00', end: '2026-05-04T11:00', timeZone: 'Europe/London', attendees },
    });
    expect(await sequence(ev.id)).toBe(0);
    await call('events.update', { id: ev.id, patch: { start: '2026-05-04T14:00', end: '2026-05-04T15:00' } });
    expect(await sequence(ev.id)).toBe(1);
    await call('events.update', { id: ev.id, patch: { description: 'Agenda attached' } });
    expect(await sequence(ev.id)).toBe(1);
    await call('events.update', { id: ev.id, patch: { rrule: 'FREQ=WEEKLY;COUNT=3' } });
    expect(await sequence(ev.id)).toBe(2);
  });

  it('stays as it was on an event without attendees and on another organiser’s meeting', async () => {
    const solo = await call<CalendarEvent>('events.create', { calendarId, event: { summary: 'Focus', start: '2026-05-05T09:00', end: '2026-05-05T10:00', timeZone: 'UTC' } });
    await call('events.update', { id: solo.id, patch: { start: '2026-05-05T11:00', end: '2026-05-05T12:00' } });
    expect(await sequence(solo.id)).toBe(0);
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Example//EN',
      'BEGIN:VEVENT',
      'UID:their-meeting@example.com',
      'DTSTAMP:20260401T000000Z',
      'DTSTART:20260506T090000Z',
      'DTEND:20260506T100000Z',
      'SUMMARY:Their meeting',
      'SEQUENCE:3',
      'ORGANIZER;CN=Bob:mailto:bob@example.com',
      'ATTENDEE;CN=Me;PARTSTAT=ACCEPTED:mailto:me@pimlico.test',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const [theirId] = (await call<{ eventIds: string[] }>('events.importIcs', { calendarId, text: ics })).eventIds;
    const theirs = { id: theirId! };
    expect(await sequence(theirs.id)).toBe(3);
    await call('events.update', { id: theirs.id, patch: { start: '2026-05-06T11:00', end: '2026-05-06T12:00' } });
    expect(await sequence(theirs.id)).toBe(3);
  });
});
