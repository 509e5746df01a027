/**
 * Time helpers: Graph timestamp formats and dateTimeTimeZone <-> instant conversion.
 *
 * Graph accepts Windows zone names ("Pacific Standard Time") and IANA names in
 * dateTimeTimeZone and `Prefer: outlook.timezone`; Node's ICU only knows IANA, so a
 * small Windows->IANA table covers the common Windows names.
 */
import { badRequest, GraphError } from './response';

const WINDOWS_TO_IANA: Record<string, string> = {
  utc: 'UTC',
  'coordinated universal time': 'UTC',
  'tzone://microsoft/utc': 'UTC',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'w. europe standard time': 'Europe/Berlin',
  'central europe standard time': 'Europe/Budapest',
  'central european standard time': 'Europe/Warsaw',
  'romance standard time': 'Europe/Paris',
  'e. europe standard time': 'Europe/Chisinau',
  'fle standard time': 'Europe/Kyiv',
  'gtb standard time': 'Europe/Bucharest',
  'russian standard time': 'Europe/Moscow',
  'turkey standard time': 'Europe/Istanbul',
  'israel standard time': 'Asia/Jerusalem',
  'egypt standard time': 'Africa/Cairo',
  'south africa standard time': 'Africa/Johannesburg',
  'arabian standard time': 'Asia/Dubai',
  'pakistan standard time': 'Asia/Karachi',
  'india standard time': 'Asia/Kolkata',
  'se asia standard time': 'Asia/Bangkok',
  'singapore standard time': 'Asia/Singapore',
  'china standard time': 'Asia/Shanghai',
  'taipei standard time': 'Asia/Taipei',
  'tokyo standard time': 'Asia/Tokyo',
  'korea standard time': 'Asia/Seoul',
  'w. australia standard time': 'Australia/Perth',
  'cen. australia standard time': 'Australia/Adelaide',
  'e. australia standard time': 'Australia/Brisbane',
  'aus eastern standard time': 'Australia/Sydney',
  'new zealand standard time': 'Pacific/Auckland',
  'hawaiian standard time': 'Pacific/Honolulu',
  'alaskan standard time': 'America/Anchorage',
  'pacific standard time': 'America/Los_Angeles',
  'us mountain standard time': 'America/Phoenix',
  'mountain standard time': 'America/Denver',
  'central standard time': 'America/Chicago',
  'canada central standard time': 'America/Regina',
  'central america standard time': 'America/Guatemala',
  'eastern standard time': 'America/New_York',
  'sa pacific standard time': 'America/Bogota',
  'atlantic standard time': 'America/Halifax',
  'newfoundland standard time': 'America/St_Johns',
  'e. south america standard time': 'America/Sao_Paulo',
  'argentina standard time': 'America/Argentina/Buenos_Aires',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(iana: string): Intl.DateTimeFormat {
  let f = formatters.get(iana);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: iana,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(iana, f);
  }
  return f;
}

/** Maps a Graph time zone name (Windows or IANA) to an IANA zone, or null if unknown. */
export function resolveTimeZone(name: string): string | null {
  const mapped = WINDOWS_TO_IANA[name.trim().toLowerCase()];
  if (mapped) return mapped;
  try {
    return formatterFor(name).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Like resolveTimeZone but answers Graph's error for an unsupported zone. */
export function requireTimeZone(name: string): string {
  const tz = resolveTimeZone(name);
  if (!tz) {
    throw new GraphError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
    );
  }
  return tz;
}

/** Offset (ms) of `iana` from UTC at instant `utcMs`. */
export function offsetMs(iana: string, utcMs: number): number {
  if (iana === 'UTC' || iana === 'Etc/UTC') return 0;
  const base = Math.floor(utcMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(iana).formatToParts(new Date(base))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts['year'] ?? 1970,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return asUtc - base;
}

/** Wall-clock time (encoded as a UTC epoch of the wall fields) in `iana` -> instant. */
export function wallToUtc(wallMs: number, iana: string): number {
  const first = wallMs - offsetMs(iana, wallMs);
  return wallMs - offsetMs(iana, first);
}

export function utcToWall(utcMs: number, iana: string): number {
  return utcMs + offsetMs(iana, utcMs);
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/;
const ABSOLUTE_RE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses a zone-less "2024-05-01T09:30:00.0000000" into wall-clock ms, or null. */
export function parseWall(s: string): number | null {
  const m = WALL_RE.exec(s);
  if (!m) return null;
  const frac = (m[7] ?? '0').padEnd(3, '0').slice(0, 3);
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number(frac),
  );
}

/** Parses an ISO 8601 timestamp; zone-less values are taken as UTC (as Graph does for query parameters). */
export function parseInstant(s: string): number | null {
  if (ABSOLUTE_RE.test(s)) {
    const t = Date.parse(s.replace(/\.(\d{3})\d+/, '.$1'));
    return Number.isNaN(t) ? null : t;
  }
  return parseWall(s);
}

/** dateTimeTimeZone -> instant. */
export function dttzToUtc(v: { dateTime: string; timeZone: string }): number {
  if (ABSOLUTE_RE.test(v.dateTime)) {
    const t = parseInstant(v.dateTime);
    if (t === null)
      throw badRequest(`Cannot convert the literal '${v.dateTime}' to the expected type 'Edm.DateTime'.`);
    return t;
  }
  const wall = parseWall(v.dateTime);
  if (wall === null) {
    throw badRequest(`Cannot convert the literal '${v.dateTime}' to the expected type 'Edm.DateTime'.`);
  }
  return wallToUtc(wall, requireTimeZone(v.timeZone));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** "2024-05-01T09:30:00.0000000" (Graph's dateTimeTimeZone.dateTime format). */
export function formatWall(wallMs: number): string {
  const d = new Date(wallMs);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}0000`
  );
}

/** Instant -> dateTimeTimeZone in the zone named `tzName` (as the client spelled it). */
export function toDttz(utcMs: number, tzName: string): { dateTime: string; timeZone: string } {
  const iana = resolveTimeZone(tzName) ?? 'UTC';
  return { dateTime: formatWall(utcToWall(utcMs, iana)), timeZone: tzName };
}

/** Message timestamps: "2024-05-01T09:30:00Z" (Graph drops fractional seconds here). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Event/contact timestamps: "2024-05-01T09:30:00.1230000Z" (7 fractional digits). */
export function iso7(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '0000Z');
}

// Calendar-date arithmetic for recurrence (day numbers are days since 1970-01-01).
export const DAY_MS = 86_400_000;

export function dayNumber(y: number, m0: number, d: number): number {
  return Math.floor(Date.UTC(y, m0, d) / DAY_MS);
}

export function fromDayNumber(n: number): { y: number; m0: number; d: number; dow: number } {
  const dt = new Date(n * DAY_MS);
  return { y: dt.getUTCFullYear(), m0: dt.getUTCMonth(), d: dt.getUTCDate(), dow: dt.getUTCDay() };
}

export function parseDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  return dayNumber(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function formatDate(day: number): string {
  const { y, m0, d } = fromDayNumber(day);
  return `${y}-${pad(m0 + 1)}-${pad(d)}`;
}

export function daysInMonth(y: number, m0: number): number {
  return new Date(Date.UTC(y, m0 + 1, 0)).getUTCDate();
}
