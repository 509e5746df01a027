import type { Occurrence } from '../../../../shared/types';
import { changedEvents, EVENT_DEFAULT_ORDER, EVENT_FIELDS, occurrenceKey, startSeqTrigger, startUpcomingTrigger, upcomingEvents, type SeqWatermark, type UpcomingWatermark } from '../../triggers';
import type { StoredEvent } from '../../store';
import { HttpError } from '../http';
import { calendarOf, ERROR_RESPONSES } from './common';
import { idParam, ODATA_PARAMS, odataInput, queryItemIds, tableParam } from './items';
import { CalendarItemInput, readBodyAs, toCalendarItem, toEventInput } from './objects';
import { ACCOUNT_PARAM, type OperationContext, type OperationSpec } from './operation';
import { poll } from './triggers';
import { parseIsoDateTime } from '../../odata/literals';

const EVENTS = { table: 'events e', alias: 'e', container: 'e.calendar_id', fields: EVENT_FIELDS, defaultOrder: EVENT_DEFAULT_ORDER };
const MAX_VIEW_DAYS = 3660;

function getTables(ctx: OperationContext) {
  return { status: 200, body: { value: ctx.core.calendar.calendars(ctx.account.id).map((c) => ({ Name: c.id, DisplayName: c.name })) } };
}

function getItems(ctx: OperationContext) {
  const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const ids = queryItemIds(ctx.core, EVENTS, cal.id, odataInput(ctx));
  const value = ids.map((id) => ctx.core.store.pim.event(id)).filter((e): e is StoredEvent => e !== undefined).map((e) => toCalendarItem(e));
  return { status: 200, body: { value } };
}

function eventOf(ctx: OperationContext): StoredEvent {
  const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const id = ctx.requiredStr('id');
  const e = ctx.core.store.pim.event(id);
  if (!e || e.calendarId !== cal.id) throw new HttpError(404, 'NotFound', `Event '${id.slice(0, 200)}' was not found in this calendar`);
  return e;
}

function postItem(ctx: OperationContext) {
  const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const item = readBodyAs(CalendarItemInput, ctx.req.body, 'CalendarItem');
  if (item.Start === undefined || item.End === undefined) throw new HttpError(400, 'BadRequest', "A calendar item needs 'Start' and 'End'");
  const input = toEventInput(item, null);
  const { event } = ctx.core.calendar.create(cal.id, { ...input, start: input.start!, end: input.end! });
  return { status: 200, body: toCalendarItem(event) };
}

function getItem(ctx: OperationContext) {
  return { status: 200, body: toCalendarItem(eventOf(ctx)) };
}

function patchItem(ctx: OperationContext) {
  const previous = eventOf(ctx);
  const item = readBodyAs(CalendarItemInput, ctx.req.body, 'CalendarItem');
  const { event } = ctx.core.calendar.update(previous.id, toEventInput(item, previous));
  return { status: 200, body: toCalendarItem(event) };
}

function deleteItem(ctx: OperationContext) {
  ctx.core.calendar.delete(eventOf(ctx).id);
  return { status: 200 };
}

function onChangedItems(change: 'created' | 'modified') {
  return (ctx: OperationContext) => {
    const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
    const query = { containerId: cal.id, change, odata: odataInput(ctx) };
    return poll<SeqWatermark, StoredEvent>(ctx, {
      trigger: change === 'created' ? 'connector.CalendarGetOnNewItems' : 'connector.CalendarGetOnUpdatedItems',
      params: { account: ctx.account.id, ...query },
      start: () => {
        // Checks the query now, so a bad $filter is a 400 on the first call, not on every later one.
        queryItemIds(ctx.core, EVENTS, cal.id, { ...query.odata, $top: 0 });
        return startSeqTrigger(ctx.core.store);
      },
      step: (wm) => changedEvents(ctx.core.store, query, wm),
      toBody: (items) => ({ value: items.map((e) => toCalendarItem(e)) }),
    });
  };
}

function occurrenceItem(o: Occurrence) {
  return { ...toCalendarItem(o.event, o), OccurrenceKey: occurrenceKey(o) };
}

function onUpcomingEvents(ctx: OperationContext) {
  const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const query = { calendarId: cal.id, lookAheadMinutes: ctx.int('lookAheadTimeInMinutes') };
  const now = ctx.core.now();
  return poll<UpcomingWatermark, Occurrence>(ctx, {
    trigger: 'connector.OnUpcomingEvents',
    params: { account: ctx.account.id, ...query },
    start: () => startUpcomingTrigger(now),
    step: (wm) => upcomingEvents(ctx.core.calendar, query, wm, now),
    toBody: (items) => ({ value: items.map(occurrenceItem) }),
    // With nothing new, keep the client on its state until the window has moved a good way on.
    worthSaving: (prev, next) => prev.sent.join() !== next.sent.join() || next.from - prev.from >= 3600_000,
  });
}

function instant(ctx: OperationContext, name: string): number {
  const raw = ctx.requiredStr(name);
  const parsed = parseIsoDateTime(raw.trim());
  if (!parsed) throw new HttpError(400, 'BadRequest', `Parameter '${name}' must be an ISO 8601 date or date-time, got '${raw.slice(0, 60)}'`);
  return parsed.ms;
}

function calendarView(ctx: OperationContext) {
  const cal = calendarOf(ctx.core, ctx.account, ctx.requiredStr('table'));
  const from = instant(ctx, 'calendarStartTime');
  const to = instant(ctx, 'calendarEndTime');
  if (to <= from) throw new HttpError(400, 'BadRequest', "'calendarEndTime' must be after 'calendarStartTime'");
  if (to - from > MAX_VIEW_DAYS * 86_400_000) throw new HttpError(400, 'BadRequest', `The view may span at most ${MAX_VIEW_DAYS} days`);
  const occurrences = ctx.core.calendar.range(from, to, [cal.id]);
  return { status: 200, body: { value: occurrences.map(occurrenceItem) } };
}

const TABLE = 'Unique identifier of a calendar';
const OK = { '200': { description: 'OK', schema: 'CalendarItem' }, ...ERROR_RESPONSES };

export const calendarOperations: OperationSpec[] = [
  {
    operationId: 'OnUpcomingEvents',
    method: 'GET',
    path: '/Events/OnUpcomingEvents',
    summary: 'On event starting soon',
    description: 'Polling trigger: occurrences whose start falls within the look-ahead window, each once.',
    tags: ['Calendar'],
    trigger: true,
    params: [
      { name: 'table', in: 'query', type: 'string', required: true, description: 'Unique identifier of the calendar' },
      { name: 'lookAheadTimeInMinutes', in: 'query', type: 'integer', required: false, default: 15, minimum: 0, maximum: 525_600, description: 'Time (in minutes) to look ahead for upcoming events' },
      { name: 'triggerState', in: 'query', type: 'string', required: false, description: 'Where the previous poll stopped (from the Location header)' },
      ACCOUNT_PARAM,
    ],
    responses: {
      '200': { description: 'Operation was successful', schema: 'CalendarItemsList', headers: ['Location', 'Retry-After'] },
      '202': { description: 'Operation was successful', headers: ['Location', 'Retry-After'] },
      ...ERROR_RESPONSES,
    },
    handler: onUpcomingEvents,
  },
  {
    operationId: 'CalendarGetTables',
    method: 'GET',
    path: '/datasets/calendars/tables',
    summary: 'Get calendars',
    tags: ['Calendar'],
    params: [ACCOUNT_PARAM],
    responses: { '200': { description: 'OK', schema: 'TablesList' }, ...ERROR_RESPONSES },
    handler: getTables,
  },
  {
    operationId: 'CalendarGetItems',
    method: 'GET',
    path: '/datasets/calendars/tables/{table}/items',
    summary: 'Get events',
    tags: ['Calendar'],
    params: [tableParam('Unique identifier of the calendar to retrieve'), ...ODATA_PARAMS, ACCOUNT_PARAM],
    responses: { '200': { description: 'OK', schema: 'CalendarItemsList' }, ...ERROR_RESPONSES },
    handler: getItems,
  },
  {
    operationId: 'CalendarPostItem',
    method: 'POST',
    path: '/datasets/calendars/tables/{table}/items',
    summary: 'Create event',
    tags: ['Calendar'],
    params: [tableParam(TABLE), ACCOUNT_PARAM],
    body: { name: 'item', schema: 'CalendarItemInput', description: 'Calendar item to create' },
    responses: OK,
    handler: postItem,
  },
  {
    operationId: 'CalendarGetItem',
    method: 'GET',
    path: '/datasets/calendars/tables/{table}/items/{id}',
    summary: 'Get event',
    tags: ['Calendar'],
    params: [tableParam(TABLE), idParam('Unique identifier of a calendar item to retrieve'), ACCOUNT_PARAM],
    responses: OK,
    handler: getItem,
  },
  {
    operationId: 'CalendarDeleteItem',
    method: 'DELETE',
    path: '/datasets/calendars/tables/{table}/items/{id}',
    summary: 'Delete event',
    tags: ['Calendar'],
    params: [tableParam(TABLE), idParam('Unique identifier of calendar item to delete'), ACCOUNT_PARAM],
    responses: { '200': { description: 'OK' }, ...ERROR_RESPONSES },
    handler: deleteItem,
  },
  {
    operationId: 'CalendarPatchItem',
    method: 'PATCH',
    path: '/datasets/calendars/tables/{table}/items/{id}',
    summary: 'Update event',
    tags: ['Calendar'],
    params: [tableParam(TABLE), idParam('Unique identifier of calendar item to update'), ACCOUNT_PARAM],
    body: { name: 'item', schema: 'CalendarItemInput', description: 'Calendar item to update' },
    responses: OK,
    handler: patchItem,
  },
  changedItemsTrigger('created'),
  changedItemsTrigger('modified'),
  {
    operationId: 'CalendarGetView',
    method: 'GET',
    path: '/datasets/calendars/v3/tables/{table}/calendarview',
    summary: 'Get calendar view',
    description: 'Occurrences overlapping [calendarStartTime, calendarEndTime), recurring events expanded in their own time zone.',
    tags: ['Calendar'],
    params: [
      tableParam(TABLE),
      { name: 'calendarStartTime', in: 'query', type: 'string', required: true, description: 'Start of the view (ISO 8601; UTC when no offset is given)' },
      { name: 'calendarEndTime', in: 'query', type: 'string', required: true, description: 'End of the view (ISO 8601; UTC when no offset is given)' },
      ACCOUNT_PARAM,
    ],
    responses: { '200': { description: 'OK', schema: 'CalendarItemsList' }, ...ERROR_RESPONSES },
    handler: calendarView,
  },
];

/** The two polling triggers of the calendar tables: new events, and new or changed ones. */
function changedItemsTrigger(change: 'created' | 'modified'): OperationSpec {
  const created = change === 'created';
  return {
    operationId: created ? 'CalendarGetOnNewItems' : 'CalendarGetOnUpdatedItems',
    method: 'GET',
    path: `/datasets/calendars/tables/{table}/${created ? 'onnewitems' : 'onupdateditems'}`,
    summary: created ? 'On new items' : 'On updated items',
    description: created
      ? 'Polling trigger: events created since the previous poll.'
      : 'Polling trigger: events created or modified since the previous poll, each once in its latest state.',
    tags: ['Calendar'],
    trigger: true,
    params: [tableParam(TABLE), ...ODATA_PARAMS, { name: 'triggerState', in: 'query', type: 'string', required: false, description: 'Where the previous poll stopped (from the Location header)' }, ACCOUNT_PARAM],
    responses: {
      '200': { description: 'OK', schema: 'CalendarItemsList', headers: ['Location', 'Retry-After'] },
      '202': { description: 'Nothing new yet', headers: ['Location', 'Retry-After'] },
      ...ERROR_RESPONSES,
    },
    handler: onChangedItems(change),
  };
}
