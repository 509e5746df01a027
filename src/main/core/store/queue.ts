import type { EmailAddress, OutboxEntry, TaskInfo } from '../../../shared/types';
import type { Db } from './database';
import { parseJson } from './json';

export interface TaskRow {
  id: string;
  account_id: string;
  kind: string;
  payload: string;
  undo: string | null;
  status: TaskInfo['status'];
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
}

export interface StoredTask<P = unknown> {
  id: string;
  accountId: string;
  kind: string;
  payload: P;
  undo: unknown;
  status: TaskInfo['status'];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number;
  createdAt: number;
}

function toTask(r: TaskRow): StoredTask {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    payload: parseJson<unknown>(r.payload, null),
    undo: parseJson<unknown>(r.undo, null),
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
}

export function taskInfo(t: StoredTask): TaskInfo {
  return {
    id: t.id,
    accountId: t.accountId,
    kind: t.kind,
    status: t.status,
    undoable: t.undo !== null && t.status !== 'cancelled',
    lastError: t.lastError,
    createdAt: t.createdAt,
  };
}

export class TasksRepo {
  constructor(private readonly db: Db) {}

  insert(t: { id: string; accountId: string; kind: string; payload: unknown; undo: unknown; now: number; status?: TaskInfo['status'] }): void {
    this.db
      .prepare(
        `INSERT INTO tasks (id, account_id, kind, payload, undo, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.id, t.accountId, t.kind, JSON.stringify(t.payload), t.undo == null ? null : JSON.stringify(t.undo), t.status ?? 'pending', t.now, t.now);
  }

  get(id: string): StoredTask | undefined {
    const r = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return r && toTask(r);
  }

  recent(limit: number): StoredTask[] {
    return (this.db.prepare('SELECT * FROM tasks ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as TaskRow[]).map(toTask);
  }

  /**
   * The account's unfinished tasks, oldest first, up to the first one that is not due yet: remote
   * effects must apply in the order the user acted, so a task waiting for a retry holds back the
   * ones after it.
   */
  due(accountId: string, now: number): StoredTask[] {
    const rows = (
      this.db
        .prepare("SELECT * FROM tasks WHERE account_id = ? AND status IN ('pending', 'running') ORDER BY created_at, rowid")
        .all(accountId) as TaskRow[]
    ).map(toTask);
    const blocked = rows.findIndex((t) => t.nextAttemptAt > now);
    return blocked === -1 ? rows : rows.slice(0, blocked);
  }

  pendingCount(accountId: string): number {
    return (this.db.prepare("SELECT count(*) AS n FROM tasks WHERE account_id = ? AND status IN ('pending','running')").get(accountId) as { n: number }).n;
  }

  setStatus(id: string, status: TaskInfo['status'], now: number, error: string | null = null, nextAttemptAt?: number): void {
    this.db
      .prepare(
        `UPDATE tasks SET status = ?, last_error = ?, updated_at = ?, attempts = attempts + (? = 'pending' AND ? IS NOT NULL),
           next_attempt_at = coalesce(?, next_attempt_at) WHERE id = ?`,
      )
      .run(status, error, now, status, error, nextAttemptAt ?? null, id);
  }

  clearUndo(id: string): void {
    this.db.prepare('UPDATE tasks SET undo = NULL WHERE id = ?').run(id);
  }
}

interface OutboxRow {
  id: string;
  account_id: string;
  status: OutboxEntry['status'];
  raw: Buffer;
  envelope_json: string;
  message_id_header: string;
  subject: string;
  to_json: string;
  draft_id: string | null;
  send_at: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
}

export interface StoredOutboxEntry extends OutboxEntry {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  messageIdHeader: string;
  draftId: string | null;
  nextAttemptAt: number;
}

function toOutbox(r: OutboxRow): StoredOutboxEntry {
  return {
    id: r.id,
    accountId: r.account_id,
    status: r.status,
    subject: r.subject,
    to: parseJson<EmailAddress[]>(r.to_json, []),
    createdAt: r.created_at,
    sendAt: r.send_at,
    attempts: r.attempts,
    lastError: r.last_error,
    raw: r.raw,
    envelope: parseJson(r.envelope_json, { from: '', to: [] as string[] }),
    messageIdHeader: r.message_id_header,
    draftId: r.draft_id,
    nextAttemptAt: r.next_attempt_at,
  };
}

export class OutboxRepo {
  constructor(private readonly db: Db) {}

  insert(e: {
    id: string;
    accountId: string;
    raw: Buffer;
    envelope: { from: string; to: string[] };
    messageIdHeader: string;
    subject: string;
    to: EmailAddress[];
    draftId: string | null;
    sendAt: number | null;
    now: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO outbox (id, account_id, raw, envelope_json, message_id_header, subject, to_json, draft_id, send_at,
           next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.id, e.accountId, e.raw, JSON.stringify(e.envelope), e.messageIdHeader, e.subject, JSON.stringify(e.to), e.draftId, e.sendAt, e.sendAt ?? 0, e.now);
  }

  get(id: string): StoredOutboxEntry | undefined {
    const r = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return r && toOutbox(r);
  }

  list(): StoredOutboxEntry[] {
    return (this.db.prepare('SELECT * FROM outbox ORDER BY created_at DESC, rowid DESC').all() as OutboxRow[]).map(toOutbox);
  }

  /** Entries ready to send now. An entry left 'sending' by a crash is not here: it is uncertain, see recoverInterrupted. */
  due(accountId: string, now: number): StoredOutboxEntry[] {
    return (
      this.db
        .prepare("SELECT * FROM outbox WHERE account_id = ? AND status = 'queued' AND next_attempt_at <= ? ORDER BY created_at, rowid")
        .all(accountId, now) as OutboxRow[]
    ).map(toOutbox);
  }

  /**
   * A send interrupted by a crash may or may not have reached the server. It is marked uncertain
   * and shown to the user rather than sent twice.
   */
  recoverInterrupted(now: number): number {
    return this.db
      .prepare("UPDATE outbox SET status = 'uncertain', last_error = 'Pimlico stopped while this message was being sent', next_attempt_at = ? WHERE status = 'sending'")
      .run(now).changes;
  }

  setStatus(id: string, status: OutboxEntry['status'], fields: { error?: string | null; nextAttemptAt?: number; sentAt?: number; countAttempt?: boolean } = {}): void {
    this.db
      .prepare(
        `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at),
           sent_at = coalesce(?, sent_at), attempts = attempts + ? WHERE id = ?`,
      )
      .run(status, fields.error ?? null, fields.nextAttemptAt ?? null, fields.sentAt ?? null, fields.countAttempt ? 1 : 0, id);
  }

  /** Atomically claims a queued entry for sending; false if someone else (or a cancel) got there first. */
  claim(id: string): boolean {
    return this.db.prepare("UPDATE outbox SET status = 'sending' WHERE id = ? AND status = 'queued'").run(id).changes === 1;
  }
}
