import { withUtcBounds } from '../../src/main/core/calendar/service';
import type { StoredEvent } from '../../src/main/core/store';

/**
 * Event number `i` as calendar sync stores it, for benchmarks that seed many events straight into the
 * store: a busy single event unless `fields` say otherwise.
 */
export function benchEvent(
  i: number,
  fields: Partial<StoredEvent> & Pick<StoredEvent, 'calendarId' | 'accountId' | 'start' | 'end' | 'timeZone'>,
  now = Date.now(),
): StoredEvent {
  return withUtcBounds({
    id: `evt_bench_${i}`,
    uid: `bench-${i}@pimlico`,
    summary: `Event ${i}`,
    description: '',
    location: '',
    allDay: false,
    rrule: null,
    exdates: [],
    recurrenceId: null,
    showAs: 'busy',
    importance: 'normal',
    reminderMinutes: null,
    organizer: null,
    attendees: [],
    categories: [],
    createdAt: now,
    updatedAt: now,
    remoteId: null,
    etag: null,
    ical: null,
    status: 'confirmed',
    ...fields,
  });
}
