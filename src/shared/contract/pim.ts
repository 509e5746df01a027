import { z } from 'zod';
import { call } from './define';
import { AddressBook, CalendarEvent, CalendarInfo, Contact, ContactInput, EmailAddress, EventInput, Id, Occurrence } from '../types';

/**
 * A patch: every field optional and, unlike `.partial()` (which still fills in defaults), absent fields stay
 * absent, so a patch of `{ summary }` changes only the summary.
 */
function patchOf<S extends z.ZodRawShape>(o: z.ZodObject<S>): z.ZodType<Partial<z.output<z.ZodObject<S>>>, Partial<z.input<z.ZodObject<S>>>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(o.shape)) shape[key] = ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional();
  return z.object(shape) as unknown as z.ZodType<Partial<z.output<z.ZodObject<S>>>, Partial<z.input<z.ZodObject<S>>>>;
}
export const EventPatch = patchOf(EventInput);
export const ContactPatch = patchOf(ContactInput);

/** Which part of a recurring series an edit or delete applies to. */
export const OccurrenceScope = z.enum(['one', 'following', 'all']);
/** A slot's original start: wall clock in the event's zone ("2026-03-08T09:00:00"), or a date for all-day series. */
const RecurrenceId = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]');
const Deleted = z.object({ ok: z.literal(true), taskId: Id.optional() });
const FileText = z.object({ filename: z.string(), text: z.string() });
const DuplicateChoice = z.enum(['merge', 'skip', 'keepBoth']);
export const ContactGroup = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['kind', 'category']),
  members: z.array(z.object({ contactId: Id, name: z.string(), address: z.string().nullable() })),
});
export type ContactGroup = z.infer<typeof ContactGroup>;
/** Largest contact photo file accepted (the UI downscales to 256×256 first, so real photos stay far below). */
export const MAX_CONTACT_PHOTO_BYTES = 1024 * 1024;
/** The same bound on the base64 text that carries it, plus room for a data: URL prefix. */
const MAX_CONTACT_PHOTO_CHARS = Math.ceil(MAX_CONTACT_PHOTO_BYTES / 3) * 4 + 100;
export const InvitationPreview = z.object({
  method: z.string(),
  uid: z.string(),
  summary: z.string(),
  location: z.string(),
  description: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  allDay: z.boolean(),
  rrule: z.string().nullable(),
  startUtc: z.number(),
  endUtc: z.number(),
  organizer: EmailAddress.nullable(),
  attendees: z.array(z.object({ name: z.string(), address: z.string(), status: z.string() })),
  me: z.string().nullable(),
  myStatus: z.string().nullable(),
  existingEventId: Id.nullable(),
  dayEvents: z.array(z.object({ summary: z.string(), startUtc: z.number(), endUtc: z.number(), calendarId: Id, allDay: z.boolean(), overlaps: z.boolean() })),
  replies: z.array(z.object({ address: z.string(), status: z.string() })),
  applied: z.boolean(),
  /** COUNTER: the attendee proposing the times given in start/end, their note, and what became of it. */
  counter: z
    .object({
      from: EmailAddress,
      comment: z.string(),
      state: z.enum(['open', 'accepted', 'declined', 'unknown']),
      currentStartUtc: z.number().nullable(),
      currentEndUtc: z.number().nullable(),
    })
    .nullable(),
  /** REFRESH: the attendee asking for the current version, and whether it was sent to them. */
  refresh: z.object({ from: EmailAddress, state: z.enum(['sent', 'open', 'unknown']) }).nullable(),
});
export type InvitationPreview = z.infer<typeof InvitationPreview>;

export const pimCalls = {
  'calendars.list': call(z.object({ accountId: Id.optional() }), z.array(CalendarInfo), 'Calendars of one or all accounts.'),
  'events.range': call(
    z.object({ fromUtc: z.number(), toUtc: z.number(), calendarIds: z.array(Id).optional() }),
    z.array(Occurrence),
    'Occurrences overlapping a time range, recurring events expanded.',
  ),
  'events.rangeCompact': call(
    z.object({ fromUtc: z.number(), toUtc: z.number(), calendarIds: z.array(Id).optional() }),
    z.object({
      /** Each event once, however many of its occurrences are in the range. */
      events: z.array(CalendarEvent),
      occurrences: z.array(z.object({ eventId: Id, calendarId: Id, recurrenceId: z.string().nullable(), startUtc: z.number(), endUtc: z.number() })),
    }),
    'events.range without repeating the event in every occurrence: what the calendar views load.',
  ),
  'events.get': call(z.object({ id: Id }), CalendarEvent, 'One event.'),
  'events.create': call(z.object({ calendarId: Id, event: EventInput }), CalendarEvent, 'Create an event.'),
  'events.update': call(
    z.object({ id: Id, patch: EventPatch }),
    CalendarEvent,
    'Change an event (the whole series for a recurring one).',
  ),
  'events.delete': call(z.object({ id: Id }), Deleted, 'Delete an event.'),
  'calendars.update': call(
    z.object({ id: Id, visible: z.boolean().optional(), color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional() }),
    z.object({ ok: z.literal(true) }),
    'Show or hide a calendar, or change its colour (local display settings).',
  ),
  'events.updateOccurrence': call(
    z.object({ id: Id, recurrenceId: RecurrenceId, scope: OccurrenceScope, patch: EventPatch }),
    /** taskId is there when one undo restores everything the change did. */
    CalendarEvent.extend({ taskId: Id.optional() }),
    'Change one occurrence of a series (a RECURRENCE-ID override), this and the following ones (the series is split with UNTIL), or the whole series.',
  ),
  'events.deleteOccurrence': call(
    z.object({ id: Id, recurrenceId: RecurrenceId, scope: OccurrenceScope }),
    Deleted,
    'Delete one occurrence (EXDATE), this and the following ones (UNTIL), or the whole series.',
  ),
  'events.importIcs': call(
    z.object({ calendarId: Id, text: z.string().min(1).max(50_000_000) }),
    z.object({ created: z.number().int(), updated: z.number().int(), issues: z.array(z.string()), eventIds: z.array(Id) }),
    'Import an .ics file into a calendar; events already there (same UID) are updated.',
  ),
  'events.exportIcs': call(
    z.union([z.object({ calendarId: Id }), z.object({ eventId: Id })]),
    FileText,
    'A calendar or one event (with its series) as .ics text, keeping every property Pimlico does not edit.',
  ),
  'invitations.preview': call(
    z.object({ messageId: Id }),
    InvitationPreview.nullable(),
    'The iTIP content of a message (invitation, reply, cancellation) with that day\'s other events; null when it has none.',
  ),
  'invitations.respond': call(
    z.object({ messageId: Id, status: z.enum(['accepted', 'tentative', 'declined']), calendarId: Id.optional(), comment: z.string().max(10_000).optional() }),
    z.object({ eventId: Id, outboxId: Id.nullable(), taskId: Id }),
    'Answer an invitation: the event goes into the calendar and a REPLY goes to the organiser.',
  ),
  'invitations.apply': call(
    z.object({ messageId: Id }),
    z.object({ applied: z.boolean(), eventId: Id.nullable() }),
    'Apply a REPLY, CANCEL or updated REQUEST to the event already in the calendar.',
  ),
  'invitations.send': call(
    z.object({ eventId: Id, method: z.enum(['REQUEST', 'CANCEL']).default('REQUEST') }),
    z.object({ outboxId: Id.nullable() }),
    'Send the event to its attendees (REQUEST), or tell them it is cancelled (CANCEL).',
  ),
  'invitations.acceptCounter': call(
    z.object({ messageId: Id }),
    z.object({ eventId: Id, outboxId: Id.nullable(), taskId: Id }),
    'Accept an attendee\'s proposed time (COUNTER): the event moves, its SEQUENCE goes up, and the updated REQUEST goes to every attendee.',
  ),
  'invitations.declineCounter': call(
    z.object({ messageId: Id, comment: z.string().max(10_000).optional() }),
    z.object({ outboxId: Id }),
    'Decline an attendee\'s proposed time: a DECLINECOUNTER goes to them and the event stays as it is.',
  ),
  'invitations.proposeTime': call(
    z.object({
      messageId: Id,
      start: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]'),
      end: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]'),
      timeZone: z.string().min(1).max(100).optional(),
      comment: z.string().max(10_000).optional(),
    }),
    z.object({ outboxId: Id }),
    'As an attendee, propose other times for an invitation (COUNTER to the organiser); your calendar is not changed.',
  ),
  'invitations.answerRefresh': call(
    z.object({ messageId: Id }),
    z.object({ outboxId: Id.nullable() }),
    'Send the current version of an event you organise to the attendee whose REFRESH this message is (done automatically when it arrives).',
  ),
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
  'contacts.update': call(z.object({ id: Id, patch: ContactPatch }), Contact, 'Change a contact.'),
  'contacts.delete': call(z.object({ id: Id }), Deleted, 'Delete a contact.'),
  'contacts.groups': call(z.object({ addressBookId: Id.optional() }), z.array(ContactGroup), 'Contact groups: KIND:group cards and shared CATEGORIES, with members.'),
  'contacts.photo': call(z.object({ id: Id }), z.object({ url: z.string().nullable() }), 'The contact\'s photo as a data: or https: URL.'),
  'contacts.setPhoto': call(
    z.object({ id: Id, image: z.string().min(1).max(MAX_CONTACT_PHOTO_CHARS, `A contact photo can be at most ${MAX_CONTACT_PHOTO_BYTES / 1024 / 1024} MB`).nullable() }),
    z.object({ contact: Contact, taskId: Id }),
    'Set the contact\'s photo (base64 or data: URL of a PNG, JPEG, GIF or WebP file, at most 1 MB, type checked by content) or remove it (null). Undoable.',
  ),
  'contacts.importVcf': call(
    z.object({
      addressBookId: Id,
      text: z.string().min(1).max(50_000_000),
      onDuplicate: z.enum(['ask', 'merge', 'skip', 'keepBoth']).default('ask'),
      /** Per card (index in the file): what to do with that duplicate. */
      choices: z.record(z.string(), DuplicateChoice).optional(),
    }),
    z.object({
      created: z.number().int(),
      merged: z.number().int(),
      skipped: z.number().int(),
      duplicates: z.array(z.object({ index: z.number().int(), incomingName: z.string(), existingId: Id, existingName: z.string(), reason: z.enum(['uid', 'email', 'name']) })),
      contactIds: z.array(Id),
    }),
    'Import a .vcf file (vCard 2.1/3/4, one or many). With onDuplicate "ask", nothing is written while duplicates need a choice.',
  ),
  'contacts.exportVcf': call(
    z.object({ ids: z.array(Id).max(100_000).optional(), addressBookId: Id.optional(), version: z.enum(['3.0', '4.0']).optional() }),
    FileText.extend({ count: z.number().int() }),
    'Contacts as .vcf text (the stored cards patched, so fields Pimlico does not show are kept).',
  ),
  'contacts.addSender': call(
    z.object({ messageId: Id.optional(), name: z.string().max(500).optional(), address: z.string().max(500).optional(), addressBookId: Id.optional() }),
    z.object({ contact: Contact, created: z.boolean() }),
    'Add a message\'s sender (or a given address) to the contacts; answers the existing contact when the address is known.',
  ),
} as const;
