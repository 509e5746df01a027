// Zone conversions on top of the IANA database that ships with Node's ICU (Intl). No bundled tz data:
// the app's Node/Electron update cadence keeps the rules current.
import { PimParseError } from './errors';
import {
  DAY,
  civilFromDays,
  daysFromCivil,
  formatLocal,
  formatUtc,
  parseUtcIso,
  parseWallClock,
} from './datetime';

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(tz: string): Intl.DateTimeFormat | null {
  let f = formatters.get(tz);
  if (f === undefined) {
    // TZIDs come from untrusted files; keep the cache from growing without bound.
    if (formatters.size > 5000) formatters.clear();
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(tz, f);
  }
  return f;
}

const UTC_ALIASES = new Set([
  'UTC',
  'Z',
  'GMT',
  'ETC/UTC',
  'ETC/GMT',
  'ETC/UCT',
  'UCT',
  'ETC/ZULU',
  'ZULU',
  'UNIVERSAL',
]);

export function isUtcAlias(tz: string): boolean {
  return UTC_ALIASES.has(tz.trim().toUpperCase());
}

/** True for names Intl accepts (IANA ids and their aliases). */
export function isKnownTimeZone(tz: string): boolean {
  return tz.length > 0 && formatter(tz) !== null;
}

function requireFormatter(tz: string): Intl.DateTimeFormat {
  const f = formatter(tz);
  if (!f) throw new PimParseError('INVALID_TIMEZONE', `Unknown time zone "${tz}"`);
  return f;
}

/** Offset straight from Intl (a few microseconds per call). */
function intlOffsetAt(tz: string, t: number): number {
  const parts = requireFormatter(tz).formatToParts(new Date(t * 1000));
  let y = 0;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) y = 1 - y;
  return daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + s - t;
}

interface YearTable {
  initial: number;
  transitions: { at: number; offset: number }[];
}

const yearTables = new Map<string, YearTable>();

/**
 * The offset changes of one UTC year, found by a daily scan plus binary search. Expansion converts
 * thousands of instants, and a table lookup is far cheaper than formatToParts each time.
 */
function yearTable(tz: string, year: number): YearTable {
  const key = `${tz}|${year}`;
  const hit = yearTables.get(key);
  if (hit) return hit;
  if (yearTables.size > 20000) yearTables.clear();
  const start = daysFromCivil(year, 1, 1) * DAY;
  const end = daysFromCivil(year + 1, 1, 1) * DAY;
  const initial = intlOffsetAt(tz, start);
  const transitions: { at: number; offset: number }[] = [];
  let t = start;
  let off = initial;
  while (t < end) {
    const next = Math.min(t + DAY, end);
    if (intlOffsetAt(tz, next) === off) {
      t = next;
      continue;
    }
    let lo = t;
    let hi = next;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffsetAt(tz, mid) === off) lo = mid;
      else hi = mid;
    }
    if (hi >= end) break; // the change is at next year's first second
    off = intlOffsetAt(tz, hi);
    transitions.push({ at: hi, offset: off });
    t = hi;
  }
  const table = { initial, transitions };
  yearTables.set(key, table);
  return table;
}

/** Offset (local − UTC) in seconds of `tz` at the instant `utcSecs`. */
export function offsetAt(tz: string, utcSecs: number): number {
  if (tz === 'UTC' || tz === 'floating') return 0;
  const t = Math.floor(utcSecs);
  requireFormatter(tz);
  const [year] = civilFromDays(Math.floor(t / DAY));
  if (year < 1 || year > 9998) return intlOffsetAt(tz, t);
  const table = yearTable(tz, year);
  let off = table.initial;
  for (const tr of table.transitions) {
    if (tr.at > t) break;
    off = tr.offset;
  }
  return off;
}

/** UTC seconds → floating wall-clock seconds in `tz`. */
export function utcToZonedSecs(utcSecs: number, tz: string): number {
  return utcSecs + offsetAt(tz, utcSecs);
}

/**
 * Floating wall-clock seconds in `tz` → UTC seconds, RFC 5545 3.3.5 style: an ambiguous time (fall back)
 * is the first occurrence; a non-existent time (spring forward) uses the offset from before the gap.
 */
export function zonedSecsToUtc(localSecs: number, tz: string): number {
  if (tz === 'UTC' || tz === 'floating') return localSecs;
  const before = offsetAt(tz, localSecs - DAY);
  const after = offsetAt(tz, localSecs + DAY);
  // No transition within a day either side (the common case): the answer is unambiguous.
  if (before === after) return localSecs - before;
  const c1 = localSecs - before;
  const c2 = localSecs - after;
  const ok1 = offsetAt(tz, c1) === before;
  const ok2 = offsetAt(tz, c2) === after;
  if (ok1 && ok2) return Math.min(c1, c2);
  if (ok1) return c1;
  if (ok2) return c2;
  return c1;
}

/** "2026-03-08T09:00:00" in `timeZone` → "2026-03-08T14:00:00Z". "floating" is treated as UTC. */
export function zonedWallClockToUtc(local: string, timeZone: string): string {
  const v = parseWallClock(local);
  if (!v) throw new PimParseError('INVALID_DATE', `Not a wall-clock date-time: "${local}"`);
  return formatUtc(zonedSecsToUtc(v.secs, normalizeZone(timeZone)));
}

/** "2026-03-08T14:00:00Z" → wall clock in `timeZone` ("2026-03-08T09:00:00"). */
export function utcToZonedWallClock(utc: string, timeZone: string): string {
  const secs = parseUtcIso(utc);
  if (secs === null) throw new PimParseError('INVALID_DATE', `Not a UTC ISO instant: "${utc}"`);
  return formatLocal(utcToZonedSecs(secs, normalizeZone(timeZone)));
}

/** Maps the model's zone strings to something offsetAt understands; throws for unknown zones. */
export function normalizeZone(tz: string): string {
  if (tz === 'floating') return 'floating';
  if (isUtcAlias(tz)) return 'UTC';
  requireFormatter(tz);
  return tz;
}

/** Every IANA zone Intl knows about (canonical ids). */
export function allTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}

const abbrevCache = new Map<string, string | null>();
const ABBREV_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-NZ', 'en-IN', 'en-CA', 'en-ZA', 'en-IE', 'en-SG'];

/** Customary abbreviation (EST, CEST, AEDT…) for TZNAME, or null when ICU only knows "GMT+x". */
export function zoneAbbreviation(tz: string, utcSecs: number): string | null {
  const key = `${tz}|${utcSecs}`;
  const hit = abbrevCache.get(key);
  if (hit !== undefined) return hit;
  if (abbrevCache.size > 20000) abbrevCache.clear();
  let found: string | null = null;
  for (const locale of ABBREV_LOCALES) {
    try {
      const part = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'short' })
        .formatToParts(new Date(utcSecs * 1000))
        .find((p) => p.type === 'timeZoneName');
      const v = part?.value ?? '';
      if (v && !/^(GMT|UTC)[+\-−]/.test(v)) {
        found = v;
        break;
      }
    } catch {
      break;
    }
  }
  abbrevCache.set(key, found);
  return found;
}
