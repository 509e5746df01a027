/**
 * Calendar: /calendars, /events, /calendarView (+ delta), meeting responses.
 */
import { randomBytes } from 'node:crypto';
import type { DeltaItem } from '../delta';
import { userRecipient, blankContent } from '../mailflow';
import { project, resolveSelect, type QueryOption } from '../odata';
import { seriesOccurrences, validateRecurrence } from '../recurrence';
import {
  CALENDAR_SPEC,
  EVENT_SPEC,
  instanceId,
  renderCalendar,
  renderEvent,
  type EventInstance,
  type View,
} from '../render';
import { badRequest, empty, GraphError, itemNotFound, json, type GraphResponse } from '../response';
import type { Ctx, Route } from '../router';
import {
  EVENT_READ_ONLY,
  calendarIn,
  cancelIn,
  eventIn,
  eventResponseIn,
  type locationIn,
  normBody,
  normEmail,
  normRecurrence,
  parseBody,
  type EventIn,
} from '../schemas';
import {
  newChangeKey,
  touch,
  type CalendarRec,
  type EventCore,
  type EventRec,
  type Mailbox,
  type Store,
} from '../store';
import { DAY_MS, dttzToUtc, parseInstant, requireTimeZone, utcToWall } from '../time';
import type { Attendee, Location, ResponseType } from '../types';
import type { z } from 'zod';
import { entity, respondList } from './common';

const NEVER = '0001-01-01T00:00:00Z';
const LIST_Q: QueryOption[] = ['$select', '$top', '$skip', '$orderby', '$filter', '$count'];

// ---------------------------------------------------------------------------
// Building events from request bodies

function normLocation(l: z.output<typeof locationIn> | undefined): Location {
  const displayName = l?.displayName ?? '';
  const out: Location = {
    displayName,
    locationType: l?.locationType ?? 'default',
    uniqueIdType: l?.uniqueIdType ?? (displayName ? 'private' : 'unknown'),
    address: {},
    coordinates: l?.coordinates ?? {},
  };
  if (displayName) out.uniqueId = l?.uniqueId ?? displayName;
  if (l?.address) {
    for (const [k, v] of Object.entries(l.address))
      if (typeof v === 'string') out.address[k as keyof Location['address']] = v;
  }
  return out;
}

function normAttendees(list: NonNullable<EventIn['attendees']>): Attendee[] {
  return list.map((a) => ({
    type: a.type ?? 'required',
    status: { response: a.status?.response ?? 'none', time: a.status?.time ?? NEVER },
    emailAddress: normEmail(a.emailAddress),
  }));
}

function isMidnight(utc: number, tz: string): boolean {
  return ((utcToWall(utc, requireTimeZone(tz)) % DAY_MS) + DAY_MS) % DAY_MS === 0;
}

/** Applies the properties an occurrence can carry (EventCore) and validates the time range. */
function applyCore(core: EventCore, input: EventIn): void {
  if (input.subject !== undefined) core.subject = input.subject ?? '';
  if (input.body !== undefined) core.body = normBody(input.body);
  if (input.start) {
    core.startTz = input.start.timeZone ?? 'UTC';
    core.startUtc = dttzToUtc({ dateTime: input.start.dateTime, timeZone: core.startTz });
  }
  if (input.end) {
    core.endTz = input.end.timeZone ?? 'UTC';
    core.endUtc = dttzToUtc({ dateTime: input.end.dateTime, timeZone: core.endTz });
  }
  if (input.isAllDay !== undefined) core.isAllDay = input.isAllDay;
  if (input.location !== undefined) {
    core.location = normLocation(input.location);
    if (input.locations === undefined) core.locations = core.location.displayName ? [core.location] : [];
  }
  if (input.locations !== undefined) core.locations = input.locations.map(normLocation);
  if (input.attendees !== undefined) core.attendees = normAttendees(input.attendees);
  if (input.showAs) core.showAs = input.showAs;
  if (input.importance) core.importance = input.importance;
  if (input.sensitivity) core.sensitivity = input.sensitivity;
  if (input.isReminderOn !== undefined) core.isReminderOn = input.isReminderOn;
  if (input.reminderMinutesBeforeStart !== undefined)
    core.reminderMinutesBeforeStart = input.reminderMinutesBeforeStart;
  if (input.categories) core.categories = [...input.categories];
  if (core.endUtc < core.startUtc) {
    throw badRequest('The end time of the event must be on or after its start time.', 'ErrorInvalidRequest');
  }
  if (
    core.isAllDay &&
    !(
      isMidnight(core.startUtc, core.startTz) &&
      isMidnight(core.endUtc, core.endTz) &&
      core.endUtc > core.startUtc
    )
  ) {
    throw badRequest(
      'All-day events must start and end at midnight and last at least one day.',
      'ErrorPropertyValidationFailure',
    );
  }
}

export function createEvent(mb: Mailbox, calendar: CalendarRec, input: EventIn): EventRec {
  if (!input.start || !input.end) {
    throw badRequest(
      "The event's 'start' and 'end' properties are required.",
      'ErrorPropertyValidationFailure',
    );
  }
  const now = Date.now();
  const core: EventCore = {
    subject: '',
    body: { contentType: 'text', content: '' },
    startUtc: 0,
    endUtc: 0,
    startTz: 'UTC',
    endTz: 'UTC',
    isAllDay: false,
    location: normLocation(undefined),
    locations: [],
    attendees: [],
    showAs: 'busy',
    importance: 'normal',
    sensitivity: 'normal',
    isReminderOn: true,
    reminderMinutesBeforeStart: 15,
    categories: [],
    responseStatus: { response: 'organizer', time: NEVER },
    isCancelled: false,
  };
  applyCore(core, input);
  const recurrence = input.recurrence ? normRecurrence(input.recurrence, core.startTz) : null;
  if (recurrence) validateRecurrence(recurrence);
  return mb.addEvent({
    ...core,
    calendarId: calendar.id,
    createdMs: now,
    lastModifiedMs: now,
    organizer: userRecipient(mb),
    isOrganizer: true,
    responseRequested: input.responseRequested ?? true,
    allowNewTimeProposals: input.allowNewTimeProposals ?? true,
    isOnlineMeeting: input.isOnlineMeeting ?? false,
    hideAttendees: input.hideAttendees ?? false,
    iCalUId: `040000008200E00074C5B7101A82E00800000000${randomBytes(24).toString('hex').toUpperCase()}`,
    transactionId: input.transactionId ?? null,
    recurrence,
    exceptions: new Map(),
    cancelledOccurrences: new Set(),
  });
}

const coreOf = (e: EventRec): EventCore => ({
  subject: e.subject,
  body: e.body,
  startUtc: e.startUtc,
  endUtc: e.endUtc,
  startTz: e.startTz,
  endTz: e.endTz,
  isAllDay: e.isAllDay,
  location: e.location,
  locations: e.locations,
  attendees: e.attendees,
  showAs: e.showAs,
  importance: e.importance,
  sensitivity: e.sensitivity,
  isReminderOn: e.isReminderOn,
  reminderMinutesBeforeStart: e.reminderMinutesBeforeStart,
  categories: e.categories,
  responseStatus: e.responseStatus,
  isCancelled: e.isCancelled,
});

// ---------------------------------------------------------------------------
// Meetings across emulated mailboxes (invitations, responses, cancellations)

function copiesOf(store: Store, organizer: Mailbox, e: EventRec): Array<{ mb: Mailbox; ev: EventRec }> {
  const out: Array<{ mb: Mailbox; ev: EventRec }> = [];
  for (const mb of store.mailboxes.values()) {
    if (mb === organizer) continue;
    for (const ev of mb.events.values()) if (ev.iCalUId === e.iCalUId) out.push({ mb, ev });
  }
  return out;
}

/** Puts/updates the meeting in each emulated attendee's default calendar (Exchange's invitation processing). */
function syncInvitations(store: Store, organizer: Mailbox, e: EventRec): void {
  if (!e.isOrganizer) return;
  const existing = copiesOf(store, organizer, e);
  for (const a of e.attendees) {
    const mb = store.byAddress(a.emailAddress.address);
    if (!mb || mb === organizer) continue;
    const copy = existing.find((x) => x.mb === mb)?.ev;
    // Deep copies: the attendee's event must not share objects with the organizer's.
    const shared = structuredClone({
      ...coreOf(e),
      recurrence: e.recurrence,
      organizer: e.organizer,
      iCalUId: e.iCalUId,
    });
    if (copy) {
      Object.assign(copy, { ...shared, responseStatus: copy.responseStatus, showAs: copy.showAs });
      touch(copy);
    } else {
      mb.addEvent({
        ...shared,
        responseStatus: { response: 'notResponded', time: NEVER },
        showAs: 'tentative',
        calendarId: mb.defaultCalendarId,
        createdMs: Date.now(),
        lastModifiedMs: Date.now(),
        isOrganizer: false,
        responseRequested: e.responseRequested,
        allowNewTimeProposals: e.allowNewTimeProposals,
        isOnlineMeeting: e.isOnlineMeeting,
        hideAttendees: e.hideAttendees,
        transactionId: null,
        exceptions: new Map(),
        cancelledOccurrences: new Set(),
      });
    }
  }
}

/** Organizer deleted/cancelled the meeting: attendees' copies become cancelled, like Exchange's cancellation. */
function cancelInvitations(ctx: Ctx, e: EventRec, comment: string): void {
  for (const { ev } of copiesOf(ctx.svc.store, ctx.mb, e)) {
    ev.isCancelled = true;
    if (!/^Canceled: /.test(ev.subject)) ev.subject = `Canceled: ${ev.subject}`;
    touch(ev);
  }
  const to = e.attendees.map((a) => ({ emailAddress: a.emailAddress }));
  if (to.length > 0) {
    const msg = blankContent(ctx.mb, Date.now());
    msg.subject = `Canceled: ${e.subject}`;
    msg.body = { contentType: 'text', content: comment };
    msg.toRecipients = to;
    ctx.svc.mail.sendNew(ctx.mb, msg, true, 'eventCancel');
  }
}

// ---------------------------------------------------------------------------
// Expansion

function overlaps(s: number, e: number, from: number, to: number): boolean {
  return s < to && (e > from || (e === s && s >= from));
}

/** Single instances, occurrences and exceptions of one event within [from, to), ascending. */
function expand(e: EventRec, from: number, to: number): EventInstance[] {
  if (!e.recurrence)
    return overlaps(e.startUtc, e.endUtc, from, to)
      ? [{ master: e, occurrence: null, core: coreOf(e), type: 'singleInstance' }]
      : [];
  const out: EventInstance[] = [];
  const duration = e.endUtc - e.startUtc;
  for (const s of seriesOccurrences(e.recurrence, e.startUtc, e.startTz, to)) {
    if (e.cancelledOccurrences.has(s) || e.exceptions.has(s) || !overlaps(s, s + duration, from, to))
      continue;
    out.push({
      master: e,
      occurrence: s,
      core: { ...coreOf(e), startUtc: s, endUtc: s + duration },
      type: 'occurrence',
    });
  }
  for (const [s, exc] of e.exceptions) {
    if (!e.cancelledOccurrences.has(s) && overlaps(exc.core.startUtc, exc.core.endUtc, from, to)) {
      out.push({ master: e, occurrence: s, core: exc.core, type: 'exception' });
    }
  }
  return out.sort((a, b) => a.core.startUtc - b.core.startUtc);
}

function calendarInstances(mb: Mailbox, calendarId: string, from: number, to: number): EventInstance[] {
  return mb
    .eventsIn(calendarId)
    .flatMap((e) => expand(e, from, to))
    .sort((a, b) => a.core.startUtc - b.core.startUtc || a.master.seq - b.master.seq);
}

const masterInstance = (e: EventRec): EventInstance => ({
  master: e,
  occurrence: null,
  core: coreOf(e),
  type: e.recurrence ? 'seriesMaster' : 'singleInstance',
});

/** Resolves an event or occurrence id to what it denotes now. */
export function resolveInstance(mb: Mailbox, id: string): EventInstance {
  const { master, occurrence } = mb.requireEventOrOccurrence(id);
  if (occurrence === null) return masterInstance(master);
  const exc = master.exceptions.get(occurrence);
  if (exc) return { master, occurrence, core: exc.core, type: 'exception' };
  const valid =
    master.recurrence &&
    seriesOccurrences(master.recurrence, master.startUtc, master.startTz, occurrence + 1).includes(
      occurrence,
    );
  if (!valid) throw itemNotFound();
  const duration = master.endUtc - master.startUtc;
  return {
    master,
    occurrence,
    core: { ...coreOf(master), startUtc: occurrence, endUtc: occurrence + duration },
    type: 'occurrence',
  };
}

/** startDateTime/endDateTime, which Graph requires for calendarView and instances. */
function timeWindow(ctx: Ctx): { from: number; to: number } {
  const s = ctx.raw.get('startDateTime') ?? ctx.raw.get('StartDateTime');
  const e = ctx.raw.get('endDateTime') ?? ctx.raw.get('EndDateTime');
  if (!s || !e) {
    throw badRequest(
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      'ErrorInvalidParameter',
    );
  }
  const from = parseInstant(s);
  const to = parseInstant(e);
  if (from === null || to === null)
    throw badRequest(
      'The time window parameters are not valid ISO 8601 date-times.',
      'ErrorInvalidParameter',
    );
  if (to <= from) throw badRequest('EndDateTime must be later than StartDateTime.', 'ErrorInvalidParameter');
  return { from, to };
}

// ---------------------------------------------------------------------------
// Handlers

const eventJson = (inst: EventInstance, view: View, select: string[] | null) =>
  project({ ...renderEvent(inst, view) }, select);

function calendarOf(ctx: Ctx): CalendarRec {
  const id = ctx.params['calendarId'];
  return id === undefined ? ctx.mb.requireCalendar(ctx.mb.defaultCalendarId) : ctx.mb.requireCalendar(id);
}

function listEvents(ctx: Ctx): GraphResponse {
  const items = ctx.mb
    .eventsIn(calendarOf(ctx).id)
    .sort((a, b) => a.startUtc - b.startUtc || a.seq - b.seq)
    .map(masterInstance);
  return respondList(ctx, items, EVENT_SPEC, (i, select) => eventJson(i, ctx.view, select), 'events');
}

function calendarView(ctx: Ctx): GraphResponse {
  const { from, to } = timeWindow(ctx);
  const items = calendarInstances(ctx.mb, calendarOf(ctx).id, from, to);
  return respondList(ctx, items, EVENT_SPEC, (i, select) => eventJson(i, ctx.view, select), 'calendarView');
}

function calendarViewDelta(ctx: Ctx): GraphResponse {
  const mb = ctx.mb;
  const cal = calendarOf(ctx);
  let window = '';
  if (ctx.q.deltatoken === null && ctx.q.skiptoken === null) {
    const w = timeWindow(ctx);
    window = `${w.from}-${w.to}`;
  }
  return json(
    200,
    ctx.svc.delta.respond({
      userId: mb.user.id,
      // The window is part of the sync state, not the URL, of later rounds.
      collection: `calendarView:${cal.id}`,
      linkBase: ctx.url,
      context: `${ctx.svc.baseUrl}/$metadata#Collection(event)`,
      q: ctx.q,
      view: ctx.view,
      prefMaxPageSize: ctx.prefer.maxPageSize,
      defaultPageSize: ctx.svc.pageSize,
      initial: () => {
        const [from, to] = window.split('-').map(Number);
        return {
          pageSize: null,
          changeType: null,
          list: (view: View): DeltaItem[] =>
            calendarInstances(mb, cal.id, from ?? 0, to ?? 0).map((inst) => ({
              key: `${inst.master.key}:${inst.occurrence ?? ''}`,
              version: `${inst.master.changeKey}:${inst.occurrence === null ? '' : (inst.master.exceptions.get(inst.occurrence)?.changeKey ?? '')}`,
              id: instanceId(inst, view),
              render: () => ({ '@odata.type': '#microsoft.graph.event', ...renderEvent(inst, view) }),
            })),
        };
      },
    }),
  );
}

function postEvent(ctx: Ctx): GraphResponse {
  const cal = calendarOf(ctx);
  const input = parseBody(ctx.body, eventIn, 'event', EVENT_READ_ONLY);
  if (input.transactionId) {
    // A retried POST with the same transactionId does not create a duplicate.
    const dup = [...ctx.mb.events.values()].find((e) => e.transactionId === input.transactionId);
    if (dup) return entity(ctx, 'events', { ...renderEvent(masterInstance(dup), ctx.view) }, 201);
  }
  const e = createEvent(ctx.mb, cal, input);
  syncInvitations(ctx.svc.store, ctx.mb, e);
  return entity(ctx, 'events', { ...renderEvent(masterInstance(e), ctx.view) }, 201);
}

/**
 * PATCH semantics for an event, series master or occurrence (shared with the control surface).
 * Validates everything before changing the record, so a rejected PATCH leaves it untouched.
 */
export function applyEventPatch(
  store: Store,
  mb: Mailbox,
  inst: EventInstance,
  input: EventIn,
): EventInstance {
  const e = inst.master;
  if (input.transactionId && e.transactionId && input.transactionId !== e.transactionId) {
    throw badRequest('The transactionId of an event cannot be changed.');
  }
  if (inst.occurrence !== null) {
    // Modifying one occurrence turns it into an exception of the series.
    if (input.recurrence !== undefined) {
      throw badRequest('The recurrence of an occurrence cannot be set.', 'ErrorInvalidRequest');
    }
    const core = structuredClone(inst.core);
    applyCore(core, input);
    e.exceptions.set(inst.occurrence, { core, changeKey: newChangeKey(), lastModifiedMs: Date.now() });
    return { ...inst, core, type: 'exception' };
  }
  const core = coreOf(e);
  applyCore(core, input);
  const recurrence =
    input.recurrence === undefined
      ? e.recurrence
      : input.recurrence
        ? normRecurrence(input.recurrence, core.startTz)
        : null;
  if (recurrence) validateRecurrence(recurrence);
  const before = `${e.startUtc}|${e.endUtc}|${JSON.stringify(e.recurrence)}`;
  Object.assign(e, core, { recurrence });
  if (input.responseRequested !== undefined) e.responseRequested = input.responseRequested;
  if (input.allowNewTimeProposals !== undefined) e.allowNewTimeProposals = input.allowNewTimeProposals;
  if (input.isOnlineMeeting !== undefined) e.isOnlineMeeting = input.isOnlineMeeting;
  if (input.hideAttendees !== undefined) e.hideAttendees = input.hideAttendees;
  if (input.transactionId) e.transactionId = input.transactionId;
  if (before !== `${e.startUtc}|${e.endUtc}|${JSON.stringify(e.recurrence)}`) {
    // Changing the series' time or pattern discards its exceptions, as Outlook does.
    e.exceptions.clear();
    e.cancelledOccurrences.clear();
  }
  touch(e);
  syncInvitations(store, mb, e);
  return masterInstance(e);
}

function patchEvent(ctx: Ctx): GraphResponse {
  const inst = resolveInstance(ctx.mb, ctx.params['eventId'] ?? '');
  const input = parseBody(ctx.body, eventIn, 'event', EVENT_READ_ONLY);
  const updated = applyEventPatch(ctx.svc.store, ctx.mb, inst, input);
  return ctx.prefer.returnMinimal ? empty(204) : entity(ctx, 'events', { ...renderEvent(updated, ctx.view) });
}

export function removeInstance(mb: Mailbox, inst: EventInstance): void {
  if (inst.occurrence === null) {
    mb.removeEvent(inst.master);
  } else {
    inst.master.exceptions.delete(inst.occurrence);
    inst.master.cancelledOccurrences.add(inst.occurrence);
    touch(inst.master);
  }
}

function deleteEvent(ctx: Ctx): GraphResponse {
  const inst = resolveInstance(ctx.mb, ctx.params['eventId'] ?? '');
  // Deleting a meeting on the organizer's calendar sends a cancellation to attendees.
  if (inst.master.isOrganizer && inst.occurrence === null && inst.master.attendees.length > 0)
    cancelInvitations(ctx, inst.master, '');
  removeInstance(ctx.mb, inst);
  return empty(204);
}

const RESPONSE_SUBJECT: Record<string, string> = {
  accepted: 'Accepted',
  tentativelyAccepted: 'Tentative',
  declined: 'Declined',
};

function respond(ctx: Ctx, response: ResponseType): GraphResponse {
  const inst = resolveInstance(ctx.mb, ctx.params['eventId'] ?? '');
  const input = parseBody(ctx.body, eventResponseIn, 'event');
  const e = inst.master;
  if (e.isOrganizer) {
    throw badRequest(
      "Your request can't be completed. You can't respond to a meeting you organized.",
      'ErrorInvalidRequest',
    );
  }
  const status = { response, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (inst.occurrence === null) {
    e.responseStatus = status;
    e.showAs = response === 'tentativelyAccepted' ? 'tentative' : 'busy';
    touch(e);
  } else {
    e.exceptions.set(inst.occurrence, {
      core: { ...structuredClone(inst.core), responseStatus: status },
      changeKey: newChangeKey(),
      lastModifiedMs: Date.now(),
    });
  }
  if (input.sendResponse ?? true) {
    const organizer = ctx.svc.store.byAddress(e.organizer.emailAddress.address);
    const orgEvent =
      organizer && [...organizer.events.values()].find((x) => x.iCalUId === e.iCalUId && x.isOrganizer);
    const me = ctx.mb.user.mail.toLowerCase();
    if (orgEvent) {
      for (const a of orgEvent.attendees) if (a.emailAddress.address.toLowerCase() === me) a.status = status;
      touch(orgEvent);
    }
    const msg = blankContent(ctx.mb, Date.now());
    msg.subject = `${RESPONSE_SUBJECT[response] ?? response}: ${e.subject}`;
    msg.body = { contentType: 'text', content: input.comment ?? '' };
    msg.toRecipients = [e.organizer];
    ctx.svc.mail.sendNew(ctx.mb, msg, true, 'eventResponse');
  }
  // Declining removes the meeting from the attendee's calendar (Exchange moves it to Deleted Items).
  if (response === 'declined') removeInstance(ctx.mb, inst);
  return empty(202);
}

function eventItemRoutes(prefix: string): Route[] {
  const p = `${prefix}events/:eventId`;
  return [
    {
      method: 'GET',
      path: p,
      query: ['$select'],
      handler: (ctx) => {
        const select = resolveSelect(ctx.q.select, EVENT_SPEC);
        return entity(
          ctx,
          'events',
          eventJson(resolveInstance(ctx.mb, ctx.params['eventId'] ?? ''), ctx.view, select),
        );
      },
    },
    { method: 'PATCH', path: p, hasBody: true, handler: patchEvent },
    { method: 'DELETE', path: p, handler: deleteEvent },
    { method: 'POST', path: `${p}/accept`, hasBody: true, handler: (ctx) => respond(ctx, 'accepted') },
    {
      method: 'POST',
      path: `${p}/tentativelyAccept`,
      hasBody: true,
      handler: (ctx) => respond(ctx, 'tentativelyAccepted'),
    },
    { method: 'POST', path: `${p}/decline`, hasBody: true, handler: (ctx) => respond(ctx, 'declined') },
    {
      method: 'POST',
      path: `${p}/cancel`,
      hasBody: true,
      handler: (ctx) => {
        const inst = resolveInstance(ctx.mb, ctx.params['eventId'] ?? '');
        const { comment } = parseBody(ctx.body, cancelIn, 'event');
        if (!inst.master.isOrganizer) {
          throw new GraphError(
            400,
            'ErrorAccessDenied',
            "Your request can't be completed. Only the meeting organizer can cancel the meeting.",
          );
        }
        if (inst.occurrence === null) cancelInvitations(ctx, inst.master, comment ?? '');
        removeInstance(ctx.mb, inst);
        return empty(202);
      },
    },
    {
      method: 'GET',
      path: `${p}/instances`,
      query: LIST_Q,
      handler: (ctx) => {
        const { from, to } = timeWindow(ctx);
        const inst = resolveInstance(ctx.mb, ctx.params['eventId'] ?? '');
        const items = inst.master.recurrence ? expand(inst.master, from, to) : [];
        return respondList(ctx, items, EVENT_SPEC, (i, select) => eventJson(i, ctx.view, select), 'events');
      },
    },
  ];
}

/** Event collection routes for a calendar prefix: '' (default), 'calendar/' or 'calendars/:calendarId/'. */
function calendarScopedRoutes(prefix: string): Route[] {
  return [
    { method: 'GET', path: `${prefix}events`, query: LIST_Q, handler: listEvents },
    { method: 'POST', path: `${prefix}events`, hasBody: true, handler: postEvent },
    {
      method: 'GET',
      path: `${prefix}calendarView/delta`,
      query: ['$skiptoken', '$deltatoken'],
      handler: calendarViewDelta,
    },
    { method: 'GET', path: `${prefix}calendarView`, query: LIST_Q, handler: calendarView },
    ...eventItemRoutes(prefix),
  ];
}

export function calendarRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: 'calendars',
      query: LIST_Q,
      handler: (ctx) => {
        const cals = [...ctx.mb.calendars.values()]
          .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
          .map((c) => renderCalendar(ctx.mb, c));
        return respondList(ctx, cals, CALENDAR_SPEC, (c) => ({ ...c }), 'calendars');
      },
    },
    {
      method: 'POST',
      path: 'calendars',
      hasBody: true,
      handler: (ctx) => {
        const input = parseBody(ctx.body, calendarIn, 'calendar', [
          'id',
          'changeKey',
          'isDefaultCalendar',
          'owner',
        ]);
        if ([...ctx.mb.calendars.values()].some((c) => c.name.toLowerCase() === input.name.toLowerCase())) {
          throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        }
        const c = ctx.mb.addCalendar(input.name);
        if (input.color) c.color = input.color;
        if (input.hexColor) c.hexColor = input.hexColor;
        return entity(ctx, 'calendars', { ...renderCalendar(ctx.mb, c) }, 201);
      },
    },
    {
      method: 'GET',
      path: 'calendar',
      query: ['$select'],
      handler: (ctx) =>
        entity(
          ctx,
          'calendars',
          project({ ...renderCalendar(ctx.mb, calendarOf(ctx)) }, resolveSelect(ctx.q.select, CALENDAR_SPEC)),
        ),
    },
    {
      method: 'GET',
      path: 'calendars/:calendarId',
      query: ['$select'],
      handler: (ctx) =>
        entity(
          ctx,
          'calendars',
          project({ ...renderCalendar(ctx.mb, calendarOf(ctx)) }, resolveSelect(ctx.q.select, CALENDAR_SPEC)),
        ),
    },
    ...calendarScopedRoutes(''),
    ...calendarScopedRoutes('calendar/'),
    ...calendarScopedRoutes('calendars/:calendarId/'),
  ];
}

/** Control surface: the events of a calendar as Graph renders them (masters and single instances). */
export function listEventInstances(mb: Mailbox, calendarId: string): EventInstance[] {
  return mb
    .eventsIn(calendarId)
    .sort((a, b) => a.startUtc - b.startUtc || a.seq - b.seq)
    .map(masterInstance);
}

export { calendarInstances, masterInstance, syncInvitations };
