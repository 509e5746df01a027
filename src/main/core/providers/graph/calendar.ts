import type { CalendarEvent } from '../../../../shared/types';
import { withUtcBounds } from '../../calendar/service';
import { eventToData } from '../../calendar/columns';
import { htmlToText } from '../../mime';
import { expandOccurrences, utcToZonedWallClock } from '../../pim';
import { isKnownTimeZone } from '../../pim/timezone';
import { windowsToIana } from '../../pim/windowszones';
import type { StoredEvent, StoredTask } from '../../store';
import { DeleteEventPayload, PutEventPayload } from '../../tasks/pim-kinds';
import { PimlicoError } from '../../util/errors';
import { newId } from '../../util/ids';
import type { ProviderPart } from '../compose';
import type { ProviderContext, SyncCounts } from '../types';
import { GraphHttpError, SignInRequiredError, taskError, type GraphClient } from './http';
import { recurrenceToRRule, rruleToRecurrence, type GraphRecurrence } from './recurrence';

const DAY_MS = 86_400_000;
/** The calendarView/delta window: a month back, a year ahead; it moves forward once a week. */
export const WINDOW_BACK_MS = 30 * DAY_MS;
export const WINDOW_AHEAD_MS = 365 * DAY_MS;
const WINDOW_MOVE_AFTER_MS = 7 * DAY_MS;
const UTC_PREFER = 'outlook.timezone="UTC"';

type DateTimeTimeZone = { dateTime: string; timeZone: string };
type GraphResponse = 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';

export interface GraphEvent {
  id: string;
  '@removed'?: { reason: string };
  type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  seriesMasterId?: string | null;
  iCalUId?: string;
  changeKey?: string;
  subject?: string | null;
  body?: { contentType: 'text' | 'html'; content: string };
  start?: DateTimeTimeZone;
  end?: DateTimeTimeZone;
  originalStart?: string;
  originalStartTimeZone?: string;
  isAllDay?: boolean;
  isCancelled?: boolean;
  location?: { displayName?: string | null };
  showAs?: string;
  importance?: 'low' | 'normal' | 'high';
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  categories?: string[];
  recurrence?: GraphRecurrence | null;
  organizer?: { emailAddress?: { name?: string; address?: string } };
  attendees?: { type?: string; status?: { response: GraphResponse }; emailAddress: { name?: string | null; address?: string | null } }[];
  createdDateTime?: string;
  lastModifiedDateTime?: string;
}

interface GraphCalendar {
  id: string;
  name: string;
  hexColor?: string;
  canEdit?: boolean;
  isDefaultCalendar?: boolean;
}

interface SyncState {
  link: string;
  windowStart: number;
}

const enc = encodeURIComponent;

/** A zone name Graph gives (Windows or IANA) as an IANA zone the pim layer understands. */
function ianaZone(name: string | undefined): string {
  if (!name) return 'UTC';
  const w = windowsToIana(name);
  if (w) return w;
  return isKnownTimeZone(name) ? name : 'UTC';
}

/** Graph's UTC dateTime ("2026-03-08T14:00:00.0000000") as wall clock in `zone`. */
function wallClock(dt: DateTimeTimeZone, zone: string): string {
  const utc = `${dt.dateTime.slice(0, 19)}Z`;
  return zone === 'UTC' ? utc.slice(0, 19) : utcToZonedWallClock(utc, zone);
}

const SHOW_AS: Record<string, CalendarEvent['showAs']> = { free: 'free', tentative: 'tentative', busy: 'busy', oof: 'oof', workingElsewhere: 'busy', unknown: 'busy' };
const RESPONSE: Record<GraphResponse, CalendarEvent['attendees'][number]['status']> = {
  none: 'needs-action',
  notResponded: 'needs-action',
  organizer: 'accepted',
  accepted: 'accepted',
  tentativelyAccepted: 'tentative',
  declined: 'declined',
};

export type InvitationResponse = 'accept' | 'tentative' | 'decline';

/** Calendars over Graph: calendar list, calendarView/delta sync over a moving window, event writes. */
export class GraphCalendarPart implements ProviderPart {
  readonly name = 'graph-calendar';

  constructor(
    private readonly ctx: ProviderContext,
    private readonly client: GraphClient,
  ) {}

  handles(kind: string): boolean {
    return kind === 'pim.putEvent' || kind === 'pim.deleteEvent';
  }

  private get accountId(): string {
    return this.ctx.account.id;
  }

  // ------------------------------------------------------------------ sync

  async sync(): Promise<SyncCounts> {
    const remote = await this.client.all<GraphCalendar>('/me/calendars?$select=id,name,hexColor,canEdit,isDefaultCalendar');
    const { store } = this.ctx;
    store.transaction(() => {
      const local = store.pim.calendars(this.accountId);
      const remoteIds = new Set(remote.map((c) => c.id));
      for (const c of local) if (c.remoteId && !remoteIds.has(c.remoteId)) store.pim.removeCalendar(c.id);
      for (const r of remote) {
        const existing = local.find((c) => c.remoteId === r.id);
        const color = r.hexColor || undefined;
        if (existing) store.pim.updateCalendar(existing.id, { name: r.name, ...(color ? { color } : {}) });
        else store.pim.insertCalendar({ id: newId('cal'), accountId: this.accountId, name: r.name, remoteId: r.id, readOnly: r.canEdit === false, ...(color ? { color } : {}) });
      }
    });
    let changed = 0;
    for (const cal of store.pim.calendars(this.accountId)) {
      if (!cal.remoteId) continue;
      changed += await this.syncCalendar(cal.id, cal.remoteId, cal.syncToken);
    }
    if (changed) this.ctx.events.emit('store.changed', { entities: ['events'], accountId: this.accountId });
    return { events: changed };
  }

  private async syncCalendar(calendarId: string, remoteId: string, token: string | null): Promise<number> {
    let state: SyncState | null;
    try {
      state = token ? (JSON.parse(token) as SyncState) : null;
    } catch {
      state = null;
    }
    // A window that has fallen behind starts again from today, as a full listing.
    if (state && this.ctx.now() - state.windowStart > WINDOW_BACK_MS + WINDOW_MOVE_AFTER_MS) state = null;
    try {
      return await this.runDelta(calendarId, remoteId, state);
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 410) {
        this.ctx.log.info('calendar delta token expired; full resync', { calendar: calendarId });
        return this.runDelta(calendarId, remoteId, null);
      }
      throw err;
    }
  }

  private pendingEventIds(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.ctx.store.tasks.due(this.accountId, Number.MAX_SAFE_INTEGER)) {
      if (t.kind !== 'pim.putEvent' && t.kind !== 'pim.deleteEvent') continue;
      const p = t.payload as { event?: StoredEvent; previous?: StoredEvent | null };
      if (p.event) ids.add(p.event.id);
      if (p.previous) ids.add(p.previous.id);
    }
    return ids;
  }

  private async runDelta(calendarId: string, remoteId: string, state: SyncState | null): Promise<number> {
    const full = state === null;
    const windowStart = state?.windowStart ?? Math.floor((this.ctx.now() - WINDOW_BACK_MS) / DAY_MS) * DAY_MS;
    const windowEnd = windowStart + WINDOW_BACK_MS + WINDOW_AHEAD_MS;
    let next: string | undefined =
      state?.link ??
      `/me/calendars/${enc(remoteId)}/calendarView/delta?startDateTime=${new Date(windowStart).toISOString()}&endDateTime=${new Date(windowEnd).toISOString()}`;
    const seen = new Set<string>();
    const masters = new Set<string>();
    let unknownRemoval = false;
    let changed = 0;
    let deltaLink: string | undefined;
    while (next) {
      const page: { value: GraphEvent[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } = await this.client.get(next, UTC_PREFER);
      const pending = this.pendingEventIds();
      this.ctx.store.transaction(() => {
        for (const e of page.value) {
          if (e['@removed']) {
            const rows = this.ctx.store.pim.eventsByRemoteId(calendarId, e.id);
            if (!rows.length) unknownRemoval = true;
            for (const row of rows) {
              if (pending.has(row.id)) continue;
              this.ctx.store.pim.removeEvent(row.id);
              changed++;
            }
            continue;
          }
          seen.add(e.id);
          if (e.type === 'occurrence' || e.type === 'exception') {
            if (e.seriesMasterId) masters.add(e.seriesMasterId);
            continue;
          }
          if (e.type === 'seriesMaster') masters.add(e.id);
          else if (this.ingest(calendarId, e, null, pending)) changed++;
        }
      });
      next = page['@odata.nextLink'];
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
      if (next) this.client.checkLink(next);
    }
    if (deltaLink) this.client.checkLink(deltaLink);
    // Series: the master carries the rule (calendarView lists only instances); exceptions and
    // cancelled occurrences are read from the series' instances in the window.
    const localMasters = this.ctx.store.pim.eventsInCalendar(calendarId).filter((e) => e.rrule && e.remoteId && !e.recurrenceId);
    const check = new Set(masters);
    if (unknownRemoval || full) for (const m of localMasters) check.add(m.remoteId!);
    for (const masterId of check) {
      changed += await this.syncSeries(calendarId, masterId, windowStart, windowEnd, seen);
    }
    const pending = this.pendingEventIds();
    this.ctx.store.transaction(() => {
      if (full) {
        // A full listing of the window: single events in it that the server did not list are gone.
        for (const row of this.ctx.store.pim.eventsInCalendar(calendarId)) {
          if (!row.remoteId || seen.has(row.remoteId) || pending.has(row.id) || row.rrule) continue;
          if (row.recurrenceId && seen.has(this.masterRemoteIdOf(calendarId, row) ?? '')) continue;
          if (row.endUtc < windowStart || row.startUtc > windowEnd) continue;
          this.ctx.store.pim.removeEvent(row.id);
          changed++;
        }
      }
      this.ctx.store.pim.updateCalendar(calendarId, { syncToken: deltaLink ? JSON.stringify({ link: deltaLink, windowStart } satisfies SyncState) : null });
    });
    return changed;
  }

  /**
   * One recurring series: the master (404: the series is gone), its exceptions, and as EXDATEs the
   * occurrences of the rule in the window that Outlook no longer has (cancelled occurrences).
   */
  private async syncSeries(calendarId: string, masterId: string, windowStart: number, windowEnd: number, seen: Set<string>): Promise<number> {
    const { store } = this.ctx;
    let master: GraphEvent | null;
    try {
      master = await this.client.get<GraphEvent>(`/me/events/${enc(masterId)}`, UTC_PREFER);
    } catch (err) {
      if (!(err instanceof GraphHttpError && err.status === 404)) throw err;
      master = null;
    }
    const range = `startDateTime=${new Date(windowStart).toISOString()}&endDateTime=${new Date(windowEnd).toISOString()}`;
    const instances = master ? await this.client.all<GraphEvent>(`/me/events/${enc(masterId)}/instances?${range}`, UTC_PREFER) : [];
    const pending = this.pendingEventIds();
    return store.transaction(() => {
      let changed = 0;
      if (!master) {
        for (const row of store.pim.eventsByRemoteId(calendarId, masterId)) {
          for (const sibling of store.pim.eventsByUid(calendarId, row.uid)) {
            if (pending.has(sibling.id)) continue;
            store.pim.removeEvent(sibling.id);
            changed++;
          }
        }
        return changed;
      }
      seen.add(master.id);
      const existing = store.pim.eventsByRemoteId(calendarId, master.id)[0];
      if (existing && pending.has(existing.id)) return 0;
      const row = this.toStored(calendarId, master, null, existing);
      if (!row) return 0;
      // Slots the rule gives but Outlook does not list any more were cancelled: EXDATEs. Only well
      // inside the window (its edges depend on overlap rules); outside it the old EXDATEs stay.
      const present = new Set<string>();
      for (const inst of instances) {
        const r = this.toStored(calendarId, inst, master, undefined)?.recurrenceId;
        if (r) present.add(r);
      }
      const margin = DAY_MS;
      const expected = expandOccurrences([eventToData({ ...row, exdates: [] })], new Date(windowStart + margin).toISOString(), new Date(windowEnd - margin).toISOString());
      const cancelled = expected.map((o) => o.recurrenceId).filter((r): r is string => r !== null && !present.has(r));
      const outside = (existing?.exdates ?? []).filter((x) => {
        const t = Date.parse(x.length === 10 ? `${x}T00:00:00Z` : `${x}Z`);
        return t < windowStart + margin || t > windowEnd - margin;
      });
      row.exdates = [...new Set([...outside, ...cancelled])].sort();
      if (!existing || existing.etag !== row.etag || existing.exdates.join() !== row.exdates.join()) {
        store.pim.upsertEvent(row);
        changed++;
      }
      // Exceptions: stored as overrides of the series; ones that reverted to the rule go.
      const exceptionIds = new Set<string>();
      for (const inst of instances.filter((i) => i.type === 'exception')) {
        exceptionIds.add(inst.id);
        seen.add(inst.id);
        if (this.ingest(calendarId, inst, master, pending)) changed++;
      }
      for (const old of store.pim.eventsByUid(calendarId, row.uid)) {
        if (!old.recurrenceId || pending.has(old.id) || (old.remoteId && exceptionIds.has(old.remoteId))) continue;
        const t = old.startUtc;
        if (t < windowStart + margin || t > windowEnd - margin) continue;
        store.pim.removeEvent(old.id);
        changed++;
      }
      return changed;
    });
  }

  private masterRemoteIdOf(calendarId: string, row: StoredEvent): string | null {
    return this.ctx.store.pim.eventsByUid(calendarId, row.uid).find((e) => !e.recurrenceId)?.remoteId ?? null;
  }

  /** Stores one Graph event (a single event, a series master, or an exception of `master`). */
  private ingest(calendarId: string, e: GraphEvent, master: GraphEvent | null, pending: Set<string>): boolean {
    const existing = this.ctx.store.pim.eventsByRemoteId(calendarId, e.id)[0];
    if (existing && pending.has(existing.id)) return false;
    if (existing && existing.etag && existing.etag === e.changeKey) return false;
    const row = this.toStored(calendarId, e, master, existing);
    if (!row) return false;
    this.ctx.store.pim.upsertEvent(row);
    return true;
  }

  toStored(calendarId: string, e: GraphEvent, master: GraphEvent | null, existing: StoredEvent | undefined): StoredEvent | null {
    if (!e.start || !e.end) return null;
    const zone = ianaZone((master ?? e).originalStartTimeZone);
    const allDay = e.isAllDay ?? false;
    const start = wallClock(e.start, allDay ? ianaZone(e.originalStartTimeZone) : zone);
    const end = wallClock(e.end, allDay ? ianaZone(e.originalStartTimeZone) : zone);
    const description = e.body ? (e.body.contentType === 'html' ? htmlToText(e.body.content) : e.body.content) : '';
    let recurrenceId: string | null = null;
    if (master && e.originalStart) {
      const utc = `${e.originalStart.replace(/\.\d+/, '').replace(/Z?$/, '')}Z`.slice(0, 20);
      recurrenceId = master.isAllDay ? utcToZonedWallClock(utc, zone).slice(0, 10) : utcToZonedWallClock(utc, zone);
    }
    const organizerAddress = e.organizer?.emailAddress?.address;
    const now = this.ctx.now();
    try {
      return withUtcBounds({
        id: existing?.id ?? newId('evt'),
        calendarId,
        accountId: this.accountId,
        uid: (master ?? e).iCalUId ?? e.id,
        summary: e.subject ?? '',
        description,
        location: e.location?.displayName ?? '',
        start: allDay ? start.slice(0, 10) : start,
        end: allDay ? end.slice(0, 10) : end,
        timeZone: allDay ? 'UTC' : zone,
        allDay,
        rrule: !master && e.recurrence ? recurrenceToRRule(e.recurrence, allDay) : null,
        exdates: [],
        recurrenceId,
        showAs: SHOW_AS[e.showAs ?? 'busy'] ?? 'busy',
        importance: e.importance ?? 'normal',
        reminderMinutes: e.isReminderOn ? (e.reminderMinutesBeforeStart ?? 15) : null,
        organizer: organizerAddress ? { name: e.organizer?.emailAddress?.name ?? '', address: organizerAddress } : null,
        attendees: (e.attendees ?? [])
          .filter((a) => a.emailAddress.address)
          .map((a) => ({
            name: a.emailAddress.name ?? '',
            address: a.emailAddress.address!,
            role: a.type === 'optional' ? 'optional' : a.type === 'resource' ? 'non-participant' : 'required',
            status: RESPONSE[a.status?.response ?? 'none'] ?? 'needs-action',
          })),
        categories: e.categories ?? [],
        createdAt: existing?.createdAt ?? (Date.parse(e.createdDateTime ?? '') || now),
        updatedAt: Date.parse(e.lastModifiedDateTime ?? '') || now,
        remoteId: e.id,
        etag: e.changeKey ?? null,
        ical: null,
        status: e.isCancelled ? 'cancelled' : 'confirmed',
      });
    } catch (err) {
      this.ctx.log.warn('calendar item skipped', { id: e.id, error: err instanceof Error ? err.message : String(err) });
      return null;
    }
  }

  // ------------------------------------------------------------------ tasks

  async applyTask(task: StoredTask): Promise<void> {
    try {
      if (task.kind === 'pim.putEvent') {
        const { event, previous } = PutEventPayload.parse(task.payload);
        return await this.putEvent(event, previous);
      }
      if (task.kind === 'pim.deleteEvent') return await this.deleteEvent(DeleteEventPayload.parse(task.payload).event);
    } catch (err) {
      if (err instanceof SignInRequiredError || err instanceof PimlicoError) throw err;
      throw taskError(err);
    }
    throw new PimlicoError('Internal', `The Graph calendar part does not handle ${task.kind}`);
  }

  /** EventData → Graph event JSON. Exceptions carry no recurrence. */
  toGraph(e: StoredEvent, withRecurrence: boolean): Record<string, unknown> {
    const dt = (v: string) => (e.allDay ? `${v.slice(0, 10)}T00:00:00` : v.length === 16 ? `${v}:00` : v);
    const zone = e.allDay ? 'UTC' : e.timeZone;
    const body: Record<string, unknown> = {
      subject: e.summary,
      body: { contentType: 'text', content: e.description },
      start: { dateTime: dt(e.start), timeZone: zone },
      end: { dateTime: dt(e.end), timeZone: zone },
      isAllDay: e.allDay,
      location: { displayName: e.location },
      showAs: e.showAs,
      importance: e.importance,
      isReminderOn: e.reminderMinutes !== null,
      ...(e.reminderMinutes !== null ? { reminderMinutesBeforeStart: e.reminderMinutes } : {}),
      categories: e.categories,
      attendees: e.attendees
        .filter((a) => !e.organizer || a.address.toLowerCase() !== e.organizer.address.toLowerCase())
        .map((a) => ({ type: a.role === 'optional' ? 'optional' : a.role === 'non-participant' ? 'resource' : 'required', emailAddress: { name: a.name || a.address, address: a.address } })),
    };
    if (withRecurrence) body['recurrence'] = e.rrule ? rruleToRecurrence(e.rrule, e.start.slice(0, 10), zone) : null;
    return body;
  }

  private calendarRemoteId(calendarId: string): string | null {
    return this.ctx.store.pim.calendar(calendarId)?.remoteId ?? null;
  }

  private async putEvent(event: StoredEvent, previous: StoredEvent | null): Promise<void> {
    const calRemote = this.calendarRemoteId(event.calendarId);
    if (!calRemote) return; // a calendar without a server side
    let saved: GraphEvent;
    if (event.recurrenceId && !event.remoteId) {
      // A changed occurrence: find the occurrence on the server and patch it (Graph makes it an exception).
      const occurrenceId = await this.occurrenceId(event);
      if (!occurrenceId) throw new PimlicoError('NotFound', `The occurrence of '${event.summary}' at ${event.recurrenceId} is not on the server`);
      saved = await this.client.patch<GraphEvent>(`/me/events/${enc(occurrenceId)}`, this.toGraph(event, false));
    } else {
      let patched: GraphEvent | null = null;
      if (event.remoteId) {
        try {
          patched = await this.client.patch<GraphEvent>(`/me/events/${enc(event.remoteId)}`, this.toGraph(event, !event.recurrenceId));
        } catch (err) {
          // Deleted on the server: an edit made before that is a conflict; a restore (undo of a delete, etag cleared) creates it again.
          if (!(err instanceof GraphHttpError && err.status === 404) || event.etag !== null || event.recurrenceId) throw err;
        }
      }
      // transactionId makes a retried create (lost answer) return the same event instead of a second one.
      saved = patched ?? (await this.client.post<GraphEvent>(`/me/calendars/${enc(calRemote)}/events`, { ...this.toGraph(event, true), transactionId: `${event.id}-${event.updatedAt}` }));
    }
    // Occurrences removed from a series (EXDATEs added here) are cancelled one by one: Graph has no EXDATE.
    const added = event.rrule && !event.recurrenceId ? event.exdates.filter((x) => !(previous?.exdates ?? []).includes(x)) : [];
    let changeKey = saved.changeKey ?? null;
    for (const recurrenceId of added) {
      const occurrence = await this.occurrenceId({ ...event, recurrenceId });
      if (!occurrence) continue; // not on the server (already cancelled, or outside the series)
      try {
        await this.client.delete(`/me/events/${enc(occurrence)}`);
      } catch (err) {
        if (!(err instanceof GraphHttpError && err.status === 404)) throw err;
      }
      changeKey = null; // the series changed again: the next sync reads it back
    }
    const current = this.ctx.store.pim.event(event.id);
    if (current) {
      this.ctx.store.pim.upsertEvent({ ...current, remoteId: saved.id, etag: changeKey, uid: event.recurrenceId ? current.uid : (saved.iCalUId ?? current.uid) });
    }
  }

  private async occurrenceId(event: StoredEvent): Promise<string | null> {
    const master = this.ctx.store.pim.eventsByUid(event.calendarId, event.uid).find((e) => !e.recurrenceId && e.remoteId);
    if (!master?.remoteId || !event.recurrenceId) return null;
    const from = new Date(Date.parse(`${event.recurrenceId.slice(0, 10)}T00:00:00Z`) - 2 * DAY_MS).toISOString();
    const to = new Date(Date.parse(`${event.recurrenceId.slice(0, 10)}T00:00:00Z`) + 2 * DAY_MS).toISOString();
    const list = await this.client.all<GraphEvent>(`/me/events/${enc(master.remoteId)}/instances?startDateTime=${from}&endDateTime=${to}`, UTC_PREFER);
    const masterGraph = await this.client.get<GraphEvent>(`/me/events/${enc(master.remoteId)}`, UTC_PREFER);
    const hit = list.find((i) => this.toStored(event.calendarId, i, masterGraph, undefined)?.recurrenceId === event.recurrenceId);
    return hit?.id ?? null;
  }

  private async deleteEvent(event: StoredEvent): Promise<void> {
    let remoteId = event.remoteId;
    if (!remoteId && event.recurrenceId) remoteId = await this.occurrenceId(event);
    if (!remoteId || !this.calendarRemoteId(event.calendarId)) return;
    try {
      await this.client.delete(`/me/events/${enc(remoteId)}`);
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 404) return;
      throw err;
    }
  }

  /** Answers an invitation: accept, tentatively accept or decline, telling the organizer. */
  async respond(eventId: string, response: InvitationResponse, comment = ''): Promise<void> {
    const event = this.ctx.store.pim.event(eventId);
    if (!event?.remoteId) throw new PimlicoError('NotFound', `Event '${eventId}' is not on the server`);
    const action = response === 'accept' ? 'accept' : response === 'tentative' ? 'tentativelyAccept' : 'decline';
    try {
      await this.client.post(`/me/events/${enc(event.remoteId)}/${action}`, { comment, sendResponse: true });
    } catch (err) {
      throw taskError(err);
    }
    const self = this.ctx.account.email.toLowerCase();
    const status = response === 'accept' ? 'accepted' : response === 'tentative' ? 'tentative' : 'declined';
    this.ctx.store.transaction(() => {
      if (response === 'decline') this.ctx.store.pim.removeEvent(event.id); // Outlook drops a declined meeting
      else this.ctx.store.pim.upsertEvent({ ...event, attendees: event.attendees.map((a) => (a.address.toLowerCase() === self ? { ...a, status } : a)) });
    });
    this.ctx.events.emit('store.changed', { entities: ['events'], accountId: this.accountId });
  }

  async close(): Promise<void> {
    // Plain HTTP: nothing held open.
  }
}
