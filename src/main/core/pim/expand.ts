// Recurrence expansion: the rule is evaluated on the event's own wall clock (so 09:00 stays 09:00 across
// DST), then each instance is placed on the UTC time line with the event's IANA zone.
import {
  DAY,
  formatDate,
  formatLocal,
  formatUtc,
  parseIcsDateTime,
  parseUtcIso,
  parseWallClock,
} from './datetime';
import { PimParseError } from './errors';
import { parseRRule, recurrenceInstances, type RecurRule } from './rrule';
import { isKnownTimeZone, isUtcAlias, utcToZonedSecs, zonedSecsToUtc } from './timezone';
import type { EventData, ExpandOptions, Occurrence } from './types';

const DEFAULT_MAX = 5000;

interface Instance {
  startUtc: number;
  endUtc: number;
  startLocal: string;
  endLocal: string;
}

function zoneOf(e: EventData, floatZone: string): string {
  if (e.timeZone === 'floating') return floatZone;
  if (isUtcAlias(e.timeZone)) return 'UTC';
  // Unknown zones are treated like floating times rather than failing a whole calendar view.
  return isKnownTimeZone(e.timeZone) ? e.timeZone : floatZone;
}

function wall(v: string, what: string, uid: string): { secs: number; dateOnly: boolean } {
  const w = parseWallClock(v);
  if (!w)
    throw new PimParseError('INVALID_DATA', `Event ${uid}: ${what} "${v}" is not a valid wall-clock value`);
  return w;
}

/** Instance starting at floating `local` in `zone`; `length` is days×DAY for all-day, exact seconds otherwise. */
function instance(
  local: number,
  length: number,
  allDay: boolean,
  zone: string,
  knownUtc: number | null = null,
): Instance {
  if (allDay) {
    const day = Math.floor(local / DAY);
    const days = Math.max(1, Math.round(length / DAY));
    return {
      startUtc: zonedSecsToUtc(day * DAY, zone),
      endUtc: zonedSecsToUtc((day + days) * DAY, zone),
      startLocal: formatDate(day),
      endLocal: formatDate(day + days),
    };
  }
  const startUtc = knownUtc ?? zonedSecsToUtc(local, zone);
  const endUtc = startUtc + length;
  return {
    startUtc,
    endUtc,
    startLocal: formatLocal(local),
    endLocal: formatLocal(zone === 'UTC' ? local + length : utcToZonedSecs(endUtc, zone)),
  };
}

function overlaps(i: Instance, from: number, to: number): boolean {
  if (i.endUtc <= i.startUtc) return i.startUtc >= from && i.startUtc < to;
  return i.startUtc < to && i.endUtc > from;
}

/** Event length: nominal days for all-day events, exact seconds between DTSTART and DTEND otherwise. */
function lengthOf(e: EventData, zone: string): number {
  const s = wall(e.start, 'start', e.uid);
  const en = wall(e.end, 'end', e.uid);
  if (e.allDay) return Math.max(DAY, en.secs - s.secs);
  return Math.max(0, zonedSecsToUtc(en.secs, zone) - zonedSecsToUtc(s.secs, zone));
}

function untilFloating(rule: RecurRule, allDay: boolean, zone: string): number | null {
  if (!rule.until) return null;
  try {
    const u = parseIcsDateTime(rule.until);
    if (u.dateOnly) return allDay ? u.secs : u.secs + DAY - 1;
    if (!u.utc) return u.secs;
    return zone === 'UTC' ? u.secs : utcToZonedSecs(u.secs, zone);
  } catch {
    return null;
  }
}

function* mergeAscending(a: Iterator<number>, b: number[]): Generator<number, void, undefined> {
  let bi = 0;
  let next = a.next();
  let last = Number.NEGATIVE_INFINITY;
  for (;;) {
    const bv = b[bi];
    let v: number;
    if (!next.done && (bv === undefined || next.value <= bv)) {
      v = next.value;
      next = a.next();
    } else if (bv !== undefined) {
      v = bv;
      bi++;
    } else {
      return;
    }
    if (v !== last) yield v;
    last = v;
  }
}

function expandSeries(
  events: EventData[],
  from: number,
  to: number,
  floatZone: string,
  max: number,
  includeCancelled: boolean,
  out: Occurrence[],
): void {
  const master = events.find((e) => e.recurrenceId === null) ?? null;
  const overrides = events.filter((e) => e.recurrenceId !== null);
  const masterZone = master ? zoneOf(master, floatZone) : floatZone;
  const masterAllDay = master?.allDay ?? false;

  // EXDATEs and override slots, keyed by UTC instant (timed) or by day (dates).
  const exUtc = new Set<number>();
  const exDays = new Set<number>();
  if (master) {
    for (const x of master.exdates) {
      const w = parseWallClock(x);
      if (!w) continue;
      if (w.dateOnly || masterAllDay) exDays.add(Math.floor(w.secs / DAY));
      else exUtc.add(zonedSecsToUtc(w.secs, masterZone));
    }
  }
  const excluded = (utc: number | null, day: number): boolean =>
    exDays.has(day) || (utc !== null && exUtc.has(utc));

  const ovUtc = new Set<number>();
  const ovDays = new Set<number>();
  for (const o of overrides) {
    const w = wall(o.recurrenceId ?? '', 'recurrenceId', o.uid);
    const oz = o.timeZone === 'floating' && master ? masterZone : zoneOf(o, floatZone);
    const ridUtc = w.dateOnly || masterAllDay ? null : zonedSecsToUtc(w.secs, oz);
    const day =
      ridUtc === null ? Math.floor(w.secs / DAY) : Math.floor(utcToZonedSecs(ridUtc, masterZone) / DAY);
    if (ridUtc === null) ovDays.add(day);
    else ovUtc.add(ridUtc);
    if (master && excluded(ridUtc, day)) continue; // EXDATE wins over an override of the same slot
    if (o.status === 'cancelled' && !includeCancelled) continue;
    const zone = zoneOf(o, floatZone);
    const inst = instance(wall(o.start, 'start', o.uid).secs, lengthOf(o, zone), o.allDay, zone);
    if (!overlaps(inst, from, to)) continue;
    out.push({
      uid: o.uid,
      recurrenceId: o.recurrenceId,
      start: formatUtc(inst.startUtc),
      end: formatUtc(inst.endUtc),
      startLocal: inst.startLocal,
      endLocal: inst.endLocal,
      timeZone: o.timeZone,
      allDay: o.allDay,
      isException: true,
      data: o,
    });
  }

  if (!master) return;
  if (master.status === 'cancelled' && !includeCancelled) return;
  const zone = masterZone;
  const dtstart = wall(master.start, 'start', master.uid);
  const start = masterAllDay ? Math.floor(dtstart.secs / DAY) * DAY : dtstart.secs;
  const length = lengthOf(master, zone);

  let rule: RecurRule | null = null;
  if (master.rrule) {
    try {
      rule = parseRRule(master.rrule);
    } catch {
      rule = null; // An unusable rule leaves the event as a single instance.
    }
  }
  const recurring = rule !== null || master.rdates.length > 0;
  const toLocal = (utc: number): number => (zone === 'UTC' ? utc : utcToZonedSecs(utc, zone));
  const fromLocal = toLocal(from) - 2 * DAY;
  const stopAfter = toLocal(to) + 2 * DAY;
  const tod = start - Math.floor(start / DAY) * DAY;
  const rdates = master.rdates
    .map((r) => parseWallClock(r))
    .filter((w): w is NonNullable<typeof w> => w !== null)
    .map((w) => (masterAllDay ? Math.floor(w.secs / DAY) * DAY : w.dateOnly ? w.secs + tod : w.secs))
    .filter((t) => t <= stopAfter)
    .sort((a, b) => a - b);
  const ruleIter: Iterator<number> = rule
    ? recurrenceInstances(rule, {
        dtstart: start,
        allDay: masterAllDay,
        until: untilFloating(rule, masterAllDay, zone),
        stopAfter,
      })
    : [start][Symbol.iterator]();

  let produced = 0;
  for (const local of mergeAscending(ruleIter, rdates)) {
    if (local + length < fromLocal) continue;
    const day = Math.floor(local / DAY);
    const utc = masterAllDay ? null : zonedSecsToUtc(local, zone);
    if (recurring && excluded(utc, day)) continue;
    if (masterAllDay ? ovDays.has(day) : (utc !== null && ovUtc.has(utc)) || ovDays.has(day)) continue;
    const inst = instance(local, length, masterAllDay, zone, utc);
    if (!overlaps(inst, from, to)) continue;
    out.push({
      uid: master.uid,
      recurrenceId: recurring ? (masterAllDay ? formatDate(day) : formatLocal(local)) : null,
      start: formatUtc(inst.startUtc),
      end: formatUtc(inst.endUtc),
      startLocal: inst.startLocal,
      endLocal: inst.endLocal,
      timeZone: master.timeZone,
      allDay: masterAllDay,
      isException: false,
      data: master,
    });
    if (++produced >= max) break;
  }
}

/**
 * Occurrences of one or more series (a master plus its RECURRENCE-ID overrides, grouped by uid) that
 * overlap [rangeStartUtc, rangeEndUtc), sorted by start.
 */
export function expandOccurrences(
  series: EventData[],
  rangeStartUtc: string,
  rangeEndUtc: string,
  opts: ExpandOptions = {},
): Occurrence[] {
  const from = parseUtcIso(rangeStartUtc);
  const to = parseUtcIso(rangeEndUtc);
  if (from === null || to === null) {
    throw new PimParseError(
      'INVALID_DATA',
      `Invalid range "${rangeStartUtc}" – "${rangeEndUtc}" (UTC ISO expected)`,
    );
  }
  const max = Math.max(1, Math.floor(opts.maxOccurrences ?? DEFAULT_MAX));
  const fz = opts.floatingTimeZone ?? 'UTC';
  const floatZone = fz === 'floating' || isUtcAlias(fz) || !isKnownTimeZone(fz) ? 'UTC' : fz;
  if (to <= from) return [];

  const groups = new Map<string, EventData[]>();
  for (const e of series) {
    const g = groups.get(e.uid);
    if (g) g.push(e);
    else groups.set(e.uid, [e]);
  }
  const out: Occurrence[] = [];
  for (const events of groups.values()) {
    expandSeries(events, from, to, floatZone, max, opts.includeCancelled ?? false, out);
  }
  out.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0,
  );
  return out.length > max ? out.slice(0, max) : out;
}
