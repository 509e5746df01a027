// iCalendar/vCard resources ⇄ store rows. A row keeps the whole server resource text (`ical`/`vcard`)
// so writing back patches only what Pimlico edits: unknown properties, VTIMEZONEs, other instances of
// a series (RECURRENCE-ID overrides share the resource and the UID) survive untouched.
import { withUtcBounds } from '../../calendar/service';
import { eventColumns, eventToData } from '../../calendar/columns';
import { contactColumns, contactToData } from '../../contacts/columns';
import { buildICalendar, buildVCard, parseICalendar, parseVCards, type ContactData, type EventData, type ParsedContact } from '../../pim';
import type { StoredContact, StoredEvent } from '../../store';
import { PimlicoError } from '../../util/errors';
import { newId } from '../../util/ids';

function isoToMs(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Same slot of a series: recurrence ids as the parser writes them (wall clock, or date). */
export function sameInstance(a: { uid: string; recurrenceId: string | null }, b: { uid: string; recurrenceId: string | null }): boolean {
  return a.uid === b.uid && (a.recurrenceId ?? null) === (b.recurrenceId ?? null);
}

export interface EventRowContext {
  calendarId: string;
  accountId: string;
  href: string;
  etag: string;
  now: number;
}

/** One row per VEVENT in the resource (series master and each overridden instance). Rows that fail validation are reported, not stored. */
export function eventRowsFromResource(text: string, ctx: EventRowContext, existing: StoredEvent[]): { rows: StoredEvent[]; problems: string[] } {
  const parsed = parseICalendar(text);
  const problems = parsed.issues.filter((i) => i.dropped).map((i) => `${i.uid ?? '?'}: ${i.message}`);
  const rows: StoredEvent[] = [];
  for (const ev of parsed.events) {
    const d = ev.data;
    const match = existing.find((e) => sameInstance(e, d));
    try {
      rows.push(
        withUtcBounds({
          id: match?.id ?? newId('evt'),
          calendarId: ctx.calendarId,
          accountId: ctx.accountId,
          ...eventColumns(d),
          createdAt: match?.createdAt ?? isoToMs(d.created) ?? ctx.now,
          updatedAt: isoToMs(d.lastModified) ?? ctx.now,
          remoteId: ctx.href,
          etag: ctx.etag,
          ical: text,
        }),
      );
    } catch (err) {
      problems.push(`${d.uid}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { rows, problems };
}


function highestSequence(ical: string | null): number {
  let max = 0;
  for (const m of (ical ?? '').matchAll(/(?:^|\n)SEQUENCE[^:\r\n]*:(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/**
 * The resource to PUT: `base` (the server's text, if the event exists there) with this one instance
 * replaced or added, or `removeInstance` dropped and excluded on the master via EXDATE.
 */
export function buildEventResource(base: string | null, change: { put: StoredEvent } | { removeInstance: { uid: string; recurrenceId: string } }, now: number): string {
  if (!base) {
    if (!('put' in change)) throw new Error('Nothing to remove from an event the server does not have');
    return buildICalendar([{ data: eventToData(change.put, null, now) }]);
  }
  const parsed = parseICalendar(base);
  const unreadable = parsed.issues.filter((i) => i.dropped);
  if (unreadable.length) {
    // Writing the resource back would silently drop what we could not read.
    throw new PimlicoError(
      'Unsupported',
      `The server's copy holds ${unreadable.length === 1 ? 'an event' : `${unreadable.length} events`} Pimlico cannot read (${unreadable[0]!.message}); saving here would lose ${unreadable.length === 1 ? 'it' : 'them'}`,
    );
  }
  const events: { data: EventData; original?: string }[] = [];
  // Instances Pimlico does not touch travel verbatim, byte for byte.
  const untouched: string[] = [];
  let replaced = false;
  for (const ev of parsed.events) {
    if ('put' in change && sameInstance(ev.data, change.put)) {
      const data = eventToData(change.put, ev.data, now);
      // SEQUENCE only grows: an organiser's change (invitations) raises it in the row's own text.
      events.push({ data: { ...data, sequence: Math.max(data.sequence, highestSequence(change.put.ical)) }, original: ev.component });
      replaced = true;
    } else if ('removeInstance' in change && sameInstance(ev.data, change.removeInstance)) {
      continue;
    } else if ('removeInstance' in change && ev.data.uid === change.removeInstance.uid && ev.data.recurrenceId === null) {
      const rid = change.removeInstance.recurrenceId;
      const exdates = ev.data.exdates.includes(rid) ? ev.data.exdates : [...ev.data.exdates, rid];
      events.push({ data: { ...ev.data, exdates }, original: ev.component });
    } else {
      untouched.push(ev.component);
    }
  }
  if ('put' in change && !replaced) events.push({ data: eventToData(change.put, null, now) });
  const build = (extraTimezones: string[]) =>
    buildICalendar(events, {
      timezones: parsed.timezones,
      calendarProperties: parsed.calendarProperties,
      otherComponents: [...extraTimezones, ...parsed.otherComponents, ...untouched],
    });
  const text = build([]);
  // buildICalendar writes the VTIMEZONEs the rebuilt events use; the verbatim ones may need others.
  const written = new Set(parseICalendar(text).timezones.map(tzidOf));
  const missing = parsed.timezones.filter((tz) => !written.has(tzidOf(tz)));
  return missing.length ? build(missing) : text;
}

function tzidOf(vtimezone: string): string {
  return /^TZID[^:]*:(.*)$/m.exec(vtimezone)?.[1]?.trim() ?? '';
}

// ---------------------------------------------------------------- contacts

export interface ContactRowContext {
  addressBookId: string;
  accountId: string;
  href: string;
  etag: string;
  now: number;
}

export function contactRowFromResource(text: string, ctx: ContactRowContext, existing: StoredContact | undefined): StoredContact | null {
  const card: ParsedContact | undefined = parseVCards(text)[0];
  if (!card) return null;
  const d = card.data;
  return {
    id: existing?.id ?? newId('con'),
    addressBookId: ctx.addressBookId,
    accountId: ctx.accountId,
    ...contactColumns(d),
    createdAt: existing?.createdAt ?? ctx.now,
    updatedAt: isoToMs(d.revision) ?? ctx.now,
    remoteId: ctx.href,
    etag: ctx.etag,
    vcard: text,
  };
}


function ownCard(text: string): ParsedContact | undefined {
  try {
    return parseVCards(text)[0];
  } catch {
    return undefined;
  }
}

/** vCard to PUT: the server's card patched, or a new vCard 3.0 card (the version every CardDAV server accepts). */
export function buildContactResource(base: string | null, contact: StoredContact, now: number): string {
  const original = base ? parseVCards(base)[0] : undefined;
  // The photo is edited in the contact's own card, not in a column: that card says what it is now.
  const own = contact.vcard && contact.vcard !== base ? ownCard(contact.vcard) : undefined;
  const withPhoto = (d: ContactData): ContactData => (own ? { ...d, photo: own.data.photo } : d);
  if (!original) return buildVCard(withPhoto(contactToData(contact, null, now)), { version: '3.0' });
  return buildVCard(withPhoto(contactToData(contact, original.data, now)), { original: original.original });
}
