import type { Db } from '../store';
import { newId } from '../util/ids';

/** One recorded position of a polling trigger: which trigger, for which query, and how far it has read. */
export interface TriggerState<W> {
  id: string;
  trigger: string;
  /** Canonical JSON of the query the state belongs to; a state answers only that query. */
  params: string;
  watermark: W;
  createdAt: number;
}

/** States older than this that nobody polled are forgotten (a client that comes back starts afresh). */
export const TRIGGER_STATE_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Trigger states over the trigger_state table. A state is immutable once written: each answer that
 * moves the watermark writes a new state and points the client at it, so retrying an old Location
 * answers the same items again instead of losing them, and a restart loses nothing.
 */
export class TriggerStateRepo {
  constructor(private readonly db: Db) {}

  create<W>(trigger: string, params: string, watermark: W, now: number): string {
    const id = newId('ts');
    this.db
      .prepare('INSERT INTO trigger_state (id, trigger, params, watermark, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, trigger, params, JSON.stringify(watermark), now, now);
    return id;
  }

  get<W>(id: string, now: number): TriggerState<W> | undefined {
    const row = this.db.prepare('SELECT id, trigger, params, watermark, created_at FROM trigger_state WHERE id = ?').get(id) as
      | { id: string; trigger: string; params: string; watermark: string; created_at: number }
      | undefined;
    if (!row) return undefined;
    this.db.prepare('UPDATE trigger_state SET updated_at = ? WHERE id = ?').run(now, id);
    return { id: row.id, trigger: row.trigger, params: row.params, watermark: JSON.parse(row.watermark) as W, createdAt: row.created_at };
  }

  /** Forgets API states nobody used for a long time; the poller's own rows ("poller:…") are left alone. */
  prune(now: number): number {
    return this.db.prepare("DELETE FROM trigger_state WHERE id LIKE 'ts\\_%' ESCAPE '\\' AND updated_at < ?").run(now - TRIGGER_STATE_TTL_MS).changes;
  }
}

/** Stable JSON (sorted keys) so the same query always yields the same params text. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}
