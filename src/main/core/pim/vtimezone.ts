// VTIMEZONE support: resolving TZID strings to IANA zones, evaluating VTIMEZONE definitions, and
// generating VTIMEZONE blocks from the IANA rules Intl exposes.
import {
  type ContentComponent,
  children,
  firstProp,
  getParam,
  makeComponent,
  makeProperty,
  parseContent,
  props,
  type ContentProperty,
} from './contentline';
import {
  DAY,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  formatIcsLocal,
  parseIcsDateTime,
  weekdayOf,
} from './datetime';
import { parseRRule, recurrenceInstances, WEEKDAYS } from './rrule';
import { allTimeZones, isKnownTimeZone, isUtcAlias, offsetAt, zoneAbbreviation } from './timezone';
import { WINDOWS_ZONES, windowsToIana } from './windowszones';

// ---------------------------------------------------------------- offsets

export function parseUtcOffset(v: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(v.trim());
  if (!m) return null;
  const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

export function formatUtcOffset(secs: number): string {
  const sign = secs < 0 ? '-' : '+';
  const a = Math.abs(secs);
  const p = (n: number): string => String(n).padStart(2, '0');
  const base = `${sign}${p(Math.floor(a / 3600))}${p(Math.floor((a % 3600) / 60))}`;
  return a % 60 ? base + p(a % 60) : base;
}

// ---------------------------------------------------------------- evaluating a VTIMEZONE

export interface ZoneOnsets {
  /** Sorted by instant. */
  onsets: { utc: number; offset: number }[];
  /** Offset before the first onset. */
  initial: number;
}

/** Expands a VTIMEZONE's STANDARD/DAYLIGHT onsets up to the end of `toYear`. */
export function evaluateVTimezone(tz: ContentComponent, toYear: number): ZoneOnsets | null {
  const onsets: { utc: number; offset: number }[] = [];
  let earliest: { utc: number; from: number } | null = null;
  const stop = daysFromCivil(toYear + 1, 1, 1) * DAY;
  for (const sub of tz.items) {
    if (sub.kind !== 'component' || (sub.name !== 'STANDARD' && sub.name !== 'DAYLIGHT')) continue;
    const dtProp = firstProp(sub, 'DTSTART');
    const fromProp = firstProp(sub, 'TZOFFSETFROM');
    const toProp = firstProp(sub, 'TZOFFSETTO');
    if (!dtProp || !toProp) continue;
    const to = parseUtcOffset(toProp.value);
    const from = fromProp ? (parseUtcOffset(fromProp.value) ?? to) : to;
    if (to === null || from === null) continue;
    let start: number;
    try {
      start = parseIcsDateTime(dtProp.value).secs;
    } catch {
      continue;
    }
    const add = (local: number): void => {
      const utc = local - from;
      onsets.push({ utc, offset: to });
      if (!earliest || utc < earliest.utc) earliest = { utc, from };
    };
    const rrule = firstProp(sub, 'RRULE');
    if (rrule) {
      try {
        const rule = parseRRule(rrule.value);
        let until: number | null = null;
        if (rule.until) {
          const u = parseIcsDateTime(rule.until);
          until = u.dateOnly ? u.secs + DAY - 1 : u.utc ? u.secs + from : u.secs;
        }
        for (const t of recurrenceInstances(rule, { dtstart: start, allDay: false, until, stopAfter: stop }))
          add(t);
      } catch {
        add(start);
      }
    } else {
      add(start);
    }
    for (const rd of props(sub, 'RDATE')) {
      for (const v of rd.value.split(',')) {
        try {
          const p = parseIcsDateTime(v.split('/')[0] ?? v);
          if (p.utc) onsets.push({ utc: p.secs, offset: to });
          else add(p.secs);
        } catch {
          // An unreadable RDATE only loses that one onset.
        }
      }
    }
  }
  if (!onsets.length) return null;
  onsets.sort((a, b) => a.utc - b.utc);
  const first = earliest as { utc: number; from: number } | null;
  return { onsets, initial: first ? first.from : (onsets[0]?.offset ?? 0) };
}

export function onsetOffsetAt(z: ZoneOnsets, utc: number): number {
  let lo = 0;
  let hi = z.onsets.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((z.onsets[mid]?.utc ?? 0) <= utc) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? z.initial : (z.onsets[found]?.offset ?? z.initial);
}

// ---------------------------------------------------------------- TZID resolution

export interface TzContext {
  /** VTIMEZONE components of the file by TZID. */
  vtimezones: Map<string, ContentComponent>;
  cache: Map<string, string | null>;
}

export function makeTzContext(vtimezones: Iterable<ContentComponent> = []): TzContext {
  const map = new Map<string, ContentComponent>();
  for (const c of vtimezones) {
    const id = firstProp(c, 'TZID')?.value.trim();
    if (id) map.set(id, c);
  }
  return { vtimezones: map, cache: new Map() };
}

export function tzContextFromBlocks(blocks: string[]): TzContext {
  const comps: ContentComponent[] = [];
  for (const b of blocks) {
    try {
      for (const c of parseContent(b)) {
        if (c.name === 'VTIMEZONE') comps.push(c);
        else comps.push(...children(c, 'VTIMEZONE'));
      }
    } catch {
      // A broken VTIMEZONE block is ignored; its TZID then resolves by name only.
    }
  }
  return makeTzContext(comps);
}

const PREFERRED = new Set(Object.values(WINDOWS_ZONES));

/** Finds an IANA zone whose offsets match the VTIMEZONE around `refYear` (for custom/unknown TZIDs). */
function matchVTimezone(tzid: string, comp: ContentComponent, refYear: number): string | null {
  const rules = evaluateVTimezone(comp, refYear + 1);
  if (!rules) return null;
  const samples: number[] = [];
  for (let y = refYear - 1; y <= refYear + 1; y++) {
    for (let m = 1; m <= 12; m++) {
      samples.push(daysFromCivil(y, m, 1) * DAY + 43200, daysFromCivil(y, m, 15) * DAY + 43200);
    }
  }
  const lo = daysFromCivil(refYear - 1, 1, 1) * DAY;
  const hi = daysFromCivil(refYear + 2, 1, 1) * DAY;
  for (const o of rules.onsets) if (o.utc > lo && o.utc < hi) samples.push(o.utc - 7200, o.utc + 7200);
  const expected = samples.map((t) => onsetOffsetAt(rules, t));
  const quick = [0, 12].filter((i) => i < samples.length);
  const hint = tzid.toLowerCase().replace(/[_\s]+/g, ' ');
  const candidates = allTimeZones().filter((zone) => {
    if (zone.startsWith('Etc/') && !/^Etc\/GMT[+-]\d+$/.test(zone)) return false;
    for (const i of quick) if (offsetAt(zone, samples[i] ?? 0) !== expected[i]) return false;
    return samples.every((t, i) => offsetAt(zone, t) === expected[i]);
  });
  if (!candidates.length) return null;
  const city = (zone: string): string => (zone.split('/').pop() ?? zone).toLowerCase().replace(/_/g, ' ');
  return (
    candidates.find((z) => hint.includes(city(z))) ??
    candidates.find((z) => PREFERRED.has(z) && !z.startsWith('Etc/')) ??
    candidates.find((z) => !z.startsWith('Etc/')) ??
    candidates[0] ??
    null
  );
}

/**
 * TZID → IANA id (or "UTC"), trying in order: the name itself, the VTIMEZONE's X-LIC-LOCATION, an
 * IANA-looking suffix (Lightning's "/mozilla.org/20050126_1/Europe/Berlin"), Windows names, and finally
 * matching the VTIMEZONE's actual offsets against every IANA zone. Null when nothing fits.
 */
export function resolveTzid(tzid: string, ctx: TzContext, refYear: number): string | null {
  const key = tzid.trim();
  const cached = ctx.cache.get(key);
  if (cached !== undefined) return cached;
  const result = resolveUncached(key, ctx, refYear);
  ctx.cache.set(key, result);
  return result;
}

function resolveUncached(tzid: string, ctx: TzContext, refYear: number): string | null {
  if (!tzid) return null;
  if (isUtcAlias(tzid)) return 'UTC';
  const comp = ctx.vtimezones.get(tzid);
  if (/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/.test(tzid) && isKnownTimeZone(tzid)) return tzid;
  const lic = comp ? firstProp(comp, 'X-LIC-LOCATION')?.value.trim() : undefined;
  if (lic && isKnownTimeZone(lic)) return isUtcAlias(lic) ? 'UTC' : lic;
  const segs = tzid.split('/').filter(Boolean);
  for (let n = Math.min(3, segs.length); n >= 2; n--) {
    const cand = segs.slice(-n).join('/');
    if (/^[A-Za-z]/.test(cand) && isKnownTimeZone(cand)) return cand;
  }
  const win = windowsToIana(tzid.replace(/^\(?(?:UTC|GMT)[^)]*\)\s*/i, ''));
  if (win) return win;
  if (comp) {
    const matched = matchVTimezone(tzid, comp, refYear);
    if (matched) return matched;
  }
  // Names like "EST5EDT" or "Europe/Kiev" that Intl knows but that failed the IANA shape test above.
  if (isKnownTimeZone(tzid) && !/\s/.test(tzid)) return tzid;
  return null;
}

// ---------------------------------------------------------------- generation from Intl

interface Transition {
  utc: number;
  from: number;
  to: number;
}

function findTransitions(tz: string, startUtc: number, endUtc: number): Transition[] {
  const out: Transition[] = [];
  let t = startUtc;
  let off = offsetAt(tz, t);
  while (t < endUtc) {
    const t2 = Math.min(t + DAY, endUtc);
    const off2 = offsetAt(tz, t2);
    if (off2 === off) {
      t = t2;
      continue;
    }
    let lo = t;
    let hi = t2;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(tz, mid) === off) lo = mid;
      else hi = mid;
    }
    const to = offsetAt(tz, hi);
    out.push({ utc: hi, from: off, to });
    t = hi;
    off = to;
  }
  return out;
}

interface TransitionInfo extends Transition {
  local: number;
  year: number;
  month: number;
  day: number;
  tod: number;
  wd: number;
  key: string;
  descriptors: Set<string>;
}

function describe(tr: Transition): TransitionInfo {
  const local = tr.utc + tr.from;
  const days = Math.floor(local / DAY);
  const [year, month, day] = civilFromDays(days);
  const tod = local - days * DAY;
  const wd = weekdayOf(days);
  const dim = daysInMonth(year, month);
  const descriptors = new Set<string>();
  const nth = Math.ceil(day / 7);
  if (nth <= 4) descriptors.add(`n:${nth}:${wd}`);
  if (day > dim - 7) descriptors.add(`l:${wd}`);
  descriptors.add(`f:${day}`);
  for (let d0 = Math.max(1, day - 6); d0 <= day; d0++) descriptors.add(`g:${d0}:${wd}`);
  return { ...tr, local, year, month, day, tod, wd, key: `${tr.from}|${tr.to}|${month}|${tod}`, descriptors };
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

function descriptorToRRule(month: number, descriptors: Set<string>): string {
  const list = [...descriptors];
  const pick = (prefix: string): string | undefined => list.filter((d) => d.startsWith(prefix)).sort()[0];
  const d = pick('n:') ?? pick('l:') ?? pick('f:') ?? pick('g:') ?? `f:1`;
  const parts = d.split(':');
  const base = `FREQ=YEARLY;BYMONTH=${month}`;
  switch (parts[0]) {
    case 'n':
      return `${base};BYDAY=${parts[1]}${WEEKDAYS[Number(parts[2])]}`;
    case 'l':
      return `${base};BYDAY=-1${WEEKDAYS[Number(parts[1])]}`;
    case 'f':
      return `${base};BYMONTHDAY=${parts[1]}`;
    default: {
      const d0 = Number(parts[1]);
      const days = Array.from({ length: 7 }, (_v, i) => d0 + i).filter((x) => x <= 31);
      return `${base};BYDAY=${WEEKDAYS[Number(parts[2])]};BYMONTHDAY=${days.join(',')}`;
    }
  }
}

/** Index where the trailing run of transitions that follows a fixed yearly two-rule pattern starts. */
function regularSuffix(infos: TransitionInfo[]): { start: number; desc: Map<string, Set<string>> } | null {
  const n = infos.length;
  if (n < 4) return null;
  const a = infos[n - 1];
  const b = infos[n - 2];
  if (!a || !b || a.key === b.key) return null;
  const desc = new Map<string, Set<string>>([
    [a.key, a.descriptors],
    [b.key, b.descriptors],
  ]);
  let start = n - 2;
  for (let j = n - 3; j >= 0; j--) {
    const cur = infos[j];
    const next2 = infos[j + 2];
    if (!cur || !next2 || cur.key !== next2.key || cur.year !== next2.year - 1) break;
    const merged = intersect(desc.get(cur.key) ?? new Set(), cur.descriptors);
    if (!merged.size) break;
    desc.set(cur.key, merged);
    start = j;
  }
  return n - start >= 4 ? { start, desc } : null;
}

const generated = new Map<string, ContentComponent>();

/**
 * Builds a VTIMEZONE named `tzid` carrying the rules of IANA zone `iana` for instants from `fromYear`
 * on. The current (yearly) DST rule is emitted as RRULEs, older irregular transitions as explicit onsets.
 */
export function generateVTimezone(
  tzid: string,
  iana: string,
  fromYear: number,
  toYear: number,
): ContentComponent {
  const startYear = Math.max(1970, Math.min(fromYear, 9990));
  const scanEndYear = Math.min(9999, Math.max(2037, toYear + 2));
  const cacheKey = `${tzid}|${iana}|${startYear}|${scanEndYear}`;
  const hit = generated.get(cacheKey);
  if (hit) return structuredClone(hit);
  if (generated.size > 2000) generated.clear();

  const zone = isUtcAlias(iana) ? 'UTC' : iana;
  // Scan from a year earlier so the observance in force on Jan 1 of `fromYear` has an onset.
  const scanStartYear = startYear - 1;
  const startUtc = daysFromCivil(scanStartYear, 1, 1) * DAY;
  const endUtc = daysFromCivil(scanEndYear + 1, 1, 1) * DAY;
  const transitions = zone === 'UTC' ? [] : findTransitions(zone, startUtc, endUtc);
  const infos = transitions.map(describe);

  const items: ContentComponent['items'] = [makeProperty('TZID', tzid)];
  if (zone !== 'UTC' && zone !== tzid) items.push(makeProperty('X-LIC-LOCATION', zone));
  const observance = (
    kind: 'STANDARD' | 'DAYLIGHT',
    from: number,
    to: number,
    name: string | null,
    dtstart: number,
    extra: ContentProperty[],
  ): ContentComponent =>
    makeComponent(kind, [
      makeProperty('TZOFFSETFROM', formatUtcOffset(from)),
      makeProperty('TZOFFSETTO', formatUtcOffset(to)),
      ...(name ? [makeProperty('TZNAME', name)] : []),
      makeProperty('DTSTART', formatIcsLocal(dtstart)),
      ...extra,
    ]);

  const standardOffset = (year: number): number => {
    const jan = daysFromCivil(year, 1, 1) * DAY;
    const jul = daysFromCivil(year, 7, 1) * DAY;
    return Math.min(offsetAt(zone, jan), offsetAt(zone, jul));
  };

  const first = infos[0];
  if (!first || first.year > scanStartYear) {
    // No transition early in the window: anchor the offset in force at its start.
    const off = offsetAt(zone, startUtc);
    items.push(observance('STANDARD', off, off, zoneAbbreviation(zone, startUtc), startUtc + off, []));
  }

  const suffix = regularSuffix(infos);
  const historic = suffix ? infos.slice(0, suffix.start) : infos;
  // Irregular history: one observance per onset. RDATE lists would be more compact, but consumers
  // handle RDATE inside VTIMEZONE unevenly (ical.js got it wrong in our tests).
  for (const t of historic) {
    const isDst = t.to > standardOffset(t.year);
    items.push(
      observance(isDst ? 'DAYLIGHT' : 'STANDARD', t.from, t.to, zoneAbbreviation(zone, t.utc), t.local, []),
    );
  }
  if (suffix) {
    const tail = infos.slice(suffix.start);
    const maxTo = Math.max(...tail.map((t) => t.to));
    const seen = new Set<string>();
    for (const t of tail) {
      if (seen.has(t.key)) continue;
      seen.add(t.key);
      const rrule = descriptorToRRule(t.month, suffix.desc.get(t.key) ?? t.descriptors);
      items.push(
        observance(
          t.to === maxTo ? 'DAYLIGHT' : 'STANDARD',
          t.from,
          t.to,
          zoneAbbreviation(zone, t.utc),
          t.local,
          [makeProperty('RRULE', rrule)],
        ),
      );
    }
  }
  const comp = makeComponent('VTIMEZONE', items);
  generated.set(cacheKey, comp);
  return structuredClone(comp);
}

/** TZID parameter of a property, trimmed, or null. */
export function tzidOf(p: ContentProperty): string | null {
  const v = getParam(p, 'TZID');
  return v === null || !v.trim() ? null : v.trim();
}
