import type { Account, AccountKind } from '../../../shared/types';
import type { Db } from './database';
import { bool, parseJson } from './json';

interface AccountRow {
  id: string;
  kind: AccountKind;
  display_name: string;
  email: string;
  settings: string;
  is_default: number;
  status: Account['status'];
  last_error: string | null;
  last_sync_at: number | null;
  sync_state: string;
  created_at: number;
}

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    kind: r.kind,
    displayName: r.display_name,
    email: r.email,
    isDefault: bool(r.is_default),
    createdAt: r.created_at,
    status: r.status,
    lastError: r.last_error,
    lastSyncAt: r.last_sync_at,
    settings: parseJson<Record<string, unknown>>(r.settings, {}),
  };
}

export class AccountsRepo {
  constructor(private readonly db: Db) {}

  list(): Account[] {
    const rows = this.db
      .prepare('SELECT * FROM accounts ORDER BY is_default DESC, created_at, id')
      .all() as AccountRow[];
    return rows.map(toAccount);
  }

  get(id: string): Account | undefined {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row && toAccount(row);
  }

  default(): Account | undefined {
    return this.list()[0];
  }

  insert(a: { id: string; kind: AccountKind; displayName: string; email: string; settings: object; now: number }): void {
    const hasDefault = this.db.prepare('SELECT 1 FROM accounts WHERE is_default = 1').get();
    this.db
      .prepare(
        `INSERT INTO accounts (id, kind, display_name, email, settings, is_default, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.id, a.kind, a.displayName, a.email, JSON.stringify(a.settings), hasDefault ? 0 : 1, a.now);
  }

  remove(id: string): boolean {
    return this.db.transaction(() => {
      const wasDefault = this.get(id)?.isDefault ?? false;
      const changes = this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes;
      if (wasDefault) {
        this.db.exec(
          'UPDATE accounts SET is_default = 1 WHERE id = (SELECT id FROM accounts ORDER BY created_at, id LIMIT 1)',
        );
      }
      return changes > 0;
    })();
  }

  setDefault(id: string): boolean {
    return this.db.transaction(() => {
      if (!this.get(id)) return false;
      this.db.prepare('UPDATE accounts SET is_default = (id = ?)').run(id);
      return true;
    })();
  }

  setStatus(id: string, status: Account['status'], lastError: string | null, lastSyncAt?: number): void {
    this.db
      .prepare('UPDATE accounts SET status = ?, last_error = ?, last_sync_at = coalesce(?, last_sync_at) WHERE id = ?')
      .run(status, lastError, lastSyncAt ?? null, id);
  }

  syncState<T extends object>(id: string): T {
    const row = this.db.prepare('SELECT sync_state FROM accounts WHERE id = ?').get(id) as
      | { sync_state: string }
      | undefined;
    return parseJson<T>(row?.sync_state, {} as T);
  }

  setSyncState(id: string, state: object): void {
    this.db.prepare('UPDATE accounts SET sync_state = ? WHERE id = ?').run(JSON.stringify(state), id);
  }

  rename(id: string, displayName: string): void {
    this.db.prepare('UPDATE accounts SET display_name = ? WHERE id = ?').run(displayName, id);
  }

  updateSettings(id: string, settings: object): void {
    this.db.prepare('UPDATE accounts SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
  }
}

/** Encrypted secrets (passwords, tokens) per account. The store never sees plaintext. */
export class SecretsRepo {
  constructor(private readonly db: Db) {}

  put(accountId: string, name: string, ciphertext: Buffer): void {
    this.db
      .prepare(
        `INSERT INTO secrets (account_id, name, ciphertext) VALUES (?, ?, ?)
         ON CONFLICT (account_id, name) DO UPDATE SET ciphertext = excluded.ciphertext`,
      )
      .run(accountId, name, ciphertext);
  }

  get(accountId: string, name: string): Buffer | undefined {
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE account_id = ? AND name = ?').get(accountId, name) as
      | { ciphertext: Buffer }
      | undefined;
    return row?.ciphertext;
  }
}

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  all(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, parseJson<unknown>(r.value, null)]));
  }

  get<T>(key: string, fallback: T): T {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? parseJson<T>(row.value, fallback) : fallback;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value ?? null));
  }
}
