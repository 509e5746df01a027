// iMIP (RFC 6047) over iTIP (RFC 5546): invitations read from mail, answered to the organiser through the
// outbox, replies and cancellations applied to the calendar, and REQUESTs sent for events with attendees.
import type { EmailAddress, Occurrence, TaskInfo } from '../../../shared/types';
import type { CalendarService } from '../calendar/service';
import { eventToData } from '../calendar/columns';
import { exportEvents, sequenceOf, withSequence } from '../calendar/ics';
import { splitByUid } from '../calendar/ics';
import { withUtcBounds } from '../calendar/service';
import { buildICalendar, parseICalendar, type ParsedCalendar, type ParsedEvent } from '../pim';
import { children, escapeText, firstProp, foldLine, getParam, parseContent, props, unescapeText, type ContentProperty } from '../pim/contentline';
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
  /** COUNTER: who proposes the times in start/end (this preview's times are the proposed ones), and what became of it. */
  counter: CounterInfo | null;
  /** REFRESH: the attendee asking for the current version, and whether it went to them. */
  refresh: { from: EmailAddress; state: 'sent' | 'open' | 'unknown' } | null;
}

export interface CounterInfo {
  from: EmailAddress;
  comment: string;
  /** unknown: the event is not in this account's calendar, or the user does not organise it. */
  state: 'open' | 'accepted' | 'declined' | 'unknown';
  /** The event's times now (null when it is not in the calendar). */
  currentStartUtc: number | null;
  currentEndUtc: number | null;
}

/** A proposal of new times for an invitation, in the attendee's words (RFC 5546 COUNTER). */
export interface TimeProposal {
  /** Wall clock "YYYY-MM-DDTHH:mm[:ss]" (or a date for all-day events) in timeZone. */
  start: string;
  end: string;
  /** IANA zone; the invitation's own zone when absent. */
  timeZone?: string;
  comment?: string;
}

/** The parts of an iTIP message read without requiring a full event (a REFRESH has no DTSTART). */
interface ItipHeader {
  method: string;
  uid: string;
  attendees: EmailAddress[];
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
  async calendarOf(messageId: string): Promise<{ accountId: string; parsed: ParsedCalendar; text: string; from: EmailAddress | null } | null> {
    const msg = this.deps.store.mail.detail(messageId);
    if (!msg) throw notFound('Message', messageId);
    const part = msg.attachments.find((a) => /^(text\/calendar|application\/ics)$/i.test(a.contentType) || /\.ics$/i.test(a.filename));
    if (!part) return null;
    const { contentBase64 } = await this.deps.attachment(messageId, part.id);
    const text = Buffer.from(contentBase64, 'base64').toString('utf8');
    try {
      return { accountId: msg.accountId, parsed: parseICalendar(text), text, from: msg.from ?? null };
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
    if ((parsed.method ?? '').toUpperCase() === 'REFRESH') return this.refreshPreview(messageId, found);
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
    } else if (method === 'DECLINECOUNTER') {
      applied = true;
    } else if (master) {
      applied = !!meAttendee && master.attendees.some((m) => own.has(lower(m.address)) && m.status !== 'needs-action');
    }
    const counter: CounterInfo | null =
      method === 'COUNTER'
        ? {
            from: this.proposerOf(accountId, found.from, d.attendees),
            comment: itipComment(ev.component),
            state: this.counterState(accountId, messageId, master, startUtc, endUtc),
            currentStartUtc: master?.startUtc ?? null,
            currentEndUtc: master?.endUtc ?? null,
          }
        : null;
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
      applied: counter ? counter.state !== 'open' : applied,
      counter,
      refresh: null,
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
        // The copy takes the organiser's SEQUENCE, so an older REQUEST arriving late is recognised as stale.
        if (next.ical && incoming.data.sequence > sequenceOf(next.ical)) next.ical = withSequence(next.ical, next.uid, incoming.data.sequence);
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

  private isOrganiser(accountId: string, event: StoredEvent): boolean {
    return !!event.organizer && this.ownAddresses(accountId).has(lower(event.organizer.address));
  }

  /** The attendee a COUNTER speaks for: the one who sent it, else the first attendee who is not the user. */
  private proposerOf(accountId: string, sender: EmailAddress | null, attendees: { name: string; address: string }[]): EmailAddress {
    const own = this.ownAddresses(accountId);
    const match = (sender && attendees.find((a) => lower(a.address) === lower(sender.address))) ?? attendees.find((a) => !own.has(lower(a.address)));
    if (match) return { name: match.name || (sender && lower(sender.address) === lower(match.address) ? sender.name : ''), address: match.address };
    if (sender) return sender;
    throw badRequest('The proposal names no attendee');
  }

  private decisionKey(accountId: string, messageId: string): string {
    return `itip-decision:${accountId}:${messageId}`;
  }

  /** What the user did with a COUNTER or REFRESH message (kept beside the REPLY watermarks). */
  private decision(accountId: string, messageId: string): string | null {
    const row = this.deps.store.db.prepare('SELECT watermark FROM trigger_state WHERE id = ?').get(this.decisionKey(accountId, messageId)) as { watermark: string } | undefined;
    return row?.watermark ?? null;
  }

  private rememberDecision(accountId: string, messageId: string, decision: 'accepted' | 'declined' | 'sent'): void {
    const now = this.deps.now();
    this.deps.store.db
      .prepare(
        `INSERT INTO trigger_state (id, trigger, params, watermark, created_at, updated_at) VALUES (?, 'itip.decision', '{}', ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`,
      )
      .run(this.decisionKey(accountId, messageId), decision, now, now);
  }

  private counterState(accountId: string, messageId: string, master: StoredEvent | undefined, startUtc: number, endUtc: number): CounterInfo['state'] {
    if (!master || !this.isOrganiser(accountId, master)) return 'unknown';
    const decided = this.decision(accountId, messageId);
    if (decided === 'accepted' || decided === 'declined') return decided;
    // Already at the proposed times (moved by hand, or another attendee proposed the same).
    return master.startUtc === startUtc && master.endUtc === endUtc ? 'accepted' : 'open';
  }

  /** A COUNTER the user can decide on: the event it is about, in a calendar of this account that the user organises. */
  private async openCounter(messageId: string) {
    const found = await this.calendarOf(messageId);
    if (!found) throw badRequest('This message has no invitation');
    const { accountId, parsed } = found;
    if ((parsed.method ?? '').toUpperCase() !== 'COUNTER') throw badRequest(`This message is a ${parsed.method ?? 'PUBLISH'}, not a proposal of a new time`);
    const ev = this.primary(parsed);
    const d = ev.data;
    const existing = this.findExisting(accountId, d.uid);
    const master = existing.find((e) => (e.recurrenceId ?? null) === (d.recurrenceId ?? null));
    if (!master && d.recurrenceId && existing.length) {
      // Moving the series to one occurrence's proposed time would be wrong; that occurrence has no row to move yet.
      throw new PimlicoError('Unsupported', `The proposal is for one occurrence of '${d.summary}': move that occurrence in the calendar, then send the update`);
    }
    if (!master) throw new PimlicoError('NotFound', `'${d.summary}' is not in your calendar`);
    if (!this.isOrganiser(accountId, master)) throw new PimlicoError('Forbidden', `Only the organiser of '${master.summary}' can decide on a new time`);
    const startUtc = this.instant(d.start, d.timeZone, d.allDay);
    const endUtc = this.instant(d.end, d.timeZone, d.allDay);
    const state = this.counterState(accountId, messageId, master, startUtc, endUtc);
    if (state !== 'open') throw new PimlicoError('Conflict', `This proposal was already ${state}`);
    return { accountId, parsed, ev, master, proposer: this.proposerOf(accountId, found.from, d.attendees) };
  }

  /**
   * Accepts an attendee's proposal (COUNTER): the event moves to the proposed times with a higher SEQUENCE,
   * and the updated REQUEST goes to every attendee (RFC 5546 3.2.7).
   */
  async acceptCounter(messageId: string): Promise<{ eventId: string; outboxId: string | null; task: TaskInfo }> {
    const { accountId, ev, master } = await this.openCounter(messageId);
    const d = ev.data;
    const now = this.deps.now();
    const { startUtc: _s, endUtc: _e, ...rest } = master;
    const moved = withUtcBounds({ ...rest, start: d.start, end: d.end, timeZone: d.timeZone, allDay: d.allDay, updatedAt: Math.max(now, master.updatedAt + 1) });
    moved.ical = withSequence(master.ical ?? exportEvents([master]), master.uid, sequenceOf(master.ical) + 1);
    const task = this.deps.calendar.put(moved, master);
    this.rememberDecision(accountId, messageId, 'accepted');
    const { outboxId } = await this.send(master.id, 'REQUEST');
    return { eventId: master.id, outboxId, task };
  }

  /** Declines an attendee's proposal: a DECLINECOUNTER goes to the proposer; the event stays as it is. */
  async declineCounter(messageId: string, comment?: string): Promise<{ outboxId: string }> {
    const { accountId, parsed, master, proposer } = await this.openCounter(messageId);
    const account = this.deps.store.accounts.get(accountId);
    if (!account) throw notFound('Account', accountId);
    const data = {
      ...eventToData(master),
      organizer: master.organizer,
      attendees: [{ name: proposer.name, address: proposer.address, role: 'required' as const, status: 'needs-action' as const, rsvp: false }],
      sequence: sequenceOf(master.ical),
      reminderMinutes: null,
    };
    const content = withComment(buildICalendar([{ data }], { method: 'DECLINECOUNTER', timezones: parsed.timezones }), comment);
    const outboxId = await this.queueMail(
      accountId,
      [proposer],
      `New time declined: ${master.summary}`,
      `${account.displayName || account.email} keeps '${master.summary}' at the planned time.${comment ? `\n\n${comment}` : ''}`,
      'DECLINECOUNTER',
      content,
    );
    this.rememberDecision(accountId, messageId, 'declined');
    return { outboxId };
  }

  /** As an attendee: proposes other times for an invitation (METHOD:COUNTER to the organiser). The calendar is not changed. */
  async proposeTime(messageId: string, proposal: TimeProposal): Promise<{ outboxId: string }> {
    const found = await this.calendarOf(messageId);
    if (!found) throw badRequest('This message has no invitation');
    const { accountId, parsed } = found;
    const method = (parsed.method ?? 'REQUEST').toUpperCase();
    if (method !== 'REQUEST') throw badRequest(`This message is a ${method}; a new time can be proposed for an invitation only`);
    const account = this.deps.store.accounts.get(accountId);
    if (!account) throw notFound('Account', accountId);
    const ev = this.primary(parsed);
    const d = ev.data;
    const own = this.ownAddresses(accountId);
    if (!d.organizer || own.has(lower(d.organizer.address))) throw badRequest('Only an attendee can propose a new time to the organiser');
    const timeZone = proposal.timeZone ?? d.timeZone;
    const full = (v: string) => (/T\d{2}:\d{2}$/.test(v) ? `${v}:00` : v);
    const start = full(proposal.start);
    const end = full(proposal.end);
    if (d.allDay !== !start.includes('T') || d.allDay !== !end.includes('T')) throw badRequest(d.allDay ? 'This is an all-day event: propose dates' : 'Propose a start and end time, not dates');
    const startUtc = this.instant(start, timeZone, d.allDay);
    if (this.instant(end, timeZone, d.allDay) <= startUtc) throw badRequest('The proposed end must be after the proposed start');
    const mine = this.findExisting(accountId, d.uid)[0]?.attendees.find((a) => own.has(lower(a.address)));
    const meInvite = d.attendees.find((a) => own.has(lower(a.address)));
    const me = { name: meInvite?.name || account.displayName, address: meInvite?.address ?? account.email, role: meInvite?.role ?? ('required' as const), status: mine?.status ?? meInvite?.status ?? ('needs-action' as const), rsvp: false };
    const data = { ...d, start, end, timeZone, attendees: [me], reminderMinutes: null, lastModified: new Date(this.deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const content = withComment(buildICalendar([{ data }], { method: 'COUNTER', timezones: parsed.timezones }), proposal.comment);
    const who = account.displayName || me.address;
    const outboxId = await this.queueMail(
      accountId,
      [d.organizer],
      `New time proposed: ${d.summary}`,
      `${who} proposes a new time for '${d.summary}': ${start.replace('T', ' ')} – ${end.replace('T', ' ')} (${timeZone}).${proposal.comment ? `\n\n${proposal.comment}` : ''}`,
      'COUNTER',
      content,
    );
    return { outboxId };
  }

  /** A REFRESH: the event it asks about and the attendee asking, when this account organises it and invited them. */
  private refreshTarget(accountId: string, header: ItipHeader): { master: StoredEvent; requester: EmailAddress } | null {
    const existing = this.findExisting(accountId, header.uid);
    const master = existing.find((e) => !e.recurrenceId) ?? existing[0];
    if (!master || !this.isOrganiser(accountId, master)) return null;
    const requester = header.attendees.find((a) => master.attendees.some((m) => lower(m.address) === lower(a.address)));
    if (!requester) return null;
    const known = master.attendees.find((m) => lower(m.address) === lower(requester.address))!;
    return { master, requester: { name: known.name || requester.name, address: known.address } };
  }

  private refreshPreview(messageId: string, found: { accountId: string; text: string; from: EmailAddress | null }): InvitationPreview {
    const { accountId } = found;
    const header = itipHeader(found.text);
    if (!header) throw badRequest('The refresh request in this message names no event');
    const target = this.refreshTarget(accountId, header);
    const master = target?.master;
    const from = target?.requester ?? header.attendees[0] ?? found.from ?? { name: '', address: '' };
    const state = !target ? 'unknown' : this.decision(accountId, messageId) === 'sent' ? 'sent' : 'open';
    return {
      method: 'REFRESH',
      uid: header.uid,
      summary: master?.summary ?? '',
      location: master?.location ?? '',
      description: master?.description ?? '',
      start: master?.start ?? '',
      end: master?.end ?? '',
      timeZone: master?.timeZone ?? 'UTC',
      allDay: master?.allDay ?? false,
      rrule: master?.rrule ?? null,
      startUtc: master?.startUtc ?? 0,
      endUtc: master?.endUtc ?? 0,
      organizer: master?.organizer ?? null,
      attendees: (master?.attendees ?? []).map(({ name, address, status }) => ({ name, address, status })),
      me: master?.organizer?.address ?? null,
      myStatus: null,
      existingEventId: master?.id ?? null,
      dayEvents: [],
      replies: [],
      applied: state !== 'open',
      counter: null,
      refresh: { from, state },
    };
  }

  /**
   * Answers a REFRESH (RFC 5546 3.2.6): the event as it is now goes, as a REQUEST, to the attendee who asked
   * and to nobody else. Only for an event this account organises and an attendee it invited.
   */
  async answerRefresh(messageId: string): Promise<{ outboxId: string | null }> {
    const found = await this.calendarOf(messageId);
    if (!found) throw badRequest('This message has no invitation');
    const header = itipHeader(found.text);
    if (!header || header.method !== 'REFRESH') throw badRequest('This message is not a refresh request');
    const target = this.refreshTarget(found.accountId, header);
    if (!target) throw new PimlicoError('NotFound', 'The event asked about is not one you organise, or the sender is not invited to it');
    const out = await this.send(target.master.id, 'REQUEST', target.requester.address);
    this.rememberDecision(found.accountId, messageId, 'sent');
    return out;
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
    // A REFRESH is answered as soon as it arrives, as servers and first-class clients do: it decides nothing, it
    // asks for what the attendee already has a right to, and the answer goes only to that invited attendee.
    if (method === 'REFRESH') {
      const header = itipHeader(found.text);
      const target = header && this.refreshTarget(accountId, header);
      if (!target) return { applied: false, reason: 'unknown-event' };
      if (lower(target.requester.address) !== lower(msg.from?.address ?? '')) return { applied: false, reason: 'sender-mismatch' };
      if (this.decision(accountId, messageId) === 'sent') return { applied: false, reason: 'unchanged' };
      await this.answerRefresh(messageId);
      return { applied: true, reason: 'applied' };
    }
    // A proposal of a new time is the organiser's decision: it waits in the reading pane.
    if (method === 'COUNTER') return { applied: false, reason: 'needs-user' };
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
  async send(eventId: string, method: 'REQUEST' | 'CANCEL' = 'REQUEST', onlyTo?: string): Promise<{ outboxId: string | null }> {
    const row = this.deps.calendar.get(eventId);
    const account = this.deps.store.accounts.get(row.accountId);
    if (!account) throw notFound('Account', row.accountId);
    const rows = this.deps.store.pim.eventsByUid(row.calendarId, row.uid).sort((a, b) => Number(a.recurrenceId !== null) - Number(b.recurrenceId !== null));
    const organizer = rows[0]?.organizer ?? { name: account.displayName, address: account.email };
    const withOrganizer = rows.map((r) => ({ ...r, organizer: r.organizer ?? organizer, status: method === 'CANCEL' ? 'cancelled' : r.status }));
    const recipients = new Map<string, EmailAddress>();
    for (const r of withOrganizer) for (const a of r.attendees) if (lower(a.address) !== lower(organizer.address)) recipients.set(lower(a.address), { name: a.name, address: a.address });
    if (onlyTo !== undefined) for (const key of [...recipients.keys()]) if (key !== lower(onlyTo)) recipients.delete(key);
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

/** COMMENT of an iTIP event component (the attendee's note with a proposal), unescaped. */
function itipComment(component: string): string {
  try {
    const ev = parseContent(`${component.trim()}\r\n`)[0];
    return ev ? props(ev, 'COMMENT').map((p) => unescapeText(p.value)).join('\n') : '';
  } catch {
    return '';
  }
}

/** METHOD, UID and people of an iTIP message, for methods whose event is not a whole event (REFRESH). */
function itipHeader(text: string): ItipHeader | null {
  try {
    const cal = parseContent(text).find((c) => c.name === 'VCALENDAR');
    const ev = cal && children(cal, 'VEVENT')[0];
    const uid = ev && firstProp(ev, 'UID')?.value.trim();
    if (!cal || !ev || !uid) return null;
    const person = (p: ContentProperty): EmailAddress => ({ name: getParam(p, 'CN') ?? '', address: p.value.trim().replace(/^mailto:/i, '') });
    return {
      method: (firstProp(cal, 'METHOD')?.value.trim() ?? '').toUpperCase(),
      uid,
      attendees: props(ev, 'ATTENDEE').map(person),
    };
  } catch {
    return null;
  }
}

/** The attendee's or organiser's note as COMMENT in each VEVENT (RFC 5546 allows it in COUNTER and DECLINECOUNTER). */
function withComment(ics: string, comment: string | undefined): string {
  const text = comment?.trim();
  if (!text) return ics;
  return ics.replace(/\r?\nEND:VEVENT/g, (end) => `\r\n${foldLine(`COMMENT:${escapeText(text)}`)}${end}`);
}
