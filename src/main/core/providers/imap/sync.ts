import type { FetchMessageObject, ImapFlow, ListResponse } from 'imapflow';
import type { FolderRole } from '../../../../shared/types';
import { parseMessage, type ParsedMessage } from '../../mime';
import { sharedParsePool } from '../../mime/pool';
import type { NewMessage, StoredFolder } from '../../store';
import type { ProviderContext, SyncCounts } from '../types';
import { ImapCache, serverFlags } from './cache';
import { LARGE_MESSAGE_BYTES, parseLargeMessage, parsedAttachments, planLargeMessage, toNewMessage } from './message';

/** The first batch is small so the newest inbox page shows quickly; each next one doubles, up to BATCH, for throughput. */
const FIRST_BATCH = 200;
const BATCH = 1000;
/** Fewer new messages than this (the usual poll) are parsed in-process: not worth starting worker threads for. */
const POOL_THRESHOLD = 100;

const ROLE_BY_SPECIAL_USE: Record<string, FolderRole> = {
  '\\Inbox': 'inbox',
  '\\Drafts': 'drafts',
  '\\Sent': 'sent',
  '\\Archive': 'archive',
  '\\All': 'archive',
  '\\Trash': 'trash',
  '\\Junk': 'junk',
};

/** "1:5,7,9:12" from UIDs (any order). */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

function toMs(d: Date | string | undefined): number | null {
  if (!d) return null;
  const t = (d instanceof Date ? d : new Date(d)).getTime();
  return Number.isFinite(t) ? t : null;
}

function addCounts(into: SyncCounts, add: SyncCounts): void {
  for (const [k, v] of Object.entries(add) as [keyof SyncCounts, number][]) into[k] = (into[k] ?? 0) + v;
}

interface ListedFolder {
  list: ListResponse;
  id: string;
  selectable: boolean;
}

/**
 * One pass of mail sync over an open connection: folders, then each folder's messages, the
 * inbox first and newest first so the user can read while older mail arrives.
 *
 * Crash and disconnect safety: every batch is one transaction; a folder's sync state
 * (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) is written only after the folder is complete, so an
 * interrupted pass simply resumes (what is cached is compared by UID, never inserted twice).
 */
export class MailSync {
  private readonly cache: ImapCache;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly client: ImapFlow,
    private readonly useCondstore = true,
  ) {
    this.cache = new ImapCache(ctx.store);
  }

  private get accountId(): string {
    return this.ctx.account.id;
  }

  async run(): Promise<SyncCounts> {
    const counts: SyncCounts = {};
    const folders = await this.syncFolders(counts);
    const order = [...folders].sort((a, b) => Number(b.list.specialUse === '\\Inbox') - Number(a.list.specialUse === '\\Inbox'));
    for (const f of order) {
      if (!f.selectable) continue;
      addCounts(counts, await this.syncFolder(f));
    }
    return counts;
  }

  /** LIST (with STATUS where the server offers LIST-STATUS) into the folders table. */
  private async syncFolders(counts: SyncCounts): Promise<ListedFolder[]> {
    // STATUS of the selected mailbox is what the session last saw, not the server's current state.
    if (this.client.mailbox) await this.client.mailboxClose();
    const listed = await this.client.list({
      statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: this.hasCondstore() },
    });
    // Parents before children, so parent ids are known.
    listed.sort((a, b) => a.parent.length - b.parent.length || a.path.localeCompare(b.path));
    const out: ListedFolder[] = [];
    this.ctx.store.transaction(() => {
      const idByPath = new Map<string, string>();
      for (const l of listed) {
        const role = l.path.toUpperCase() === 'INBOX' ? 'inbox' : (ROLE_BY_SPECIAL_USE[l.specialUse ?? ''] ?? 'custom');
        const id = this.ctx.store.mail.upsertFolder({
          accountId: this.accountId,
          path: l.path,
          name: l.name,
          role,
          parentId: l.parentPath ? (idByPath.get(l.parentPath) ?? null) : null,
          delimiter: l.delimiter,
          remoteId: l.path,
        });
        idByPath.set(l.path, id);
        out.push({ list: l, id, selectable: !l.flags.has('\\Noselect') && !l.flags.has('\\NonExistent') });
      }
      // Folders deleted on the server go, with their cached messages.
      for (const local of this.ctx.store.mail.listFolders(this.accountId)) {
        if (!idByPath.has(local.path)) this.ctx.store.mail.removeFolder(local.id);
      }
    });
    counts.folders = out.length;
    return out;
  }

  private hasCondstore(): boolean {
    return this.useCondstore && (this.client.capabilities.has('CONDSTORE') || this.client.capabilities.has('QRESYNC'));
  }

  /** True when LIST-STATUS shows nothing changed since the last complete sync of this folder. */
  private unchanged(f: ListedFolder, stored: StoredFolder): boolean {
    const s = f.list.status;
    if (!s || stored.uidnext === null || stored.uidvalidity === null) return false;
    if (s.uidValidity === undefined || BigInt(stored.uidvalidity) !== s.uidValidity) return false;
    if (s.uidNext !== stored.uidnext) return false;
    // Without CONDSTORE flag changes are invisible in STATUS: such servers always get the full flag pass.
    if (s.highestModseq === undefined || stored.highestModseq === null || String(s.highestModseq) !== stored.highestModseq) return false;
    return s.messages === this.cache.countInRemoteFolder(f.id);
  }

  async syncFolder(f: ListedFolder): Promise<SyncCounts> {
    const stored = this.ctx.store.mail.getFolder(f.id);
    if (!stored || this.unchanged(f, stored)) return {};
    const counts: SyncCounts = { messagesAdded: 0, messagesUpdated: 0, messagesRemoved: 0 };
    // A fresh SELECT: a mailbox left selected by an earlier pass would report stale UIDNEXT/MODSEQ.
    if (this.client.mailbox && this.client.mailbox.path === f.list.path) await this.client.mailboxClose();
    const lock = await this.client.getMailboxLock(f.list.path);
    let selected: { uidValidity: number; uidNext: number; highestModseq: string | null; exists: number };
    try {
      const mb = this.client.mailbox;
      if (!mb) throw new Error(`Could not select ${f.list.path}`);
      selected = {
        uidValidity: Number(mb.uidValidity),
        uidNext: mb.uidNext,
        highestModseq: this.hasCondstore() && mb.highestModseq !== undefined && !mb.noModseq ? String(mb.highestModseq) : null,
        exists: mb.exists,
      };
    } catch (err) {
      lock.release();
      throw err;
    }
    try {
      let state = { uidnext: stored.uidnext, highestModseq: stored.highestModseq };
      if (stored.uidvalidity !== selected.uidValidity) {
        // New UIDVALIDITY (or first sync): every cached UID of this folder is meaningless now.
        const removed = this.ctx.store.transaction(() => {
          const n = this.cache.wipeRemoteFolder(f.id);
          this.ctx.store.mail.setFolderSyncState(f.id, { uidvalidity: selected.uidValidity, uidnext: null, highestModseq: null }, this.ctx.now());
          return n;
        });
        counts.messagesRemoved! += removed;
        state = { uidnext: null, highestModseq: null };
      }
      const cached = this.cache.folder(f.id);
      const pending = this.cache.pendingTaskMessageIds(this.accountId);
      let serverUids: Set<number> | null = null;
      const vanished = new Set<number>();

      // 1. Flags of what is cached: only what changed since HIGHESTMODSEQ where CONDSTORE allows, else all.
      if (selected.exists === 0) {
        serverUids = new Set();
      } else if (cached.size > 0) {
        const incremental = selected.highestModseq !== null && state.highestModseq !== null && state.uidnext !== null;
        if (!(incremental && state.highestModseq === selected.highestModseq)) {
          const changes: FetchMessageObject[] = [];
          // With QRESYNC the CHANGEDSINCE fetch also reports expunged UIDs (VANISHED (EARLIER)).
          const onExpunge = (e: { path?: string; uid?: number; vanished?: boolean }) => {
            if (e.vanished && e.uid !== undefined && e.path === f.list.path && cached.has(e.uid)) vanished.add(e.uid);
          };
          this.client.on('expunge', onExpunge);
          try {
            for await (const m of this.client.fetch(
              '1:*',
              { uid: true, flags: true },
              incremental ? { uid: true, changedSince: BigInt(state.highestModseq!) } : { uid: true },
            )) {
              changes.push(m);
            }
          } finally {
            this.client.off('expunge', onExpunge);
          }
          if (!incremental) serverUids = new Set(changes.map((m) => m.uid));
          this.ctx.store.transaction(() => {
            for (const m of changes) {
              const local = cached.get(m.uid);
              if (!local || pending.has(local.id)) continue;
              const now = serverFlags(m.flags);
              if (now.read !== local.read || now.flagged !== local.flagged || now.answered !== local.answered || now.draft !== local.draft) {
                this.cache.updateFlags(local.id, now, m.modseq !== undefined ? String(m.modseq) : null);
                counts.messagesUpdated!++;
              }
            }
          });
        }
      }

      // 2. Which UIDs exist: new ones since UIDNEXT, and the full list only when counts say something went.
      let candidates: number[];
      if (serverUids) {
        candidates = [...serverUids];
      } else if (state.uidnext !== null) {
        const fresh = selected.uidNext > state.uidnext ? await this.searchUids(`${state.uidnext}:*`) : [];
        candidates = fresh.filter((u) => u >= state.uidnext!);
        const expected = cached.size - vanished.size + candidates.filter((u) => !cached.has(u)).length;
        if (expected !== selected.exists) {
          serverUids = new Set(await this.searchUids('1:*'));
          candidates = [...serverUids];
        }
      } else {
        serverUids = new Set(await this.searchUids('1:*'));
        candidates = [...serverUids];
      }

      // 3. Expunged elsewhere: from the full UID list when there is one, else as VANISHED reported them.
      const known = serverUids;
      {
        const gone = known ? cached.idsNotIn(known) : cached.idsOf(vanished);
        if (gone.length) {
          this.ctx.store.transaction(() => this.ctx.store.mail.remove(gone));
          counts.messagesRemoved! += gone.length;
        }
      }

      // 4. New messages, newest first, in batches that are each one transaction.
      const beingDeleted = this.cache.pendingExpungeUids(this.accountId, f.id);
      const missing = candidates.filter((u) => !cached.has(u) && !beingDeleted.has(u)).sort((a, b) => b - a);
      const unplaced = missing.length ? this.cache.unplacedInFolder(this.accountId, f.id) : new Map<string, string>();
      const batches: number[][] = [];
      for (let i = 0, size = FIRST_BATCH; i < missing.length; i += size, size = Math.min(BATCH, size * 2)) {
        batches.push(missing.slice(i, i + size));
      }
      // Pipelined: while one batch is written to SQLite, the next is on the wire and in the parse workers.
      let parse: (raw: Uint8Array) => Promise<ParsedMessage> = parseMessage;
      if (missing.length >= POOL_THRESHOLD) {
        const pool = sharedParsePool();
        pool.warm();
        parse = (raw) => pool.parse(raw);
      }
      let done = 0;
      // A fetch running ahead may fail while this one is still awaited: marked handled at once (its
      // await still throws), so a dropped connection is an error of this sync, never an unhandled rejection.
      const ahead = (batch: number[]) => {
        const p = this.fetchBatch(f.id, batch, parse);
        p.catch(() => undefined);
        return p;
      };
      let next = batches.length ? ahead(batches[0]!) : null;
      try {
        for (let b = 0; b < batches.length; b++) {
          const current = await next!;
          // The next batch goes on the wire now, while this one is parsed and stored.
          next = b + 1 < batches.length ? ahead(batches[b + 1]!) : null;
          const messages = await current.parsed;
          counts.messagesAdded! += this.store(f.id, messages, unplaced);
          done += batches[b]!.length;
          this.ctx.events.emit('sync.progress', { accountId: this.accountId, phase: `mail:${f.list.path}`, done, total: missing.length });
        }
      } finally {
        // A batch fetched ahead of a failure is dropped; the failure itself is what the await above reported.
        next?.then((n) => n.parsed).catch(() => undefined);
      }

      this.ctx.store.mail.setFolderSyncState(
        f.id,
        { uidvalidity: selected.uidValidity, uidnext: selected.uidNext, highestModseq: selected.highestModseq },
        this.ctx.now(),
      );
    } finally {
      lock.release();
    }
    return counts;
  }

  private async searchUids(range: string): Promise<number[]> {
    const found = await this.client.search({ uid: range }, { uid: true });
    return Array.isArray(found) ? found : [];
  }

  /**
   * Fetches one batch. Resolves as soon as the server has sent it, with its messages still being
   * parsed (in `parsed`), so the next batch can go on the wire while this one is parsed and stored.
   */
  private async fetchBatch(
    folderId: string,
    uids: number[],
    parse: (raw: Uint8Array) => Promise<ParsedMessage>,
  ): Promise<{ parsed: Promise<NewMessage[]> }> {
    const meta = await this.client.fetchAll(uidSet(uids), { uid: true, size: true }, { uid: true });
    const small = meta.filter((m) => (m.size ?? 0) <= LARGE_MESSAGE_BYTES).map((m) => m.uid);
    const large = meta.filter((m) => (m.size ?? 0) > LARGE_MESSAGE_BYTES).map((m) => m.uid);
    const out: NewMessage[] = [];
    const where = (uid: number) => ({ accountId: this.accountId, folderId, uid });
    let smallParsed: Promise<NewMessage[]> = Promise.resolve([]);
    if (small.length) {
      // Every message goes to the parser (the worker pool for large syncs) as it arrives; the fetch does not wait for parsing.
      const parsing: Promise<NewMessage>[] = [];
      for await (const m of this.client.fetch(
        uidSet(small),
        { uid: true, flags: true, size: true, internalDate: true, source: true },
        { uid: true },
      )) {
        if (!m.source) continue;
        const flags = serverFlags(m.flags);
        const meta = { size: m.size ?? m.source.length, internalDate: toMs(m.internalDate), modseq: m.modseq !== undefined ? String(m.modseq) : null };
        const uid = m.uid;
        parsing.push(parse(m.source).then((parsed) => toNewMessage(parsed, where(uid), flags, meta, parsedAttachments(parsed))));
      }
      smallParsed = Promise.all(parsing);
      // Awaited by the caller; this only keeps a failure from counting as unhandled until then.
      smallParsed.catch(() => undefined);
    }
    for (const uid of large) {
      const m = await this.client.fetchOne(String(uid), { uid: true, flags: true, size: true, internalDate: true, bodyStructure: true, headers: true }, { uid: true });
      if (!m || !m.bodyStructure || !m.headers) continue;
      const plan = planLargeMessage(m.bodyStructure);
      const texts: { type: string; charset: string | undefined; content: Buffer }[] = [];
      for (const part of plan.textParts) {
        const dl = await this.client.download(String(uid), part, { uid: true, maxBytes: LARGE_MESSAGE_BYTES });
        if (!dl.content) continue;
        const chunks: Buffer[] = [];
        for await (const c of dl.content) chunks.push(c as Buffer);
        texts.push({ type: dl.meta.contentType ?? 'text/plain', charset: dl.meta.charset, content: Buffer.concat(chunks) });
      }
      const parsed = await parseLargeMessage(m.headers, texts);
      out.push(
        toNewMessage(
          parsed,
          where(uid),
          serverFlags(m.flags),
          { size: m.size ?? 0, internalDate: toMs(m.internalDate), modseq: m.modseq !== undefined ? String(m.modseq) : null },
          plan.attachments,
        ),
      );
    }
    // Small ones first, in fetch order (newest first), as before.
    return { parsed: smallParsed.then((first) => [...first, ...out]) };
  }

  /** One transaction per batch; a message the cache already holds without a UID is adopted, not duplicated. */
  private store(folderId: string, messages: NewMessage[], unplaced: Map<string, string>): number {
    return this.ctx.store.transaction(() => {
      let added = 0;
      for (const m of messages) {
        const known = m.messageIdHeader ? unplaced.get(m.messageIdHeader) : undefined;
        if (known) {
          unplaced.delete(m.messageIdHeader!);
          this.ctx.store.mail.setRemoteLocation(known, folderId, m.remoteId, m.modseq ?? null);
          continue;
        }
        this.ctx.store.mail.insertMessage(m, this.ctx.now());
        added++;
      }
      return added;
    });
  }
}
