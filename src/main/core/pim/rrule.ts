// RFC 5545 RRULE engine working in floating (zone-less) time. The period/mask algorithm follows
// python-dateutil's rrule, which is the most battle-tested open implementation of the BYxxx
// expand/limit table; it is re-derived here on epoch-day numbers.
import { PimParseError } from './errors';
import { DAY, civilFromDays, daysFromCivil, daysInMonth, isLeapYear, mod, weekdayOf } from './datetime';

export type Frequency = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY' | 'HOURLY' | 'MINUTELY' | 'SECONDLY';
const FREQ_ORDER: Record<Frequency, number> = {
  YEARLY: 0,
  MONTHLY: 1,
  WEEKLY: 2,
  DAILY: 3,
  HOURLY: 4,
  MINUTELY: 5,
  SECONDLY: 6,
};

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface WeekdayNum {
  /** 0 = every such weekday in the period; otherwise ±nth. */
  n: number;
  /** 0 = Monday … 6 = Sunday. */
  wd: number;
}

export interface RecurRule {
  freq: Frequency;
  interval: number;
  count: number | null;
  /** Raw UNTIL value; the caller converts it into the event's floating time. */
  until: string | null;
  bySecond: number[];
  byMinute: number[];
  byHour: number[];
  byDay: WeekdayNum[];
  byMonthDay: number[];
  byYearDay: number[];
  byWeekNo: number[];
  byMonth: number[];
  bySetPos: number[];
  wkst: number;
}

function bad(msg: string): never {
  throw new PimParseError('INVALID_RRULE', msg);
}

function intList(key: string, v: string, min: number, max: number, allowNegative: boolean): number[] {
  return v.split(',').map((s) => {
    const t = s.trim();
    if (!/^[+-]?\d{1,4}$/.test(t)) bad(`${key}: "${t}" is not an integer`);
    const n = Number(t);
    const abs = Math.abs(n);
    if ((n < 0 && !allowNegative) || abs < min || abs > max || (allowNegative && n === 0)) {
      bad(`${key}: ${t} is out of range`);
    }
    return n;
  });
}

export function parseRRule(value: string): RecurRule {
  const rule: RecurRule = {
    freq: 'DAILY',
    interval: 1,
    count: null,
    until: null,
    bySecond: [],
    byMinute: [],
    byHour: [],
    byDay: [],
    byMonthDay: [],
    byYearDay: [],
    byWeekNo: [],
    byMonth: [],
    bySetPos: [],
    wkst: 0,
  };
  let hasFreq = false;
  const text = value.trim().replace(/^RRULE:/i, '');
  if (!text) bad('Empty RRULE');
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq < 0) bad(`Malformed RRULE part "${part}"`);
    const key = part.slice(0, eq).trim().toUpperCase();
    const v = part.slice(eq + 1).trim();
    switch (key) {
      case 'FREQ': {
        const f = v.toUpperCase();
        if (!(f in FREQ_ORDER)) bad(`Unknown FREQ "${v}"`);
        rule.freq = f as Frequency;
        hasFreq = true;
        break;
      }
      case 'INTERVAL':
        if (!/^\d{1,6}$/.test(v) || Number(v) < 1) bad(`Invalid INTERVAL "${v}"`);
        rule.interval = Number(v);
        break;
      case 'COUNT':
        if (!/^\d{1,7}$/.test(v) || Number(v) < 1) bad(`Invalid COUNT "${v}"`);
        rule.count = Number(v);
        break;
      case 'UNTIL':
        if (!/^\d{8}(T\d{6}Z?)?$/i.test(v)) bad(`Invalid UNTIL "${v}"`);
        rule.until = v.toUpperCase();
        break;
      case 'BYSECOND':
        rule.bySecond = intList(key, v, 0, 60, false);
        break;
      case 'BYMINUTE':
        rule.byMinute = intList(key, v, 0, 59, false);
        break;
      case 'BYHOUR':
        rule.byHour = intList(key, v, 0, 23, false);
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = intList(key, v, 1, 31, true);
        break;
      case 'BYYEARDAY':
        rule.byYearDay = intList(key, v, 1, 366, true);
        break;
      case 'BYWEEKNO':
        rule.byWeekNo = intList(key, v, 1, 53, true);
        break;
      case 'BYMONTH':
        rule.byMonth = intList(key, v, 1, 12, false);
        break;
      case 'BYSETPOS':
        rule.bySetPos = intList(key, v, 1, 366, true);
        break;
      case 'BYDAY':
        rule.byDay = v.split(',').map((s) => {
          const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/i.exec(s.trim());
          if (!m) bad(`Invalid BYDAY "${s}"`);
          const n = m[1] === undefined ? 0 : Number(m[1]);
          if (m[1] !== undefined && (n === 0 || Math.abs(n) > 53)) bad(`Invalid BYDAY ordinal "${s}"`);
          return { n, wd: WEEKDAYS.indexOf((m[2] ?? 'MO').toUpperCase() as (typeof WEEKDAYS)[number]) };
        });
        break;
      case 'WKST': {
        const i = WEEKDAYS.indexOf(v.toUpperCase() as (typeof WEEKDAYS)[number]);
        if (i < 0) bad(`Invalid WKST "${v}"`);
        rule.wkst = i;
        break;
      }
      case 'RSCALE':
        // RFC 7529: only the Gregorian scale can be honoured.
        if (v.toUpperCase() !== 'GREGORIAN') bad(`Unsupported RSCALE "${v}"`);
        break;
      default:
        // SKIP and x-name parts carry no meaning for a Gregorian expansion.
        break;
    }
  }
  if (!hasFreq) bad('RRULE without FREQ');
  return rule;
}

// ---------------------------------------------------------------- year masks

interface YearInfo {
  year: number;
  len: number;
  nextLen: number;
  firstDay: number;
  /** Per day index (0 = Jan 1, extends 7 days into next year): month, day of month, negative day, weekday. */
  mmask: Int8Array;
  mdaymask: Int8Array;
  nmdaymask: Int8Array;
  wdaymask: Int8Array;
  /** Start index of each month, 13 entries. */
  mrange: number[];
  wnomask: Uint8Array | null;
}

function buildYearInfo(year: number, wkst: number, byWeekNo: number[]): YearInfo {
  const len = isLeapYear(year) ? 366 : 365;
  const firstDay = daysFromCivil(year, 1, 1);
  const size = len + 7;
  const mmask = new Int8Array(size);
  const mdaymask = new Int8Array(size);
  const nmdaymask = new Int8Array(size);
  const wdaymask = new Int8Array(size);
  const mrange = [0];
  let idx = 0;
  for (let m = 1; m <= 12; m++) {
    const dim = daysInMonth(year, m);
    for (let d = 1; d <= dim; d++, idx++) {
      mmask[idx] = m;
      mdaymask[idx] = d;
      nmdaymask[idx] = d - dim - 1;
    }
    mrange.push(idx);
  }
  for (let d = 1; d <= 7; d++, idx++) {
    mmask[idx] = 1;
    mdaymask[idx] = d;
    nmdaymask[idx] = d - 32;
  }
  const fw = weekdayOf(firstDay);
  for (let i = 0; i < size; i++) wdaymask[i] = (fw + i) % 7;

  let wnomask: Uint8Array | null = null;
  if (byWeekNo.length) {
    const mask = new Uint8Array(size);
    wnomask = mask;
    const mark = (from: number): void => {
      let i = from;
      for (let j = 0; j < 7; j++) {
        if (i >= 0 && i < size) mask[i] = 1;
        i++;
        if (wdaymask[i] === wkst) break;
      }
    };
    let no1wkst = mod(7 - fw + wkst, 7);
    const firstwkst = no1wkst;
    let wyearlen: number;
    if (no1wkst >= 4) {
      no1wkst = 0;
      wyearlen = len + mod(fw - wkst, 7);
    } else {
      wyearlen = len - no1wkst;
    }
    const numweeks = Math.floor(wyearlen / 7) + Math.floor((wyearlen % 7) / 4);
    for (const raw of byWeekNo) {
      const n = raw < 0 ? raw + numweeks + 1 : raw;
      if (!(n > 0 && n <= numweeks)) continue;
      let i: number;
      if (n > 1) {
        i = no1wkst + (n - 1) * 7;
        if (no1wkst !== firstwkst) i -= 7 - firstwkst;
      } else {
        i = no1wkst;
      }
      mark(i);
    }
    if (byWeekNo.includes(1)) {
      // Week 1 of next year may start inside this year.
      let i = no1wkst + numweeks * 7;
      if (no1wkst !== firstwkst) i -= 7 - firstwkst;
      if (i < len) mark(i);
    }
    if (no1wkst) {
      // Days before week 1 belong to the last week of the previous year.
      let lnumweeks: number;
      if (!byWeekNo.includes(-1)) {
        const lfw = weekdayOf(daysFromCivil(year - 1, 1, 1));
        const lno1wkst = mod(7 - lfw + wkst, 7);
        const lyearlen = isLeapYear(year - 1) ? 366 : 365;
        if (lno1wkst >= 4) {
          lnumweeks = 52 + Math.floor(((lyearlen + mod(lfw - wkst, 7)) % 7) / 4);
        } else {
          lnumweeks = 52 + Math.floor(((len - no1wkst) % 7) / 4);
        }
      } else {
        lnumweeks = -1;
      }
      if (byWeekNo.includes(lnumweeks)) for (let i = 0; i < no1wkst; i++) mask[i] = 1;
    }
  }
  return {
    year,
    len,
    nextLen: isLeapYear(year + 1) ? 366 : 365,
    firstDay,
    mmask,
    mdaymask,
    nmdaymask,
    wdaymask,
    mrange,
    wnomask,
  };
}

// ---------------------------------------------------------------- iteration

export interface RecurOptions {
  /** DTSTART in floating seconds. */
  dtstart: number;
  /** DATE-valued DTSTART: time parts of the rule are ignored and every instance is at 00:00. */
  allDay: boolean;
  /** Inclusive UNTIL in floating seconds, or null. */
  until: number | null;
  /** Stop once instances pass this floating time (the caller's range end). */
  stopAfter: number;
  /** Guard against rules that never (or very rarely) match. */
  maxPeriods?: number;
}

const DEFAULT_MAX_PERIODS = 2_000_000;
const MAX_YEAR = 9999;

/**
 * Instances of DTSTART + RRULE in ascending floating time. DTSTART is always the first instance and
 * counts toward COUNT (RFC 5545 3.3.10), even when it does not match the rule.
 */
export function* recurrenceInstances(rule: RecurRule, o: RecurOptions): Generator<number, void, undefined> {
  yield o.dtstart;
  let count = 1;
  if (rule.count !== null && count >= rule.count) return;
  for (const t of ruleMatches(rule, o)) {
    if (t <= o.dtstart) continue;
    if (o.until !== null && t > o.until) return;
    if (t > o.stopAfter) return;
    yield t;
    count++;
    if (rule.count !== null && count >= rule.count) return;
  }
}

function product(a: number[], b: number[], c: number[], ua: number, ub: number): number[] {
  const out: number[] = [];
  for (const x of a) for (const y of b) for (const z of c) out.push(x * ua + y * ub + z);
  return out.sort((p, q) => p - q);
}

function applySetPos(candidates: number[], bySetPos: number[]): number[] {
  if (!bySetPos.length) return candidates;
  const out = new Set<number>();
  for (const pos of bySetPos) {
    const idx = pos > 0 ? pos - 1 : candidates.length + pos;
    const v = candidates[idx];
    if (v !== undefined) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Raw rule matches ≥ DTSTART's period, ascending, without COUNT/UNTIL. */
function* ruleMatches(rule: RecurRule, o: RecurOptions): Generator<number, void, undefined> {
  const maxPeriods = o.maxPeriods ?? DEFAULT_MAX_PERIODS;
  const startDay = Math.floor(o.dtstart / DAY);
  const tod = o.dtstart - startDay * DAY;
  const [y0, m0, d0] = civilFromDays(startDay);
  const h0 = Math.floor(tod / 3600);
  const mi0 = Math.floor((tod % 3600) / 60);
  const s0 = tod % 60;
  // Sub-daily rules make no sense on DATE values; treat them as daily rather than failing the event.
  const freq: Frequency = o.allDay && FREQ_ORDER[rule.freq] > 3 ? 'DAILY' : rule.freq;
  const fo = FREQ_ORDER[freq];
  const interval = rule.interval;
  const wkst = rule.wkst;

  let byMonth = [...rule.byMonth];
  let byMonthDay = rule.byMonthDay.filter((n) => n > 0);
  const byNMonthDay = rule.byMonthDay.filter((n) => n < 0);
  let byWeekday: number[] = [];
  const byNWeekday: WeekdayNum[] = [];
  for (const d of rule.byDay) {
    // Ordinals only mean something inside a month or a year (RFC 5545 BYDAY note).
    if (d.n === 0 || fo > FREQ_ORDER.MONTHLY) byWeekday.push(d.wd);
    else byNWeekday.push(d);
  }
  const byYearDay = rule.byYearDay;
  const byWeekNo = rule.byWeekNo;
  if (!byWeekNo.length && !byYearDay.length && !rule.byMonthDay.length && !rule.byDay.length) {
    if (freq === 'YEARLY') {
      if (!byMonth.length) byMonth = [m0];
      byMonthDay = [d0];
    } else if (freq === 'MONTHLY') {
      byMonthDay = [d0];
    } else if (freq === 'WEEKLY') {
      byWeekday = [weekdayOf(startDay)];
    }
  }
  const byHour = rule.byHour;
  const byMinute = rule.byMinute;
  const bySecond = rule.bySecond.map((s) => Math.min(s, 59));

  let yi = buildYearInfo(y0, wkst, byWeekNo);
  let nwCacheKey = '';
  let nwmask: Uint8Array | null = null;

  const nwMaskFor = (month: number): Uint8Array | null => {
    if (!byNWeekday.length) return null;
    const key = `${yi.year}-${freq === 'MONTHLY' ? month : 0}`;
    if (key === nwCacheKey) return nwmask;
    const ranges: [number, number][] = [];
    if (freq === 'YEARLY') {
      if (byMonth.length) for (const m of byMonth) ranges.push([yi.mrange[m - 1] ?? 0, yi.mrange[m] ?? 0]);
      else ranges.push([0, yi.len]);
    } else {
      ranges.push([yi.mrange[month - 1] ?? 0, yi.mrange[month] ?? 0]);
    }
    const mask = new Uint8Array(yi.len + 7);
    for (const [first, end] of ranges) {
      const last = end - 1;
      for (const { wd, n } of byNWeekday) {
        let i: number;
        if (n < 0) {
          i = last + (n + 1) * 7;
          if (i < first) continue;
          i -= mod((yi.wdaymask[i] ?? 0) - wd, 7);
        } else {
          i = first + (n - 1) * 7;
          if (i > last) continue;
          i += mod(7 - (yi.wdaymask[i] ?? 0) + wd, 7);
        }
        if (first <= i && i <= last) mask[i] = 1;
      }
    }
    nwCacheKey = key;
    nwmask = mask;
    return mask;
  };

  const dayMatches = (i: number, nw: Uint8Array | null): boolean => {
    if (byMonth.length && !byMonth.includes(yi.mmask[i] ?? 0)) return false;
    if (yi.wnomask && !yi.wnomask[i]) return false;
    if (byWeekday.length || nw) {
      const plain = byWeekday.length > 0 && byWeekday.includes(yi.wdaymask[i] ?? -1);
      if (!plain && !(nw && nw[i])) return false;
    }
    if (
      (byMonthDay.length || byNMonthDay.length) &&
      !byMonthDay.includes(yi.mdaymask[i] ?? 0) &&
      !byNMonthDay.includes(yi.nmdaymask[i] ?? 0)
    ) {
      return false;
    }
    if (byYearDay.length) {
      if (i < yi.len) {
        if (!byYearDay.includes(i + 1) && !byYearDay.includes(i - yi.len)) return false;
      } else if (!byYearDay.includes(i + 1 - yi.len) && !byYearDay.includes(i - yi.len - yi.nextLen)) {
        return false;
      }
    }
    return true;
  };

  const ensureYear = (year: number): void => {
    if (year !== yi.year) yi = buildYearInfo(year, wkst, byWeekNo);
  };

  let periods = 0;

  if (fo <= FREQ_ORDER.DAILY) {
    const times = o.allDay
      ? [0]
      : product(
          byHour.length ? byHour : [h0],
          byMinute.length ? byMinute : [mi0],
          bySecond.length ? bySecond : [s0],
          3600,
          60,
        );
    let year = y0;
    let month = m0;
    let periodDay = startDay;
    const weekStart0 = startDay - mod(weekdayOf(startDay) - wkst, 7);
    let weekIndex = 0;
    for (;;) {
      if (++periods > maxPeriods) return;
      let start: number;
      let end: number;
      let periodStartSecs: number;
      if (freq === 'YEARLY') {
        start = 0;
        end = yi.len;
        periodStartSecs = yi.firstDay * DAY;
      } else if (freq === 'MONTHLY') {
        start = yi.mrange[month - 1] ?? 0;
        end = yi.mrange[month] ?? 0;
        periodStartSecs = (yi.firstDay + start) * DAY;
      } else if (freq === 'WEEKLY') {
        start = periodDay - yi.firstDay;
        end = start + 1;
        while (end - start < 7 && yi.wdaymask[end] !== wkst) end++;
        periodStartSecs = periodDay * DAY;
      } else {
        start = periodDay - yi.firstDay;
        end = start + 1;
        periodStartSecs = periodDay * DAY;
      }
      if (periodStartSecs > o.stopAfter || (o.until !== null && periodStartSecs > o.until)) return;

      if (freq === 'DAILY' && byMonth.length && !byMonth.includes(yi.mmask[start] ?? 0)) {
        // Skip whole months the rule excludes instead of testing them day by day.
        const [py, pm] = civilFromDays(periodDay);
        const nextMonth = pm === 12 ? daysFromCivil(py + 1, 1, 1) : daysFromCivil(py, pm + 1, 1);
        periodDay += Math.max(1, Math.ceil((nextMonth - periodDay) / interval)) * interval;
        const [ny] = civilFromDays(periodDay);
        if (ny > MAX_YEAR) return;
        ensureYear(ny);
        continue;
      }
      const nw = freq === 'YEARLY' || freq === 'MONTHLY' ? nwMaskFor(month) : null;
      const days: number[] = [];
      for (let i = start; i < end; i++) if (dayMatches(i, nw)) days.push(i);
      if (days.length) {
        const all: number[] = [];
        for (const i of days) for (const t of times) all.push((yi.firstDay + i) * DAY + t);
        for (const v of applySetPos(all, rule.bySetPos)) yield v;
      }

      if (freq === 'YEARLY') {
        year += interval;
        if (year > MAX_YEAR) return;
        ensureYear(year);
      } else if (freq === 'MONTHLY') {
        month += interval;
        while (month > 12) {
          month -= 12;
          year++;
        }
        if (year > MAX_YEAR) return;
        ensureYear(year);
      } else {
        if (freq === 'WEEKLY') {
          weekIndex++;
          periodDay = weekStart0 + weekIndex * interval * 7;
        } else {
          periodDay += interval;
        }
        const [py] = civilFromDays(periodDay);
        if (py > MAX_YEAR) return;
        ensureYear(py);
      }
    }
  }

  // HOURLY / MINUTELY / SECONDLY: fixed-size periods on the floating time line.
  const unit = freq === 'HOURLY' ? 3600 : freq === 'MINUTELY' ? 60 : 1;
  const step = interval * unit;
  const p0 =
    freq === 'HOURLY' ? startDay * DAY + h0 * 3600 : freq === 'MINUTELY' ? o.dtstart - s0 : o.dtstart;
  const jumpTo = (target: number): number => Math.ceil((target - p0) / step);
  let k = 0;
  for (;;) {
    if (++periods > maxPeriods) return;
    const p = p0 + k * step;
    if (p > o.stopAfter || (o.until !== null && p > o.until)) return;
    const day = Math.floor(p / DAY);
    const [py] = civilFromDays(day);
    if (py > MAX_YEAR) return;
    ensureYear(py);
    if (!dayMatches(day - yi.firstDay, null)) {
      k = Math.max(k + 1, jumpTo((day + 1) * DAY));
      continue;
    }
    const ptod = p - day * DAY;
    const h = Math.floor(ptod / 3600);
    const mi = Math.floor((ptod % 3600) / 60);
    const s = ptod % 60;
    if (byHour.length && !byHour.includes(h)) {
      k = Math.max(k + 1, jumpTo(day * DAY + (h + 1) * 3600));
      continue;
    }
    if (freq !== 'HOURLY' && byMinute.length && !byMinute.includes(mi)) {
      k = Math.max(k + 1, jumpTo(day * DAY + h * 3600 + (mi + 1) * 60));
      continue;
    }
    if (freq === 'SECONDLY' && bySecond.length && !bySecond.includes(s)) {
      k++;
      continue;
    }
    let cands: number[];
    if (freq === 'HOURLY') {
      cands = product([0], byMinute.length ? byMinute : [mi0], bySecond.length ? bySecond : [s0], 0, 60).map(
        (x) => p + x,
      );
    } else if (freq === 'MINUTELY') {
      cands = (bySecond.length ? [...bySecond].sort((a, b) => a - b) : [s0]).map((x) => p + x);
    } else {
      cands = [p];
    }
    for (const v of applySetPos(cands, rule.bySetPos)) yield v;
    k++;
  }
}
