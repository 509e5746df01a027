// iMIP (RFC 6047) over iTIP (RFC 5546): invitations read from mail, answered to the organiser through the
// outbox, replies and cancellations applied to the calendar, and REQUESTs sent for events with attendees.
import type { EmailAddress, Occurrence, TaskInfo } from '../../../shared/types';
import type { CalendarService } from '../calendar/service';
import { exportEvents } from '../calendar/ics';
import { splitByUid } from '../calendar/ics';
import { buildICalendar, parseICalendar, type ParsedCalendar, type ParsedEvent } from '../pim';
import { buildMessage } from '../mime';
import type { Store, StoredEvent } from '../store';
import { badRequest, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';

export type PartStat = 'accepted' | 'tentative' | 'declined';

export interface InvitationPreview {
  method: string;
  uid: string;
  summary: string;
  location: string;
  description: string;
  start: string;
  end: string;
  timeZone: string;
  allDay: boolean;
  rrule: string | null;
  startUtc: number;
  endUtc: number;
  organizer: EmailAddress | null;
  attendees: { name: string; address: string; status: string }[];
  /** The account's own address among the attendees, and its answer so far. */
  me: string | null;
  myStatus: string | null;
  /** The event already in a calendar (same UID), if any. */
  existingEventId: string | null;
  /** Other events that day, for the conflicts preview. */
  dayEvents: { summary: string; startUtc: number; endUtc: number; calendarId: string; allDay: boolean; overlaps: boolean }[];
  /** REPLY: who answered what. */
  replies: { address: string; status: string }[];
  /** REPLY/CANCEL/update: whether the calendar already reflects this message. */
  applied: boolean;
}

export interface InvitationDeps {
  store: Store;
  calendar: CalendarService;
  now: () => number;
  /** Reads an attachment's bytes (cached or fetched from the server). */
  attachment(messageId: string, attachmentId: string): Promise<{ contentType: string; contentBase64: string }>;
  /** Starts the outbox for an account. */
  kickOutbox(accountId: string): void;
  emit(entities: ('events' | 'outbox' | 'mail')[], accountId: string): void;
}

const lower = (s: string) => s.trim().toLowerCase().replace(/^mailto:/, '');
const DAY = 86_400_000;

export class InvitationService {
  constructor(private readonly deps: InvitationDeps) {}

  /** The iCalendar data carried by a message (its text/calendar or .ics part), or null. */
  async calendarOf(messageId: string): Promise<{ accountId: string; parsed: ParsedCalendar } | null> {
    const msg = this.deps.store.mail.detail(messageId);
    if (!msg) throw notFound('Message', messageId);
    const part = msg.attachments.find((a) => /^(text\/calendar|application\/ics)$/i.test(a.contentType) || /\.ics$/i.test(a.filename));
    if (!part) return null;
    const { contentBase64 } = await this.deps.attachment(messageId, part.id);
    const text = Buffer.from(contentBase64, 'base64').toString('utf8');
    try {
      return { accountId: msg.accountId, parsed: parseICalendar(text) };
    } catch (err) {
      throw new PimlicoError('BadRequest', `The invitation in this message cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private ownAddresses(accountId: string): Set<string> {
    const account = this.deps.store.accounts.get(accountId);
    return new Set(account?.email ? [lower(account.email)] : []);
  }

  /**
   * The event in this account's calendars (or, for an account without calendars, in the one its invitations
   * go to). Never another account's copy: organiser and attendee may both be accounts of this profile.
   */
  private findExisting(accountId: string, uid: string): StoredEvent[] {
    const own = this.deps.store.pim.calendars(accountId);
    const calendars = own.length ? own : this.deps.store.pim.calendars().filter((c) => c.id === this.fallbackCalendar()?.id);
    for (const cal of calendars) {
      const rows = this.deps.store.pim.eventsByUid(cal.id, uid);
      if (rows.length) return rows;
    }
    return [];
  }

  private fallbackCalendar() {
    return this.deps.store.pim.calendars().find((c) => !c.readOnly);
  }

  private primary(parsed: ParsedCalendar): ParsedEvent {
    const ev = parsed.events.find((e) => !e.data.recurrenceId) ?? parsed.events[0];
    if (!ev) throw badRequest('The invitation has no event');
    return ev;
  }

  async preview(messageId: string): Promise<InvitationPreview | null> {
    const found = await this.calendarOf(messageId);
    if (!found) return null;
    const { accountId, parsed } = found;
    const ev = this.primary(parsed);
    const d = ev.data;
    const own = this.ownAddresses(accountId);
    const meAttendee = d.attendees.find((a) => own.has(lower(a.address)));
    const existing = this.findExisting(accountId, d.uid);
    const master = existing.find((e) => (e.recurrenceId ?? null) === (d.recurrenceId ?? null)) ?? existing[0];
    const method = (parsed.method ?? 'PUBLISH').toUpperCase();
    const startUtc = this.instant(d.start, d.timeZone, d.allDay);
    const endUtc = this.instant(d.end, d.timeZone, d.allDay);
    const dayStart = Math.floor(startUtc / DAY) * DAY - DAY / 2;
    const dayEvents = this.deps.calendar
      .range(dayStart, dayStart + 2 * DAY)
      .filter((o: Occurrence) => o.event.uid !== d.uid)
      .map((o) => ({
        summary: o.event.summary,
        startUtc: o.startUtc,
        endUtc: o.endUtc,
        calendarId: o.calendarId,
        allDay: o.event.allDay,
        overlaps: o.startUtc < endUtc && o.endUtc > startUtc && o.event.showAs !== 'free',
      }));
    let applied = false;
    if (method === 'REPLY' && master) {
      applied = d.attendees.every((a) => master.attendees.some((m) => lower(m.address) === lower(a.address) && m.status === a.status));
    } else if (method === 'CANCEL') {
      applied = !master || master.status === 'cancelled';
    } else if (master) {
      applied = !!meAttendee && master.attendees.some((m) => own.has(lower(m.address)) && m.status !== 'needs-action');
    }
    return {
      method,
      uid: d.uid,
      summary: d.summary,
      location: d.location,
      description: d.description,
      start: d.start,
      end: d.end,
      timeZone: d.timeZone,
      allDay: d.allDay,
      rrule: d.rrule,
      startUtc,
      endUtc,
      organizer: d.organizer,
      attendees: d.attendees.map(({ name, address, status }) => ({ name, address, status })),
      me: meAttendee?.address ?? [...own][0] ?? null,
      myStatus: master?.attendees.find((a) => own.has(lower(a.address)))?.status ?? meAttendee?.status ?? null,
      existingEventId: master?.id ?? null,
      dayEvents,
      replies: method === 'REPLY' ? d.attendees.map((a) => ({ address: a.address, status: a.status })) : [],
      applied,
    };
  }

  private instant(local: string, timeZone: string, allDay: boolean): number {
    const ms = this.deps.calendar.instantOf(local, timeZone, allDay);
    if (Number.isNaN(ms)) throw badRequest('The invitation has an unreadable start or end');
    return ms;
  }

  private targetCalendar(accountId: string, calendarId?: string): string {
    if (calendarId) return calendarId;
    const own = this.deps.store.pim.calendars(accountId);
    const any = own.length ? own.find((c) => !c.readOnly) : this.fallbackCalendar();
    if (!any) throw new PimlicoError('NotFound', 'There is no writable calendar to put the event in');
    return any.id;
  }

  /**
   * Answers an invitation: the event goes into the calendar (or is updated) with the user's answer, and a
   * METHOD:REPLY message goes to the organiser through the outbox.
   */
  async respond(messageId: string, status: PartStat, opts: { calendarId?: string; comment?: string } = {}): Promise<{ eventId: string; outboxId: string | null; task: TaskInfo }> {
    const found = await this.calendarOf(messageId);
    if (!found) throw badRequest('This message has no invitation');
    const { accountId, parsed } = found;
    const method = (parsed.method ?? 'REQUEST').toUpperCase();
    if (method !== 'REQUEST' && method !== 'PUBLISH') throw badRequest(`This message is a ${method}, not an invitation`);
    const account = this.deps.store.accounts.get(accountId);
    if (!account) throw notFound('Account', accountId);
    const own = this.ownAddresses(accountId);
    const myAddress = parsed.events.flatMap((e) => e.data.attendees).find((a) => own.has(lower(a.address)))?.address ?? account.email;
    const setMine = <T extends { address: string; status: string }>(list: T[]): T[] => {
      const out = list.map((a) => (lower(a.address) === lower(myAddress) ? { ...a, status: status } : a));
      return out.some((a) => lower(a.address) === lower(myAddress)) ? out : [...out, { name: account.displayName, address: myAddress, role: 'required', status, rsvp: false } as unknown as T];
    };

    const uid = this.primary(parsed).data.uid;
    const existing = this.findExisting(accountId, uid);
    const calendarId = existing[0]?.calendarId ?? this.targetCalendar(accountId, opts.calendarId);
    const cal = this.deps.store.pim.calendar(calendarId);
    if (!cal) throw notFound('Calendar', calendarId);
    const resource = splitByUid(parsed).find((r) => r.uid === uid);
    if (!resource) throw badRequest('The invitation has no event');
    let firstTask: TaskInfo | null = null;
    let eventId = '';
    const now = this.deps.now();
    for (const ev of [...resource.events].sort((a, b) => Number(a.data.recurrenceId !== null) - Number(b.data.recurrenceId !== null))) {
      const previous = existing.find((e) => (e.recurrenceId ?? null) === (ev.data.recurrenceId ?? null)) ?? null;
      const row = this.deps.calendar.rowFromParsed(ev, resource.text, { calendarId, accountId: cal.accountId, now }, previous);
      row.attendees = setMine(row.attendees);
      row.showAs = status === 'declined' ? 'free' : status === 'tentative' ? 'tentative' : row.showAs === 'free' ? 'busy' : row.showAs;
      const task = this.deps.calendar.put(row, previous);
      firstTask ??= task;
      if (!eventId) eventId = row.id;
    }

    const organizer = this.primary(parsed).data.organizer;
    let outboxId: string | null = null;
    if (organizer && !own.has(lower(organizer.address))) {
      const replyEvents = resource.events.map((ev) => ({
        data: {
          ...ev.data,
          attendees: [{ name: account.displayName, address: myAddress, role: 'required' as const, status, rsvp: false }],
          description: opts.comment ?? '',
          reminderMinutes: null,
          lastModified: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      }));
      const content = buildICalendar(replyEvents, { method: 'REPLY', timezones: parsed.timezones });
      const word = status === 'accepted' ? 'Accepted' : status === 'tentative' ? 'Tentative' : 'Declined';
      outboxId = await this.queueMail(accountId, [organizer], `${word}: ${this.primary(parsed).data.summary}`, `${account.displayName || myAddress} ${word.toLowerCase()} this invitation.${opts.comment ? `\n\n${opts.comment}` : ''}`, 'REPLY', content);
    }
    if (!firstTask) throw new PimlicoError('Internal', 'Nothing was written for the invitation');
    return { eventId, outboxId, task: firstTask };
  }

  /** Applies a REPLY (attendee answers), a CANCEL, or an updated REQUEST to the event already in the calendar. */
  async apply(messageId: string): Promise<{ applied: boolean; eventId: string | null }> {
    const found = await this.calendarOf(messageId);
    if (!found) throw badRequest('This message has no invitation');
    const { accountId, parsed } = found;
    const method = (parsed.method ?? 'PUBLISH').toUpperCase();
    const ev = this.primary(parsed);
    const existing = this.findExisting(accountId, ev.data.uid);
    if (!existing.length) return { applied: false, eventId: null };
    let changed = false;
    let eventId: string | null = null;
    for (const incoming of parsed.events) {
      const row = existing.find((e) => (e.recurrenceId ?? null) === (incoming.data.recurrenceId ?? null)) ?? (incoming.data.recurrenceId ? null : existing[0]!);
      if (method === 'REPLY') {
        // An answer to one occurrence updates the series when that occurrence has no row of its own.
        const target = row ?? existing.find((e) => !e.recurrenceId);
        if (!target) continue;
        // Out-of-order delivery: an answer older than one already applied (SEQUENCE, then DTSTAMP) is ignored.
        const stamp = itipStamp(incoming);
        const fresh = incoming.data.attendees.filter((a) => !this.newerReplyApplied(accountId, target, a.address, stamp));
        if (fresh.length === 0) {
          eventId = target.id;
          continue;
        }
        for (const a of fresh) this.rememberReply(accountId, target, a.address, stamp);
        let attendees = target.attendees;
        for (const a of fresh) {
          const known = attendees.some((m) => lower(m.address) === lower(a.address));
          attendees = known
            ? attendees.map((m) => (lower(m.address) === lower(a.address) ? { ...m, status: a.status } : m))
            : [...attendees, { name: a.name, address: a.address, role: a.role, status: a.status }];
        }
        if (attendees.every((a, i) => a.status === target.attendees[i]?.status) && attendees.length === target.attendees.length) {
          eventId = target.id;
          continue;
        }
        this.deps.calendar.put({ ...target, attendees, updatedAt: Math.max(this.deps.now(), target.updatedAt + 1) }, target);
        changed = true;
        eventId = target.id;
      } else if (method === 'CANCEL') {
        if (incoming.data.recurrenceId && !row) {
          const master = existing.find((e) => !e.recurrenceId);
          if (master) this.deps.calendar.deleteOccurrence(master.id, incoming.data.recurrenceId, 'one');
          changed = !!master;
        } else if (row) {
          if (row.recurrenceId) this.deps.calendar.deleteOccurrence(row.id, row.recurrenceId, 'one');
          else this.deps.calendar.deleteOccurrence(row.id, row.start, 'all');
          changed = true;
        }
      } else if (method === 'REQUEST' && row) {
        // An update from the organiser: new times and details, the user's own answer kept.
        const own = this.ownAddresses(accountId);
        const mine = row.attendees.find((a) => own.has(lower(a.address)));
        const next = this.deps.calendar.rowFromParsed(incoming, row.remoteId ? row.ical : null, { calendarId: row.calendarId, accountId: row.accountId, now: this.deps.now() }, row);
        if (mine) next.attendees = next.attendees.map((a) => (lower(a.address) === lower(mine.address) ? { ...a, status: mine.status } : a));
        next.showAs = row.showAs;
        this.deps.calendar.put(next, row);
        changed = true;
        eventId = row.id;
      }
    }
    return { applied: changed, eventId: eventId ?? existing[0]?.id ?? null };
  }

  private replyKey(accountId: string, target: StoredEvent, address: string): string {
    return `itip-reply:${accountId}:${target.uid}:${target.recurrenceId ?? ''}:${lower(address)}`;
  }

  private newerReplyApplied(accountId: string, target: StoredEvent, address: string, stamp: ItipStamp): boolean {
    const row = this.deps.store.db.prepare('SELECT watermark FROM trigger_state WHERE id = ?').get(this.replyKey(accountId, target, address)) as { watermark: string } | undefined;
    if (!row) return false;
    try {
      return compareStamps(JSON.parse(row.watermark) as ItipStamp, stamp) > 0;
    } catch {
      return false;
    }
  }

  private rememberReply(accountId: string, target: StoredEvent, address: string, stamp: ItipStamp): void {
    const now = this.deps.now();
    this.deps.store.db
      .prepare(
        `INSERT INTO trigger_state (id, trigger, params, watermark, created_at, updated_at) VALUES (?, 'itip.reply', '{}', ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`,
      )
      .run(this.replyKey(accountId, target, address), JSON.stringify(stamp), now, now);
  }

  /**
   * Applied in the background when mail syncs, without the user opening the message, only where that is
   * safe: a REPLY from the attendee it speaks for, to an event this account organises; an update or
   * CANCEL from the event's own organiser, to an event the user already accepted (tentative counts).
   * Anything else waits for the user in the reading pane. Idempotent: apply() leaves an applied
   * message's event unchanged, and an older REPLY never overrides a newer one.
   */
  async applyFromSync(messageId: string): Promise<{ applied: boolean; reason: string }> {
    const msg = this.deps.store.mail.detail(messageId);
    if (!msg) return { applied: false, reason: 'gone' };
    const found = await this.calendarOf(messageId);
    if (!found) return { applied: false, reason: 'no-calendar' };
    const { accountId, parsed } = found;
    const method = (parsed.method ?? 'PUBLISH').toUpperCase();
    const ev = parsed.events[0];
    if (!ev) return { applied: false, reason: 'no-event' };
    const existing = this.findExisting(accountId, ev.data.uid);
    const master = existing.find((e) => !e.recurrenceId) ?? existing[0];
    if (!master) return { applied: false, reason: 'unknown-event' };
    const own = this.ownAddresses(accountId);
    const sender = lower(msg.from?.address ?? '');
    const organizer = master.organizer ? lower(master.organizer.address) : null;
    if (method === 'REPLY') {
      if (organizer && !own.has(organizer)) return { applied: false, reason: 'not-organiser' };
      const speaksFor = parsed.events.flatMap((e) => e.data.attendees).map((a) => lower(a.address));
      if (speaksFor.length === 0 || speaksFor.some((a) => a !== sender)) return { applied: false, reason: 'sender-mismatch' };
      if (!speaksFor.every((a) => master.attendees.some((m) => lower(m.address) === a))) return { applied: false, reason: 'not-invited' };
    } else if (method === 'CANCEL' || method === 'REQUEST') {
      if (!organizer || own.has(organizer) || sender !== organizer) return { applied: false, reason: 'not-from-organiser' };
      if (parsed.events.some((e) => e.data.organizer && lower(e.data.organizer.address) !== organizer)) return { applied: false, reason: 'organiser-changed' };
      const mine = master.attendees.find((a) => own.has(lower(a.address)))?.status;
      if (mine !== 'accepted' && mine !== 'tentative') return { applied: false, reason: 'not-accepted' };
      if (method === 'REQUEST' && Math.max(...parsed.events.map((e) => e.data.sequence)) < sequenceOf(master.ical)) return { applied: false, reason: 'stale' };
    } else {
      return { applied: false, reason: 'not-itip' };
    }
    const out = await this.apply(messageId);
    return { applied: out.applied, reason: out.applied ? 'applied' : 'unchanged' };
  }

  /** Sends the event to its attendees: REQUEST for a new or changed event, CANCEL when it is called off. */
  async send(eventId: string, method: 'REQUEST' | 'CANCEL' = 'REQUEST'): Promise<{ outboxId: string | null }> {
    const row = this.deps.calendar.get(eventId);
    const account = this.deps.store.accounts.get(row.accountId);
    if (!account) throw notFound('Account', row.accountId);
    const rows = this.deps.store.pim.eventsByUid(row.calendarId, row.uid).sort((a, b) => Number(a.recurrenceId !== null) - Number(b.recurrenceId !== null));
    const organizer = rows[0]?.organizer ?? { name: account.displayName, address: account.email };
    const withOrganizer = rows.map((r) => ({ ...r, organizer: r.organizer ?? organizer, status: method === 'CANCEL' ? 'cancelled' : r.status }));
    const recipients = new Map<string, EmailAddress>();
    for (const r of withOrganizer) for (const a of r.attendees) if (lower(a.address) !== lower(organizer.address)) recipients.set(lower(a.address), { name: a.name, address: a.address });
    if (!recipients.size) return { outboxId: null };
    const content = exportEvents(withOrganizer, { method });
    const first = withOrganizer[0]!;
    const subject = method === 'CANCEL' ? `Cancelled: ${first.summary}` : `Invitation: ${first.summary}`;
    const body = `${first.summary}\n${first.allDay ? first.start : `${first.start.replace('T', ' ')} (${first.timeZone})`}${first.location ? `\n${first.location}` : ''}${first.description ? `\n\n${first.description}` : ''}`;
    const outboxId = await this.queueMail(row.accountId, [...recipients.values()], subject, body, method, content);
    return { outboxId };
  }

  private async queueMail(accountId: string, to: EmailAddress[], subject: string, text: string, method: string, content: string): Promise<string> {
    const account = this.deps.store.accounts.get(accountId);
    if (!account) throw notFound('Account', accountId);
    const from = { name: account.displayName, address: account.email || 'me@localhost' };
    const built = await buildMessage({ from, to, subject, text, calendar: { method, content } });
    const id = newId('out');
    this.deps.store.outbox.insert({
      id,
      accountId,
      raw: built.raw,
      envelope: built.envelope,
      messageIdHeader: built.messageId,
      subject,
      to,
      draftId: null,
      sendAt: null,
      now: this.deps.now(),
    });
    this.deps.emit(['outbox'], accountId);
    this.deps.kickOutbox(accountId);
    return id;
  }
}

/** Orders iTIP messages about one event: SEQUENCE first, then DTSTAMP (RFC 5546 2.1.5). */
export interface ItipStamp {
  sequence: number;
  dtstamp: string;
}

export function itipStamp(ev: ParsedEvent): ItipStamp {
  const m = /(?:^|\n)DTSTAMP[^:\r\n]*:(\d{8}T\d{6})/.exec(ev.component);
  return { sequence: ev.data.sequence, dtstamp: m?.[1] ?? '' };
}

export function compareStamps(a: ItipStamp, b: ItipStamp): number {
  return a.sequence !== b.sequence ? a.sequence - b.sequence : a.dtstamp < b.dtstamp ? -1 : a.dtstamp > b.dtstamp ? 1 : 0;
}

/** The highest SEQUENCE in a stored resource (0 when it has none or is not stored yet). */
function sequenceOf(ical: string | null): number {
  let max = 0;
  for (const m of (ical ?? '').matchAll(/(?:^|\n)SEQUENCE[^:\r\n]*:(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}
