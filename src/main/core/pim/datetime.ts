// Calendar arithmetic on plain numbers. "Floating seconds" = seconds since 1970-01-01T00:00 of a wall
// clock with no zone attached; the recurrence engine works entirely in that space so DST never leaks in.
import { PimParseError } from './errors';

export const DAY = 86400;

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm; no Date quirks for y<100). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

/** 0 = Monday … 6 = Sunday (RFC 5545 / ISO order). */
export function weekdayOf(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => String(n).padStart(4, '0');

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}`;
}

/** Floating seconds → "YYYY-MM-DDTHH:MM:SS". */
export function formatLocal(secs: number): string {
  const days = Math.floor(secs / DAY);
  const tod = secs - days * DAY;
  return `${formatDate(days)}T${pad2(Math.floor(tod / 3600))}:${pad2(Math.floor((tod % 3600) / 60))}:${pad2(tod % 60)}`;
}

export function formatUtc(secs: number): string {
  return formatLocal(secs) + 'Z';
}

/** iCalendar basic forms: 20260308 / 20260308T090000 (Z appended by the caller). */
export function formatIcsDate(days: number): string {
  return formatDate(days).replace(/-/g, '');
}

export function formatIcsLocal(secs: number): string {
  return formatLocal(secs).replace(/[-:]/g, '');
}

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

export interface WallClockValue {
  /** Floating seconds (midnight for dates). */
  secs: number;
  dateOnly: boolean;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** Parses the model's wall-clock strings: "2026-03-08T09:00:00" or "2026-03-08". Returns null if invalid. */
export function parseWallClock(s: string): WallClockValue | null {
  const m = LOCAL_RE.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d)) return null;
  const days = daysFromCivil(y, mo, d);
  if (m[4] === undefined) return { secs: days * DAY, dateOnly: true };
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || sec > 60) return null;
  return { secs: days * DAY + h * 3600 + mi * 60 + Math.min(sec, 59), dateOnly: false };
}

export function requireWallClock(s: string, what: string): WallClockValue {
  const v = parseWallClock(s);
  if (!v)
    throw new PimParseError('INVALID_DATA', `${what}: "${s}" is not a wall-clock ISO date or date-time`);
  return v;
}

const UTC_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an absolute ISO instant ("…Z" or "…+02:00") to UTC seconds; null when invalid. */
export function parseUtcIso(s: string): number | null {
  const m = UTC_RE.exec(s.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return null;
  let secs = daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + Math.min(sec, 59);
  const z = m[7] ?? 'Z';
  if (z.toUpperCase() !== 'Z') {
    const sign = z.startsWith('-') ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    secs -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
  }
  return secs;
}

export interface IcsDateTime {
  /** Floating seconds of the written wall clock (UTC wall clock when `utc`). */
  secs: number;
  dateOnly: boolean;
  utc: boolean;
}

const ICS_RE = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?(?:\.\d+)?(Z)?)?$/i;

/** Parses an iCalendar/vCard DATE or DATE-TIME value (lenient about separators and missing seconds). */
export function parseIcsDateTime(value: string, line: number | null = null): IcsDateTime {
  const m = ICS_RE.exec(value.trim());
  if (!m) throw new PimParseError('INVALID_DATE', `Invalid date/time value "${value.slice(0, 40)}"`, line);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d))
    throw new PimParseError('INVALID_DATE', `Invalid date "${value.slice(0, 40)}"`, line);
  const days = daysFromCivil(y, mo, d);
  if (m[4] === undefined) return { secs: days * DAY, dateOnly: true, utc: false };
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  // 24:00:00 shows up from some producers as "end of day"; anything else out of range is rejected.
  if (h > 24 || mi > 59 || sec > 60 || (h === 24 && (mi > 0 || sec > 0))) {
    throw new PimParseError('INVALID_DATE', `Invalid time in "${value.slice(0, 40)}"`, line);
  }
  return {
    secs: days * DAY + h * 3600 + mi * 60 + Math.min(sec, 59),
    dateOnly: false,
    utc: m[7] !== undefined,
  };
}

const DUR_RE = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/** RFC 5545 DURATION → signed seconds (days counted as 86400; callers apply it to wall clocks). */
export function parseDuration(value: string, line: number | null = null): number {
  const v = value.trim();
  const m = DUR_RE.exec(v);
  if (!m || v.endsWith('T') || /^[+-]?P$/i.test(v)) {
    throw new PimParseError('INVALID_DURATION', `Invalid duration "${value.slice(0, 40)}"`, line);
  }
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const secs = n(2) * 7 * DAY + n(3) * DAY + n(4) * 3600 + n(5) * 60 + n(6);
  return m[1] === '-' ? -secs : secs;
}

export function formatDuration(secs: number): string {
  if (secs === 0) return 'PT0S';
  const sign = secs < 0 ? '-' : '';
  let rest = Math.abs(secs);
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const h = Math.floor(rest / 3600);
  const mi = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  let out = `${sign}P${days ? `${days}D` : ''}`;
  if (h || mi || s) out += `T${h ? `${h}H` : ''}${mi ? `${mi}M` : ''}${s ? `${s}S` : ''}`;
  return out;
}

export function nowUtcSecs(): number {
  return Math.floor(Date.now() / 1000);
}
