import type { Statement } from 'better-sqlite3';
import type { Store } from '../../store';

export interface CachedFlags {
  id: string;
  read: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
}

export interface ServerFlags {
  read: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
}

export function serverFlags(flags: Set<string> | undefined): ServerFlags {
  const f = flags ?? new Set<string>();
  return { read: f.has('\\Seen'), flagged: f.has('\\Flagged'), answered: f.has('\\Answered'), draft: f.has('\\Draft') };
}

/**
 * The IMAP part's own queries over the cache: what the shared MailRepo does not offer and sync
 * needs in bulk (counts, flags by UID, wiping one server folder).
 */
export class ImapCache {
  constructor(private readonly store: Store) {}

  /** How many cached messages are known to sit in this server folder. */
  countInRemoteFolder(folderId: string): number {
    return (
      this.store.db.prepare('SELECT count(*) AS n FROM messages WHERE remote_folder_id = ? AND remote_id IS NOT NULL').get(folderId) as { n: number }
    ).n;
  }

  /** UID → cached flags for one server folder (see CachedFolder: read row by row until a bulk question comes). */
  folder(folderId: string): CachedFolder {
    return new CachedFolder(this.store, folderId, this.countInRemoteFolder(folderId));
  }

  /** Message ids that a queued (not yet applied) task still changes: sync must not undo the user's action. */
  pendingTaskMessageIds(accountId: string): Set<string> {
    const rows = this.store.db
      .prepare(
        `SELECT DISTINCT json_extract(item.value, '$.id') AS id FROM tasks t, json_each(t.payload, '$.items') item
         WHERE t.account_id = ? AND t.status IN ('pending', 'running') AND t.kind LIKE 'mail.%'`,
      )
      .all(accountId) as { id: string | null }[];
    return new Set(rows.map((r) => r.id).filter((id): id is string => id !== null));
  }

  updateFlags(id: string, f: ServerFlags, modseq: string | null): void {
    this.store.db
      .prepare('UPDATE messages SET is_read = ?, is_flagged = ?, is_answered = ?, is_draft = ?, modseq = coalesce(?, modseq) WHERE id = ?')
      .run(+f.read, +f.flagged, +f.answered, +f.draft, modseq, id);
  }

  /** Drops every cached message of a server folder (after a UIDVALIDITY change): they are fetched again. */
  wipeRemoteFolder(folderId: string): number {
    return this.store.db.prepare('DELETE FROM messages WHERE remote_folder_id = ?').run(folderId).changes;
  }

  /**
   * Messages the cache has in this server folder without a UID (moved without COPYUID, appended
   * without APPENDUID): by Message-ID, so sync adopts them instead of adding duplicates.
   */
  unplacedInFolder(accountId: string, folderId: string): Map<string, string> {
    const rows = this.store.db
      .prepare(
        // The partial index of UID-less messages (migration 9); left to itself the planner walks the
        // Message-ID index, which holds every message of the account.
        `SELECT id, message_id_header FROM messages INDEXED BY messages_unplaced
         WHERE account_id = ? AND remote_id IS NULL AND message_id_header IS NOT NULL
           AND (remote_folder_id = ? OR (remote_folder_id IS NULL AND folder_id = ?))`,
      )
      .all(accountId, folderId, folderId) as { id: string; message_id_header: string }[];
    return new Map(rows.map((r) => [r.message_id_header, r.id]));
  }

  setMessageIdHeader(id: string, messageIdHeader: string): void {
    this.store.db.prepare('UPDATE messages SET message_id_header = ? WHERE id = ? AND message_id_header IS NULL').run(messageIdHeader, id);
  }

  /** UIDs in this server folder that a queued 'mail.expunge' will delete: sync must not bring them back meanwhile. */
  pendingExpungeUids(accountId: string, folderId: string): Set<number> {
    const rows = this.store.db
      .prepare(
        `SELECT json_extract(item.value, '$.remoteId') AS uid FROM tasks t, json_each(t.payload, '$.items') item
         WHERE t.account_id = ? AND t.kind = 'mail.expunge' AND t.status IN ('pending', 'running')
           AND json_extract(item.value, '$.remoteFolderId') = ?`,
      )
      .all(accountId, folderId) as { uid: string | null }[];
    return new Set(rows.filter((r) => r.uid !== null).map((r) => Number(r.uid)));
  }
}

const READ = 1;
const FLAGGED = 2;
const ANSWERED = 4;
const DRAFT = 8;
const FLAG_BITS = `is_read | (is_flagged << 1) | (is_answered << 2) | (is_draft << 3)`;
/** Past this many single lookups a pass is clearly walking the folder: load it all at once. */
const POINT_LOOKUPS_BEFORE_LOAD = 512;

/**
 * What the cache holds of one server folder, by UID. An incremental resync asks about a few UIDs (the
 * changed and the new), so those are looked up one by one through the (folder, UID) index; a full pass
 * asks about every UID, and then the folder is read once into two flat maps (no object per message:
 * 100,000 of them cost ~0.5 s to build).
 */
export class CachedFolder {
  private ids: Map<number, string> | null = null;
  private bits: Map<number, number> | null = null;
  private lookups = 0;
  private byUid: Statement | null = null;

  constructor(
    private readonly store: Store,
    private readonly folderId: string,
    /** How many cached messages sit in this server folder. */
    readonly size: number,
  ) {}

  has(uid: number): boolean {
    return this.row(uid) !== undefined;
  }

  get(uid: number): CachedFlags | undefined {
    const r = this.row(uid);
    if (!r) return undefined;
    return { id: r.id, read: (r.bits & READ) !== 0, flagged: (r.bits & FLAGGED) !== 0, answered: (r.bits & ANSWERED) !== 0, draft: (r.bits & DRAFT) !== 0 };
  }

  /** Message ids of the given UIDs that are cached. */
  idsOf(uids: Iterable<number>): string[] {
    const out: string[] = [];
    for (const uid of uids) {
      const r = this.row(uid);
      if (r) out.push(r.id);
    }
    return out;
  }

  /** Message ids of every cached UID the server no longer lists. */
  idsNotIn(serverUids: Set<number>): string[] {
    this.load();
    const out: string[] = [];
    for (const [uid, id] of this.ids!) if (!serverUids.has(uid)) out.push(id);
    return out;
  }

  private row(uid: number): { id: string; bits: number } | undefined {
    if (!this.ids && ++this.lookups > POINT_LOOKUPS_BEFORE_LOAD) this.load();
    if (this.ids) {
      const id = this.ids.get(uid);
      return id === undefined ? undefined : { id, bits: this.bits!.get(uid)! };
    }
    this.byUid ??= this.store.db.prepare(`SELECT id, ${FLAG_BITS} AS bits FROM messages WHERE remote_folder_id = ? AND remote_id = ?`);
    return this.byUid.get(this.folderId, String(uid)) as { id: string; bits: number } | undefined;
  }

  private load(): void {
    if (this.ids) return;
    const rows = this.store.db
      .prepare(`SELECT CAST(remote_id AS INTEGER), id, ${FLAG_BITS} FROM messages WHERE remote_folder_id = ? AND remote_id IS NOT NULL`)
      .raw()
      .all(this.folderId) as [number, string, number][];
    this.ids = new Map();
    this.bits = new Map();
    for (const [uid, id, bits] of rows) {
      this.ids.set(uid, id);
      this.bits.set(uid, bits);
    }
  }
}
