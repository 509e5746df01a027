// The recurrence editor's model: the RRULE forms people make (daily, weekly on days, monthly by day or by
// weekday, yearly; interval; ending never, after a count, or on a date) ⇄ RRULE text.

export type Freq = 'none' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface RecurrenceModel {
  freq: Freq;
  interval: number;
  byDay: Weekday[];
  /** Monthly: on the same day of the month, or on the nth weekday (e.g. second Tuesday, or last Friday). */
  monthlyBy: 'monthday' | 'weekday';
  end: 'never' | 'count' | 'until';
  count: number;
  /** YYYY-MM-DD */
  until: string;
  /** Parts the editor does not model (BYSETPOS, BYHOUR…): kept as they are. */
  extra: string[];
}

const MODELLED = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'COUNT', 'UNTIL', 'WKST']);

export function weekdayOf(date: string): Weekday {
  const d = new Date(`${date.slice(0, 10)}T12:00:00Z`).getUTCDay();
  return WEEKDAYS[(d + 6) % 7]!;
}

/** 1..4 for the nth weekday of its month, -1 for the last one. */
export function weekdayOrdinal(date: string): number {
  const day = Number(date.slice(8, 10));
  const month = Number(date.slice(5, 7));
  const year = Number(date.slice(0, 4));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day + 7 > daysInMonth) return -1;
  return Math.ceil(day / 7);
}

export function parseRule(rrule: string | null, start: string): RecurrenceModel {
  const model: RecurrenceModel = { freq: 'none', interval: 1, byDay: [weekdayOf(start)], monthlyBy: 'monthday', end: 'never', count: 10, until: '', extra: [] };
  if (!rrule) return model;
  for (const part of rrule.split(';')) {
    const [rawKey, value = ''] = part.split('=');
    const key = (rawKey ?? '').toUpperCase();
    if (key === 'FREQ' && ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(value.toUpperCase())) model.freq = value.toUpperCase() as Freq;
    else if (key === 'INTERVAL') model.interval = Math.max(1, Number(value) || 1);
    else if (key === 'COUNT') {
      model.end = 'count';
      model.count = Math.max(1, Number(value) || 1);
    } else if (key === 'UNTIL') {
      model.end = 'until';
      model.until = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
    } else if (key === 'BYDAY') {
      const days = value.split(',').map((d) => d.trim().toUpperCase());
      if (days.some((d) => /^[+-]?\d/.test(d))) model.monthlyBy = 'weekday';
      model.byDay = days.map((d) => d.replace(/^[+-]?\d+/, '')).filter((d): d is Weekday => (WEEKDAYS as readonly string[]).includes(d));
    } else if (key === 'BYMONTHDAY') model.monthlyBy = 'monthday';
    else if (key && !MODELLED.has(key)) model.extra.push(part);
  }
  if (model.freq === 'none') model.extra = [];
  return model;
}

/** RRULE text for the model, anchored at the event's start (the day and weekday come from it). */
export function buildRule(m: RecurrenceModel, start: string, allDay: boolean, timeZone: string): string | null {
  if (m.freq === 'none') return null;
  const parts = [`FREQ=${m.freq}`];
  if (m.interval > 1) parts.push(`INTERVAL=${m.interval}`);
  if (m.freq === 'WEEKLY') {
    const days = m.byDay.length ? m.byDay : [weekdayOf(start)];
    parts.push(`BYDAY=${WEEKDAYS.filter((d) => days.includes(d)).join(',')}`);
  }
  if (m.freq === 'MONTHLY') {
    if (m.monthlyBy === 'weekday') parts.push(`BYDAY=${weekdayOrdinal(start)}${weekdayOf(start)}`);
    else parts.push(`BYMONTHDAY=${Number(start.slice(8, 10))}`);
  }
  parts.push(...m.extra);
  if (m.end === 'count') parts.push(`COUNT=${Math.max(1, m.count)}`);
  if (m.end === 'until' && /^\d{4}-\d{2}-\d{2}$/.test(m.until)) {
    const d = m.until.replace(/-/g, '');
    // The last day counts: until the end of it, in UTC when the start has a zone (RFC 5545 3.3.10).
    if (allDay) parts.push(`UNTIL=${d}`);
    else if (timeZone === 'floating') parts.push(`UNTIL=${d}T235959`);
    else parts.push(`UNTIL=${d}T235959Z`);
  }
  return parts.join(';');
}

const ORDINALS: Record<number, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', [-1]: 'last' };
const DAY_NAMES: Record<Weekday, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

export function monthlyLabels(start: string): { monthday: string; weekday: string } {
  return {
    monthday: `on day ${Number(start.slice(8, 10))}`,
    weekday: `on the ${ORDINALS[weekdayOrdinal(start)] ?? ''} ${DAY_NAMES[weekdayOf(start)]}`,
  };
}

export function dayName(d: Weekday): string {
  return DAY_NAMES[d];
}
