// Building the resource Pimlico PUTs, without a server: Radicale itself refuses the malformed data
// these cases need, but other servers store it, and saving must then never drop what it cannot read.
import { describe, expect, it } from 'vitest';
import { parseICalendar } from '../../../src/main/core/pim';
import { buildEventResource, eventRowsFromResource } from '../../../src/main/core/providers/dav/mapping';
import { PimlicoError } from '../../../src/main/core/util/errors';

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

const partlyBroken = crlf([
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Other//EN',
  'BEGIN:VEVENT',
  'UID:partly-broken@other',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20261001T100000Z',
  'DTEND:20261001T110000Z',
  'RRULE:FREQ=DAILY;COUNT=3',
  'SUMMARY:Readable',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:partly-broken@other',
  'DTSTAMP:20260101T000000Z',
  'RECURRENCE-ID:20261002T100000Z',
  'DTSTART:notadate',
  'SUMMARY:Unreadable',
  'END:VEVENT',
  'END:VCALENDAR',
]);

describe('DAV resource building', () => {
  it('reads the instances it can and reports the one it cannot', () => {
    const { rows, problems } = eventRowsFromResource(partlyBroken, { calendarId: 'cal_1', accountId: 'acc_1', href: 'https://dav.example/c/x.ics', etag: '"1"', now: 0 }, []);
    expect(rows.map((r) => r.summary)).toEqual(['Readable']);
    expect(problems).toEqual([expect.stringMatching(/notadate/)]);
  });

  it('refuses to write back a resource holding an unreadable instance, rather than dropping it', () => {
    const { rows } = eventRowsFromResource(partlyBroken, { calendarId: 'cal_1', accountId: 'acc_1', href: 'https://dav.example/c/x.ics', etag: '"1"', now: 0 }, []);
    const edit = { ...rows[0]!, summary: 'Edited' };
    let error: unknown;
    try {
      buildEventResource(partlyBroken, { put: edit }, Date.now());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PimlicoError);
    expect(error).toMatchObject({ code: 'Unsupported', message: expect.stringMatching(/cannot read .*saving here would lose it/) });
  });

  it('writes back an untouched overridden instance byte for byte and keeps VTIMEZONEs only it uses', () => {
    const text = crlf([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Other//EN',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Paris',
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:19700329T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:series@other',
      'DTSTAMP:20260101T000000Z',
      'DTSTART:20261001T100000Z',
      'DTEND:20261001T110000Z',
      'RRULE:FREQ=DAILY;COUNT=3',
      'SUMMARY:Series in UTC',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:series@other',
      'DTSTAMP:20260101T000000Z',
      'RECURRENCE-ID:20261002T100000Z',
      'DTSTART;TZID=Europe/Paris:20261002T150000',
      'DTEND;TZID=Europe/Paris:20261002T160000',
      'SUMMARY:Moved, in Paris time',
      'X-KEEP:me',
      'END:VEVENT',
      'END:VCALENDAR',
    ]);
    const { rows } = eventRowsFromResource(text, { calendarId: 'cal_1', accountId: 'acc_1', href: 'https://dav.example/c/s.ics', etag: '"1"', now: 0 }, []);
    const master = rows.find((r) => !r.recurrenceId)!;
    const out = buildEventResource(text, { put: { ...master, summary: 'Series, renamed' } }, Date.now());
    const before = parseICalendar(text);
    const after = parseICalendar(out);
    expect(after.events.find((e) => !e.data.recurrenceId)!.data.summary).toBe('Series, renamed');
    expect(after.events.find((e) => e.data.recurrenceId)!.component).toBe(before.events[1]!.component);
    expect(after.timezones).toEqual(before.timezones);
  });
});
