import { EventInput, type Occurrence, type TaskInfo } from '../../../shared/types';
import type { CoreEvents } from '../events';
import { expandOccurrences, zonedWallClockToUtc, type EventData } from '../pim';
import type { Store, StoredEvent } from '../store';
import type { TaskQueue } from '../tasks/queue';
import { badRequest, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';

/** Far future for series without an end, so range queries include them. */
const OPEN_END = 8_640_000_000_000_000;

function toUtcMs(local: string, timeZone: string, allDay: boolean): number {
  if (allDay || /^\d{4}-\d{2}-\d{2}$/.test(local)) {
    // All-day dates are floating: they cover that date wherever the user is.
    return Date.parse(`${local.slice(0, 10)}T00:00:00Z`);
  }
  return Date.parse(zonedWallClockToUtc(local.length === 16 ? `${local}:00` : local, timeZone));
}

export function eventToData(e: StoredEvent): EventData {
  return {
    uid: e.uid,
    summary: e.summary,
    description: e.description,
    location: e.location,
    start: e.start,
    end: e.end,
    timeZone: e.timeZone,
    allDay: e.allDay,
    rrule: e.rrule,
    rdates: [],
    exdates: e.exdates,
    recurrenceId: e.recurrenceId,
    status: e.status === 'cancelled' ? 'cancelled' : e.status === 'tentative' ? 'tentative' : 'confirmed',
    showAs: e.showAs,
    importance: e.importance,
    reminderMinutes: e.reminderMinutes,
    organizer: e.organizer,
    // RSVP is not stored per attendee: ask for a reply from those who have not answered yet.
    attendees: e.attendees.map((a) => ({ ...a, rsvp: a.status === 'needs-action' })),
    categories: e.categories,
    url: null,
    sequence: 0,
    created: new Date(e.createdAt).toISOString(),
    lastModified: new Date(e.updatedAt).toISOString(),
  };
}

/** Fills the derived UTC columns: first start and, for a series, the end of its last occurrence. */
export function withUtcBounds(e: Omit<StoredEvent, 'startUtc' | 'endUtc'>): StoredEvent {
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
      for (const occ of expandOccurrences(series.map(eventToData), new Date(fromUtc).toISOString(), new Date(toUtc).toISOString())) {
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
      organizer: null,
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

  update(id: string, patch: Partial<EventInput>): { event: StoredEvent; task: TaskInfo } {
    const previous = this.get(id);
    this.writableCalendar(previous.calendarId);
    const merged = EventInput.parse({ ...previous, ...stripUndefined(patch) });
    const event = withUtcBounds({ ...previous, ...merged, updatedAt: Math.max(this.now(), previous.updatedAt + 1) });
    const task = this.tasks.enqueue(previous.accountId, 'pim.putEvent', { event, previous });
    return { event, task };
  }

  delete(id: string): TaskInfo {
    const event = this.get(id);
    this.writableCalendar(event.calendarId);
    return this.tasks.enqueue(event.accountId, 'pim.deleteEvent', { event });
  }
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
