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

  /** UID → cached flags for one server folder. */
  flagsByUid(folderId: string): Map<number, CachedFlags> {
    const rows = this.store.db
      .prepare(
        `SELECT id, remote_id, is_read, is_flagged, is_answered, is_draft FROM messages
         WHERE remote_folder_id = ? AND remote_id IS NOT NULL`,
      )
      .all(folderId) as { id: string; remote_id: string; is_read: number; is_flagged: number; is_answered: number; is_draft: number }[];
    return new Map(
      rows.map((r) => [
        Number(r.remote_id),
        { id: r.id, read: r.is_read === 1, flagged: r.is_flagged === 1, answered: r.is_answered === 1, draft: r.is_draft === 1 },
      ]),
    );
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
        `SELECT id, message_id_header FROM messages WHERE account_id = ? AND remote_id IS NULL AND message_id_header IS NOT NULL
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
