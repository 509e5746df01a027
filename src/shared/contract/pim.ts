import { z } from 'zod';
import { call } from './define';
import { AddressBook, CalendarEvent, CalendarInfo, Contact, ContactInput, EventInput, Id, Occurrence } from '../types';

export const pimCalls = {
  'calendars.list': call(z.object({ accountId: Id.optional() }), z.array(CalendarInfo), 'Calendars of one or all accounts.'),
  'events.range': call(
    z.object({ fromUtc: z.number(), toUtc: z.number(), calendarIds: z.array(Id).optional() }),
    z.array(Occurrence),
    'Occurrences overlapping a time range, recurring events expanded.',
  ),
  'events.get': call(z.object({ id: Id }), CalendarEvent, 'One event.'),
  'events.create': call(z.object({ calendarId: Id, event: EventInput }), CalendarEvent, 'Create an event.'),
  'events.update': call(
    z.object({ id: Id, patch: EventInput.partial() }),
    CalendarEvent,
    'Change an event (the whole series for a recurring one).',
  ),
  'events.delete': call(z.object({ id: Id }), z.object({ ok: z.literal(true) }), 'Delete an event.'),
  'addressBooks.list': call(z.object({ accountId: Id.optional() }), z.array(AddressBook), 'Address books.'),
  'contacts.list': call(
    z.object({
      addressBookId: Id.optional(),
      query: z.string().max(500).optional(),
      limit: z.number().int().min(1).max(10_000).default(1000),
    }),
    z.array(Contact),
    'Contacts sorted by name, filtered by a search string.',
  ),
  'contacts.get': call(z.object({ id: Id }), Contact, 'One contact.'),
  'contacts.create': call(z.object({ addressBookId: Id, contact: ContactInput }), Contact, 'Create a contact.'),
  'contacts.update': call(z.object({ id: Id, patch: ContactInput.partial() }), Contact, 'Change a contact.'),
  'contacts.delete': call(z.object({ id: Id }), z.object({ ok: z.literal(true) }), 'Delete a contact.'),
} as const;
