import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import {
  buildICalendar,
  parseICalendar,
  PimParseError,
  utcToZonedWallClock,
  zonedWallClockToUtc,
} from '../../../src/main/core/pim';
import { componentToString } from '../../../src/main/core/pim/contentline';
import { offsetAt } from '../../../src/main/core/pim/timezone';
import { generateVTimezone } from '../../../src/main/core/pim/vtimezone';
import { event } from './helpers';

describe('zonedWallClockToUtc / utcToZonedWallClock', () => {
  it('converts ordinary times both ways', () => {
    expect(zonedWallClockToUtc('2026-07-01T09:00:00', 'America/New_York')).toBe('2026-07-01T13:00:00Z');
    expect(zonedWallClockToUtc('2026-01-15T09:00:00', 'America/New_York')).toBe('2026-01-15T14:00:00Z');
    expect(utcToZonedWallClock('2026-01-15T14:00:00Z', 'America/New_York')).toBe('2026-01-15T09:00:00');
    expect(utcToZonedWallClock('2026-07-01T13:00:00.000Z', 'America/New_York')).toBe('2026-07-01T09:00:00');
    expect(zonedWallClockToUtc('2026-07-01T09:00:00', 'Asia/Kolkata')).toBe('2026-07-01T03:30:00Z');
    expect(zonedWallClockToUtc('2026-07-01T09:00:00', 'UTC')).toBe('2026-07-01T09:00:00Z');
    expect(utcToZonedWallClock('2026-07-01T00:00:00+02:00', 'UTC')).toBe('2026-06-30T22:00:00');
  });

  it('uses the offset before the gap for non-existent times (RFC 5545 3.3.5)', () => {
    // RFC example: TZID=America/New_York:20070311T023000 is 3:30 A.M. EDT.
    expect(zonedWallClockToUtc('2007-03-11T02:30:00', 'America/New_York')).toBe('2007-03-11T07:30:00Z');
    expect(utcToZonedWallClock('2007-03-11T07:30:00Z', 'America/New_York')).toBe('2007-03-11T03:30:00');
    // Southern hemisphere: Sydney springs forward on the first Sunday of October.
    expect(zonedWallClockToUtc('2026-10-04T02:30:00', 'Australia/Sydney')).toBe('2026-10-03T16:30:00Z');
  });

  it('takes the first occurrence of ambiguous times (RFC 5545 3.3.5)', () => {
    // RFC example: TZID=America/New_York:20071104T013000 is 1:30 A.M. EDT.
    expect(zonedWallClockToUtc('2007-11-04T01:30:00', 'America/New_York')).toBe('2007-11-04T05:30:00Z');
    expect(zonedWallClockToUtc('2026-04-05T02:30:00', 'Australia/Sydney')).toBe('2026-04-04T15:30:00Z');
    expect(zonedWallClockToUtc('2026-10-25T02:30:00', 'Europe/Berlin')).toBe('2026-10-25T00:30:00Z');
  });

  it('handles zones with non-hour offsets and DST of 30 minutes', () => {
    expect(zonedWallClockToUtc('2026-01-10T12:00:00', 'Australia/Lord_Howe')).toBe('2026-01-10T01:00:00Z');
    expect(zonedWallClockToUtc('2026-07-10T12:00:00', 'Australia/Lord_Howe')).toBe('2026-07-10T01:30:00Z');
    expect(zonedWallClockToUtc('2026-03-01T12:00:00', 'Asia/Kathmandu')).toBe('2026-03-01T06:15:00Z');
  });

  it('rejects garbage with PimParseError', () => {
    expect(() => zonedWallClockToUtc('yesterday', 'UTC')).toThrow(PimParseError);
    expect(() => zonedWallClockToUtc('2026-02-30T09:00:00', 'UTC')).toThrow(PimParseError);
    expect(() => zonedWallClockToUtc('2026-02-03T09:00:00', 'Mars/Olympus_Mons')).toThrow(PimParseError);
    expect(() => utcToZonedWallClock('2026-02-03T09:00:00', 'UTC')).toThrow(PimParseError);
  });
});

/** Offset ical.js computes from our generated VTIMEZONE text, for the UTC instant `utc` (seconds). */
function icalJsOffset(tz: InstanceType<typeof ICAL.Timezone>, zone: string, utc: number): number {
  const local = new Date((utc + offsetAt(zone, utc)) * 1000);
  const t = ICAL.Time.fromData(
    {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      isDate: false,
    },
    tz,
  );
  return tz.utcOffset(t);
}

describe('generated VTIMEZONE', () => {
  const zones = [
    'America/New_York',
    'America/Los_Angeles',
    'Europe/London',
    'Europe/Berlin',
    'Europe/Dublin',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Pacific/Auckland',
    'Pacific/Chatham',
    'America/Sao_Paulo',
    'America/Santiago',
    'Asia/Tokyo',
    'Asia/Kolkata',
    'Asia/Tehran',
    'Africa/Casablanca',
    'America/St_Johns',
    'Asia/Jerusalem',
    'UTC',
  ];

  it.each(zones)('%s: an independent evaluator (ical.js) agrees with Intl for 2024-2031', (zone) => {
    const text = componentToString(generateVTimezone(zone, zone, 2024, 2026));
    const comp = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${text}END:VCALENDAR\r\n`));
    const tz = new ICAL.Timezone(comp.getFirstSubcomponent('vtimezone'));
    const start = Date.UTC(2024, 0, 1) / 1000;
    const end = Date.UTC(2032, 0, 1) / 1000;
    let checked = 0;
    for (let t = start; t < end; t += 86400 + 3600) {
      // Skip instants within 3 hours of a transition: local times there are ambiguous by definition.
      const o = offsetAt(zone, t);
      if (offsetAt(zone, t - 3 * 3600) !== o || offsetAt(zone, t + 3 * 3600) !== o) continue;
      expect(icalJsOffset(tz, zone, t), `${zone} at ${new Date(t * 1000).toISOString()}`).toBe(o);
      checked++;
    }
    expect(checked).toBeGreaterThan(2500);
  });

  it('describes the current US rule with RRULEs (compact, Outlook-friendly)', () => {
    const text = componentToString(generateVTimezone('America/New_York', 'America/New_York', 2025, 2026));
    expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
    expect(text).toContain('TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT');
    expect(text).toContain('BEGIN:DAYLIGHT');
    expect(text.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toHaveLength(2);
  });

  it('uses last-weekday rules for the EU and Sydney', () => {
    expect(componentToString(generateVTimezone('Europe/Berlin', 'Europe/Berlin', 2025, 2026))).toContain(
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    );
    const syd = componentToString(generateVTimezone('Australia/Sydney', 'Australia/Sydney', 2025, 2026));
    expect(syd).toContain('RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU');
    expect(syd).toContain('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU');
  });

  it('emits a single fixed observance for zones without DST', () => {
    const text = componentToString(generateVTimezone('Asia/Tokyo', 'Asia/Tokyo', 2025, 2026));
    expect(text).toContain('TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900');
    expect(text).not.toContain('RRULE');
  });

  it('buildICalendar emits one VTIMEZONE per zone used, covering the event years', () => {
    const ics = buildICalendar([
      {
        data: event({
          uid: 'a',
          start: '2026-03-08T09:00:00',
          end: '2026-03-08T10:00:00',
          timeZone: 'America/New_York',
        }),
      },
      {
        data: event({
          uid: 'b',
          start: '2026-03-09T09:00:00',
          end: '2026-03-09T10:00:00',
          timeZone: 'America/New_York',
        }),
      },
      {
        data: event({
          uid: 'c',
          start: '2026-04-01T09:00:00',
          end: '2026-04-01T10:00:00',
          timeZone: 'Australia/Sydney',
        }),
      },
      {
        data: event({ uid: 'd', start: '2026-04-01T09:00:00', end: '2026-04-01T10:00:00', timeZone: 'UTC' }),
      },
      {
        data: event({ uid: 'e', start: '2026-04-01', end: '2026-04-02', timeZone: 'floating', allDay: true }),
      },
    ]);
    expect(ics.match(/BEGIN:VTIMEZONE/g)).toHaveLength(2);
    expect(ics).toContain('TZID:America/New_York');
    expect(ics).toContain('TZID:Australia/Sydney');
    expect(ics).toContain('DTSTART:20260401T090000Z');
    expect(ics).toContain('DTSTART;VALUE=DATE:20260401');
    // ical.js, given only our text, places the events where Intl does.
    const comp = new ICAL.Component(ICAL.parse(ics));
    for (const tzc of comp.getAllSubcomponents('vtimezone'))
      ICAL.TimezoneService.register(new ICAL.Timezone(tzc));
    const starts = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).startDate.toUnixTime());
    expect(starts.slice(0, 3)).toEqual([
      Date.parse('2026-03-08T13:00:00Z') / 1000,
      Date.parse('2026-03-09T13:00:00Z') / 1000,
      Date.parse('2026-03-31T22:00:00Z') / 1000,
    ]);
  });
});

describe('TZID resolution', () => {
  const wrap = (tzBlock: string, tzid: string): string =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      tzBlock,
      'BEGIN:VEVENT',
      'UID:x',
      'DTSTAMP:20260101T000000Z',
      `DTSTART;TZID="${tzid}":20260615T090000`,
      `DTEND;TZID="${tzid}":20260615T100000`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]
      .filter(Boolean)
      .join('\r\n');

  it('maps Windows zone names (Outlook/Exchange)', () => {
    const ev = parseICalendar(wrap('', 'W. Europe Standard Time')).events[0];
    expect(ev?.data.timeZone).toBe('Europe/Berlin');
  });

  it('strips Lightning-style prefixes', () => {
    const ev = parseICalendar(wrap('', '/mozilla.org/20050126_1/America/New_York')).events[0];
    expect(ev?.data.timeZone).toBe('America/New_York');
  });

  it('matches an unknown custom VTIMEZONE to an IANA zone by its rules', () => {
    const block = [
      'BEGIN:VTIMEZONE',
      'TZID:Customized Time Zone (Amsterdam\\, Berlin)',
      'BEGIN:STANDARD',
      'DTSTART:16010101T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ].join('\r\n');
    const parsed = parseICalendar(wrap(block, 'Customized Time Zone (Amsterdam\\, Berlin)'));
    const zone = parsed.events[0]?.data.timeZone ?? '';
    expect(zonedWallClockToUtc('2026-06-15T09:00:00', zone)).toBe('2026-06-15T07:00:00Z');
    expect(zonedWallClockToUtc('2026-12-15T09:00:00', zone)).toBe('2026-12-15T08:00:00Z');
    expect(zonedWallClockToUtc('2026-03-29T09:00:00', zone)).toBe('2026-03-29T07:00:00Z');
  });

  it('falls back to floating time for an unknown TZID without definition, and says so', () => {
    const parsed = parseICalendar(wrap('', 'Narnia Standard Time'));
    expect(parsed.events[0]?.data.timeZone).toBe('floating');
    expect(parsed.events[0]?.data.start).toBe('2026-06-15T09:00:00');
    expect(parsed.issues.some((i) => i.code === 'INVALID_TIMEZONE')).toBe(true);
  });
});
