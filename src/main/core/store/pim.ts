import type { AddressBook, CalendarEvent, CalendarInfo, Contact, EmailAddress } from '../../../shared/types';
import type { Db } from './database';
import { bool, int, parseJson } from './json';

interface CalendarRow {
  id: string;
  account_id: string;
  remote_id: string | null;
  name: string;
  color: string;
  read_only: number;
  visible: number;
  sync_token: string | null;
  ctag: string | null;
}

export interface StoredCalendar extends CalendarInfo {
  remoteId: string | null;
  syncToken: string | null;
  ctag: string | null;
}

interface EventRow {
  id: string;
  calendar_id: string;
  account_id: string;
  uid: string;
  remote_id: string | null;
  etag: string | null;
  ical: string | null;
  summary: string;
  description: string;
  location: string;
  start_local: string;
  end_local: string;
  time_zone: string;
  all_day: number;
  rrule: string | null;
  exdates_json: string;
  recurrence_id: string | null;
  status: string;
  show_as: CalendarEvent['showAs'];
  importance: CalendarEvent['importance'];
  reminder_minutes: number | null;
  organizer_json: string | null;
  attendees_json: string;
  categories_json: string;
  start_utc: number;
  end_utc: number;
  created_at: number;
  updated_at: number;
}

/** Everything the store keeps of an event, including what only sync needs. */
export interface StoredEvent extends CalendarEvent {
  remoteId: string | null;
  etag: string | null;
  ical: string | null;
  status: string;
}

function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    calendarId: r.calendar_id,
    accountId: r.account_id,
    uid: r.uid,
    summary: r.summary,
    description: r.description,
    location: r.location,
    start: r.start_local,
    end: r.end_local,
    timeZone: r.time_zone,
    allDay: bool(r.all_day),
    rrule: r.rrule,
    exdates: parseJson<string[]>(r.exdates_json, []),
    recurrenceId: r.recurrence_id,
    showAs: r.show_as,
    importance: r.importance,
    reminderMinutes: r.reminder_minutes,
    organizer: parseJson<EmailAddress | null>(r.organizer_json, null),
    attendees: parseJson<CalendarEvent['attendees']>(r.attendees_json, []),
    categories: parseJson<string[]>(r.categories_json, []),
    startUtc: r.start_utc,
    endUtc: r.end_utc,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    remoteId: r.remote_id,
    etag: r.etag,
    ical: r.ical,
    status: r.status,
  };
}

interface ContactRow {
  id: string;
  address_book_id: string;
  account_id: string;
  uid: string;
  remote_id: string | null;
  etag: string | null;
  vcard: string | null;
  kind: Contact['kind'];
  display_name: string;
  given_name: string;
  surname: string;
  emails_json: string;
  phones_json: string;
  addresses_json: string;
  company: string;
  job_title: string;
  birthday: string | null;
  notes: string;
  categories_json: string;
  members_json: string;
  created_at: number;
  updated_at: number;
}

export interface StoredContact extends Contact {
  remoteId: string | null;
  etag: string | null;
  vcard: string | null;
}

function toContact(r: ContactRow): StoredContact {
  return {
    id: r.id,
    addressBookId: r.address_book_id,
    accountId: r.account_id,
    uid: r.uid,
    kind: r.kind,
    displayName: r.display_name,
    givenName: r.given_name,
    surname: r.surname,
    emails: parseJson<Contact['emails']>(r.emails_json, []),
    phones: parseJson<Contact['phones']>(r.phones_json, []),
    addresses: parseJson<Contact['addresses']>(r.addresses_json, []),
    company: r.company,
    jobTitle: r.job_title,
    birthday: r.birthday,
    notes: r.notes,
    categories: parseJson<string[]>(r.categories_json, []),
    members: parseJson<string[]>(r.members_json, []),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    remoteId: r.remote_id,
    etag: r.etag,
    vcard: r.vcard,
  };
}

export class PimRepo {
  constructor(private readonly db: Db) {}

  // ---- calendars

  calendars(accountId?: string): StoredCalendar[] {
    const rows = (
      accountId
        ? this.db.prepare('SELECT * FROM calendars WHERE account_id = ? ORDER BY sort_order, name').all(accountId)
        : this.db.prepare('SELECT * FROM calendars ORDER BY account_id, sort_order, name').all()
    ) as CalendarRow[];
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      name: r.name,
      color: r.color,
      readOnly: bool(r.read_only),
      visible: bool(r.visible),
      remoteId: r.remote_id,
      syncToken: r.sync_token,
      ctag: r.ctag,
    }));
  }

  calendar(id: string): StoredCalendar | undefined {
    return this.calendars().find((c) => c.id === id);
  }

  insertCalendar(c: { id: string; accountId: string; name: string; color?: string; remoteId?: string | null; readOnly?: boolean }): void {
    this.db
      .prepare('INSERT INTO calendars (id, account_id, remote_id, name, color, read_only) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.id, c.accountId, c.remoteId ?? null, c.name, c.color ?? '#3b82f6', int(c.readOnly));
  }

  updateCalendar(id: string, patch: { name?: string; color?: string; visible?: boolean; syncToken?: string | null; ctag?: string | null }): void {
    const cur = this.calendar(id);
    if (!cur) return;
    this.db
      .prepare('UPDATE calendars SET name = ?, color = ?, visible = ?, sync_token = ?, ctag = ? WHERE id = ?')
      .run(
        patch.name ?? cur.name,
        patch.color ?? cur.color,
        int(patch.visible ?? cur.visible),
        patch.syncToken !== undefined ? patch.syncToken : cur.syncToken,
        patch.ctag !== undefined ? patch.ctag : cur.ctag,
        id,
      );
  }

  removeCalendar(id: string): void {
    this.db.prepare('DELETE FROM calendars WHERE id = ?').run(id);
  }

  // ---- events

  event(id: string): StoredEvent | undefined {
    const r = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return r && toEvent(r);
  }

  eventsByUid(calendarId: string, uid: string): StoredEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE calendar_id = ? AND uid = ?').all(calendarId, uid) as EventRow[]).map(toEvent);
  }

  /** Every row of one server resource: a series master and its overridden instances share it. */
  eventsByRemoteId(calendarId: string, remoteId: string): StoredEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE calendar_id = ? AND remote_id = ?').all(calendarId, remoteId) as EventRow[]).map(toEvent);
  }

  eventByRemoteId(calendarId: string, remoteId: string): StoredEvent | undefined {
    const r = this.db.prepare('SELECT * FROM events WHERE calendar_id = ? AND remote_id = ?').get(calendarId, remoteId) as EventRow | undefined;
    return r && toEvent(r);
  }

  /** Events (series masters and single events) that may have occurrences overlapping [from, to). */
  eventsOverlapping(fromUtc: number, toUtc: number, calendarIds?: string[]): StoredEvent[] {
    const ids = calendarIds ?? this.calendars().filter((c) => c.visible).map((c) => c.id);
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE calendar_id IN (${ids.map(() => '?').join(',')})
         AND start_utc < ? AND end_utc > ? ORDER BY start_utc`,
      )
      .all(...ids, toUtc, fromUtc) as EventRow[];
    return rows.map(toEvent);
  }

  eventsInCalendar(calendarId: string): StoredEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE calendar_id = ? ORDER BY start_utc').all(calendarId) as EventRow[]).map(toEvent);
  }

  upsertEvent(e: StoredEvent): void {
    this.db
      .prepare(
        `INSERT INTO events (id, calendar_id, account_id, uid, remote_id, etag, ical, summary, description, location,
           start_local, end_local, time_zone, all_day, rrule, exdates_json, recurrence_id, status, show_as, importance,
           reminder_minutes, organizer_json, attendees_json, categories_json, start_utc, end_utc, created_at, updated_at)
         VALUES (@id, @calendarId, @accountId, @uid, @remoteId, @etag, @ical, @summary, @description, @location,
           @start, @end, @timeZone, @allDay, @rrule, @exdates, @recurrenceId, @status, @showAs, @importance,
           @reminderMinutes, @organizer, @attendees, @categories, @startUtc, @endUtc, @createdAt, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET
           calendar_id = excluded.calendar_id, uid = excluded.uid, remote_id = excluded.remote_id, etag = excluded.etag,
           ical = excluded.ical, summary = excluded.summary, description = excluded.description,
           location = excluded.location, start_local = excluded.start_local, end_local = excluded.end_local,
           time_zone = excluded.time_zone, all_day = excluded.all_day, rrule = excluded.rrule,
           exdates_json = excluded.exdates_json, recurrence_id = excluded.recurrence_id, status = excluded.status,
           show_as = excluded.show_as, importance = excluded.importance, reminder_minutes = excluded.reminder_minutes,
           organizer_json = excluded.organizer_json, attendees_json = excluded.attendees_json,
           categories_json = excluded.categories_json, start_utc = excluded.start_utc, end_utc = excluded.end_utc,
           updated_at = excluded.updated_at`,
      )
      .run({
        ...e,
        allDay: int(e.allDay),
        exdates: JSON.stringify(e.exdates),
        organizer: e.organizer ? JSON.stringify(e.organizer) : null,
        attendees: JSON.stringify(e.attendees),
        categories: JSON.stringify(e.categories),
      });
  }

  removeEvent(id: string): void {
    this.db.prepare('DELETE FROM events WHERE id = ?').run(id);
  }

  // ---- address books and contacts

  addressBooks(accountId?: string): (AddressBook & { remoteId: string | null; syncToken: string | null; ctag: string | null })[] {
    const rows = (
      accountId
        ? this.db.prepare('SELECT * FROM address_books WHERE account_id = ? ORDER BY name').all(accountId)
        : this.db.prepare('SELECT * FROM address_books ORDER BY account_id, name').all()
    ) as { id: string; account_id: string; name: string; read_only: number; remote_id: string | null; sync_token: string | null; ctag: string | null }[];
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      name: r.name,
      readOnly: bool(r.read_only),
      remoteId: r.remote_id,
      syncToken: r.sync_token,
      ctag: r.ctag,
    }));
  }

  insertAddressBook(b: { id: string; accountId: string; name: string; remoteId?: string | null; readOnly?: boolean }): void {
    this.db
      .prepare('INSERT INTO address_books (id, account_id, remote_id, name, read_only) VALUES (?, ?, ?, ?, ?)')
      .run(b.id, b.accountId, b.remoteId ?? null, b.name, int(b.readOnly));
  }

  updateAddressBook(id: string, patch: { name?: string; syncToken?: string | null; ctag?: string | null }): void {
    const cur = this.addressBooks().find((b) => b.id === id);
    if (!cur) return;
    this.db
      .prepare('UPDATE address_books SET name = ?, sync_token = ?, ctag = ? WHERE id = ?')
      .run(patch.name ?? cur.name, patch.syncToken !== undefined ? patch.syncToken : cur.syncToken, patch.ctag !== undefined ? patch.ctag : cur.ctag, id);
  }

  removeAddressBook(id: string): void {
    this.db.prepare('DELETE FROM address_books WHERE id = ?').run(id);
  }

  contact(id: string): StoredContact | undefined {
    const r = this.db.prepare('SELECT * FROM contacts WHERE id = ?').get(id) as ContactRow | undefined;
    return r && toContact(r);
  }

  contactByRemoteId(addressBookId: string, remoteId: string): StoredContact | undefined {
    const r = this.db.prepare('SELECT * FROM contacts WHERE address_book_id = ? AND remote_id = ?').get(addressBookId, remoteId) as
      | ContactRow
      | undefined;
    return r && toContact(r);
  }

  contacts(q: { addressBookId?: string; query?: string; limit: number }): StoredContact[] {
    const clauses: string[] = [];
    const args: (string | number)[] = [];
    if (q.addressBookId) {
      clauses.push('c.address_book_id = ?');
      args.push(q.addressBookId);
    }
    const terms = (q.query ?? '').trim().split(/\s+/).filter(Boolean);
    if (terms.length) {
      // Prefix match on every word, so "ali smi" finds "Alice Smith" as you type.
      const match = terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' ');
      clauses.push('c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)');
      args.push(match);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT c.* FROM contacts c ${where} ORDER BY c.display_name COLLATE NOCASE, c.id LIMIT ?`)
      .all(...args, q.limit) as ContactRow[];
    return rows.map(toContact);
  }

  upsertContact(c: StoredContact): void {
    this.db
      .prepare(
        `INSERT INTO contacts (id, address_book_id, account_id, uid, remote_id, etag, vcard, kind, display_name, given_name,
           surname, emails_json, phones_json, addresses_json, company, job_title, birthday, notes, categories_json,
           members_json, created_at, updated_at)
         VALUES (@id, @addressBookId, @accountId, @uid, @remoteId, @etag, @vcard, @kind, @displayName, @givenName,
           @surname, @emails, @phones, @addresses, @company, @jobTitle, @birthday, @notes, @categories,
           @members, @createdAt, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET
           address_book_id = excluded.address_book_id, uid = excluded.uid, remote_id = excluded.remote_id,
           etag = excluded.etag, vcard = excluded.vcard, kind = excluded.kind, display_name = excluded.display_name,
           given_name = excluded.given_name, surname = excluded.surname, emails_json = excluded.emails_json,
           phones_json = excluded.phones_json, addresses_json = excluded.addresses_json, company = excluded.company,
           job_title = excluded.job_title, birthday = excluded.birthday, notes = excluded.notes,
           categories_json = excluded.categories_json, members_json = excluded.members_json,
           updated_at = excluded.updated_at`,
      )
      .run({
        ...c,
        emails: JSON.stringify(c.emails),
        phones: JSON.stringify(c.phones),
        addresses: JSON.stringify(c.addresses),
        categories: JSON.stringify(c.categories),
        members: JSON.stringify(c.members),
      });
  }

  removeContact(id: string): void {
    this.db.prepare('DELETE FROM contacts WHERE id = ?').run(id);
  }
}
