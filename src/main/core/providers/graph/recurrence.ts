import { parseRRule, WEEKDAYS } from '../../pim/rrule';
import { PimlicoError } from '../../util/errors';

/** Graph's patternedRecurrence, as sent and received. */
export interface GraphRecurrence {
  pattern: {
    type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
    interval?: number;
    month?: number;
    dayOfMonth?: number;
    daysOfWeek?: string[];
    firstDayOfWeek?: string;
    index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
  };
  range: {
    type: 'endDate' | 'noEnd' | 'numbered';
    startDate: string;
    endDate?: string;
    recurrenceTimeZone?: string;
    numberOfOccurrences?: number;
  };
}

const GRAPH_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const INDEX = ['first', 'second', 'third', 'fourth'] as const;

function dayCode(graphDay: string): string {
  const i = GRAPH_DAYS.indexOf(graphDay.toLowerCase());
  if (i < 0) throw new PimlicoError('RemoteError', `Unknown day of week '${graphDay}'`);
  return WEEKDAYS[i]!;
}

/** Graph recurrence → RRULE (without DTSTART: the event's start is that). */
export function recurrenceToRRule(r: GraphRecurrence, allDay: boolean): string {
  const p = r.pattern;
  const parts: string[] = [];
  const interval = p.interval && p.interval > 1 ? `;INTERVAL=${p.interval}` : '';
  const days = (p.daysOfWeek ?? []).map(dayCode).join(',');
  const setPos = p.index ? (p.index === 'last' ? -1 : INDEX.indexOf(p.index) + 1) : 1;
  switch (p.type) {
    case 'daily':
      parts.push(`FREQ=DAILY${interval}`);
      break;
    case 'weekly':
      parts.push(`FREQ=WEEKLY${interval}${days ? `;BYDAY=${days}` : ''}`);
      if (p.firstDayOfWeek && p.firstDayOfWeek.toLowerCase() !== 'monday') parts.push(`WKST=${dayCode(p.firstDayOfWeek)}`);
      break;
    case 'absoluteMonthly':
      parts.push(`FREQ=MONTHLY${interval};BYMONTHDAY=${p.dayOfMonth ?? 1}`);
      break;
    case 'relativeMonthly':
      parts.push(`FREQ=MONTHLY${interval};BYDAY=${days};BYSETPOS=${setPos}`);
      break;
    case 'absoluteYearly':
      parts.push(`FREQ=YEARLY${interval};BYMONTH=${p.month ?? 1};BYMONTHDAY=${p.dayOfMonth ?? 1}`);
      break;
    case 'relativeYearly':
      parts.push(`FREQ=YEARLY${interval};BYMONTH=${p.month ?? 1};BYDAY=${days};BYSETPOS=${setPos}`);
      break;
  }
  if (r.range.type === 'numbered' && r.range.numberOfOccurrences) parts.push(`COUNT=${r.range.numberOfOccurrences}`);
  if (r.range.type === 'endDate' && r.range.endDate) {
    const d = r.range.endDate.replace(/-/g, '');
    // Graph's endDate is an inclusive date; UNTIL of a timed series is an instant, so the day's end.
    parts.push(`UNTIL=${allDay ? d : `${d}T235959Z`}`);
  }
  return parts.join(';');
}

function graphDay(wd: number): string {
  return GRAPH_DAYS[wd]!;
}

/** RRULE → Graph recurrence; `startDate` is the series' first date, `timeZone` its zone. */
export function rruleToRecurrence(rrule: string, startDate: string, timeZone: string): GraphRecurrence {
  const rule = parseRRule(rrule.replace(/^RRULE:/i, ''));
  const interval = rule.interval || 1;
  const unsupported = (why: string): never => {
    throw new PimlicoError('Unsupported', `Outlook cannot store this repetition (${why}): ${rrule}`);
  };
  if (rule.byHour.length || rule.byMinute.length || rule.bySecond.length || rule.byYearDay.length || rule.byWeekNo.length) unsupported('BYHOUR/BYMINUTE/BYYEARDAY/BYWEEKNO');
  const setPosIndex = (): GraphRecurrence['pattern']['index'] => {
    const n = rule.bySetPos[0] ?? rule.byDay.find((d) => d.n !== 0)?.n ?? 1;
    if (n === -1) return 'last';
    if (n >= 1 && n <= 4) return INDEX[n - 1];
    return unsupported(`position ${n}`);
  };
  let pattern: GraphRecurrence['pattern'];
  switch (rule.freq) {
    case 'DAILY':
      pattern = { type: 'daily', interval };
      break;
    case 'WEEKLY': {
      const days = rule.byDay.length ? rule.byDay.map((d) => graphDay(d.wd)) : [graphDay((new Date(`${startDate}T00:00:00Z`).getUTCDay() + 6) % 7)];
      pattern = { type: 'weekly', interval, daysOfWeek: days, firstDayOfWeek: graphDay(rule.wkst ?? 0) };
      break;
    }
    case 'MONTHLY':
      if (rule.byDay.length) pattern = { type: 'relativeMonthly', interval, daysOfWeek: rule.byDay.map((d) => graphDay(d.wd)), index: setPosIndex() };
      else pattern = { type: 'absoluteMonthly', interval, dayOfMonth: rule.byMonthDay[0] ?? Number(startDate.slice(8, 10)) };
      break;
    case 'YEARLY': {
      const month = rule.byMonth[0] ?? Number(startDate.slice(5, 7));
      if (rule.byDay.length) pattern = { type: 'relativeYearly', interval, month, daysOfWeek: rule.byDay.map((d) => graphDay(d.wd)), index: setPosIndex() };
      else pattern = { type: 'absoluteYearly', interval, month, dayOfMonth: rule.byMonthDay[0] ?? Number(startDate.slice(8, 10)) };
      break;
    }
    default:
      return unsupported(`FREQ=${rule.freq}`);
  }
  let range: GraphRecurrence['range'] = { type: 'noEnd', startDate, recurrenceTimeZone: timeZone };
  if (rule.count) range = { type: 'numbered', startDate, numberOfOccurrences: rule.count, recurrenceTimeZone: timeZone };
  else if (rule.until) {
    const u = rule.until.replace(/[^0-9]/g, '');
    range = { type: 'endDate', startDate, endDate: `${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}`, recurrenceTimeZone: timeZone };
  }
  return { pattern, range };
}
