import type { Db } from '../store';

/**
 * The poller's watermarks, in trigger_state rows whose id starts with "poller:". They are written in
 * the same transaction as the decisions they cover, so a crash or restart neither loses nor repeats.
 */
export class PollerState {
  private readonly getStmt;
  private readonly setStmt;
  /** What each row holds, so an unchanged watermark costs no write (most polls find nothing new). */
  private readonly known = new Map<string, string>();

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT watermark FROM trigger_state WHERE id = ?');
    this.setStmt = db.prepare(
      `INSERT INTO trigger_state (id, trigger, params, watermark, created_at, updated_at) VALUES (?, ?, '{}', ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`,
    );
  }

  get<W>(key: string): W | undefined {
    const cached = this.known.get(key);
    const row = cached !== undefined ? { watermark: cached } : (this.getStmt.get(`poller:${key}`) as { watermark: string } | undefined);
    if (!row) return undefined;
    this.known.set(key, row.watermark);
    try {
      return JSON.parse(row.watermark) as W;
    } catch {
      return undefined;
    }
  }

  set(key: string, trigger: string, watermark: unknown, now: number): void {
    const json = JSON.stringify(watermark);
    if (this.known.get(key) === json) return;
    this.setStmt.run(`poller:${key}`, trigger, json, now, now);
    this.known.set(key, json);
  }

  /** After a rolled-back transaction the cache may be ahead of the database: read everything again. */
  reset(): void {
    this.known.clear();
  }

  /** Forgets cached rows whose ids start with this key (after they were deleted in SQL). */
  forget(prefix: string): void {
    for (const k of [...this.known.keys()]) if (k.startsWith(prefix)) this.known.delete(k);
  }
}

/** Whether the change log holds anything for this container after `seq` (an index probe, so polls that find nothing stay cheap). */
export function changedSince(db: Db, entity: 'message' | 'event', containerId: string, seq: number): boolean {
  return db.prepare('SELECT 1 FROM change_log WHERE entity = ? AND container_id = ? AND seq > ? LIMIT 1').get(entity, containerId, seq) !== undefined;
}
