import { z } from 'zod';
import type { CalendarEvent, ContactInput, EventInput, Importance, MessageDetail, Occurrence } from '../../../../shared/types';
import { parseAddressList } from '../../mime';
import { parseRRule } from '../../pim/rrule';
import { windowsToIana } from '../../pim/windowszones';
import { isKnownTimeZone, utcToZonedWallClock, zonedWallClockToUtc } from '../../pim/timezone';
import type { StoredContact, StoredEvent } from '../../store';
import { parseIsoDateTime } from '../../odata/literals';
import { HttpError } from '../http';

// The connector's objects (spec "Object definitions" plus the item fields of issue 4) and the
// mapping from and to the cache's types. Address lists are ';'-separated strings, times ISO 8601.

export const ODATA_FILE_ATTACHMENT = '#Microsoft.OutlookServices.FileAttachment';

export interface ReceiveAttachment {
  Id: string;
  ContentType: string;
  '@odata.type': string;
  Name: string;
  ContentBytes: string;
  Size: number;
}

export interface ReceiveMessage {
  Id: string;
  IsRead: boolean;
  HasAttachment: boolean;
  DateTimeReceived: string;
  Attachments: ReceiveAttachment[];
  From: string;
  To: string;
  Cc: string;
  Bcc: string;
  Subject: string;
  Body: string;
  Importance: string;
  IsHtml: boolean;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function importanceName(i: Importance): string {
  return capital(i);
}

function joinAddresses(list: readonly { address: string }[]): string {
  return list.map((a) => a.address).join(';');
}

export function toReceiveMessage(m: MessageDetail, attachments: ReceiveAttachment[]): ReceiveMessage {
  return {
    Id: m.id,
    IsRead: m.isRead,
    HasAttachment: m.hasAttachments,
    DateTimeReceived: new Date(m.date).toISOString(),
    Attachments: attachments,
    From: m.from?.address ?? '',
    To: joinAddresses(m.to),
    Cc: joinAddresses(m.cc),
    Bcc: joinAddresses(m.bcc),
    Subject: m.subject,
    Body: m.bodyHtml ?? m.bodyText,
    Importance: importanceName(m.importance),
    IsHtml: m.bodyHtml !== null,
  };
}

// ---------------------------------------------------------------- input helpers (JSON and XML alike)

// XML bodies arrive as strings (numbers) and 'true'/'false' already turned into booleans; an empty
// element is ''. These accept both shapes so one schema serves both formats.
// fromXml turns the text 'true'/'false' into booleans, so a string field may arrive as one.
const text = (max: number) => z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.string().max(max));
const bool = z.preprocess((v) => (v === '' ? undefined : v), z.boolean());
const intFrom = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v === '' ? null : v), z.number().int().min(min).max(max));
const list = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z.preprocess((v) => (v === '' || v === null ? [] : v), z.array(item).max(max));

export const IMPORTANCE = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.enum(['low', 'normal', 'high'], { message: "expected 'Low', 'Normal' or 'High'" }),
);

/** Addresses given as "a@x; B <b@y>": every entry must be an address. */
export function addressList(value: string | undefined, field: string): { name: string; address: string }[] {
  if (!value || !value.trim()) return [];
  const parsed = parseAddressList(value);
  const pieces = value.split(/[;,]/).filter((p) => p.trim()).length;
  if (parsed.length === 0 || parsed.length < pieces || parsed.some((a) => !/^[^@\s]+@[^@\s]+$/.test(a.address))) {
    throw new HttpError(400, 'BadRequest', `'${field}' must be email addresses separated by ';', got '${value.slice(0, 100)}'`);
  }
  return parsed;
}

export const SendAttachment = z.object({
  '@odata.type': text(200).optional(),
  Name: text(255).pipe(z.string().min(1)),
  ContentBytes: text(70_000_000),
  ContentType: text(200).optional(),
});

export const SendMessage = z.object({
  To: text(100_000).pipe(z.string().min(1, 'To is required')),
  Subject: text(2000),
  Body: text(20_000_000),
  From: text(500).optional(),
  Cc: text(100_000).optional(),
  Bcc: text(100_000).optional(),
  Importance: IMPORTANCE.optional(),
  IsHtml: bool.optional(),
  Attachments: list(SendAttachment, 100).optional(),
});
export type SendMessage = z.infer<typeof SendMessage>;

export const MessageWithOptions = z.object({
  To: text(100_000).pipe(z.string().min(1, 'To is required')),
  Subject: text(2000).pipe(z.string().min(1, 'Subject is required')),
  Options: text(5000).optional(),
  Body: text(20_000_000).optional(),
  Importance: IMPORTANCE.optional(),
  Attachments: list(SendAttachment, 100).optional(),
});

export const EmailSubscription = z.object({
  NotificationUrl: text(2000)
    .pipe(z.string().url().refine((u) => /^https?:/i.test(u), 'NotificationUrl must be an http(s) URL'))
    .optional(),
  Message: MessageWithOptions,
});

// ---------------------------------------------------------------- calendar items

export const CalendarItemInput = z.object({
  Subject: text(2000).optional(),
  Start: text(40).optional(),
  End: text(40).optional(),
  TimeZone: text(100).optional(),
  IsAllDay: bool.optional(),
  Location: text(2000).optional(),
  Body: text(1_000_000).optional(),
  IsHtml: bool.optional(),
  ShowAs: z
    .preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['free', 'busy', 'tentative', 'oof'], { message: "expected 'Free', 'Busy', 'Tentative' or 'Oof'" }))
    .optional(),
  Importance: IMPORTANCE.optional(),
  Reminder: intFrom(0, 40320).nullable().optional(),
  RequiredAttendees: text(100_000).optional(),
  OptionalAttendees: text(100_000).optional(),
  Categories: list(text(200), 50).optional(),
  Recurrence: z.preprocess((v) => (v === '' ? null : v), text(1000).nullable()).optional(),
});
export type CalendarItemInput = z.infer<typeof CalendarItemInput>;

/** The machine's zone: what a time without an offset and without TimeZone means. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO 8601 time as wall clock in `timeZone` ("2026-03-08T09:00:00"), or a date for all-day items. */
export function wallClock(value: string, timeZone: string, allDay: boolean, field: string): string {
  const m = ISO_INSTANT.exec(value.trim());
  if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) {
    throw new HttpError(400, 'BadRequest', `'${field}' must be an ISO 8601 date or date-time, got '${value.slice(0, 60)}'`);
  }
  const [, date, hm, ss, zone] = m;
  const offset = !zone ? '' : zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  // Strict calendar check: no 25:00, no February 30, no +25:00.
  if (!parseIsoDateTime(`${date}${hm ? `T${hm}:${ss ?? '00'}${offset}` : ''}`)) {
    throw new HttpError(400, 'BadRequest', `'${field}' is not a valid date or time: '${value.slice(0, 60)}'`);
  }
  if (allDay || !hm) return date!;
  const local = `${date}T${hm}:${ss ?? '00'}`;
  if (!zone) return local;
  const instant = Date.parse(`${local}${offset}`);
  if (Number.isNaN(instant)) throw new HttpError(400, 'BadRequest', `'${field}' is not a valid time: '${value.slice(0, 60)}'`);
  return utcToZonedWallClock(new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z'), timeZone);
}

function attendeesFrom(value: string | undefined, role: 'required' | 'optional', field: string) {
  return addressList(value, field).map((a) => ({ name: a.name, address: a.address, role, status: 'needs-action' as const }));
}

/** Maps a CalendarItem (full for POST, partial for PATCH) onto the event model. */
export function toEventInput(item: CalendarItemInput, previous: StoredEvent | null): Partial<EventInput> {
  const given = item.TimeZone?.trim();
  // Outlook clients name zones the Windows way ("W. Europe Standard Time"); the cache keeps IANA names.
  const timeZone = (given && (isKnownTimeZone(given) ? given : windowsToIana(given))) || (given ? null : (previous?.timeZone ?? machineTimeZone()));
  if (!timeZone || !isKnownTimeZone(timeZone)) {
    throw new HttpError(400, 'BadRequest', `Unknown time zone '${given}' (use an IANA name such as Europe/Paris, or a Windows zone name)`);
  }
  const allDay = item.IsAllDay ?? previous?.allDay ?? false;
  const out: Partial<EventInput> = { timeZone, allDay };
  if (item.Subject !== undefined) out.summary = item.Subject;
  if (item.Location !== undefined) out.location = item.Location;
  if (item.Body !== undefined) out.description = item.IsHtml ? stripHtml(item.Body) : item.Body;
  if (item.ShowAs !== undefined) out.showAs = item.ShowAs;
  if (item.Importance !== undefined) out.importance = item.Importance;
  if (item.Reminder !== undefined) out.reminderMinutes = item.Reminder;
  if (item.Categories !== undefined) out.categories = item.Categories;
  if (item.Recurrence !== undefined) {
    out.rrule = item.Recurrence ? item.Recurrence.trim().replace(/^RRULE:/i, '') : null;
    // Checked now: a rule nobody can expand must not reach the calendar (PimParseError -> 400).
    if (out.rrule) parseRRule(out.rrule);
  }
  if (item.RequiredAttendees !== undefined || item.OptionalAttendees !== undefined) {
    const keep = previous?.attendees ?? [];
    const required = item.RequiredAttendees !== undefined ? attendeesFrom(item.RequiredAttendees, 'required', 'RequiredAttendees') : keep.filter((a) => a.role !== 'optional');
    const optional = item.OptionalAttendees !== undefined ? attendeesFrom(item.OptionalAttendees, 'optional', 'OptionalAttendees') : keep.filter((a) => a.role === 'optional');
    out.attendees = [...required, ...optional];
  }
  const start = item.Start ?? (previous && (item.TimeZone !== undefined || item.IsAllDay !== undefined) ? previous.start : undefined);
  const end = item.End ?? (previous && (item.TimeZone !== undefined || item.IsAllDay !== undefined) ? previous.end : undefined);
  if (start !== undefined) out.start = wallClock(start, timeZone, allDay, 'Start');
  if (end !== undefined) out.end = wallClock(end, timeZone, allDay, 'End');
  return out;
}

function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

/** "2026-03-08T09:00:00" in Europe/Paris -> "2026-03-08T09:00:00+01:00": exact, and keeps the wall clock. */
export function withOffset(local: string, timeZone: string): string {
  const wall = local.length === 16 ? `${local}:00` : local.slice(0, 19);
  const utc = Date.parse(zonedWallClockToUtc(wall, timeZone));
  const minutes = Math.round((Date.parse(`${wall}Z`) - utc) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function instantIn(utcMs: number, timeZone: string, allDay: boolean): string {
  const iso = new Date(utcMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (allDay) return iso.slice(0, 10);
  return withOffset(utcToZonedWallClock(iso, timeZone), timeZone);
}

export interface CalendarItem {
  ItemInternalId: string;
  Id: string;
  Subject: string;
  Start: string;
  End: string;
  TimeZone: string;
  IsAllDay: boolean;
  Location: string;
  Body: string;
  IsHtml: boolean;
  ShowAs: string;
  Importance: string;
  Reminder: number | null;
  RequiredAttendees: string;
  OptionalAttendees: string;
  Organizer: string;
  Categories: string[];
  Recurrence: string | null;
  CreatedTime: string;
  LastModifiedTime: string;
  /** Present for occurrences of a series (calendar view and upcoming events). */
  SeriesMasterId?: string;
}

export function toCalendarItem(e: CalendarEvent, occurrence?: Pick<Occurrence, 'startUtc' | 'endUtc'>): CalendarItem {
  const item: CalendarItem = {
    ItemInternalId: e.id,
    Id: e.id,
    Subject: e.summary,
    Start: occurrence ? instantIn(occurrence.startUtc, e.timeZone, e.allDay) : e.allDay ? e.start.slice(0, 10) : withOffset(e.start, e.timeZone),
    End: occurrence ? instantIn(occurrence.endUtc, e.timeZone, e.allDay) : e.allDay ? e.end.slice(0, 10) : withOffset(e.end, e.timeZone),
    TimeZone: e.timeZone,
    IsAllDay: e.allDay,
    Location: e.location,
    Body: e.description,
    IsHtml: false,
    ShowAs: capital(e.showAs),
    Importance: capital(e.importance),
    Reminder: e.reminderMinutes,
    RequiredAttendees: joinAddresses(e.attendees.filter((a) => a.role !== 'optional')),
    OptionalAttendees: joinAddresses(e.attendees.filter((a) => a.role === 'optional')),
    Organizer: e.organizer?.address ?? '',
    Categories: e.categories,
    Recurrence: e.rrule,
    CreatedTime: new Date(e.createdAt).toISOString(),
    LastModifiedTime: new Date(e.updatedAt).toISOString(),
  };
  if (occurrence && (e.rrule || e.recurrenceId)) item.SeriesMasterId = e.id;
  return item;
}

// ---------------------------------------------------------------- contacts

const PhysicalAddress = z.object({
  Street: text(500).optional(),
  City: text(200).optional(),
  State: text(200).optional(),
  PostalCode: text(50).optional(),
  CountryOrRegion: text(200).optional(),
});
type PhysicalAddress = z.infer<typeof PhysicalAddress>;

export const ContactItemInput = z.object({
  DisplayName: text(500).optional(),
  GivenName: text(200).optional(),
  Surname: text(200).optional(),
  EmailAddresses: list(z.object({ Name: text(500).optional(), Address: text(500).pipe(z.string().email()) }), 50).optional(),
  MobilePhone1: text(100).optional(),
  HomePhones: list(text(100), 20).optional(),
  BusinessPhones: list(text(100), 20).optional(),
  CompanyName: text(500).optional(),
  JobTitle: text(500).optional(),
  Birthday: z.preprocess((v) => (v === '' ? null : v), text(40).nullable()).optional(),
  HomeAddress: z.preprocess((v) => (v === '' ? {} : v), PhysicalAddress).optional(),
  BusinessAddress: z.preprocess((v) => (v === '' ? {} : v), PhysicalAddress).optional(),
  PersonalNotes: text(100_000).optional(),
  Categories: list(text(200), 50).optional(),
});
export type ContactItemInput = z.infer<typeof ContactItemInput>;

type Phone = { type: 'mobile' | 'home' | 'work' | 'fax' | 'other'; number: string };
type Postal = { type: 'home' | 'work' | 'other'; street: string; locality: string; region: string; postalCode: string; country: string };

function toPostal(type: 'home' | 'work', a: PhysicalAddress): Postal[] {
  const p = { type, street: a.Street ?? '', locality: a.City ?? '', region: a.State ?? '', postalCode: a.PostalCode ?? '', country: a.CountryOrRegion ?? '' };
  return [p.street, p.locality, p.region, p.postalCode, p.country].some(Boolean) ? [p] : [];
}

/** Maps a ContactItem (full for POST, partial for PATCH) onto the contact model. */
export function toContactInput(item: ContactItemInput, previous: StoredContact | null): Partial<ContactInput> {
  const out: Partial<ContactInput> = {};
  if (item.DisplayName !== undefined) out.displayName = item.DisplayName;
  if (item.GivenName !== undefined) out.givenName = item.GivenName;
  if (item.Surname !== undefined) out.surname = item.Surname;
  if (item.EmailAddresses !== undefined) out.emails = item.EmailAddresses.map((e) => ({ type: 'other', address: e.Address }));
  if (item.CompanyName !== undefined) out.company = item.CompanyName;
  if (item.JobTitle !== undefined) out.jobTitle = item.JobTitle;
  if (item.PersonalNotes !== undefined) out.notes = item.PersonalNotes;
  if (item.Categories !== undefined) out.categories = item.Categories;
  if (item.Birthday !== undefined) {
    const b = item.Birthday;
    if (b === null) out.birthday = null;
    else {
      const m = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(b.trim());
      if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) throw new HttpError(400, 'BadRequest', `'Birthday' must be an ISO 8601 date, got '${b.slice(0, 40)}'`);
      out.birthday = m[1]!;
    }
  }
  if (item.MobilePhone1 !== undefined || item.HomePhones !== undefined || item.BusinessPhones !== undefined) {
    const prev: Phone[] = previous?.phones ?? [];
    const of = (type: Phone['type']) => prev.filter((p) => p.type === type);
    const mobile: Phone[] = item.MobilePhone1 !== undefined ? (item.MobilePhone1 ? [{ type: 'mobile', number: item.MobilePhone1 }] : []) : of('mobile');
    const home: Phone[] = item.HomePhones !== undefined ? item.HomePhones.filter(Boolean).map((n) => ({ type: 'home', number: n })) : of('home');
    const work: Phone[] = item.BusinessPhones !== undefined ? item.BusinessPhones.filter(Boolean).map((n) => ({ type: 'work', number: n })) : of('work');
    const others = prev.filter((p) => p.type === 'fax' || p.type === 'other');
    out.phones = [...mobile, ...home, ...work, ...others];
  }
  if (item.HomeAddress !== undefined || item.BusinessAddress !== undefined) {
    const prev: Postal[] = previous?.addresses ?? [];
    const home = item.HomeAddress !== undefined ? toPostal('home', item.HomeAddress) : prev.filter((a) => a.type === 'home');
    const work = item.BusinessAddress !== undefined ? toPostal('work', item.BusinessAddress) : prev.filter((a) => a.type === 'work');
    out.addresses = [...home, ...work, ...prev.filter((a) => a.type === 'other')];
  }
  return out;
}

function physical(c: StoredContact, type: 'home' | 'work'): Required<PhysicalAddress> {
  const a = c.addresses.find((x) => x.type === type);
  return { Street: a?.street ?? '', City: a?.locality ?? '', State: a?.region ?? '', PostalCode: a?.postalCode ?? '', CountryOrRegion: a?.country ?? '' };
}

export interface ContactItem {
  ItemInternalId: string;
  Id: string;
  DisplayName: string;
  GivenName: string;
  Surname: string;
  EmailAddresses: { Name: string; Address: string }[];
  MobilePhone1: string;
  HomePhones: string[];
  BusinessPhones: string[];
  CompanyName: string;
  JobTitle: string;
  Birthday: string | null;
  HomeAddress: Required<PhysicalAddress>;
  BusinessAddress: Required<PhysicalAddress>;
  PersonalNotes: string;
  Categories: string[];
  CreatedTime: string;
  LastModifiedTime: string;
}

export function toContactItem(c: StoredContact): ContactItem {
  return {
    ItemInternalId: c.id,
    Id: c.id,
    DisplayName: c.displayName,
    GivenName: c.givenName,
    Surname: c.surname,
    EmailAddresses: c.emails.map((e) => ({ Name: c.displayName, Address: e.address })),
    MobilePhone1: c.phones.find((p) => p.type === 'mobile')?.number ?? '',
    HomePhones: c.phones.filter((p) => p.type === 'home').map((p) => p.number),
    BusinessPhones: c.phones.filter((p) => p.type === 'work').map((p) => p.number),
    CompanyName: c.company,
    JobTitle: c.jobTitle,
    Birthday: c.birthday,
    HomeAddress: physical(c, 'home'),
    BusinessAddress: physical(c, 'work'),
    PersonalNotes: c.notes,
    Categories: c.categories,
    CreatedTime: new Date(c.createdAt).toISOString(),
    LastModifiedTime: new Date(c.updatedAt).toISOString(),
  };
}

/** Reads a body with a schema; a missing body or a wrong field is a 400 naming the field. */
export function readBodyAs<T extends z.ZodTypeAny>(schema: T, body: unknown, what: string): z.output<T> {
  if (body === undefined || body === null || body === '') throw new HttpError(400, 'BadRequest', `A ${what} body is required`);
  if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'BadRequest', `The body must be a ${what} object`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `'${issue.path.join('.')}'` : 'the body';
    throw new HttpError(400, 'BadRequest', `Invalid ${what}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as z.output<T>;
}
