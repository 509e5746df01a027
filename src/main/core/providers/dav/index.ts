// CalDAV/CardDAV share of an 'imap' account (composed beside the IMAP/SMTP part).
//
// Sync, per collection: RFC 6578 sync-collection from the stored token (pages followed; a rejected
// token means a complete listing and removal of what it no longer lists), or, where the server lacks
// it, the ctag to skip unchanged collections and a Depth 1 etag listing to diff. Changed members come
// in calendar-/addressbook-multiget batches. A row keeps the whole server resource (`ical`/`vcard`) so
// write-back patches only what Pimlico edits.
//
// Writes: PUT with If-Match (If-None-Match: * to create), DELETE with If-Match. 412 means someone else
// changed it: the server's version is fetched and kept, and the task fails with a Conflict error.
// Rows with queued tasks are neither overwritten nor resurrected by a sync; sync and writes take turns.
import { DeleteContactPayload, DeleteEventPayload, PutContactPayload, PutEventPayload } from '../../tasks/pim-kinds';
import type { StoredContact, StoredEvent, StoredTask } from '../../store';
import { PimlicoError, errorMessage } from '../../util/errors';
import { newId } from '../../util/ids';
import type { ProviderPart } from '../compose';
import type { ProviderContext, SyncCounts } from '../types';
import { DavClient, type CollectionKind, type DavEndpointSettings, type RemoteCollection, type RemoteResource } from './client';
import { canonicalHref } from './http';
import { buildContactResource, buildEventResource, contactRowFromResource, eventRowsFromResource, sameInstance } from './mapping';

export { DavClient } from './client';
export { canonicalHref } from './http';
export { checkDav, type DavEndpointCheck } from './connection-test';

/** Key in an etag chain for "this resource did not exist; we created it". */
const CREATED_BY_US = '';
const EVENT_KINDS = new Set(['pim.putEvent', 'pim.deleteEvent']);
const CONTACT_KINDS = new Set(['pim.putContact', 'pim.deleteContact']);

function endpointOf(value: unknown): DavEndpointSettings | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v['url'] !== 'string' || typeof v['user'] !== 'string') return null;
  const fp = v['trustedCertFingerprint'];
  return { url: v['url'], user: v['user'], ...(typeof fp === 'string' && fp ? { trustedCertFingerprint: fp } : {}) };
}

/** A local collection row (calendar or address book) as the sync loop sees it. */
interface LocalCollection {
  id: string;
  remoteId: string | null;
  name: string;
  syncToken: string | null;
  ctag: string | null;
}

/** What rows the still-queued pim tasks touch: sync must neither overwrite nor resurrect them. */
interface PendingRefs {
  ids: Set<string>;
  hrefs: Set<string>;
}

/** One side (CalDAV or CardDAV) of the collection sync, so the token/ctag logic exists once. */
interface CollectionAdapter {
  kind: CollectionKind;
  /** href → etag of what the store holds for this collection. */
  localEtags(collectionId: string): Map<string, string | null>;
  ingest(collectionId: string, resources: RemoteResource[], pending: PendingRefs): number;
  removeHrefs(collectionId: string, hrefs: string[], pending: PendingRefs): number;
}

/**
 * The CalDAV/CardDAV share of an 'imap'-kind account, or null when the account configures neither.
 */
export function createDavPart(ctx: ProviderContext): ProviderPart | null {
  const caldav = endpointOf(ctx.account.settings['caldav']);
  const carddav = endpointOf(ctx.account.settings['carddav']);
  if (!caldav && !carddav) return null;
  return new DavPart(ctx, caldav, carddav);
}

class DavPart implements ProviderPart {
  readonly name = 'dav';
  private calClient: DavClient | null = null;
  private cardClient: DavClient | null = null;
  /**
   * Etags our own writes replaced (href → old → new). A task queued before an earlier task of the same
   * item was applied carries the older etag; it is ours, not a change made elsewhere. In memory only:
   * after a restart such a task fails as a conflict rather than risk overwriting someone else's edit.
   */
  private readonly ownEtags = new Map<string, Map<string, string>>();
  /** Rows we created on the server in this session (id → href): later queued tasks carry no href yet. */
  private readonly createdByUs = new Map<string, string>();

  constructor(
    private readonly ctx: ProviderContext,
    private readonly caldav: DavEndpointSettings | null,
    private readonly carddav: DavEndpointSettings | null,
  ) {}

  handles(kind: string): boolean {
    return (this.caldav !== null && EVENT_KINDS.has(kind)) || (this.carddav !== null && CONTACT_KINDS.has(kind));
  }

  private client(kind: CollectionKind): DavClient {
    if (kind === 'calendar') {
      if (!this.caldav) throw new PimlicoError('Internal', 'CalDAV is not configured for this account');
      this.calClient ??= new DavClient(this.caldav, this.password('caldav'));
      return this.calClient;
    }
    if (!this.carddav) throw new PimlicoError('Internal', 'CardDAV is not configured for this account');
    this.cardClient ??= new DavClient(this.carddav, this.password('carddav'));
    return this.cardClient;
  }

  private password(which: 'caldav' | 'carddav'): string {
    const pw = this.ctx.secret(`${which}.password`);
    if (pw === undefined) throw new PimlicoError('Unauthorized', `No ${which === 'caldav' ? 'CalDAV' : 'CardDAV'} password is stored for this account`);
    return pw;
  }

  // ------------------------------------------------------------------ sync

  /**
   * Sync and task application take turns: a sync that fetched an item before our own write landed
   * would otherwise store the older version over it.
   */
  private turn: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  sync(): Promise<SyncCounts> {
    return this.exclusive(() => this.syncAll());
  }

  private async syncAll(): Promise<SyncCounts> {
    const counts: SyncCounts = {};
    if (this.caldav) counts.events = await this.syncKind(this.calendarAdapter());
    if (this.carddav) counts.contacts = await this.syncKind(this.contactAdapter());
    return counts;
  }

  private localCollections(kind: CollectionKind): LocalCollection[] {
    const id = this.ctx.account.id;
    return kind === 'calendar' ? this.ctx.store.pim.calendars(id) : this.ctx.store.pim.addressBooks(id);
  }

  /** Discovers collections, mirrors additions/renames/removals, then syncs each. Returns items changed. */
  private async syncKind(adapter: CollectionAdapter): Promise<number> {
    const client = this.client(adapter.kind);
    const remote = await client.discover(adapter.kind);
    const { store } = this.ctx;
    const local = this.localCollections(adapter.kind);
    const byUrl = new Map(local.filter((c) => c.remoteId).map((c) => [canonicalHref(c.remoteId!), c]));
    const remoteUrls = new Set(remote.map((r) => r.url));
    // A collection missing from discovery is dropped (with its items) only once the server confirms it
    // is gone: a listing cut short by a server hiccup must not wipe a calendar.
    const gone: LocalCollection[] = [];
    for (const c of local) {
      if (c.remoteId && !remoteUrls.has(canonicalHref(c.remoteId)) && !(await client.collectionExists(canonicalHref(c.remoteId)))) gone.push(c);
    }
    store.transaction(() => {
      for (const c of gone) {
        if (adapter.kind === 'calendar') store.pim.removeCalendar(c.id);
        else store.pim.removeAddressBook(c.id);
      }
      for (const r of remote) {
        const existing = byUrl.get(r.url);
        if (!existing) {
          const id = newId(adapter.kind === 'calendar' ? 'cal' : 'abk');
          if (adapter.kind === 'calendar') store.pim.insertCalendar({ id, accountId: this.ctx.account.id, name: r.name, remoteId: r.url, ...(r.color ? { color: r.color } : {}) });
          else store.pim.insertAddressBook({ id, accountId: this.ctx.account.id, name: r.name, remoteId: r.url });
        } else if (adapter.kind === 'calendar') {
          store.pim.updateCalendar(existing.id, { name: r.name, ...(r.color ? { color: r.color } : {}) });
        } else {
          store.pim.updateAddressBook(existing.id, { name: r.name });
        }
      }
    });
    let changed = 0;
    for (const r of remote) {
      const collection = this.localCollections(adapter.kind).find((c) => c.remoteId && canonicalHref(c.remoteId) === r.url);
      if (collection) changed += await this.syncCollection(adapter, client, collection, r);
    }
    if (changed) this.ctx.events.emit('store.changed', { entities: [adapter.kind === 'calendar' ? 'events' : 'contacts'], accountId: this.ctx.account.id });
    return changed;
  }

  private async syncCollection(adapter: CollectionAdapter, client: DavClient, local: LocalCollection, remote: RemoteCollection): Promise<number> {
    const url = remote.url;
    const saveState = (patch: { syncToken?: string | null; ctag?: string | null }) => {
      if (adapter.kind === 'calendar') this.ctx.store.pim.updateCalendar(local.id, patch);
      else this.ctx.store.pim.updateAddressBook(local.id, patch);
    };

    if (remote.supportsSyncCollection) {
      // The collection's own DAV:sync-token, read during discovery, says whether anything changed at all.
      if (local.syncToken !== null && remote.syncToken === local.syncToken) return 0;
      // Without a token (first sync) or after the server rejected ours, the answer lists every member.
      let complete = local.syncToken === null;
      let result = await client.syncCollection(url, local.syncToken);
      if (result.kind === 'token-rejected') {
        this.ctx.log.info('sync token rejected, full resync', { collection: local.id });
        complete = true;
        result = await client.syncCollection(url, null);
      }
      if (result.kind === 'token-rejected') throw new PimlicoError('RemoteError', `The server rejected an initial sync of '${local.name}'`);
      const listed = new Map(result.changed.map((c) => [c.href, c.etag]));
      const removed = new Set(result.removed);
      let token = result.syncToken;
      // A server may page a large change set; the pages together are the answer, later pages winning.
      for (let page = 0; result.truncated && token && page < 1000; page++) {
        const next = await client.syncCollection(url, token);
        if (next.kind !== 'ok') throw new PimlicoError('RemoteError', `The server rejected its own sync token for '${local.name}'`);
        for (const c of next.changed) {
          listed.set(c.href, c.etag);
          removed.delete(c.href);
        }
        for (const href of next.removed) {
          listed.delete(href);
          removed.add(href);
        }
        token = next.syncToken;
        result = next;
      }
      const n = await this.apply(adapter, client, local.id, url, listed, complete, [...removed]);
      saveState({ syncToken: token, ctag: remote.ctag });
      return n;
    }

    // No sync-collection: the collection's ctag says whether anything changed; etags say what.
    const ctag = remote.ctag ?? (await client.ctag(url));
    if (ctag !== null && ctag === local.ctag) return 0;
    const listed = await client.listEtags(url);
    const n = await this.apply(adapter, client, local.id, url, listed, true, []);
    saveState({ ctag });
    return n;
  }

  /**
   * Brings one collection in line with the listing: fetches members whose etag differs, removes those
   * reported gone and (when the listing is complete) those no longer listed.
   */
  private async apply(
    adapter: CollectionAdapter,
    client: DavClient,
    collectionId: string,
    url: string,
    listed: Map<string, string | null>,
    complete: boolean,
    removed: string[],
  ): Promise<number> {
    const pending = this.pendingRefs();
    const localEtags = adapter.localEtags(collectionId);
    const toFetch = [...listed].filter(([href, etag]) => !pending.hrefs.has(href) && (etag === null || localEtags.get(href) !== etag)).map(([href]) => href);
    const gone = complete ? [...localEtags.keys()].filter((href) => !listed.has(href)) : removed;
    const resources = toFetch.length ? await client.multiget(url, adapter.kind, toFetch) : [];
    // Pending tasks may have been queued while we were fetching.
    const pendingNow = this.pendingRefs();
    return this.ctx.store.transaction(() => adapter.ingest(collectionId, resources, pendingNow) + adapter.removeHrefs(collectionId, gone, pendingNow));
  }

  private pendingRefs(): PendingRefs {
    const refs: PendingRefs = { ids: new Set(), hrefs: new Set() };
    for (const t of this.ctx.store.tasks.due(this.ctx.account.id, Number.MAX_SAFE_INTEGER)) {
      if (!t.kind.startsWith('pim.')) continue;
      const p = t.payload as { event?: StoredEvent; contact?: StoredContact; previous?: StoredEvent | StoredContact | null };
      for (const item of [p.event, p.contact, p.previous]) {
        if (!item) continue;
        refs.ids.add(item.id);
        // The row may have got its href after the task was queued (our own create).
        const row = p.event ? this.ctx.store.pim.event(item.id) : this.ctx.store.pim.contact(item.id);
        for (const href of [item.remoteId, row?.remoteId, this.createdByUs.get(item.id)]) if (href) refs.hrefs.add(canonicalHref(href));
      }
    }
    return refs;
  }

  // ------------------------------------------------------------------ adapters

  private calendarAdapter(): CollectionAdapter {
    const { store } = this.ctx;
    return {
      kind: 'calendar',
      localEtags: (calendarId) => {
        const m = new Map<string, string | null>();
        for (const e of store.pim.eventsInCalendar(calendarId)) if (e.remoteId) m.set(canonicalHref(e.remoteId), e.etag);
        return m;
      },
      ingest: (calendarId, resources, pending) => {
        let n = 0;
        for (const r of resources) if (this.ingestEvent(calendarId, r, pending.ids, null)) n++;
        return n;
      },
      removeHrefs: (calendarId, hrefs, pending) => {
        let n = 0;
        for (const href of hrefs) {
          if (pending.hrefs.has(href)) continue;
          for (const row of store.pim.eventsByRemoteId(calendarId, href)) {
            if (pending.ids.has(row.id)) continue;
            store.pim.removeEvent(row.id);
            n++;
          }
        }
        return n;
      },
    };
  }

  private contactAdapter(): CollectionAdapter {
    const { store } = this.ctx;
    return {
      kind: 'addressbook',
      localEtags: (bookId) => {
        const m = new Map<string, string | null>();
        for (const c of store.pim.contacts({ addressBookId: bookId, limit: Number.MAX_SAFE_INTEGER })) if (c.remoteId) m.set(canonicalHref(c.remoteId), c.etag);
        return m;
      },
      ingest: (bookId, resources, pending) => {
        let n = 0;
        for (const r of resources) if (this.ingestContact(bookId, r, pending.ids, null)) n++;
        return n;
      },
      removeHrefs: (bookId, hrefs, pending) => {
        let n = 0;
        for (const href of hrefs) {
          if (pending.hrefs.has(href)) continue;
          const row = store.pim.contactByRemoteId(bookId, href);
          if (!row || pending.ids.has(row.id)) continue;
          store.pim.removeContact(row.id);
          n++;
        }
        return n;
      },
    };
  }

  /**
   * Stores one calendar resource. Rows in `protectedIds` (edited locally, task still queued) keep the
   * user's fields and only learn the new etag/text. `also` adds candidates that may not carry the href yet
   * (a just-created event, a row deleted locally whose delete failed).
   */
  private ingestEvent(calendarId: string, r: RemoteResource, protectedIds: Set<string>, also: StoredEvent | null): boolean {
    const { store } = this.ctx;
    const href = canonicalHref(r.href);
    const existing = store.pim.eventsByRemoteId(calendarId, href);
    if (also && !existing.some((e) => e.id === also.id)) existing.push(also);
    let rows: StoredEvent[];
    try {
      const res = eventRowsFromResource(r.data, { calendarId, accountId: this.ctx.account.id, href, etag: r.etag, now: this.ctx.now() }, existing);
      rows = res.rows;
      for (const p of res.problems) this.ctx.log.warn('calendar item skipped', { href, problem: p });
    } catch (err) {
      this.ctx.log.warn('calendar resource unreadable, skipped', { href, error: errorMessage(err) });
      return false;
    }
    // Also match a row created locally for the same instance before it had an href.
    for (const row of rows) {
      if (existing.some((e) => e.id === row.id)) continue;
      const sameUid = store.pim.eventsByUid(calendarId, row.uid).find((e) => !e.remoteId && sameInstance(e, row));
      if (sameUid) row.id = sameUid.id;
    }
    const keep = new Set(rows.map((row) => row.id));
    for (const row of rows) {
      const current = store.pim.event(row.id);
      if (current && protectedIds.has(row.id)) store.pim.upsertEvent({ ...current, remoteId: href, etag: r.etag, ical: r.data });
      else store.pim.upsertEvent(row);
    }
    for (const old of existing) if (!keep.has(old.id) && !protectedIds.has(old.id) && store.pim.event(old.id)) store.pim.removeEvent(old.id);
    return true;
  }

  private ingestContact(bookId: string, r: RemoteResource, protectedIds: Set<string>, also: StoredContact | null): boolean {
    const { store } = this.ctx;
    const href = canonicalHref(r.href);
    const existing = store.pim.contactByRemoteId(bookId, href) ?? also ?? undefined;
    let row: StoredContact | null;
    try {
      row = contactRowFromResource(r.data, { addressBookId: bookId, accountId: this.ctx.account.id, href, etag: r.etag, now: this.ctx.now() }, existing);
    } catch (err) {
      this.ctx.log.warn('vCard unreadable, skipped', { href, error: errorMessage(err) });
      return false;
    }
    if (!row) return false;
    const current = store.pim.contact(row.id);
    if (current && protectedIds.has(row.id)) store.pim.upsertContact({ ...current, remoteId: href, etag: r.etag, vcard: r.data });
    else store.pim.upsertContact(row);
    return true;
  }

  // ------------------------------------------------------------------ tasks

  applyTask(task: StoredTask): Promise<void> {
    return this.exclusive(() => this.applyOne(task));
  }

  private async applyOne(task: StoredTask): Promise<void> {
    switch (task.kind) {
      case 'pim.putEvent':
        return this.putEvent(task, PutEventPayload.parse(task.payload).event);
      case 'pim.deleteEvent':
        return this.deleteEvent(task, DeleteEventPayload.parse(task.payload).event);
      case 'pim.putContact':
        return this.putContact(task, PutContactPayload.parse(task.payload).contact);
      case 'pim.deleteContact':
        return this.deleteContact(task, DeleteContactPayload.parse(task.payload).contact);
      default:
        throw new PimlicoError('Internal', `The DAV part does not handle ${task.kind}`);
    }
  }

  /** The etag to send: the one the edit was based on, moved forward past our own later writes. */
  private ifMatchFor(href: string, etag: string | null): string | null {
    if (etag === null) return null;
    let current = etag;
    const chain = this.ownEtags.get(href);
    for (let i = 0; chain?.has(current) && i < 1000; i++) current = chain.get(current)!;
    return current || null;
  }

  /** Records that our write at `href` turned `oldEtag` (null: we created it) into `newEtag`. */
  private noteOwnWrite(href: string, oldEtag: string | null, newEtag: string): void {
    if (oldEtag === newEtag) return;
    let chain = this.ownEtags.get(href);
    if (!chain) this.ownEtags.set(href, (chain = new Map()));
    // Content-hash etags (Radicale) repeat when a card returns to an earlier text (photo added, then removed
    // within the same REV second): newEtag is current again, so its old forward link would make a cycle.
    chain.delete(newEtag);
    chain.set(oldEtag ?? CREATED_BY_US, newEtag);
  }

  /** Where an item lives on the server and the etag to send, or null when it never got there. */
  private target(item: { id: string; remoteId: string | null; etag: string | null }): { href: string; ifMatch: string | null } | null {
    if (item.remoteId) {
      const href = canonicalHref(item.remoteId);
      return { href, ifMatch: this.ifMatchFor(href, item.etag) };
    }
    const created = this.createdByUs.get(item.id);
    return created ? { href: created, ifMatch: this.ifMatchFor(created, CREATED_BY_US) } : null;
  }

  /** Other queued tasks' rows, which a refresh after our write must not overwrite. */
  private protectedIdsExcept(task: StoredTask): Set<string> {
    const ids = new Set<string>();
    for (const t of this.ctx.store.tasks.due(this.ctx.account.id, Number.MAX_SAFE_INTEGER)) {
      if (t.id === task.id || !t.kind.startsWith('pim.')) continue;
      const p = t.payload as { event?: StoredEvent; contact?: StoredContact };
      const item = p.event ?? p.contact;
      if (item) ids.add(item.id);
    }
    return ids;
  }

  private calendarUrl(calendarId: string): string | null {
    const cal = this.ctx.store.pim.calendar(calendarId);
    return cal?.accountId === this.ctx.account.id && cal.remoteId ? canonicalHref(cal.remoteId) : null;
  }

  private bookUrl(bookId: string): string | null {
    const book = this.ctx.store.pim.addressBooks(this.ctx.account.id).find((b) => b.id === bookId);
    return book?.remoteId ? canonicalHref(book.remoteId) : null;
  }

  /** The server's text for `href` at `etag`, if the store has it (rows of one resource share it). */
  private eventBaseText(calendarId: string, href: string, etag: string | null, fallback: StoredEvent): string | null {
    if (!etag) return null;
    const row = this.ctx.store.pim.eventsByRemoteId(calendarId, href).find((e) => e.etag === etag && e.ical);
    if (row?.ical) return row.ical;
    return fallback.remoteId && fallback.ical && fallback.etag === etag ? fallback.ical : null;
  }

  private async putEvent(task: StoredTask, event: StoredEvent): Promise<void> {
    const collection = this.calendarUrl(event.calendarId);
    if (!collection) return; // a calendar without a server side
    const client = this.client('calendar');
    const known = this.target(event);
    // A new overridden instance of a series goes into the series' resource.
    const sibling = known ? undefined : this.ctx.store.pim.eventsByUid(event.calendarId, event.uid).find((e) => e.remoteId && e.id !== event.id);
    const href = known?.href ?? canonicalHref(sibling?.remoteId ?? new URL(`${resourceName(event.uid)}.ics`, collection).href);
    const ifMatch = known ? known.ifMatch : sibling ? this.ifMatchFor(href, sibling.etag) : null;
    let base = this.eventBaseText(event.calendarId, href, ifMatch, event);
    if (ifMatch && !base) {
      // We know the version but not its text (e.g. a row restored by undo): fetch it, still guarded by If-Match.
      const server = await client.get(href);
      base = server && server.etag === ifMatch ? server.data : null;
    }
    // A new resource built from an imported file (or restored by undo) keeps everything that file said.
    if (!base && !ifMatch && event.ical) base = event.ical;
    const body = buildOrExplain(event.summary, () => buildEventResource(base, { put: event }, this.ctx.now()));
    const res = await client.put(href, body, 'text/calendar', ifMatch ? { ifMatch } : { create: true });
    if (res.kind === 'forbidden') {
      const previous = PutEventPayload.parse(task.payload).previous;
      return this.refused(task, 'calendar', href, event.summary, event, () =>
        previous ? this.ctx.store.pim.upsertEvent(previous) : this.ctx.store.pim.removeEvent(event.id),
      );
    }
    if (res.kind !== 'ok') return this.eventConflict(task, event, href, res.kind === 'not-found' ? 'deleted on the server' : 'changed on the server');
    const stored = res.etag ? { href, etag: res.etag, data: body } : await client.get(href);
    if (!stored) throw new PimlicoError('RemoteError', `The server accepted '${event.summary}' but does not return it`);
    this.noteOwnWrite(href, ifMatch, stored.etag);
    if (!event.remoteId) this.createdByUs.set(event.id, href);
    this.ctx.store.transaction(() => this.ingestEvent(event.calendarId, stored, this.protectedIdsExcept(task), this.ctx.store.pim.event(event.id) ?? null));
    this.changed('events');
  }

  private async deleteEvent(task: StoredTask, event: StoredEvent): Promise<void> {
    const known = this.target(event);
    if (!known || !this.calendarUrl(event.calendarId)) return; // never reached the server
    const client = this.client('calendar');
    const { href, ifMatch } = known;
    if (event.recurrenceId) {
      // One overridden instance of a series: the series stays, without that instance (EXDATE on the master).
      let base = this.eventBaseText(event.calendarId, href, ifMatch, event);
      if (!base) {
        const server = await client.get(href);
        if (!server) return;
        if (ifMatch && server.etag !== ifMatch) return this.eventConflict(task, event, href, 'changed on the server');
        base = server.data;
      }
      const removeInstance = { uid: event.uid, recurrenceId: event.recurrenceId };
      const body = buildOrExplain(event.summary, () => buildEventResource(base, { removeInstance }, this.ctx.now()));
      const res = await client.put(href, body, 'text/calendar', ifMatch ? { ifMatch } : { create: true });
      if (res.kind === 'not-found') return;
      if (res.kind === 'forbidden') return this.refused(task, 'calendar', href, event.summary, event, () => this.ctx.store.pim.upsertEvent(event));
      if (res.kind !== 'ok') return this.eventConflict(task, event, href, 'changed on the server');
      const stored = res.etag ? { href, etag: res.etag, data: body } : await client.get(href);
      if (stored) {
        this.noteOwnWrite(href, ifMatch, stored.etag);
        this.ctx.store.transaction(() => this.ingestEvent(event.calendarId, stored, this.protectedIdsExcept(task), null));
      }
      this.changed('events');
      return;
    }
    const res = await client.delete(href, ifMatch);
    if (res.kind === 'forbidden') return this.refused(task, 'calendar', href, event.summary, event, () => this.ctx.store.pim.upsertEvent(event));
    if (res.kind === 'precondition-failed') return this.eventConflict(task, event, href, 'changed on the server');
    // The whole resource is gone, so are the series' overridden instances.
    const protectedIds = this.protectedIdsExcept(task);
    this.ctx.store.transaction(() => {
      for (const row of this.ctx.store.pim.eventsByRemoteId(event.calendarId, href)) if (!protectedIds.has(row.id)) this.ctx.store.pim.removeEvent(row.id);
    });
    this.changed('events');
  }

  /** Someone else changed or deleted it: keep the server's version locally and fail the task visibly. */
  private async eventConflict(task: StoredTask, event: StoredEvent, href: string, what: string): Promise<never> {
    const server = await this.client('calendar').get(href);
    const protectedIds = this.protectedIdsExcept(task);
    this.ctx.store.transaction(() => {
      if (server) this.ingestEvent(event.calendarId, server, protectedIds, event);
      else for (const row of this.ctx.store.pim.eventsByRemoteId(event.calendarId, href)) if (!protectedIds.has(row.id)) this.ctx.store.pim.removeEvent(row.id);
    });
    this.changed('events');
    throw new PimlicoError(
      'Conflict',
      server
        ? `'${event.summary}' was ${what} since this edit; the server's version is kept and this change was not applied`
        : `'${event.summary}' was deleted on the server; this change was not applied`,
      { href, taskId: task.id },
    );
  }

  private async putContact(task: StoredTask, contact: StoredContact): Promise<void> {
    const collection = this.bookUrl(contact.addressBookId);
    if (!collection) return;
    const client = this.client('addressbook');
    const known = this.target(contact);
    const href = known?.href ?? canonicalHref(new URL(`${resourceName(contact.uid)}.vcf`, collection).href);
    const ifMatch = known?.ifMatch ?? null;
    const row = this.ctx.store.pim.contactByRemoteId(contact.addressBookId, href);
    let base = ifMatch && row?.etag === ifMatch && row.vcard ? row.vcard : ifMatch && contact.etag === ifMatch ? contact.vcard : null;
    if (ifMatch && !base) {
      const server = await client.get(href);
      base = server && server.etag === ifMatch ? server.data : null;
    }
    if (!base && !ifMatch && contact.vcard) base = contact.vcard;
    const body = buildOrExplain(contact.displayName, () => buildContactResource(base, contact, this.ctx.now()));
    const res = await client.put(href, body, 'text/vcard', ifMatch ? { ifMatch } : { create: true });
    if (res.kind === 'forbidden') {
      const previous = PutContactPayload.parse(task.payload).previous;
      return this.refused(task, 'addressbook', href, contact.displayName, contact, () =>
        previous ? this.ctx.store.pim.upsertContact(previous) : this.ctx.store.pim.removeContact(contact.id),
      );
    }
    if (res.kind !== 'ok') return this.contactConflict(task, contact, href, res.kind === 'not-found' ? 'deleted on the server' : 'changed on the server');
    const stored = res.etag ? { href, etag: res.etag, data: body } : await client.get(href);
    if (!stored) throw new PimlicoError('RemoteError', `The server accepted '${contact.displayName}' but does not return it`);
    this.noteOwnWrite(href, ifMatch, stored.etag);
    if (!contact.remoteId) this.createdByUs.set(contact.id, href);
    this.ctx.store.transaction(() => this.ingestContact(contact.addressBookId, stored, this.protectedIdsExcept(task), this.ctx.store.pim.contact(contact.id) ?? null));
    this.changed('contacts');
  }

  private async deleteContact(task: StoredTask, contact: StoredContact): Promise<void> {
    const known = this.target(contact);
    if (!known || !this.bookUrl(contact.addressBookId)) return;
    const { href, ifMatch } = known;
    const res = await this.client('addressbook').delete(href, ifMatch);
    if (res.kind === 'forbidden') return this.refused(task, 'addressbook', href, contact.displayName, contact, () => this.ctx.store.pim.upsertContact(contact));
    if (res.kind === 'precondition-failed') return this.contactConflict(task, contact, href, 'changed on the server');
  }

  private async contactConflict(task: StoredTask, contact: StoredContact, href: string, what: string): Promise<never> {
    const server = await this.client('addressbook').get(href);
    const protectedIds = this.protectedIdsExcept(task);
    this.ctx.store.transaction(() => {
      if (server) this.ingestContact(contact.addressBookId, server, protectedIds, contact);
      else {
        const row = this.ctx.store.pim.contactByRemoteId(contact.addressBookId, href);
        if (row && !protectedIds.has(row.id)) this.ctx.store.pim.removeContact(row.id);
      }
    });
    this.changed('contacts');
    throw new PimlicoError(
      'Conflict',
      server
        ? `'${contact.displayName}' was ${what} since this edit; the server's version is kept and this change was not applied`
        : `'${contact.displayName}' was deleted on the server; this change was not applied`,
      { href, taskId: task.id },
    );
  }

  /**
   * The server refuses the change (read-only collection, or not ours): show what the server has, or
   * else undo the local effect, and fail the task so the user sees why.
   */
  private async refused(task: StoredTask, kind: CollectionKind, href: string, title: string, item: StoredEvent | StoredContact, undoLocal: () => void): Promise<never> {
    const server = await this.client(kind)
      .get(href)
      .catch(() => null);
    const protectedIds = this.protectedIdsExcept(task);
    this.ctx.store.transaction(() => {
      if (!server) undoLocal();
      else if ('calendarId' in item) this.ingestEvent(item.calendarId, server, protectedIds, item);
      else this.ingestContact(item.addressBookId, server, protectedIds, item);
    });
    this.changed(kind === 'calendar' ? 'events' : 'contacts');
    const where = kind === 'calendar' ? 'calendar' : 'address book';
    throw new PimlicoError('Forbidden', `The server does not allow changing '${title}' (a read-only ${where}?); the change was undone here`, { href, taskId: task.id });
  }

  private changed(entity: 'events' | 'contacts'): void {
    this.ctx.events.emit('store.changed', { entities: [entity], accountId: this.ctx.account.id });
  }

  async close(): Promise<void> {
    // Nothing held open: every request is a plain HTTP exchange.
  }
}

/** A file name from a UID that is safe in any server's path (UIDs may hold '@', '/', spaces). */
function resourceName(uid: string): string {
  const safe = uid.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 120);
  return safe || newId('item');
}

/** Data that cannot be written is a permanent, explained failure, not something to retry. */
function buildOrExplain(title: string, build: () => string): string {
  try {
    return build();
  } catch (err) {
    if (err instanceof PimlicoError) throw err;
    throw new PimlicoError('BadRequest', `'${title}' cannot be saved to the server: ${errorMessage(err)}`);
  }
}
