import type { Importance, MessageDetail, Occurrence } from '../../../shared/types';
import type { CalendarService } from '../calendar/service';
import { compileODataQuery, type ODataQueryInput } from '../odata';
import type { Db, Store, StoredContact, StoredEvent } from '../store';
import { CONTACT_DEFAULT_ORDER, CONTACT_FIELDS, EVENT_DEFAULT_ORDER, EVENT_FIELDS } from './fields';

// Polling triggers evaluated over the local cache. Each is a pure step: (query, watermark) ->
// (new items, next watermark). Where the state is kept (REST triggerState, the poller's own row)
// is the caller's business. Items come in the order they changed; a batch is capped and the
// watermark then stops at the last item returned, so nothing is skipped and nothing repeats.

/** Position in the change log: everything with a higher sequence number is new. */
export interface SeqWatermark {
  seq: number;
}

/** Upcoming events: occurrences starting at or after `from` not yet reported (keys of those still ahead). */
export interface UpcomingWatermark {
  from: number;
  sent: string[];
}

export interface TriggerStep<T, W> {
  items: T[];
  watermark: W;
}

export const MAX_BATCH = 256;

export function currentSeq(db: Db): number {
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").get() as { seq: number } | undefined;
  return row?.seq ?? 0;
}

/** How long change-log entries are kept: far longer than any trigger state lives unused (30 days). */
export const CHANGE_LOG_RETENTION_MS = 60 * 24 * 3600 * 1000;

/** Drops change-log entries older than the retention; the newest entry always stays, so sequence numbers never restart. */
export function pruneChangeLog(db: Db, now: number, retentionMs = CHANGE_LOG_RETENTION_MS): number {
  return db.prepare('DELETE FROM change_log WHERE at < ? AND seq < (SELECT max(seq) FROM change_log)').run(now - retentionMs).changes;
}

/** The first call of a change-log trigger: everything already there is old. */
export function startSeqTrigger(store: Store): SeqWatermark {
  return { seq: currentSeq(store.db) };
}

export function startUpcomingTrigger(now: number): UpcomingWatermark {
  return { from: now, sent: [] };
}

// ---------------------------------------------------------------- mail

export interface NewEmailQuery {
  folderId: string;
  /** Lower-case addresses; a message matches when any of them is among its To/Cc. Empty: any. */
  to: string[];
  /** Lower-case addresses; a message matches when its sender is one of them. Empty: any. */
  from: string[];
  importance: Importance | 'any';
  onlyWithAttachment: boolean;
  subjectFilter: string | null;
}

export function newEmails(store: Store, q: NewEmailQuery, wm: SeqWatermark, maxBatch = MAX_BATCH): TriggerStep<MessageDetail, SeqWatermark> {
  const upTo = currentSeq(store.db);
  // CROSS JOIN keeps the (small) change-log slice as the outer loop; left to itself SQLite walks the
  // whole folder through messages_folder_date for every poll.
  const rows = store.db
    .prepare(
      `SELECT m.id, c.s FROM (
         SELECT item_id, max(seq) AS s FROM change_log
         WHERE entity = 'message' AND op = 'created' AND container_id = ? AND seq > ? AND seq <= ? GROUP BY item_id
       ) c CROSS JOIN messages m ON m.id = c.item_id AND m.folder_id = ?
       WHERE (? = 'any' OR m.importance = ?) AND (? = 0 OR m.has_attachments = 1)
         AND (? IS NULL OR instr(lower(m.subject), lower(?)) > 0)
       ORDER BY c.s`,
    )
    .all(q.folderId, wm.seq, upTo, q.folderId, q.importance, q.importance, q.onlyWithAttachment ? 1 : 0, q.subjectFilter, q.subjectFilter) as {
    id: string;
    s: number;
  }[];
  const items: MessageDetail[] = [];
  for (const row of rows) {
    const m = store.mail.detail(row.id);
    if (!m || !matchesAddresses(m, q)) continue;
    items.push(m);
    if (items.length === maxBatch) return { items, watermark: { seq: row.s } };
  }
  return { items, watermark: { seq: upTo } };
}

function matchesAddresses(m: MessageDetail, q: NewEmailQuery): boolean {
  if (q.from.length && !q.from.includes((m.from?.address ?? '').toLowerCase())) return false;
  if (q.to.length) {
    const recipients = [...m.to, ...m.cc].map((a) => a.address.toLowerCase());
    if (!q.to.some((a) => recipients.includes(a))) return false;
  }
  return true;
}

// ---------------------------------------------------------------- calendar and contacts items

export type ItemChange = 'created' | 'modified';

export interface ItemsQuery {
  /** Calendar or address book id. */
  containerId: string;
  /** `created`: items new since the watermark; `modified`: created or changed since it. */
  change: ItemChange;
  odata: ODataQueryInput;
}

const ITEM_TABLES = {
  event: { table: 'events e', alias: 'e', container: 'e.calendar_id', fields: EVENT_FIELDS, order: EVENT_DEFAULT_ORDER },
  contact: { table: 'contacts c', alias: 'c', container: 'c.address_book_id', fields: CONTACT_FIELDS, order: CONTACT_DEFAULT_ORDER },
} as const;

/**
 * New or modified items of one calendar or address book since the watermark, filtered and ordered
 * by the OData options. $top caps the batch (the rest comes next time); $skip drops that many of
 * the new items for good, as the client asked. Throws ODataQueryError for a bad query.
 */
function changedItems(store: Store, entity: 'event' | 'contact', q: ItemsQuery, wm: SeqWatermark): TriggerStep<string, SeqWatermark> {
  const t = ITEM_TABLES[entity];
  const compiled = compileODataQuery(q.odata, t.fields, { defaultOrderBy: t.order });
  const upTo = currentSeq(store.db);
  const ops = q.change === 'created' ? ['created'] : ['created', 'updated'];
  const take = compiled.offset + compiled.limit;
  const rows = store.db
    .prepare(
      `SELECT ${t.alias}.id AS id, c2.s AS s FROM (
         SELECT item_id, max(seq) AS s FROM change_log
         WHERE entity = ? AND op IN (${ops.map(() => '?').join(',')}) AND container_id = ? AND seq > ? AND seq <= ? GROUP BY item_id
       ) c2 CROSS JOIN ${t.table} ON ${t.alias}.id = c2.item_id AND ${t.container} = ?
       WHERE ${compiled.where} ORDER BY c2.s LIMIT ?`,
    )
    .all(entity, ...ops, q.containerId, wm.seq, upTo, q.containerId, ...compiled.params, take + 1) as { id: string; s: number }[];
  const more = rows.length > take;
  const taken = rows.slice(0, take);
  const watermark = more ? { seq: taken[taken.length - 1]?.s ?? wm.seq } : { seq: upTo };
  const ids = taken.slice(compiled.offset).map((r) => r.id);
  if (ids.length === 0 || !compiled.orderBy) return { items: ids, watermark };
  const ordered = store.db
    .prepare(`SELECT ${t.alias}.id AS id FROM ${t.table} WHERE ${t.alias}.id IN (${ids.map(() => '?').join(',')}) ORDER BY ${compiled.orderBy}`)
    .all(...ids) as { id: string }[];
  return { items: ordered.map((r) => r.id), watermark };
}

export function changedEvents(store: Store, q: ItemsQuery, wm: SeqWatermark): TriggerStep<StoredEvent, SeqWatermark> {
  const step = changedItems(store, 'event', q, wm);
  return { items: step.items.map((id) => store.pim.event(id)).filter((e): e is StoredEvent => e !== undefined), watermark: step.watermark };
}

export function changedContacts(store: Store, q: ItemsQuery, wm: SeqWatermark): TriggerStep<StoredContact, SeqWatermark> {
  const step = changedItems(store, 'contact', q, wm);
  return { items: step.items.map((id) => store.pim.contact(id)).filter((c): c is StoredContact => c !== undefined), watermark: step.watermark };
}

// ---------------------------------------------------------------- upcoming events

export interface UpcomingQuery {
  calendarId: string;
  lookAheadMinutes: number;
}

export function occurrenceKey(o: Pick<Occurrence, 'eventId' | 'startUtc'>): string {
  return `${o.eventId}@${o.startUtc}`;
}

/**
 * Occurrences whose start falls between the previous evaluation and now + look-ahead, each reported
 * once: a poll that comes late still reports what started since the last one.
 */
export function upcomingEvents(
  calendar: CalendarService,
  q: UpcomingQuery,
  wm: UpcomingWatermark,
  now: number,
): TriggerStep<Occurrence, UpcomingWatermark> {
  const horizon = now + q.lookAheadMinutes * 60_000;
  const from = Math.min(wm.from, now);
  const sent = new Set(wm.sent);
  const items = calendar
    .range(from, horizon + 1, [q.calendarId])
    .filter((o) => o.startUtc >= from && o.startUtc <= horizon && !sent.has(occurrenceKey(o)));
  const stillAhead = [...wm.sent.filter((k) => Number(k.slice(k.lastIndexOf('@') + 1)) >= now), ...items.filter((o) => o.startUtc >= now).map(occurrenceKey)];
  return { items, watermark: { from: now, sent: stillAhead } };
}
