import type { Core } from '../core';
import type { HandlerGroup } from './types';

export function pimHandlers(core: Core): HandlerGroup<
  | 'calendars.list'
  | 'events.range'
  | 'events.get'
  | 'events.create'
  | 'events.update'
  | 'events.delete'
  | 'addressBooks.list'
  | 'contacts.list'
  | 'contacts.get'
  | 'contacts.create'
  | 'contacts.update'
  | 'contacts.delete'
> {
  return {
    'calendars.list': ({ accountId }) => core.calendar.calendars(accountId),
    'events.range': ({ fromUtc, toUtc, calendarIds }) => core.calendar.range(fromUtc, toUtc, calendarIds),
    'events.get': ({ id }) => core.calendar.get(id),
    'events.create': ({ calendarId, event }) => core.calendar.create(calendarId, event).event,
    'events.update': ({ id, patch }) => core.calendar.update(id, patch).event,
    'events.delete': ({ id }) => {
      core.calendar.delete(id);
      return { ok: true as const };
    },
    'addressBooks.list': ({ accountId }) => core.contacts.addressBooks(accountId),
    'contacts.list': (q) => core.contacts.list(q),
    'contacts.get': ({ id }) => core.contacts.get(id),
    'contacts.create': ({ addressBookId, contact }) => core.contacts.create(addressBookId, contact).contact,
    'contacts.update': ({ id, patch }) => core.contacts.update(id, patch).contact,
    'contacts.delete': ({ id }) => {
      core.contacts.delete(id);
      return { ok: true as const };
    },
  };
}
