import type { EventData } from '../pim';
import type { StoredEvent } from '../store';

/**
 * The event columns a parsed VEVENT fills, the same for a file import and a CalDAV resource; the
 * caller adds identity (ids, etag, source text) and times of creation and change.
 */
export function eventColumns(d: EventData): Pick<
  StoredEvent,
  | 'uid'
  | 'summary'
  | 'description'
  | 'location'
  | 'start'
  | 'end'
  | 'timeZone'
  | 'allDay'
  | 'rrule'
  | 'exdates'
  | 'recurrenceId'
  | 'showAs'
  | 'importance'
  | 'reminderMinutes'
  | 'organizer'
  | 'attendees'
  | 'categories'
  | 'status'
> {
  return {
    uid: d.uid,
    summary: d.summary,
    description: d.description,
    location: d.location,
    start: d.start,
    end: d.end,
    timeZone: d.timeZone,
    allDay: d.allDay,
    rrule: d.rrule,
    exdates: d.exdates,
    recurrenceId: d.recurrenceId,
    showAs: d.showAs,
    importance: d.importance,
    reminderMinutes: d.reminderMinutes,
    organizer: d.organizer,
    attendees: d.attendees.map(({ name, address, role, status }) => ({ name, address, role, status })),
    categories: d.categories,
    status: d.status,
  };
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * What Pimlico stores of an event as iCalendar data, laid over `base` (the data of the component it
 * came from, when there is one): everything Pimlico does not model comes from base. `modifiedAt`
 * stamps LAST-MODIFIED for a write; without it an unchanged event keeps the original's stamp.
 */
export function eventToData(e: StoredEvent, base: EventData | null = null, modifiedAt?: number): EventData {
  const rsvpOf = new Map((base?.attendees ?? []).map((a) => [a.address.toLowerCase(), a.rsvp]));
  return {
    ...base,
    uid: e.uid,
    summary: e.summary,
    description: e.description,
    location: e.location,
    start: e.start,
    end: e.end,
    timeZone: e.timeZone,
    allDay: e.allDay,
    rrule: e.rrule,
    rdates: base?.rdates ?? [],
    exdates: e.exdates,
    recurrenceId: e.recurrenceId,
    status: e.status === 'cancelled' ? 'cancelled' : e.status === 'tentative' ? 'tentative' : 'confirmed',
    showAs: e.showAs,
    importance: e.importance,
    reminderMinutes: e.reminderMinutes,
    organizer: e.organizer,
    // RSVP is not stored per attendee: keep what the original asked, else ask those who have not answered.
    attendees: e.attendees.map((a) => ({ ...a, rsvp: rsvpOf.get(a.address.toLowerCase()) ?? a.status === 'needs-action' })),
    categories: e.categories,
    url: base?.url ?? null,
    sequence: base?.sequence ?? 0,
    // With a base, its stamps stay as they were (absent ones too), so an unedited event exports unchanged.
    created: base ? base.created : isoSeconds(e.createdAt),
    lastModified: modifiedAt !== undefined ? isoSeconds(modifiedAt) : base ? base.lastModified : isoSeconds(e.updatedAt),
  };
}
