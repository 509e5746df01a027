// Every example of RFC 5545 section 3.8.5.3 ("Recurrence Rule"), typed in from the RFC. All use
// DTSTART;TZID=America/New_York, so several of them cross the 1997/1998 DST changes: each expected
// instance is checked both as a 09:00 wall clock and as the UTC instant implied by EDT/EST.
import { describe, expect, it } from 'vitest';
import { expandOccurrences } from '../../../src/main/core/pim';
import { event } from './helpers';

type Tz = 'EDT' | 'EST';
interface Expected {
  local: string;
  utc: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Expected instances for `days` of month `m` in `y` at `time` (HH:MM) New York time, in EDT or EST. */
function on(y: number, m: number, days: number[], tz: Tz, time = '09:00'): Expected[] {
  const [hh = 0, mm = 0] = time.split(':').map(Number);
  const offset = tz === 'EDT' ? 4 : 5;
  return days.map((d) => ({
    local: `${y}-${pad(m)}-${pad(d)}T${pad(hh)}:${pad(mm)}:00`,
    utc: new Date(Date.UTC(y, m - 1, d, hh + offset, mm)).toISOString().replace('.000Z', 'Z'),
  }));
}

const range = (a: number, b: number, step = 1): number[] => {
  const out: number[] = [];
  for (let i = a; i <= b; i += step) out.push(i);
  return out;
};

function expand(
  dtstart: string,
  rrule: string,
  until = '2010-01-01T00:00:00Z',
  exdates: string[] = [],
): Expected[] {
  const ev = event({ start: dtstart, end: dtstart, rrule, exdates });
  return expandOccurrences([ev], '1990-01-01T00:00:00Z', until).map((o) => ({
    local: o.startLocal,
    utc: o.start,
  }));
}

describe('RFC 5545 3.8.5.3 recurrence examples (America/New_York)', () => {
  it('Daily for 10 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=DAILY;COUNT=10')).toEqual(on(1997, 9, range(2, 11), 'EDT'));
  });

  it('Daily until December 24, 1997 (crosses the October DST change)', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=DAILY;UNTIL=19971224T000000Z')).toEqual([
      ...on(1997, 9, range(2, 30), 'EDT'),
      ...on(1997, 10, range(1, 25), 'EDT'),
      ...on(1997, 10, range(26, 31), 'EST'),
      ...on(1997, 11, range(1, 30), 'EST'),
      ...on(1997, 12, range(1, 23), 'EST'),
    ]);
  });

  it('Every other day - forever', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=DAILY;INTERVAL=2', '1997-12-04T00:00:00Z')).toEqual([
      ...on(1997, 9, range(2, 30, 2), 'EDT'),
      ...on(1997, 10, range(2, 24, 2), 'EDT'),
      ...on(1997, 10, [26, 28, 30], 'EST'),
      ...on(1997, 11, range(1, 29, 2), 'EST'),
      ...on(1997, 12, [1, 3], 'EST'),
    ]);
  });

  it('Every 10 days, 5 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=DAILY;INTERVAL=10;COUNT=5')).toEqual([
      ...on(1997, 9, [2, 12, 22], 'EDT'),
      ...on(1997, 10, [2, 12], 'EDT'),
    ]);
  });

  it.each([
    'FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA',
    'FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1',
  ])('Every day in January, for 3 years: %s', (rule) => {
    expect(expand('1998-01-01T09:00:00', rule)).toEqual([
      ...on(1998, 1, range(1, 31), 'EST'),
      ...on(1999, 1, range(1, 31), 'EST'),
      ...on(2000, 1, range(1, 31), 'EST'),
    ]);
  });

  it('Weekly for 10 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=WEEKLY;COUNT=10')).toEqual([
      ...on(1997, 9, [2, 9, 16, 23, 30], 'EDT'),
      ...on(1997, 10, [7, 14, 21], 'EDT'),
      ...on(1997, 10, [28], 'EST'),
      ...on(1997, 11, [4], 'EST'),
    ]);
  });

  it('Weekly until December 24, 1997', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=WEEKLY;UNTIL=19971224T000000Z')).toEqual([
      ...on(1997, 9, [2, 9, 16, 23, 30], 'EDT'),
      ...on(1997, 10, [7, 14, 21], 'EDT'),
      ...on(1997, 10, [28], 'EST'),
      ...on(1997, 11, [4, 11, 18, 25], 'EST'),
      ...on(1997, 12, [2, 9, 16, 23], 'EST'),
    ]);
  });

  it('Every other week - forever', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;WKST=SU', '1998-02-18T00:00:00Z')).toEqual([
      ...on(1997, 9, [2, 16, 30], 'EDT'),
      ...on(1997, 10, [14], 'EDT'),
      ...on(1997, 10, [28], 'EST'),
      ...on(1997, 11, [11, 25], 'EST'),
      ...on(1997, 12, [9, 23], 'EST'),
      ...on(1998, 1, [6, 20], 'EST'),
      ...on(1998, 2, [3, 17], 'EST'),
    ]);
  });

  it.each([
    'FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH',
    'FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH',
  ])('Weekly on Tuesday and Thursday for five weeks: %s', (rule) => {
    expect(expand('1997-09-02T09:00:00', rule)).toEqual([
      ...on(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30], 'EDT'),
      ...on(1997, 10, [2], 'EDT'),
    ]);
  });

  it('Every other week on Monday, Wednesday, and Friday until December 24, 1997', () => {
    expect(
      expand('1997-09-01T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR'),
    ).toEqual([
      ...on(1997, 9, [1, 3, 5, 15, 17, 19, 29], 'EDT'),
      ...on(1997, 10, [1, 3, 13, 15, 17], 'EDT'),
      ...on(1997, 10, [27, 29, 31], 'EST'),
      ...on(1997, 11, [10, 12, 14, 24, 26, 28], 'EST'),
      ...on(1997, 12, [8, 10, 12, 22], 'EST'),
    ]);
  });

  it('Every other week on Tuesday and Thursday, for 8 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH')).toEqual([
      ...on(1997, 9, [2, 4, 16, 18, 30], 'EDT'),
      ...on(1997, 10, [2, 14, 16], 'EDT'),
    ]);
  });

  it('Monthly on the first Friday for 10 occurrences', () => {
    expect(expand('1997-09-05T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYDAY=1FR')).toEqual([
      ...on(1997, 9, [5], 'EDT'),
      ...on(1997, 10, [3], 'EDT'),
      ...on(1997, 11, [7], 'EST'),
      ...on(1997, 12, [5], 'EST'),
      ...on(1998, 1, [2], 'EST'),
      ...on(1998, 2, [6], 'EST'),
      ...on(1998, 3, [6], 'EST'),
      ...on(1998, 4, [3], 'EST'),
      ...on(1998, 5, [1], 'EDT'),
      ...on(1998, 6, [5], 'EDT'),
    ]);
  });

  it('Monthly on the first Friday until December 24, 1997', () => {
    expect(expand('1997-09-05T09:00:00', 'FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR')).toEqual([
      ...on(1997, 9, [5], 'EDT'),
      ...on(1997, 10, [3], 'EDT'),
      ...on(1997, 11, [7], 'EST'),
      ...on(1997, 12, [5], 'EST'),
    ]);
  });

  it('Every other month on the first and last Sunday of the month for 10 occurrences', () => {
    expect(expand('1997-09-07T09:00:00', 'FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU')).toEqual([
      ...on(1997, 9, [7, 28], 'EDT'),
      ...on(1997, 11, [2, 30], 'EST'),
      ...on(1998, 1, [4, 25], 'EST'),
      ...on(1998, 3, [1, 29], 'EST'),
      ...on(1998, 5, [3, 31], 'EDT'),
    ]);
  });

  it('Monthly on the second-to-last Monday of the month for 6 months', () => {
    expect(expand('1997-09-22T09:00:00', 'FREQ=MONTHLY;COUNT=6;BYDAY=-2MO')).toEqual([
      ...on(1997, 9, [22], 'EDT'),
      ...on(1997, 10, [20], 'EDT'),
      ...on(1997, 11, [17], 'EST'),
      ...on(1997, 12, [22], 'EST'),
      ...on(1998, 1, [19], 'EST'),
      ...on(1998, 2, [16], 'EST'),
    ]);
  });

  it('Monthly on the third-to-the-last day of the month, forever', () => {
    expect(expand('1997-09-28T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=-3', '1998-03-01T00:00:00Z')).toEqual([
      ...on(1997, 9, [28], 'EDT'),
      ...on(1997, 10, [29], 'EST'),
      ...on(1997, 11, [28], 'EST'),
      ...on(1997, 12, [29], 'EST'),
      ...on(1998, 1, [29], 'EST'),
      ...on(1998, 2, [26], 'EST'),
    ]);
  });

  it('Monthly on the 2nd and 15th of the month for 10 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15')).toEqual([
      ...on(1997, 9, [2, 15], 'EDT'),
      ...on(1997, 10, [2, 15], 'EDT'),
      ...on(1997, 11, [2, 15], 'EST'),
      ...on(1997, 12, [2, 15], 'EST'),
      ...on(1998, 1, [2, 15], 'EST'),
    ]);
  });

  it('Monthly on the first and last day of the month for 10 occurrences', () => {
    expect(expand('1997-09-30T09:00:00', 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1')).toEqual([
      ...on(1997, 9, [30], 'EDT'),
      ...on(1997, 10, [1], 'EDT'),
      ...on(1997, 10, [31], 'EST'),
      ...on(1997, 11, [1, 30], 'EST'),
      ...on(1997, 12, [1, 31], 'EST'),
      ...on(1998, 1, [1, 31], 'EST'),
      ...on(1998, 2, [1], 'EST'),
    ]);
  });

  it('Every 18 months on the 10th thru 15th of the month for 10 occurrences', () => {
    expect(
      expand('1997-09-10T09:00:00', 'FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15'),
    ).toEqual([...on(1997, 9, range(10, 15), 'EDT'), ...on(1999, 3, [10, 11, 12, 13], 'EST')]);
  });

  it('Every Tuesday, every other month', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=MONTHLY;INTERVAL=2;BYDAY=TU', '1998-04-01T00:00:00Z')).toEqual(
      [
        ...on(1997, 9, [2, 9, 16, 23, 30], 'EDT'),
        ...on(1997, 11, [4, 11, 18, 25], 'EST'),
        ...on(1998, 1, [6, 13, 20, 27], 'EST'),
        ...on(1998, 3, [3, 10, 17, 24, 31], 'EST'),
      ],
    );
  });

  it('Yearly in June and July for 10 occurrences', () => {
    expect(expand('1997-06-10T09:00:00', 'FREQ=YEARLY;COUNT=10;BYMONTH=6,7')).toEqual(
      [1997, 1998, 1999, 2000, 2001].flatMap((y) => [...on(y, 6, [10], 'EDT'), ...on(y, 7, [10], 'EDT')]),
    );
  });

  it('Every other year on January, February, and March for 10 occurrences', () => {
    expect(expand('1997-03-10T09:00:00', 'FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3')).toEqual([
      ...on(1997, 3, [10], 'EST'),
      ...[1999, 2001, 2003].flatMap((y) => [
        ...on(y, 1, [10], 'EST'),
        ...on(y, 2, [10], 'EST'),
        ...on(y, 3, [10], 'EST'),
      ]),
    ]);
  });

  it('Every third year on the 1st, 100th, and 200th day for 10 occurrences', () => {
    expect(expand('1997-01-01T09:00:00', 'FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200')).toEqual([
      ...on(1997, 1, [1], 'EST'),
      ...on(1997, 4, [10], 'EDT'),
      ...on(1997, 7, [19], 'EDT'),
      ...on(2000, 1, [1], 'EST'),
      ...on(2000, 4, [9], 'EDT'),
      ...on(2000, 7, [18], 'EDT'),
      ...on(2003, 1, [1], 'EST'),
      ...on(2003, 4, [10], 'EDT'),
      ...on(2003, 7, [19], 'EDT'),
      ...on(2006, 1, [1], 'EST'),
    ]);
  });

  it('Every 20th Monday of the year, forever', () => {
    expect(expand('1997-05-19T09:00:00', 'FREQ=YEARLY;BYDAY=20MO', '2000-01-01T00:00:00Z')).toEqual([
      ...on(1997, 5, [19], 'EDT'),
      ...on(1998, 5, [18], 'EDT'),
      ...on(1999, 5, [17], 'EDT'),
    ]);
  });

  it('Monday of week number 20 (where the default start of the week is Monday), forever', () => {
    expect(expand('1997-05-12T09:00:00', 'FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', '2000-01-01T00:00:00Z')).toEqual(
      [...on(1997, 5, [12], 'EDT'), ...on(1998, 5, [11], 'EDT'), ...on(1999, 5, [17], 'EDT')],
    );
  });

  it('Every Thursday in March, forever', () => {
    expect(expand('1997-03-13T09:00:00', 'FREQ=YEARLY;BYMONTH=3;BYDAY=TH', '2000-01-01T00:00:00Z')).toEqual([
      ...on(1997, 3, [13, 20, 27], 'EST'),
      ...on(1998, 3, [5, 12, 19, 26], 'EST'),
      ...on(1999, 3, [4, 11, 18, 25], 'EST'),
    ]);
  });

  it('Every Thursday, but only during June, July, and August, forever', () => {
    expect(
      expand('1997-06-05T09:00:00', 'FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8', '2000-01-01T00:00:00Z'),
    ).toEqual([
      ...on(1997, 6, [5, 12, 19, 26], 'EDT'),
      ...on(1997, 7, [3, 10, 17, 24, 31], 'EDT'),
      ...on(1997, 8, [7, 14, 21, 28], 'EDT'),
      ...on(1998, 6, [4, 11, 18, 25], 'EDT'),
      ...on(1998, 7, [2, 9, 16, 23, 30], 'EDT'),
      ...on(1998, 8, [6, 13, 20, 27], 'EDT'),
      ...on(1999, 6, [3, 10, 17, 24], 'EDT'),
      ...on(1999, 7, [1, 8, 15, 22, 29], 'EDT'),
      ...on(1999, 8, [5, 12, 19, 26], 'EDT'),
    ]);
  });

  it('Every Friday the 13th, forever (DTSTART removed by EXDATE)', () => {
    expect(
      expand('1997-09-02T09:00:00', 'FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', '2000-10-14T00:00:00Z', [
        '1997-09-02T09:00:00',
      ]),
    ).toEqual([
      ...on(1998, 2, [13], 'EST'),
      ...on(1998, 3, [13], 'EST'),
      ...on(1998, 11, [13], 'EST'),
      ...on(1999, 8, [13], 'EDT'),
      ...on(2000, 10, [13], 'EDT'),
    ]);
  });

  it('The first Saturday that follows the first Sunday of the month, forever', () => {
    expect(
      expand(
        '1997-09-13T09:00:00',
        'FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13',
        '1998-06-14T00:00:00Z',
      ),
    ).toEqual([
      ...on(1997, 9, [13], 'EDT'),
      ...on(1997, 10, [11], 'EDT'),
      ...on(1997, 11, [8], 'EST'),
      ...on(1997, 12, [13], 'EST'),
      ...on(1998, 1, [10], 'EST'),
      ...on(1998, 2, [7], 'EST'),
      ...on(1998, 3, [7], 'EST'),
      ...on(1998, 4, [11], 'EDT'),
      ...on(1998, 5, [9], 'EDT'),
      ...on(1998, 6, [13], 'EDT'),
    ]);
  });

  it('Every 4 years, the first Tuesday after a Monday in November, forever (U.S. Presidential Election day)', () => {
    expect(
      expand(
        '1996-11-05T09:00:00',
        'FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8',
        '2005-01-01T00:00:00Z',
      ),
    ).toEqual([...on(1996, 11, [5], 'EST'), ...on(2000, 11, [7], 'EST'), ...on(2004, 11, [2], 'EST')]);
  });

  it('The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months', () => {
    expect(expand('1997-09-04T09:00:00', 'FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3')).toEqual([
      ...on(1997, 9, [4], 'EDT'),
      ...on(1997, 10, [7], 'EDT'),
      ...on(1997, 11, [6], 'EST'),
    ]);
  });

  it('The second-to-last weekday of the month', () => {
    expect(
      expand('1997-09-29T09:00:00', 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2', '1998-03-31T00:00:00Z'),
    ).toEqual([
      ...on(1997, 9, [29], 'EDT'),
      ...on(1997, 10, [30], 'EST'),
      ...on(1997, 11, [27], 'EST'),
      ...on(1997, 12, [30], 'EST'),
      ...on(1998, 1, [29], 'EST'),
      ...on(1998, 2, [26], 'EST'),
      ...on(1998, 3, [30], 'EST'),
    ]);
  });

  it('Every 3 hours from 9:00 AM to 5:00 PM on a specific day', () => {
    // The RFC lists 09:00, 12:00, 15:00, but its UNTIL (17:00Z) is 13:00 EDT, which rules 15:00 out
    // under the UNTIL semantics of the same RFC. With the UNTIL the example means (5 PM EDT = 21:00Z)
    // the listed instances come out; with the literal value, 15:00 is correctly excluded.
    const listed = on(1997, 9, [2], 'EDT', '09:00')
      .concat(on(1997, 9, [2], 'EDT', '12:00'))
      .concat(on(1997, 9, [2], 'EDT', '15:00'));
    expect(expand('1997-09-02T09:00:00', 'FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z')).toEqual(listed);
    expect(expand('1997-09-02T09:00:00', 'FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z')).toEqual(
      listed.slice(0, 2),
    );
  });

  it('Every 15 minutes for 6 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=MINUTELY;INTERVAL=15;COUNT=6')).toEqual(
      ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15'].flatMap((t) => on(1997, 9, [2], 'EDT', t)),
    );
  });

  it('Every hour and a half for 4 occurrences', () => {
    expect(expand('1997-09-02T09:00:00', 'FREQ=MINUTELY;INTERVAL=90;COUNT=4')).toEqual(
      ['09:00', '10:30', '12:00', '13:30'].flatMap((t) => on(1997, 9, [2], 'EDT', t)),
    );
  });

  it.each([
    'FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40',
    'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16',
  ])('Every 20 minutes from 9:00 AM to 4:40 PM every day: %s', (rule) => {
    const times = range(9, 16).flatMap((h) => [0, 20, 40].map((m) => `${pad(h)}:${pad(m)}`));
    expect(expand('1997-09-02T09:00:00', rule, '1997-09-04T04:00:00Z')).toEqual([
      ...times.flatMap((t) => on(1997, 9, [2], 'EDT', t)),
      ...times.flatMap((t) => on(1997, 9, [3], 'EDT', t)),
    ]);
  });

  it('An example where the days generated makes a difference because of WKST (WKST=MO)', () => {
    expect(expand('1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO')).toEqual(
      on(1997, 8, [5, 10, 19, 24], 'EDT'),
    );
  });

  it('changing only WKST from MO to SU, yields different results', () => {
    expect(expand('1997-08-05T09:00:00', 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU')).toEqual(
      on(1997, 8, [5, 17, 19, 31], 'EDT'),
    );
  });

  it('An example where an invalid date (i.e., February 30) is ignored', () => {
    expect(expand('2007-01-15T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5')).toEqual([
      ...on(2007, 1, [15, 30], 'EST'),
      ...on(2007, 2, [15], 'EST'),
      ...on(2007, 3, [15, 30], 'EDT'),
    ]);
  });
});
