import { EventInput, type Occurrence, type TaskInfo } from '../../../shared/types';
import type { CoreEvents } from '../events';
import { expandOccurrences, zonedWallClockToUtc, type Occurrence as PimOccurrence } from '../pim';
import type { Store, StoredEvent } from '../store';
import type { TaskQueue } from '../tasks/queue';
import { badRequest, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';
import { eventColumns, eventToData } from './columns';
import { parseICalendar, type ParsedEvent } from '../pim';
import { exportEvents, sequenceOf, splitByUid, withSequence } from './ics';
import {
  fullLocal,
  instantMs,
  naiveMs,
  rruleCount,
  rruleEndingBefore,
  shiftWallClock,
  slotAtOrAfter,
  slotEnd,
  withCount,
} from './occurrences';

/** Which part of a series an edit or delete applies to. */
export type OccurrenceScope = 'one' | 'following' | 'all';

export interface ImportIcsResult {
  created: number;
  updated: number;
  /** Problems the parser repaired or components it dropped, one line each. */
  issues: string[];
  eventIds: string[];
}

/** Far future for series without an end, so range queries include them. */
const OPEN_END = 8_640_000_000_000_000;
const DAY_MS = 86_400_000;

function toUtcMs(local: string, timeZone: string, allDay: boolean): number {
  if (allDay || /^\d{4}-\d{2}-\d{2}$/.test(local)) {
    // All-day dates are floating: they cover that date wherever the user is.
    return Date.parse(`${local.slice(0, 10)}T00:00:00Z`);
  }
  return Date.parse(zonedWallClockToUtc(local.length === 16 ? `${local}:00` : local, timeZone));
}


/** Fills the derived UTC columns: first start and, for a series, the end of its last occurrence. */
export function withUtcBounds(input: Omit<StoredEvent, 'startUtc' | 'endUtc'>): StoredEvent {
  // Forms send "HH:mm"; iCalendar and the expander want seconds.
  const e = { ...input, start: fullLocal(input.start), end: fullLocal(input.end) };
  const startUtc = toUtcMs(e.start, e.timeZone, e.allDay);
  const endUtc = toUtcMs(e.end, e.timeZone, e.allDay);
  if (Number.isNaN(startUtc) || Number.isNaN(endUtc)) throw badRequest(`Invalid start/end or time zone '${e.timeZone}'`);
  if (endUtc < startUtc) throw badRequest('An event cannot end before it starts');
  let seriesEnd = endUtc;
  if (e.rrule) {
    if (!/COUNT=|UNTIL=/i.test(e.rrule)) seriesEnd = OPEN_END;
    else {
      const all = expandOccurrences([eventToData({ ...e, startUtc, endUtc })], new Date(startUtc).toISOString(), new Date(OPEN_END / 1000).toISOString(), {
        maxOccurrences: 100_000,
      });
      const last = all[all.length - 1];
      seriesEnd = last ? Date.parse(last.end) : endUtc;
    }
  }
  return { ...e, startUtc, endUtc: seriesEnd } as StoredEvent;
}

/** Calendar operations shared by the UI contract and the REST API. Writes go through the task queue. */
export class CalendarService {
  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    private readonly events: CoreEvents,
    private readonly now: () => number,
  ) {}

  calendars(accountId?: string) {
    return this.store.pim.calendars(accountId).map(({ id, accountId: a, name, color, readOnly, visible }) => ({ id, accountId: a, name, color, readOnly, visible }));
  }

  get(id: string): StoredEvent {
    const e = this.store.pim.event(id);
    if (!e) throw notFound('Event', id);
    return e;
  }

  /**
   * Expanded series, per series, over a window wider than the last request: moving month to month reuses
   * the expansion instead of walking every rule from its start again. Invalidated by any change to a row.
   */
  private readonly expansions = new Map<string, { signature: string; from: number; to: number; items: { occ: PimOccurrence; start: number; end: number }[] }>();

  private expandSeries(key: string, series: StoredEvent[], fromUtc: number, toUtc: number): PimOccurrence[] {
    const signature = series
      .map((s) => [s.id, s.updatedAt, s.start, s.end, s.timeZone, s.rrule, s.exdates.join(','), s.recurrenceId, s.status, s.summary].join('\u0001'))
      .sort()
      .join('\u0002');
    let hit = this.expansions.get(key);
    if (!hit || hit.signature !== signature || hit.from > fromUtc || hit.to < toUtc) {
      const from = fromUtc - 92 * DAY_MS;
      const to = toUtc + 183 * DAY_MS;
      const items = expandOccurrences(series.map((e) => eventToData(e)), new Date(from).toISOString(), new Date(to).toISOString()).map((occ) => ({
        occ,
        start: Date.parse(occ.start),
        end: Date.parse(occ.end),
      }));
      if (this.expansions.size > 20_000) this.expansions.clear();
      hit = { signature, from, to, items };
      this.expansions.set(key, hit);
    }
    // Same overlap rule as the expander: instants in [from, to), zero-length ones at their start.
    return hit.items.filter((i) => i.start < toUtc && (i.end <= i.start ? i.start >= fromUtc : i.end > fromUtc)).map((i) => i.occ);
  }

  /** Occurrences in [from, to): single events as they are, series expanded in their own time zone. */
  range(fromUtc: number, toUtc: number, calendarIds?: string[]): Occurrence[] {
    const candidates = this.store.pim.eventsOverlapping(fromUtc, toUtc, calendarIds);
    const out: Occurrence[] = [];
    const seriesDone = new Set<string>();
    for (const e of candidates) {
      if (!e.rrule && !e.recurrenceId) {
        out.push({ eventId: e.id, calendarId: e.calendarId, recurrenceId: null, startUtc: e.startUtc, endUtc: e.endUtc, event: e });
        continue;
      }
      const key = `${e.calendarId}\u0000${e.uid}`;
      if (seriesDone.has(key)) continue;
      seriesDone.add(key);
      const series = this.store.pim.eventsByUid(e.calendarId, e.uid);
      const byRecurrenceId = new Map(series.filter((s) => s.recurrenceId).map((s) => [s.recurrenceId, s]));
      const master = series.find((s) => !s.recurrenceId) ?? e;
      for (const occ of this.expandSeries(key, series, fromUtc, toUtc)) {
        const source = (occ.isException && byRecurrenceId.get(occ.recurrenceId)) || master;
        out.push({
          eventId: source.id,
          calendarId: source.calendarId,
          recurrenceId: occ.recurrenceId,
          startUtc: Date.parse(occ.start),
          endUtc: Date.parse(occ.end),
          event: source,
        });
      }
    }
    return out.sort((a, b) => a.startUtc - b.startUtc || a.eventId.localeCompare(b.eventId));
  }

  private writableCalendar(calendarId: string) {
    const cal = this.store.pim.calendar(calendarId);
    if (!cal) throw notFound('Calendar', calendarId);
    if (cal.readOnly) throw new PimlicoError('Forbidden', `Calendar '${cal.name}' is read-only`);
    return cal;
  }

  create(calendarId: string, input: EventInput): { event: StoredEvent; task: TaskInfo } {
    const cal = this.writableCalendar(calendarId);
    const data = EventInput.parse(input);
    const now = this.now();
    const event = withUtcBounds({
      ...data,
      id: newId('evt'),
      calendarId,
      accountId: cal.accountId,
      uid: `${newId('pimlico')}@pimlico`,
      recurrenceId: null,
      // With attendees the user is the organiser (iTIP needs one); the invitations go out with invitations.send.
      organizer: data.attendees.length ? this.organizerFor(cal.accountId) : null,
      createdAt: now,
      updatedAt: now,
      remoteId: null,
      etag: null,
      ical: null,
      status: 'confirmed',
    });
    const task = this.tasks.enqueue(cal.accountId, 'pim.putEvent', { event, previous: null });
    return { event, task };
  }

  /** A change of when (or whether) a meeting the user organises takes place: what attendees must be told. */
  private isSignificantOrganizerChange(previous: StoredEvent, next: StoredEvent): boolean {
    if (!next.attendees.length || !next.organizer) return false;
    const own = this.store.accounts.get(next.accountId)?.email.toLowerCase();
    if (!own || next.organizer.address.toLowerCase() !== own) return false;
    const when = (e: StoredEvent) => JSON.stringify([e.start, e.end, e.timeZone, e.allDay, e.rrule, e.exdates, e.status]);
    return when(previous) !== when(next);
  }

  private organizerFor(accountId: string): { name: string; address: string } | null {
    const account = this.store.accounts.get(accountId);
    return account?.email ? { name: account.displayName, address: account.email } : null;
  }

  update(id: string, patch: Partial<EventInput>): { event: StoredEvent; task: TaskInfo } {
    const previous = this.get(id);
    this.writableCalendar(previous.calendarId);
    const merged = EventInput.parse({ ...previous, ...stripUndefined(patch) });
    const organizer = previous.organizer ?? (merged.attendees.length ? this.organizerFor(previous.accountId) : null);
    const event = withUtcBounds({ ...previous, ...merged, organizer, updatedAt: Math.max(this.now(), previous.updatedAt + 1) });
    if (this.isSignificantOrganizerChange(previous, event)) {
      // Attendees' calendars take an update only with a higher SEQUENCE (RFC 5546 2.1.4).
      event.ical = withSequence(previous.ical ?? exportEvents([previous]), previous.uid, sequenceOf(previous.ical) + 1);
    }
    const task = this.tasks.enqueue(previous.accountId, 'pim.putEvent', { event, previous });
    return { event, task };
  }

  delete(id: string): TaskInfo {
    const event = this.get(id);
    this.writableCalendar(event.calendarId);
    return this.tasks.enqueue(event.accountId, 'pim.deleteEvent', { event });
  }

  /** The UTC instant of a wall-clock value in a zone (all-day dates at UTC midnight). */
  instantOf(local: string, timeZone: string, allDay: boolean): number {
    try {
      return toUtcMs(local, timeZone, allDay);
    } catch {
      return Number.NaN;
    }
  }

  /** Local display settings of a calendar (never sent to the server). */
  setCalendar(id: string, patch: { visible?: boolean; color?: string }): void {
    if (!this.store.pim.calendar(id)) throw notFound('Calendar', id);
    this.store.pim.updateCalendar(id, stripUndefined(patch));
    this.events.emit('store.changed', { entities: ['events'] });
  }

  /** Writes a whole row (invitations, imports); `previous` makes it an update. */
  put(event: StoredEvent, previous: StoredEvent | null): TaskInfo {
    this.writableCalendar(event.calendarId);
    return this.tasks.enqueue(event.accountId, 'pim.putEvent', { event, previous });
  }

  /** The series master and its overridden instances. */
  private seriesOf(id: string): { master: StoredEvent; exceptions: StoredEvent[] } {
    const row = this.get(id);
    const rows = this.store.pim.eventsByUid(row.calendarId, row.uid);
    const master = rows.find((r) => !r.recurrenceId);
    if (!master) throw new PimlicoError('Conflict', 'The series this occurrence belongs to is not in the calendar');
    return { master, exceptions: rows.filter((r) => r.recurrenceId) };
  }

  private bump(previous: StoredEvent): number {
    return Math.max(this.now(), previous.updatedAt + 1);
  }

  /**
   * Changes one slot of a recurring event (`recurrenceId` is the slot's original wall-clock start), the slots
   * from there on, or the whole series. One slot becomes a RECURRENCE-ID override (its own row, same UID);
   * "this and following" ends the series with UNTIL and starts a new series at the slot.
   */
  updateOccurrence(id: string, slot: string, scope: OccurrenceScope, patch: Partial<EventInput>): { event: StoredEvent; task: TaskInfo } {
    const recurrenceId = fullLocal(slot);
    const row = this.get(id);
    if (!row.rrule && !row.recurrenceId) return this.update(id, patch);
    const { master, exceptions } = this.seriesOf(id);
    this.writableCalendar(master.calendarId);
    const clean = stripUndefined(patch);
    const slotStart = exceptions.find((e) => e.recurrenceId === recurrenceId)?.start ?? recurrenceId;
    const isFirst = naiveMs(recurrenceId) <= naiveMs(master.start);
    if (scope === 'all' || (scope === 'following' && isFirst)) {
      // Moving one slot of the series moves them all by the same wall-clock amount.
      const next: Partial<EventInput> = { ...clean };
      if (clean.start !== undefined || clean.end !== undefined) {
        const slotEndLocal = exceptions.find((e) => e.recurrenceId === recurrenceId)?.end ?? slotEnd(master, recurrenceId);
        const startDelta = clean.start !== undefined ? naiveMs(clean.start) - naiveMs(slotStart) : 0;
        const endDelta = clean.end !== undefined ? naiveMs(clean.end) - naiveMs(slotEndLocal) : startDelta;
        const allDay = clean.allDay ?? master.allDay;
        const form = (v: string) => (allDay ? v.slice(0, 10) : v.length === 10 ? `${v}T00:00:00` : v);
        next.start = form(shiftWallClock(master.start, startDelta));
        next.end = form(shiftWallClock(master.end, endDelta));
      }
      return this.update(master.id, next);
    }
    if (scope === 'one') {
      const existing = exceptions.find((e) => e.recurrenceId === recurrenceId);
      if (existing) return this.update(existing.id, patch);
      const now = this.now();
      const base: StoredEvent = {
        ...master,
        id: newId('evt'),
        recurrenceId,
        start: recurrenceId,
        end: slotEnd(master, recurrenceId),
        rrule: null,
        exdates: [],
        remoteId: null,
        etag: null,
        ical: null,
        createdAt: now,
        updatedAt: now,
      };
      const merged = EventInput.parse({ ...base, ...clean, rrule: null, exdates: [] });
      const event = withUtcBounds({ ...base, ...merged, recurrenceId });
      const task = this.tasks.enqueue(master.accountId, 'pim.putEvent', { event, previous: null });
      // Undoing a new override would delete the slot on the server (EXDATE), not bring the original back.
      return { event, task: { ...task, undoable: false } };
    }
    // This and following: the old series stops before the slot, a new series (new UID) starts there.
    const count = master.rrule ? rruleCount(master.rrule) : null;
    let newRule = master.rrule;
    if (count !== null && master.rrule) {
      // COUNT counts the instances the rule generates, excluded ones included (RFC 5545 3.8.5.3).
      const before = expandOccurrences([{ ...eventToData(master), exdates: [] }], new Date(master.startUtc).toISOString(), new Date(instantMs(recurrenceId, master.timeZone)).toISOString(), {
        maxOccurrences: 100_000,
        includeCancelled: true,
      }).length;
      newRule = withCount(master.rrule, Math.max(1, count - before));
    }
    const now = this.now();
    const headRule = rruleEndingBefore(master.rrule ?? '', master, recurrenceId);
    const head = withUtcBounds({ ...master, rrule: headRule, updatedAt: this.bump(master) });
    this.tasks.enqueue(master.accountId, 'pim.putEvent', { event: head, previous: master });
    for (const ex of exceptions) {
      if (ex.recurrenceId && slotAtOrAfter(ex.recurrenceId, recurrenceId)) this.tasks.enqueue(ex.accountId, 'pim.deleteEvent', { event: ex });
    }
    const tailBase: StoredEvent = {
      ...master,
      id: newId('evt'),
      uid: `${newId('pimlico')}@pimlico`,
      start: recurrenceId,
      end: slotEnd(master, recurrenceId),
      rrule: newRule,
      exdates: master.exdates.filter((d) => slotAtOrAfter(d, recurrenceId)),
      recurrenceId: null,
      remoteId: null,
      etag: null,
      ical: null,
      createdAt: now,
      updatedAt: now,
    };
    // An editor sends the rule back as it was: the rest of the COUNT applies then, a changed rule as given.
    const tailRule = clean.rrule === undefined || clean.rrule === master.rrule ? newRule : clean.rrule;
    const merged = EventInput.parse({ ...tailBase, ...clean, rrule: tailRule });
    const tail = withUtcBounds({ ...tailBase, ...merged });
    const task = this.tasks.enqueue(master.accountId, 'pim.putEvent', { event: tail, previous: null });
    // The split is several writes; one undo would restore only part of it.
    return { event: tail, task: { ...task, undoable: false } };
  }

  /** Deletes one slot (EXDATE on the master), the slots from there on (UNTIL), or the whole series. */
  deleteOccurrence(id: string, slot: string, scope: OccurrenceScope): TaskInfo {
    const recurrenceId = fullLocal(slot);
    const row = this.get(id);
    if (!row.rrule && !row.recurrenceId) return this.delete(id);
    const { master, exceptions } = this.seriesOf(id);
    this.writableCalendar(master.calendarId);
    const isFirst = naiveMs(recurrenceId) <= naiveMs(master.start);
    if (scope === 'all' || (scope === 'following' && isFirst)) {
      const task = this.tasks.enqueue(master.accountId, 'pim.deleteEvent', { event: master });
      // Overrides in the master's server resource go with it; only separately stored ones need their own delete.
      for (const ex of exceptions) if (!ex.remoteId || ex.remoteId !== master.remoteId) this.tasks.enqueue(ex.accountId, 'pim.deleteEvent', { event: ex });
      // Undo restores the master only: offer it when there are no overrides it would leave behind.
      return exceptions.length ? { ...task, undoable: false } : task;
    }
    if (scope === 'one') {
      const exdates = master.exdates.includes(recurrenceId) ? master.exdates : [...master.exdates, recurrenceId];
      const event = withUtcBounds({ ...master, exdates, updatedAt: this.bump(master) });
      const task = this.tasks.enqueue(master.accountId, 'pim.putEvent', { event, previous: master });
      const override = exceptions.find((e) => e.recurrenceId === recurrenceId);
      if (override) this.tasks.enqueue(override.accountId, 'pim.deleteEvent', { event: override });
      return override ? { ...task, undoable: false } : task;
    }
    const event = withUtcBounds({ ...master, rrule: rruleEndingBefore(master.rrule ?? '', master, recurrenceId), updatedAt: this.bump(master) });
    const task = this.tasks.enqueue(master.accountId, 'pim.putEvent', { event, previous: master });
    const dropped = exceptions.filter((ex) => ex.recurrenceId && slotAtOrAfter(ex.recurrenceId, recurrenceId));
    for (const ex of dropped) this.tasks.enqueue(ex.accountId, 'pim.deleteEvent', { event: ex });
    return dropped.length ? { ...task, undoable: false } : task;
  }

  /**
   * Imports an .ics file into a calendar. Events whose UID is already there are replaced (same rows, so the
   * server copy is updated, not duplicated); everything Pimlico does not model is kept in the stored text.
   */
  importIcs(calendarId: string, text: string): ImportIcsResult {
    const cal = this.writableCalendar(calendarId);
    const parsed = parseICalendar(text);
    const issues = parsed.issues.map((i) => `${i.uid ?? '?'}: ${i.message}${i.dropped ? ' (skipped)' : ''}`);
    const resources = splitByUid(parsed);
    // Validate everything first, so a bad file changes nothing.
    const planned: { event: StoredEvent; previous: StoredEvent | null }[] = [];
    const now = this.now();
    for (const res of resources) {
      const existing = this.store.pim.eventsByUid(calendarId, res.uid);
      const masterFirst = [...res.events].sort((a, b) => Number(a.data.recurrenceId !== null) - Number(b.data.recurrenceId !== null));
      for (const ev of masterFirst) {
        const previous = existing.find((e) => (e.recurrenceId ?? null) === (ev.data.recurrenceId ?? null)) ?? null;
        try {
          planned.push({ event: this.rowFromParsed(ev, res.text, { calendarId, accountId: cal.accountId, now }, previous), previous });
        } catch (err) {
          issues.push(`${ev.data.uid}: ${err instanceof Error ? err.message : String(err)} (skipped)`);
        }
      }
    }
    let created = 0;
    let updated = 0;
    this.store.transaction(() => {
      for (const p of planned) {
        this.tasks.enqueue(cal.accountId, 'pim.putEvent', p);
        if (p.previous) updated++;
        else created++;
      }
    });
    return { created, updated, issues, eventIds: planned.map((p) => p.event.id) };
  }

  rowFromParsed(ev: ParsedEvent, ical: string | null, ctx: { calendarId: string; accountId: string; now: number }, previous: StoredEvent | null): StoredEvent {
    const d = ev.data;
    const ms = (iso: string | null) => (iso && !Number.isNaN(Date.parse(iso)) ? Date.parse(iso) : null);
    return withUtcBounds({
      id: previous?.id ?? newId('evt'),
      calendarId: ctx.calendarId,
      accountId: ctx.accountId,
      ...eventColumns(d),
      createdAt: previous?.createdAt ?? ms(d.created) ?? ctx.now,
      updatedAt: Math.max(ctx.now, (previous?.updatedAt ?? 0) + 1),
      remoteId: previous?.remoteId ?? null,
      etag: previous?.etag ?? null,
      // Keep the server's text while it has the event, so the next write patches it; else the imported text.
      ical: previous?.remoteId ? previous.ical : ical,
    });
  }

  /** .ics text of a calendar, or of one event (a series with its overridden instances). */
  exportIcs(target: { calendarId: string } | { eventId: string }): { filename: string; text: string } {
    if ('eventId' in target) {
      const row = this.get(target.eventId);
      const rows = this.store.pim.eventsByUid(row.calendarId, row.uid);
      rows.sort((a, b) => Number(a.recurrenceId !== null) - Number(b.recurrenceId !== null) || a.startUtc - b.startUtc);
      return { filename: `${safeFilename(row.summary || 'event')}.ics`, text: exportEvents(rows) };
    }
    const cal = this.store.pim.calendar(target.calendarId);
    if (!cal) throw notFound('Calendar', target.calendarId);
    const rows = this.store.pim.eventsInCalendar(cal.id);
    return { filename: `${safeFilename(cal.name || 'calendar')}.ics`, text: exportEvents(rows) };
  }
}

export function safeFilename(name: string): string {
  const printable = [...name].filter((ch) => ch.charCodeAt(0) >= 0x20).join('');
  return printable.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 100).trim() || 'export';
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
