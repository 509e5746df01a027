import { describe, expect, it } from 'vitest';
import { recurrenceToRRule, rruleToRecurrence, type GraphRecurrence } from '../../../src/main/core/providers/graph/recurrence';

describe('Graph recurrence <-> RRULE', () => {
  const cases: [string, string, GraphRecurrence['pattern'], Partial<GraphRecurrence['range']>][] = [
    ['daily every other day, 10 times', 'FREQ=DAILY;INTERVAL=2;COUNT=10', { type: 'daily', interval: 2 }, { type: 'numbered', numberOfOccurrences: 10 }],
    ['weekly on Monday and Wednesday until a date', 'FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261231T235959Z', { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'monday' }, { type: 'endDate', endDate: '2026-12-31' }],
    ['monthly on the 15th, no end', 'FREQ=MONTHLY;BYMONTHDAY=15', { type: 'absoluteMonthly', interval: 1, dayOfMonth: 15 }, { type: 'noEnd' }],
    ['monthly on the last Friday', 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, { type: 'noEnd' }],
    ['yearly on 3 March', 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3', { type: 'absoluteYearly', interval: 1, month: 3, dayOfMonth: 3 }, { type: 'noEnd' }],
    ['yearly on the second Sunday of May', 'FREQ=YEARLY;BYMONTH=5;BYDAY=SU;BYSETPOS=2', { type: 'relativeYearly', interval: 1, month: 5, daysOfWeek: ['sunday'], index: 'second' }, { type: 'noEnd' }],
  ];

  for (const [name, rrule, pattern, range] of cases) {
    it(`maps ${name} both ways`, () => {
      const graph = rruleToRecurrence(rrule, '2026-03-02', 'Europe/Berlin');
      expect(graph.pattern).toEqual(pattern);
      expect(graph.range).toMatchObject({ ...range, startDate: '2026-03-02', recurrenceTimeZone: 'Europe/Berlin' });
      expect(recurrenceToRRule(graph, false)).toBe(rrule);
    });
  }

  it('reads BYDAY with an ordinal (2TU) as a relative pattern', () => {
    expect(rruleToRecurrence('FREQ=MONTHLY;BYDAY=2TU', '2026-03-10', 'UTC').pattern).toEqual({ type: 'relativeMonthly', interval: 1, daysOfWeek: ['tuesday'], index: 'second' });
  });

  it('gives a weekly rule without BYDAY the start date\'s weekday', () => {
    expect(rruleToRecurrence('FREQ=WEEKLY', '2026-03-04', 'UTC').pattern.daysOfWeek).toEqual(['wednesday']);
  });

  it('keeps an all-day series\' UNTIL a date', () => {
    const graph = rruleToRecurrence('FREQ=DAILY;UNTIL=20260310', '2026-03-01', 'UTC');
    expect(recurrenceToRRule(graph, true)).toBe('FREQ=DAILY;UNTIL=20260310');
  });

  it('refuses with a clear error what Outlook cannot repeat', () => {
    expect(() => rruleToRecurrence('FREQ=HOURLY;INTERVAL=4', '2026-03-01', 'UTC')).toThrow(/Outlook cannot store this repetition/);
    expect(() => rruleToRecurrence('FREQ=YEARLY;BYWEEKNO=20', '2026-03-01', 'UTC')).toThrow(/Outlook cannot store/);
  });
});
