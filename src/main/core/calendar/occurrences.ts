// Wall-clock arithmetic for editing one slot of a series. Times are the store's forms: "YYYY-MM-DDTHH:mm:ss"
// in the event's zone, or "YYYY-MM-DD" for all-day events.
import { utcToZonedWallClock, zonedWallClockToUtc } from '../pim';

const DAY_MS = 86_400_000;

export function isDateOnly(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}

/** Seconds added when the input has only hours and minutes. */
export function fullLocal(s: string): string {
  return s.length === 16 ? `${s}:00` : s;
}

/** The instant a wall-clock value (or date) stands for; floating and all-day values are read as UTC. */
export function instantMs(local: string, timeZone: string): number {
  if (isDateOnly(local)) return Date.parse(`${local}T00:00:00Z`);
  if (timeZone === 'floating') return Date.parse(`${fullLocal(local)}Z`);
  return Date.parse(zonedWallClockToUtc(fullLocal(local), timeZone));
}

/** The wall clock (or date, when `dateOnly`) of an instant in `timeZone`. */
export function wallClockAt(ms: number, timeZone: string, dateOnly: boolean): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (dateOnly) return iso.slice(0, 10);
  if (timeZone === 'floating') return iso.slice(0, 19);
  return utcToZonedWallClock(iso, timeZone);
}

/** Naive (zone-free) milliseconds of a wall clock, for "how far did the user move it" deltas. */
export function naiveMs(local: string): number {
  return Date.parse(isDateOnly(local) ? `${local}T00:00:00Z` : `${fullLocal(local)}Z`);
}

/** `local` moved by a naive wall-clock delta, keeping its form (date or date-time). */
export function shiftWallClock(local: string, deltaMs: number): string {
  const moved = new Date(naiveMs(local) + deltaMs).toISOString();
  return isDateOnly(local) ? moved.slice(0, 10) : moved.slice(0, 19);
}

/**
 * The end of the slot that starts at `slotStart`, with the series' duration. Timed events keep their exact
 * length across DST changes (as RFC 5545 says for DTEND/DURATION); all-day events keep their day count.
 */
export function slotEnd(master: { start: string; end: string; timeZone: string; allDay: boolean }, slotStart: string): string {
  if (master.allDay || isDateOnly(slotStart)) {
    const days = Math.round((naiveMs(master.end) - naiveMs(master.start)) / DAY_MS);
    return shiftWallClock(slotStart.slice(0, 10), days * DAY_MS);
  }
  const duration = instantMs(master.end, master.timeZone) - instantMs(master.start, master.timeZone);
  return wallClockAt(instantMs(slotStart, master.timeZone) + duration, master.timeZone, false);
}

/** RRULE ending just before `slotStart` (UNTIL replaces COUNT/UNTIL), in the form RFC 5545 requires for DTSTART's type. */
export function rruleEndingBefore(rrule: string, master: { timeZone: string; allDay: boolean }, slotStart: string): string {
  const parts = rrule.split(';').filter((p) => p && !/^(COUNT|UNTIL)=/i.test(p));
  let until: string;
  if (master.allDay || isDateOnly(slotStart)) {
    until = shiftWallClock(slotStart.slice(0, 10), -DAY_MS).replace(/-/g, '');
  } else if (master.timeZone === 'floating') {
    until = shiftWallClock(slotStart, -1000).replace(/[-:]/g, '');
  } else {
    // With a TZID DTSTART, UNTIL must be UTC.
    until = new Date(instantMs(slotStart, master.timeZone) - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  }
  return [...parts, `UNTIL=${until}`].join(';');
}

/** COUNT of an RRULE, if it has one. */
export function rruleCount(rrule: string): number | null {
  const m = /(?:^|;)COUNT=(\d+)/i.exec(rrule);
  return m ? Number(m[1]) : null;
}

export function withCount(rrule: string, count: number): string {
  return rrule.replace(/(^|;)COUNT=\d+/i, `$1COUNT=${count}`);
}

/** Recurrence ids compare as wall clocks of the same zone: later slots sort later. */
export function slotAtOrAfter(recurrenceId: string, slotStart: string): boolean {
  return naiveMs(recurrenceId) >= naiveMs(slotStart);
}
