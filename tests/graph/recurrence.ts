/**
 * Expansion of Graph patternedRecurrence objects into occurrence start instants.
 *
 * Semantics follow Graph's documentation of recurrencePattern/recurrenceRange:
 * occurrences are generated from range.startDate (the first occurrence may be later
 * than startDate, depending on the pattern), at the series master's wall-clock start
 * time in range.recurrenceTimeZone; endDate is inclusive; numbered counts occurrences.
 */
import { badRequest } from './response';
import {
  DAY_MS,
  dayNumber,
  daysInMonth,
  fromDayNumber,
  parseDate,
  requireTimeZone,
  utcToWall,
  wallToUtc,
} from './time';
import type { DayOfWeek, PatternedRecurrence, RecurrencePattern, WeekIndex } from './types';

export const DAYS: readonly DayOfWeek[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];
const INDEX: readonly WeekIndex[] = ['first', 'second', 'third', 'fourth', 'last'];

/** Safety cap on generated candidates (noEnd series over huge windows). */
const MAX_CANDIDATES = 200_000;

/** Rejects recurrences Graph would reject (missing pattern fields for the type, bad range). */
export function validateRecurrence(r: PatternedRecurrence): void {
  const p = r.pattern;
  if (p.interval < 1)
    throw badRequest('Recurrence pattern interval must be at least 1.', 'ErrorPropertyValidationFailure');
  const needsDays = p.type === 'weekly' || p.type === 'relativeMonthly' || p.type === 'relativeYearly';
  if (needsDays && p.daysOfWeek.length === 0) {
    throw badRequest(`Recurrence pattern '${p.type}' requires daysOfWeek.`, 'ErrorPropertyValidationFailure');
  }
  if (
    (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') &&
    (p.dayOfMonth < 1 || p.dayOfMonth > 31)
  ) {
    throw badRequest(`Recurrence pattern '${p.type}' requires dayOfMonth.`, 'ErrorPropertyValidationFailure');
  }
  if ((p.type === 'absoluteYearly' || p.type === 'relativeYearly') && (p.month < 1 || p.month > 12)) {
    throw badRequest(`Recurrence pattern '${p.type}' requires month.`, 'ErrorPropertyValidationFailure');
  }
  const start = parseDate(r.range.startDate);
  if (start === null)
    throw badRequest('Recurrence range startDate is required.', 'ErrorPropertyValidationFailure');
  if (r.range.type === 'endDate') {
    const end = parseDate(r.range.endDate);
    if (end === null || end < start) {
      throw badRequest(
        'Recurrence range endDate must be on or after startDate.',
        'ErrorPropertyValidationFailure',
      );
    }
  }
  if (r.range.type === 'numbered' && r.range.numberOfOccurrences < 1) {
    throw badRequest(
      'Recurrence range numberOfOccurrences must be at least 1.',
      'ErrorPropertyValidationFailure',
    );
  }
}

function relativeDay(y: number, m0: number, index: WeekIndex, days: readonly DayOfWeek[]): number {
  const wanted = new Set(days.map((d) => DAYS.indexOf(d)));
  const matches: number[] = [];
  for (let d = 1; d <= daysInMonth(y, m0); d++) {
    const n = dayNumber(y, m0, d);
    if (wanted.has(fromDayNumber(n).dow)) matches.push(n);
  }
  const i = INDEX.indexOf(index);
  return (
    (index === 'last' ? matches[matches.length - 1] : matches[Math.min(i, matches.length - 1)]) ??
    dayNumber(y, m0, 1)
  );
}

/** Candidate occurrence days (day numbers), ascending, starting at startDay; unbounded. */
function* candidates(p: RecurrencePattern, startDay: number): Generator<number> {
  const start = fromDayNumber(startDay);
  switch (p.type) {
    case 'daily':
      for (let d = startDay; ; d += p.interval) yield d;
    case 'weekly': {
      const fdw = DAYS.indexOf(p.firstDayOfWeek);
      const offsets = [...new Set(p.daysOfWeek.map((d) => (DAYS.indexOf(d) - fdw + 7) % 7))].sort(
        (a, b) => a - b,
      );
      for (let weekStart = startDay - ((start.dow - fdw + 7) % 7); ; weekStart += 7 * p.interval) {
        for (const o of offsets) if (weekStart + o >= startDay) yield weekStart + o;
      }
    }
    case 'absoluteMonthly':
    case 'relativeMonthly':
      for (let k = 0; ; k += p.interval) {
        const y = start.y + Math.floor((start.m0 + k) / 12);
        const m0 = (start.m0 + k) % 12;
        // Months without dayOfMonth (e.g. the 31st) use their last day, as Outlook does.
        const d =
          p.type === 'absoluteMonthly'
            ? dayNumber(y, m0, Math.min(p.dayOfMonth, daysInMonth(y, m0)))
            : relativeDay(y, m0, p.index, p.daysOfWeek);
        if (d >= startDay) yield d;
      }
    case 'absoluteYearly':
    case 'relativeYearly':
      for (let y = start.y; ; y += p.interval) {
        const m0 = p.month - 1;
        const d =
          p.type === 'absoluteYearly'
            ? dayNumber(y, m0, Math.min(p.dayOfMonth, daysInMonth(y, m0)))
            : relativeDay(y, m0, p.index, p.daysOfWeek);
        if (d >= startDay) yield d;
      }
  }
}

/**
 * Original start instants (UTC ms, ascending) of a series' occurrences that start
 * before `untilUtc`. `masterStartUtc`/`masterTz` give the time of day.
 */
export function seriesOccurrences(
  r: PatternedRecurrence,
  masterStartUtc: number,
  masterTz: string,
  untilUtc: number,
): number[] {
  const tz = requireTimeZone(r.range.recurrenceTimeZone || masterTz);
  const wallStart = utcToWall(masterStartUtc, tz);
  const timeOfDay = ((wallStart % DAY_MS) + DAY_MS) % DAY_MS;
  const startDay = parseDate(r.range.startDate) ?? Math.floor(wallStart / DAY_MS);
  const endDay = r.range.type === 'endDate' ? (parseDate(r.range.endDate) ?? startDay) : Infinity;
  const limit = r.range.type === 'numbered' ? r.range.numberOfOccurrences : Infinity;
  const untilDay = Math.floor(utcToWall(untilUtc, tz) / DAY_MS) + 1;
  const out: number[] = [];
  let seen = 0;
  for (const day of candidates(r.pattern, startDay)) {
    if (++seen > MAX_CANDIDATES || day > endDay || day > untilDay || out.length >= limit) break;
    const utc = wallToUtc(day * DAY_MS + timeOfDay, tz);
    if (utc >= untilUtc) break;
    out.push(utc);
  }
  return out;
}
