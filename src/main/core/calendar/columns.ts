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
