/**
 * Delta query engine shared by messages, mail folders, calendarView and contacts.
 *
 * Like Exchange, each delta/skip token names server-side sync state: a snapshot of
 * (item key -> version, id as the client saw it). A round diffs the collection against
 * the snapshot, pages through the changes with @odata.nextLink ($skiptoken) and ends
 * with an @odata.deltaLink ($deltatoken) naming the new snapshot. Items no longer in
 * the collection (deleted or moved out) are reported as
 * `{ "id": ..., "@removed": { "reason": "deleted" } }`.
 * `expireDeltaTokens()` discards all state: old tokens then answer 410 Gone
 * (`SyncStateNotFound`), and the client has to resync from scratch.
 */
import { randomBytes } from 'node:crypto';
import { collectionBody, type QueryOptions } from './odata';
import { badRequest, GraphError } from './response';
import type { View } from './render';
import type { JsonObject } from './types';

export interface DeltaItem {
  /** Stable identity (immutable key, or master key + occurrence). */
  key: string;
  /** Changes whenever the item's content changes (its changeKey). */
  version: string;
  /** The id as rendered for this request; remembered for later @removed entries. */
  id: string;
  render: () => JsonObject;
}

export type ChangeType = 'created' | 'updated' | 'deleted';

/** What a collection's first delta call fixes for the lifetime of its tokens. */
export interface DeltaDefinition {
  list: (view: View) => DeltaItem[];
  pageSize: number | null;
  changeType: ChangeType | null;
}

interface SyncState extends DeltaDefinition {
  userId: string;
  collection: string;
  snapshot: Map<string, { version: string; id: string }>;
}

interface Round {
  userId: string;
  collection: string;
  entries: JsonObject[];
  stateId: string;
  pageSize: number | null;
}

export interface DeltaRequest {
  userId: string;
  /** Identifies the tracked collection; tokens only work on the collection they came from. */
  collection: string;
  /** Absolute URL (without query) that next/delta links point at. */
  linkBase: string;
  context: string;
  q: QueryOptions;
  view: View;
  prefMaxPageSize: number | null;
  defaultPageSize: number;
  /** Called on the initial request only (validates its query). */
  initial: () => DeltaDefinition;
}

type TokenPayload = { e: number; s: string } | { e: number; r: string; o: number };

const gone = (): GraphError =>
  new GraphError(
    410,
    'SyncStateNotFound',
    'The sync state for this delta token was not found or has expired. A full resync is required: restart the delta query without a token.',
  );

export class DeltaEngine {
  private epoch = 1;
  private readonly states = new Map<string, SyncState>();
  private readonly rounds = new Map<string, Round>();

  /** Invalidates every outstanding delta and skip token. */
  expireAll(): void {
    this.epoch++;
    this.states.clear();
    this.rounds.clear();
  }

  respond(req: DeltaRequest): JsonObject {
    if (req.q.skiptoken !== null) {
      const tok = this.decode(req.q.skiptoken, '$skiptoken');
      if (!('r' in tok)) throw badRequest('The $skiptoken value is invalid.');
      const round = this.rounds.get(tok.r);
      if (!round) throw gone();
      this.checkOwner(round, req);
      return this.page(round, tok.r, tok.o, req);
    }

    let def: DeltaDefinition;
    let base: SyncState['snapshot'] | null = null;
    if (req.q.deltatoken !== null) {
      const tok = this.decode(req.q.deltatoken, '$deltatoken');
      if (!('s' in tok)) throw badRequest('The $deltatoken value is invalid.');
      const state = this.states.get(tok.s);
      if (!state) throw gone();
      this.checkOwner(state, req);
      def = state;
      base = state.snapshot;
    } else {
      def = req.initial();
    }

    const allow = (t: ChangeType): boolean => def.changeType === null || def.changeType === t;
    const snapshot: SyncState['snapshot'] = new Map();
    const entries: JsonObject[] = [];
    for (const item of def.list(req.view)) {
      snapshot.set(item.key, { version: item.version, id: item.id });
      const prev = base?.get(item.key);
      if (!prev) {
        if (allow('created')) entries.push(item.render());
      } else if (prev.version !== item.version && allow('updated')) {
        entries.push(item.render());
      }
    }
    if (base && allow('deleted')) {
      for (const [key, prev] of base) {
        if (!snapshot.has(key)) entries.push({ id: prev.id, '@removed': { reason: 'deleted' } });
      }
    }

    const stateId = randomBytes(12).toString('base64url');
    this.states.set(stateId, {
      list: def.list,
      pageSize: def.pageSize,
      changeType: def.changeType,
      userId: req.userId,
      collection: req.collection,
      snapshot,
    });
    const roundId = randomBytes(12).toString('base64url');
    const round: Round = {
      userId: req.userId,
      collection: req.collection,
      entries,
      stateId,
      pageSize: def.pageSize,
    };
    this.rounds.set(roundId, round);
    return this.page(round, roundId, 0, req);
  }

  private page(round: Round, roundId: string, offset: number, req: DeltaRequest): JsonObject {
    // Each request may carry its own odata.maxpagesize; otherwise the initial $top/preference.
    const size = Math.max(1, req.prefMaxPageSize ?? round.pageSize ?? req.defaultPageSize);
    const value = round.entries.slice(offset, offset + size);
    if (offset + size < round.entries.length) {
      const token = this.encode({ e: this.epoch, r: roundId, o: offset + size });
      return collectionBody(req.context, value, { nextLink: `${req.linkBase}?$skiptoken=${token}` });
    }
    const token = this.encode({ e: this.epoch, s: round.stateId });
    return collectionBody(req.context, value, { deltaLink: `${req.linkBase}?$deltatoken=${token}` });
  }

  private checkOwner(s: { userId: string; collection: string }, req: DeltaRequest): void {
    if (s.userId !== req.userId || s.collection !== req.collection) {
      throw badRequest('The delta token does not belong to this resource.');
    }
  }

  private encode(p: TokenPayload): string {
    return Buffer.from(JSON.stringify(p)).toString('base64url');
  }

  private decode(token: string, name: string): TokenPayload {
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw badRequest(`The ${name} value is invalid.`);
    }
    if (typeof v !== 'object' || v === null) throw badRequest(`The ${name} value is invalid.`);
    const o = v as Record<string, unknown>;
    if (typeof o['e'] !== 'number') throw badRequest(`The ${name} value is invalid.`);
    // A token from an earlier generation: its sync state is gone.
    if (o['e'] !== this.epoch) throw gone();
    if (typeof o['s'] === 'string') return { e: o['e'], s: o['s'] };
    if (typeof o['r'] === 'string' && typeof o['o'] === 'number') return { e: o['e'], r: o['r'], o: o['o'] };
    throw badRequest(`The ${name} value is invalid.`);
  }
}
