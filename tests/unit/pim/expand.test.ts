import { describe, expect, it } from 'vitest';
import { expandOccurrences, PimParseError } from '../../../src/main/core/pim';
import { event } from './helpers';

describe('expandOccurrences: time zones', () => {
  it('keeps 09:00 in Australia/Sydney across the April and October DST changes', () => {
    const weekly = event({
      timeZone: 'Australia/Sydney',
      start: '2026-03-23T09:00:00',
      end: '2026-03-23T10:00:00',
      rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=35',
    });
    const occ = expandOccurrences([weekly], '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');
    expect(occ).toHaveLength(35);
    expect(occ.every((o) => o.startLocal.endsWith('T09:00:00') && o.endLocal.endsWith('T10:00:00'))).toBe(
      true,
    );
    const byLocal = new Map(occ.map((o) => [o.startLocal.slice(0, 10), o]));
    // AEDT (+11) until Sunday 5 April 2026, AEST (+10) until Sunday 4 October 2026, then AEDT again.
    expect(byLocal.get('2026-03-30')?.start).toBe('2026-03-29T22:00:00Z');
    expect(byLocal.get('2026-04-06')?.start).toBe('2026-04-05T23:00:00Z');
    expect(byLocal.get('2026-09-28')?.start).toBe('2026-09-27T23:00:00Z');
    expect(byLocal.get('2026-10-05')?.start).toBe('2026-10-04T22:00:00Z');
    expect(byLocal.get('2026-10-05')?.end).toBe('2026-10-04T23:00:00Z');
    expect(occ.map((o) => o.recurrenceId)).toEqual(occ.map((o) => o.startLocal));
  });

  it('keeps the wall clock in New York when the instance falls into the spring-forward gap', () => {
    const daily = event({
      start: '2026-03-06T02:30:00',
      end: '2026-03-06T03:00:00',
      rrule: 'FREQ=DAILY;COUNT=4',
    });
    const occ = expandOccurrences([daily], '2026-03-01T00:00:00Z', '2026-03-31T00:00:00Z');
    expect(occ.map((o) => o.start)).toEqual([
      '2026-03-06T07:30:00Z',
      '2026-03-07T07:30:00Z',
      '2026-03-08T07:30:00Z', // 02:30 does not exist; RFC 5545 → 03:30 EDT
      '2026-03-09T06:30:00Z',
    ]);
    expect(occ[2]?.recurrenceId).toBe('2026-03-08T02:30:00');
  });

  it('places floating times and all-day dates with floatingTimeZone', () => {
    const floating = event({
      timeZone: 'floating',
      start: '2026-05-04T08:00:00',
      end: '2026-05-04T08:30:00',
    });
    const allDay = event({
      uid: 'ad',
      timeZone: 'floating',
      allDay: true,
      start: '2026-05-04',
      end: '2026-05-05',
    });
    const utc = expandOccurrences([floating, allDay], '2026-05-01T00:00:00Z', '2026-05-10T00:00:00Z');
    expect(utc.map((o) => [o.uid, o.start, o.end])).toEqual([
      ['ad', '2026-05-04T00:00:00Z', '2026-05-05T00:00:00Z'],
      ['test-uid', '2026-05-04T08:00:00Z', '2026-05-04T08:30:00Z'],
    ]);
    const tokyo = expandOccurrences([floating, allDay], '2026-05-01T00:00:00Z', '2026-05-10T00:00:00Z', {
      floatingTimeZone: 'Asia/Tokyo',
    });
    expect(tokyo.map((o) => [o.uid, o.start, o.startLocal])).toEqual([
      ['ad', '2026-05-03T15:00:00Z', '2026-05-04'],
      ['test-uid', '2026-05-03T23:00:00Z', '2026-05-04T08:00:00'],
    ]);
  });

  it('applies a UTC UNTIL in the event zone (inclusive)', () => {
    const ev = event({
      timeZone: 'Europe/Berlin',
      start: '2026-10-20T18:00:00',
      end: '2026-10-20T19:00:00',
      rrule: 'FREQ=DAILY;UNTIL=20261027T170000Z',
    });
    const occ = expandOccurrences([ev], '2026-10-01T00:00:00Z', '2026-11-30T00:00:00Z');
    // 18:00 CET on 27 Oct is 17:00Z, exactly UNTIL, so it is the last instance.
    expect(occ.map((o) => o.startLocal.slice(0, 10))).toEqual([
      '2026-10-20',
      '2026-10-21',
      '2026-10-22',
      '2026-10-23',
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
      '2026-10-27',
    ]);
    expect(occ.at(-1)?.start).toBe('2026-10-27T17:00:00Z');
    expect(occ[0]?.start).toBe('2026-10-20T16:00:00Z');
  });
});

describe('expandOccurrences: EXDATE, RDATE and RECURRENCE-ID', () => {
  const master = event({
    uid: 'series',
    summary: 'Standup',
    start: '2026-03-02T09:00:00',
    end: '2026-03-02T09:15:00',
    rrule: 'FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10',
    exdates: ['2026-03-04T09:00:00'],
    rdates: ['2026-03-07T11:00:00'],
  });

  it('removes EXDATEs and adds RDATEs', () => {
    const occ = expandOccurrences([master], '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(occ.map((o) => o.startLocal)).toEqual([
      '2026-03-02T09:00:00',
      '2026-03-03T09:00:00',
      '2026-03-05T09:00:00',
      '2026-03-06T09:00:00',
      '2026-03-07T11:00:00',
      '2026-03-09T09:00:00',
      '2026-03-10T09:00:00',
      '2026-03-11T09:00:00',
      '2026-03-12T09:00:00',
      '2026-03-13T09:00:00',
    ]);
    // 9 March is after the switch to EDT.
    expect(occ.find((o) => o.startLocal === '2026-03-09T09:00:00')?.start).toBe('2026-03-09T13:00:00Z');
    expect(occ.find((o) => o.startLocal === '2026-03-06T09:00:00')?.start).toBe('2026-03-06T14:00:00Z');
  });

  it('substitutes moved instances and drops cancelled ones', () => {
    const moved = event({
      uid: 'series',
      summary: 'Standup (moved)',
      recurrenceId: '2026-03-05T09:00:00',
      start: '2026-03-05T14:00:00',
      end: '2026-03-05T14:30:00',
    });
    const cancelled = event({
      uid: 'series',
      recurrenceId: '2026-03-10T09:00:00',
      start: '2026-03-10T09:00:00',
      end: '2026-03-10T09:15:00',
      status: 'cancelled',
    });
    const occ = expandOccurrences([master, moved, cancelled], '2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z');
    expect(occ.map((o) => [o.startLocal, o.isException, o.data.summary, o.recurrenceId])).toEqual([
      ['2026-03-05T14:00:00', true, 'Standup (moved)', '2026-03-05T09:00:00'],
      ['2026-03-06T09:00:00', false, 'Standup', '2026-03-06T09:00:00'],
      ['2026-03-07T11:00:00', false, 'Standup', '2026-03-07T11:00:00'],
      ['2026-03-09T09:00:00', false, 'Standup', '2026-03-09T09:00:00'],
    ]);
    expect(occ[0]?.end).toBe('2026-03-05T19:30:00Z');
    const withCancelled = expandOccurrences(
      [master, moved, cancelled],
      '2026-03-10T00:00:00Z',
      '2026-03-11T00:00:00Z',
      {
        includeCancelled: true,
      },
    );
    expect(withCancelled.map((o) => [o.startLocal, o.data.status])).toEqual([
      ['2026-03-10T09:00:00', 'cancelled'],
    ]);
  });

  it('finds an instance moved into the range from outside it, and hides the slot it left', () => {
    const movedIn = event({
      uid: 'series',
      recurrenceId: '2026-03-13T09:00:00',
      start: '2026-03-02T16:00:00',
      end: '2026-03-02T16:30:00',
    });
    const early = expandOccurrences([master, movedIn], '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z');
    expect(early.map((o) => [o.startLocal, o.isException])).toEqual([
      ['2026-03-02T09:00:00', false],
      ['2026-03-02T16:00:00', true],
    ]);
    const late = expandOccurrences([master, movedIn], '2026-03-13T00:00:00Z', '2026-03-14T00:00:00Z');
    expect(late).toEqual([]);
  });

  it('matches overrides whose RECURRENCE-ID is written in another zone', () => {
    // Same instant as 2026-03-05T09:00 New York (14:00Z), expressed in London time.
    const moved = event({
      uid: 'series',
      timeZone: 'Europe/London',
      recurrenceId: '2026-03-05T14:00:00',
      start: '2026-03-05T15:00:00',
      end: '2026-03-05T15:15:00',
    });
    const occ = expandOccurrences([master, moved], '2026-03-05T00:00:00Z', '2026-03-06T00:00:00Z');
    expect(occ.map((o) => [o.start, o.isException])).toEqual([['2026-03-05T15:00:00Z', true]]);
  });

  it('lets EXDATE win over an override of the same slot', () => {
    const moved = event({
      uid: 'series',
      recurrenceId: '2026-03-04T09:00:00',
      start: '2026-03-04T10:00:00',
      end: '2026-03-04T10:15:00',
    });
    expect(expandOccurrences([master, moved], '2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z')).toEqual([]);
  });

  it('returns overrides without a master (single-instance invitations)', () => {
    const only = event({
      uid: 'x',
      recurrenceId: '2026-06-01T10:00:00',
      start: '2026-06-01T11:00:00',
      end: '2026-06-01T12:00:00',
    });
    const occ = expandOccurrences([only], '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z');
    expect(occ).toHaveLength(1);
    expect(occ[0]?.isException).toBe(true);
  });
});

describe('expandOccurrences: all-day events', () => {
  it('expands a yearly birthday as dates, including 29 February only in leap years', () => {
    const birthday = event({
      timeZone: 'floating',
      allDay: true,
      start: '2024-02-29',
      end: '2024-03-01',
      rrule: 'FREQ=YEARLY',
    });
    const occ = expandOccurrences([birthday], '2024-01-01T00:00:00Z', '2032-12-31T00:00:00Z');
    expect(occ.map((o) => o.startLocal)).toEqual(['2024-02-29', '2028-02-29', '2032-02-29']);
    expect(occ.every((o) => o.allDay)).toBe(true);
    expect(occ[0]?.endLocal).toBe('2024-03-01');
    expect(occ[0]?.recurrenceId).toBe('2024-02-29');
  });

  it('keeps multi-day spans and honours date EXDATEs and a DATE UNTIL', () => {
    const trip = event({
      timeZone: 'floating',
      allDay: true,
      start: '2026-01-05',
      end: '2026-01-08',
      rrule: 'FREQ=WEEKLY;UNTIL=20260126',
      exdates: ['2026-01-12'],
    });
    const occ = expandOccurrences([trip], '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(occ.map((o) => [o.startLocal, o.endLocal])).toEqual([
      ['2026-01-05', '2026-01-08'],
      ['2026-01-19', '2026-01-22'],
      ['2026-01-26', '2026-01-29'],
    ]);
  });

  it('returns a multi-day event for a range that only touches its middle', () => {
    const conf = event({ timeZone: 'floating', allDay: true, start: '2026-06-01', end: '2026-06-06' });
    expect(expandOccurrences([conf], '2026-06-03T00:00:00Z', '2026-06-04T00:00:00Z')).toHaveLength(1);
    expect(expandOccurrences([conf], '2026-06-06T00:00:00Z', '2026-06-07T00:00:00Z')).toHaveLength(0);
  });

  it('supports an all-day override of an all-day series', () => {
    const series = event({
      uid: 'a',
      timeZone: 'floating',
      allDay: true,
      start: '2026-02-02',
      end: '2026-02-03',
      rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    const moved = event({
      uid: 'a',
      timeZone: 'floating',
      allDay: true,
      recurrenceId: '2026-02-09',
      start: '2026-02-11',
      end: '2026-02-12',
    });
    const occ = expandOccurrences([series, moved], '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(occ.map((o) => [o.startLocal, o.isException])).toEqual([
      ['2026-02-02', false],
      ['2026-02-11', true],
      ['2026-02-16', false],
    ]);
  });
});

describe('expandOccurrences: limits and robustness', () => {
  it('caps the result at maxOccurrences and sorts several series by start', () => {
    const a = event({
      uid: 'a',
      start: '2026-01-01T10:00:00',
      end: '2026-01-01T11:00:00',
      rrule: 'FREQ=DAILY',
    });
    const b = event({
      uid: 'b',
      start: '2026-01-01T08:00:00',
      end: '2026-01-01T09:00:00',
      rrule: 'FREQ=DAILY',
    });
    const occ = expandOccurrences([a, b], '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', {
      maxOccurrences: 5,
    });
    expect(occ.map((o) => `${o.uid}@${o.startLocal}`)).toEqual([
      'b@2026-01-01T08:00:00',
      'a@2026-01-01T10:00:00',
      'b@2026-01-02T08:00:00',
      'a@2026-01-02T10:00:00',
      'b@2026-01-03T08:00:00',
    ]);
    expect(expandOccurrences([a], '2026-01-01T00:00:00Z', '2100-01-01T00:00:00Z')).toHaveLength(5000);
  });

  it('expands an old daily series quickly for a far range', () => {
    const old = event({ start: '1990-01-01T07:00:00', end: '1990-01-01T07:30:00', rrule: 'FREQ=DAILY' });
    const t0 = Date.now();
    const occ = expandOccurrences([old], '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(occ).toHaveLength(31);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('terminates on rules that can never match', () => {
    const never = event({
      start: '2026-01-30T09:00:00',
      end: '2026-01-30T10:00:00',
      rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
    });
    const occ = expandOccurrences([never], '2026-01-01T00:00:00Z', '2400-01-01T00:00:00Z');
    expect(occ.map((o) => o.startLocal)).toEqual(['2026-01-30T09:00:00']); // DTSTART only
    const daily = event({
      start: '2026-01-30T09:00:00',
      end: '2026-01-30T10:00:00',
      rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31',
    });
    expect(expandOccurrences([daily], '2026-01-01T00:00:00Z', '9999-01-01T00:00:00Z')).toHaveLength(1);
  });

  it('treats an unusable RRULE as a single instance and rejects a bad range', () => {
    const bad = event({ start: '2026-01-30T09:00:00', end: '2026-01-30T10:00:00', rrule: 'FREQ=SOMETIMES' });
    expect(expandOccurrences([bad], '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toHaveLength(1);
    expect(() => expandOccurrences([bad], 'last week', '2027-01-01T00:00:00Z')).toThrow(PimParseError);
  });

  it('handles BYSETPOS with BYMONTH in a YEARLY rule and negative BYYEARDAY', () => {
    const lastWorkdayOfYear = event({
      start: '2025-12-31T17:00:00',
      end: '2025-12-31T18:00:00',
      rrule: 'FREQ=YEARLY;BYMONTH=12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3',
    });
    expect(
      expandOccurrences([lastWorkdayOfYear], '2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z').map(
        (o) => o.startLocal,
      ),
    ).toEqual(['2025-12-31T17:00:00', '2026-12-31T17:00:00', '2027-12-31T17:00:00']);
    const secondToLastDay = event({
      start: '2026-12-30T08:00:00',
      end: '2026-12-30T09:00:00',
      rrule: 'FREQ=YEARLY;BYYEARDAY=-2;COUNT=2',
    });
    expect(
      expandOccurrences([secondToLastDay], '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z').map(
        (o) => o.startLocal,
      ),
    ).toEqual(['2026-12-30T08:00:00', '2027-12-30T08:00:00']);
  });

  it('computes ISO week 1 and week 53 with BYWEEKNO', () => {
    const wk = event({
      start: '2026-01-01T12:00:00',
      end: '2026-01-01T13:00:00',
      rrule: 'FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=TH;COUNT=4',
    });
    // 2026 has 53 ISO weeks (week 53 Thursday = 31 Dec 2026); week 1 of 2027 starts 4 Jan.
    expect(
      expandOccurrences([wk], '2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z').map((o) =>
        o.startLocal.slice(0, 10),
      ),
    ).toEqual(['2026-01-01', '2026-12-31', '2027-01-07', '2028-01-06']);
  });
});
