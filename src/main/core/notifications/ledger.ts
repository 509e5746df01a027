import type { LedgerEntry } from '../../../shared/contract/automation';
import type { Db } from '../store';
import { newId } from '../util/ids';

export interface LedgerRecord {
  trigger: string;
  accountId: string | null;
  itemId: string;
  /** Identity of the firing: the same key is never announced twice. */
  itemKey: string;
  decision: 'notified' | 'suppressed';
  reason: string | null;
  title: string;
  body: string;
}

interface LedgerRow {
  id: string;
  trigger: string;
  account_id: string | null;
  item_id: string;
  decision: 'notified' | 'suppressed';
  reason: string | null;
  title: string;
  body: string;
  created_at: number;
}

/** Every notification decision, so "why was I not told about this mail?" has an answer. */
export class LedgerRepo {
  private readonly seen;
  private readonly insertStmt;

  constructor(private readonly db: Db) {
    this.seen = db.prepare("SELECT 1 FROM notification_ledger WHERE trigger = ? AND item_key = ? AND reason IS NOT 'duplicate' LIMIT 1");
    this.insertStmt = db.prepare(
      `INSERT INTO notification_ledger (id, trigger, account_id, item_id, item_key, decision, reason, title, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** True when this firing was already decided once (notified or suppressed). */
  has(trigger: string, itemKey: string): boolean {
    return this.seen.get(trigger, itemKey) !== undefined;
  }

  record(r: LedgerRecord, now: number): string {
    const id = newId('ntf');
    this.insertStmt.run(id, r.trigger, r.accountId, r.itemId, r.itemKey, r.decision, r.reason, r.title.slice(0, 500), r.body.slice(0, 1000), now);
    return id;
  }

  list(limit: number, offset = 0, filter: { itemId?: string } = {}): LedgerEntry[] {
    const rows = (
      filter.itemId
        ? this.db.prepare('SELECT * FROM notification_ledger WHERE item_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?').all(filter.itemId, limit, offset)
        : this.db.prepare('SELECT * FROM notification_ledger ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?').all(limit, offset)
    ) as LedgerRow[];
    return rows.map((r) => ({
      id: r.id,
      trigger: r.trigger,
      accountId: r.account_id,
      itemId: r.item_id,
      decision: r.decision,
      reason: r.reason,
      title: r.title,
      body: r.body,
      createdAt: r.created_at,
    }));
  }
}
