// Date helpers for the calendar views. Views are laid out in the browser's own zone; events keep their wall
// clock in their own zone (`start`/`end`), which these helpers shift without converting.
import type { Occurrence } from '../../shared/types';

export const DAY_MS = 86_400_000;
export const userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export type CalendarMode = 'day' | 'workweek' | 'week' | 'month' | 'agenda';

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Adds calendar days (not 24-hour steps), so days stay at midnight across DST changes. */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, d.getHours(), d.getMinutes());
}

export function startOfWeek(d: Date): Date {
  const s = startOfDay(d);
  return addDays(s, -((s.getDay() + 6) % 7));
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** The days a view shows, from its anchor date. */
export function daysOf(mode: CalendarMode, anchor: Date): Date[] {
  if (mode === 'day') return [startOfDay(anchor)];
  if (mode === 'workweek') return Array.from({ length: 5 }, (_, i) => addDays(startOfWeek(anchor), i));
  if (mode === 'week') return Array.from({ length: 7 }, (_, i) => addDays(startOfWeek(anchor), i));
  if (mode === 'agenda') return Array.from({ length: 30 }, (_, i) => addDays(startOfDay(anchor), i));
  const first = new Date(anchor.getFullYear(), anchor.getMonth(), 1);
  const gridStart = startOfWeek(first);
  return Array.from({ length: 42 }, (_, i) => addDays(gridStart, i));
}

/** The anchor one period later (`step` 1) or earlier (-1). */
export function stepAnchor(mode: CalendarMode, anchor: Date, step: number): Date {
  if (mode === 'day') return addDays(anchor, step);
  if (mode === 'workweek' || mode === 'week') return addDays(anchor, 7 * step);
  if (mode === 'agenda') return addDays(anchor, 30 * step);
  return new Date(anchor.getFullYear(), anchor.getMonth() + step, 1);
}

export function titleOf(mode: CalendarMode, anchor: Date): string {
  if (mode === 'day') return anchor.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  if (mode === 'month') return anchor.toLocaleDateString([], { month: 'long', year: 'numeric' });
  const days = daysOf(mode, anchor);
  const first = days[0]!;
  const last = days[days.length - 1]!;
  return `${first.toLocaleDateString([], { day: 'numeric', month: 'short' })} – ${last.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DDTHH:mm" of a Date in the browser's zone (for datetime-local inputs). */
export function localInputValue(d: Date): string {
  return `${dateValue(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function dateValue(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function naiveMs(local: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(local) ? `${local}T00:00:00Z` : `${local.length === 16 ? `${local}:00` : local}Z`);
}

/** A wall clock (or date) moved by a number of milliseconds, keeping its form. */
export function shiftLocal(local: string, deltaMs: number): string {
  const moved = new Date(naiveMs(local) + deltaMs).toISOString();
  return /^\d{4}-\d{2}-\d{2}$/.test(local) ? moved.slice(0, 10) : moved.slice(0, 19);
}

/** The occurrence's own wall-clock start and end, in its event's zone. */
export function occurrenceLocal(o: Occurrence): { start: string; end: string } {
  if (!o.recurrenceId || o.event.recurrenceId) return { start: o.event.start, end: o.event.end };
  const delta = naiveMs(o.recurrenceId) - naiveMs(o.event.start);
  return { start: o.recurrenceId, end: shiftLocal(o.event.end, delta) };
}

/** Is this occurrence part of a recurring series (so edits need a scope)? */
export function isRecurring(o: Occurrence): boolean {
  return o.recurrenceId !== null;
}

export function occurrenceKey(o: Occurrence): string {
  return `${o.eventId}|${o.recurrenceId ?? ''}|${o.startUtc}`;
}

export function timeLabel(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function allZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
    return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    return ['UTC', userZone];
  }
}
