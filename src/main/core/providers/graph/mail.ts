import { createHash } from 'node:crypto';
import type { EmailAddress, FolderRole } from '../../../../shared/types';
import { UNDO_SEND_SECONDS } from '../../../../shared/undo-send';
import { generateMessageId, htmlToText, parseMessage, type ParsedMessage } from '../../mime';
import type { NewAttachment, NewMessage, StoredOutboxEntry, StoredTask } from '../../store';
import { SaveDraftPayload } from '../../tasks/draft-kinds';
import { ExpungePayload, MovePayload, SetFlagsPayload } from '../../tasks/kinds';
import { PimlicoError, errorMessage } from '../../util/errors';
import type { ProviderPart } from '../compose';
import { SendError, type ProviderContext, type SyncCounts } from '../types';
import { GraphHttpError, SignInRequiredError, taskError, type BatchRequest, type GraphClient } from './http';

const MAIL_KINDS = new Set(['mail.setFlags', 'mail.move', 'mail.expunge', 'mail.saveDraft']);

/** Only what the cache keeps ($select): Graph then sends far less per message. */
const MESSAGE_SELECT = [
  'subject',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'receivedDateTime',
  'sentDateTime',
  'isRead',
  'isDraft',
  'flag',
  'importance',
  'hasAttachments',
  'internetMessageId',
  'bodyPreview',
  'parentFolderId',
].join(',');

/** Bodies are fetched after the headers, newest first, up to this many per sync cycle... */
export const BODIES_PER_CYCLE = 1000;
/** ...in rounds of this many ($batch GETs), each stored (and shown) as it arrives. */
const BODIES_PER_ROUND = 200;
/** Folders whose delta runs side by side after the inbox; one slot of the 4 stays free for user actions. */
const PARALLEL_FOLDERS = 3;

const WELL_KNOWN: [string, FolderRole][] = [
  ['inbox', 'inbox'],
  ['drafts', 'drafts'],
  ['sentitems', 'sent'],
  ['deleteditems', 'trash'],
  ['archive', 'archive'],
  ['junkemail', 'junk'],
  ['outbox', 'outbox'],
];

/** Single POSTs of attachments are limited to 3 MB; larger ones go through an upload session. */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
const UPLOAD_CHUNK = 3 * 1024 * 1024 + 320 * 1024; // a multiple of 320 KiB, as Graph asks
/** PidTagDeferredSendTime: Exchange holds the message in the Outbox until then, Pimlico running or not. */
export const DEFERRED_SEND_PROPERTY = 'SystemTime 0x3FEF';
/**
 * The longest undo-send hold the settings allow. An entry due within it may be a message the user can
 * still take back with z: it stays in Pimlico's outbox, which sends it when due.
 */
export const UNDO_SEND_WINDOW_MS = UNDO_SEND_SECONDS.max * 1000;

interface GraphRecipient {
  emailAddress?: { name?: string | null; address?: string | null };
}

interface GraphMessage {
  id: string;
  '@removed'?: { reason: string };
  subject?: string | null;
  from?: GraphRecipient | null;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  replyTo?: GraphRecipient[];
  receivedDateTime?: string;
  sentDateTime?: string;
  isRead?: boolean;
  isDraft?: boolean;
  flag?: { flagStatus: string };
  importance?: 'low' | 'normal' | 'high';
  hasAttachments?: boolean;
  internetMessageId?: string;
  bodyPreview?: string;
  body?: { contentType: 'text' | 'html'; content: string };
  parentFolderId?: string;
}

interface GraphFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  childFolderCount: number;
}

interface GraphAttachmentMeta {
  id: string;
  name: string;
  contentType: string | null;
  size: number;
  isInline: boolean;
  contentId: string | null;
  contentBytes?: string;
}

interface DeltaPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

function address(r: GraphRecipient | null | undefined): EmailAddress | null {
  if (!r?.emailAddress?.address) return null;
  return { name: r.emailAddress.name ?? '', address: r.emailAddress.address };
}

function addresses(list: GraphRecipient[] | undefined): EmailAddress[] {
  return (list ?? []).map(address).filter((a): a is EmailAddress => a !== null);
}

function recipients(list: { name: string; address: string }[]): GraphRecipient[] {
  return list.map((a) => ({ emailAddress: { name: a.name || a.address, address: a.address } }));
}

const enc = encodeURIComponent;

/** Mail over Graph: folder tree, per-folder delta sync, the remote side of mail tasks, sending. */
export class GraphMailPart implements ProviderPart {
  readonly name = 'graph-mail';

  constructor(
    private readonly ctx: ProviderContext,
    private readonly client: GraphClient,
  ) {}

  handles(kind: string): boolean {
    return MAIL_KINDS.has(kind);
  }

  private get accountId(): string {
    return this.ctx.account.id;
  }

  // ------------------------------------------------------------------ sync

  async sync(): Promise<SyncCounts> {
    const counts: SyncCounts = { messagesAdded: 0, messagesUpdated: 0, messagesRemoved: 0 };
    const folders = await this.syncFolders();
    counts.folders = folders.length;
    // The inbox first: the user reads while the rest arrives.
    const add = (c: SyncCounts) => {
      counts.messagesAdded! += c.messagesAdded ?? 0;
      counts.messagesUpdated! += c.messagesUpdated ?? 0;
      counts.messagesRemoved! += c.messagesRemoved ?? 0;
    };
    // The outbox is transient: what waits there is shown from Pimlico's own outbox.
    const syncable = folders.filter((f) => f.role !== 'outbox');
    // The inbox first, alone: the user reads while the rest arrives, a few folders at a time.
    const inbox = syncable.find((f) => f.role === 'inbox');
    if (inbox) add(await this.syncFolder(inbox.localId, inbox.remoteId));
    const rest = syncable.filter((f) => f !== inbox);
    let failure: unknown = null;
    const lane = async () => {
      for (let f = rest.shift(); f && failure === null; f = rest.shift()) {
        try {
          add(await this.syncFolder(f.localId, f.remoteId));
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_FOLDERS }, lane));
    if (failure !== null) throw failure;
    for (let left = BODIES_PER_CYCLE; left > 0; left -= BODIES_PER_ROUND) {
      if ((await this.fillBodies(Math.min(BODIES_PER_ROUND, left))) === 0) break;
    }
    await this.handOffDeferredSends();
    return counts;
  }

  /**
   * Delta brings headers and a preview only; bodies follow here, the inbox's newest first, so a
   * large mailbox is listed quickly and the text arrives over the next moments (or cycles).
   */
  async fillBodies(limit: number): Promise<number> {
    const rows = this.ctx.store.db
      .prepare(
        `SELECT m.id, m.remote_id AS remoteId FROM messages m JOIN folders f ON f.id = m.folder_id
         WHERE m.account_id = ? AND m.body_state = 'headers-only' AND m.remote_id IS NOT NULL
         ORDER BY (f.role = 'inbox') DESC, m.date DESC LIMIT ?`,
      )
      .all(this.accountId, limit) as { id: string; remoteId: string }[];
    if (!rows.length) return 0;
    const results = await this.client.batch(rows.map((r, i) => ({ id: String(i + 1), method: 'GET', url: `/me/messages/${enc(r.remoteId)}?$select=body` })));
    const update = this.ctx.store.db.prepare("UPDATE messages SET body_text = ?, body_html = ?, body_state = 'complete' WHERE id = ? AND body_state = 'headers-only'");
    let filled = 0;
    this.ctx.store.transaction(() => {
      results.forEach((res, i) => {
        const body = (res.body as { body?: GraphMessage['body'] } | null)?.body;
        if (res.status !== 200 || !body) return; // gone meanwhile: the next delta removes it
        const html = body.contentType === 'html' ? body.content : null;
        update.run(html !== null ? htmlToText(html) : body.content, html, rows[i]!.id);
        filled++;
      });
    });
    if (filled) this.ctx.events.emit('store.changed', { entities: ['mail'], accountId: this.accountId });
    return filled;
  }

  /** mailFolders plus childFolders, recursively, mirrored into the folders table (keyed by Graph id). */
  private async syncFolders(): Promise<{ localId: string; remoteId: string; role: FolderRole }[]> {
    const store = this.ctx.store;
    const existing = store.mail.listFolders(this.accountId);
    const roleByRemote = new Map(existing.filter((f) => f.remoteId && f.role !== 'custom').map((f) => [f.remoteId!, f.role]));
    if (!existing.some((f) => f.role === 'inbox')) {
      for (const [wk, role] of WELL_KNOWN) {
        try {
          const f = await this.client.get<{ id: string }>(`/me/mailFolders/${wk}?$select=id`);
          roleByRemote.set(f.id, role);
        } catch (err) {
          if (!(err instanceof GraphHttpError && err.status === 404)) throw err;
        }
      }
    }
    const tree: { folder: GraphFolder; path: string; parentRemote: string | null }[] = [];
    const walk = async (url: string, parentPath: string, parentRemote: string | null) => {
      const list = await this.client.all<GraphFolder>(url);
      for (const f of list) {
        const path = parentPath ? `${parentPath}/${f.displayName}` : f.displayName;
        tree.push({ folder: f, path, parentRemote });
        if (f.childFolderCount > 0) await walk(`/me/mailFolders/${enc(f.id)}/childFolders?$top=100`, path, f.id);
      }
    };
    await walk('/me/mailFolders?$top=100', '', null);
    const out: { localId: string; remoteId: string; role: FolderRole }[] = [];
    store.transaction(() => {
      const byRemote = new Map(existing.filter((f) => f.remoteId).map((f) => [f.remoteId!, f]));
      const idByRemote = new Map<string, string>();
      for (const { folder, path, parentRemote } of tree) {
        const role = roleByRemote.get(folder.id) ?? 'custom';
        const parentId = parentRemote ? (idByRemote.get(parentRemote) ?? null) : null;
        const known = byRemote.get(folder.id);
        let id: string;
        if (known) {
          // Renamed or moved on the server: same folder (same Graph id), new path; its messages stay.
          store.db.prepare('UPDATE folders SET path = ?, name = ?, role = ?, parent_id = ? WHERE id = ?').run(path, folder.displayName, role, parentId, known.id);
          id = known.id;
        } else {
          id = store.mail.upsertFolder({ accountId: this.accountId, path, name: folder.displayName, role, parentId, delimiter: '/', remoteId: folder.id });
        }
        idByRemote.set(folder.id, id);
        out.push({ localId: id, remoteId: folder.id, role });
      }
      for (const local of existing) if (!local.remoteId || !idByRemote.has(local.remoteId)) store.mail.removeFolder(local.id);
    });
    return out;
  }

  /** Message ids that queued mail tasks still change: sync must not undo the user's action. */
  private pendingMessageIds(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.ctx.store.tasks.due(this.accountId, Number.MAX_SAFE_INTEGER)) {
      if (!t.kind.startsWith('mail.')) continue;
      const items = (t.payload as { items?: { id: string }[] }).items ?? [];
      for (const i of items) ids.add(i.id);
    }
    return ids;
  }

  /**
   * One folder through messages/delta: the stored deltaLink continues where the last round ended;
   * 410 (sync state gone) starts over from scratch and reconciles, so nothing is duplicated or kept
   * that the server no longer has.
   */
  async syncFolder(localId: string, remoteId: string): Promise<SyncCounts> {
    const folder = this.ctx.store.mail.getFolder(localId);
    const initial = `/me/mailFolders/${enc(remoteId)}/messages/delta?$select=${MESSAGE_SELECT}`;
    try {
      return await this.runDelta(localId, folder?.syncToken ?? null, initial);
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 410) {
        this.ctx.log.info('mail delta token expired; full resync of the folder', { folder: localId });
        this.ctx.store.mail.setFolderSyncState(localId, { syncToken: null }, this.ctx.now());
        return this.runDelta(localId, null, initial);
      }
      throw err;
    }
  }

  private async runDelta(localId: string, deltaLink: string | null, initial: string): Promise<SyncCounts> {
    const counts: SyncCounts = { messagesAdded: 0, messagesUpdated: 0, messagesRemoved: 0 };
    const full = deltaLink === null;
    const seen = new Set<string>();
    let next: string | undefined = deltaLink ?? initial;
    let finalLink: string | undefined;
    while (next) {
      // Bigger pages than Graph's 10: fewer round trips for a full listing.
      const page: DeltaPage<GraphMessage> = await this.client.get(next, 'odata.maxpagesize=100');
      const live = page.value.filter((m) => !m['@removed']);
      const attachments = await this.attachmentLists(live.filter((m) => m.hasAttachments));
      const pending = this.pendingMessageIds();
      this.ctx.store.transaction(() => {
        for (const m of page.value) {
          seen.add(m.id);
          if (m['@removed']) counts.messagesRemoved! += this.removeRemote(localId, m.id, pending);
          else this.upsertRemote(localId, m, attachments.get(m.id) ?? [], pending, counts);
        }
      });
      next = page['@odata.nextLink'];
      finalLink = page['@odata.deltaLink'];
      if (next) this.client.checkLink(next);
      // Delta does not say how much is left: total is what is known so far (+1 while more pages follow).
      const done = (counts.messagesAdded ?? 0) + (counts.messagesUpdated ?? 0) + (counts.messagesRemoved ?? 0);
      this.ctx.events.emit('sync.progress', { accountId: this.accountId, phase: `mail:${this.ctx.store.mail.getFolder(localId)?.path ?? localId}`, done, total: next ? done + 1 : done });
    }
    if (finalLink) this.client.checkLink(finalLink);
    this.ctx.store.transaction(() => {
      if (full) {
        // A full listing: what the cache holds for this folder but the server did not list is gone.
        const pending = this.pendingMessageIds();
        for (const [rid, local] of this.ctx.store.mail.byRemoteFolder(localId)) {
          if (!seen.has(rid) && !pending.has(local.id)) {
            this.ctx.store.mail.remove([local.id]);
            counts.messagesRemoved!++;
          }
        }
      }
      this.ctx.store.mail.setFolderSyncState(localId, { syncToken: finalLink ?? null }, this.ctx.now());
    });
    if (counts.messagesAdded || counts.messagesRemoved || counts.messagesUpdated) {
      this.ctx.events.emit('store.changed', { entities: ['mail', 'folders'], accountId: this.accountId });
    }
    return counts;
  }

  /** Attachment metadata (no bytes: those come on demand) for the messages that have any. */
  private async attachmentLists(messages: GraphMessage[]): Promise<Map<string, GraphAttachmentMeta[]>> {
    const out = new Map<string, GraphAttachmentMeta[]>();
    await Promise.all(
      messages.map(async (m) => {
        try {
          out.set(m.id, await this.client.all<GraphAttachmentMeta>(`/me/messages/${enc(m.id)}/attachments?$select=id,name,contentType,size,isInline,contentId`));
        } catch (err) {
          if (!(err instanceof GraphHttpError && err.status === 404)) throw err;
        }
      }),
    );
    return out;
  }

  private localByRemoteId(remoteId: string): { id: string; folderId: string; remoteFolderId: string | null } | undefined {
    return this.ctx.store.db
      .prepare('SELECT id, folder_id AS folderId, remote_folder_id AS remoteFolderId FROM messages WHERE account_id = ? AND remote_id = ?')
      .get(this.accountId, remoteId) as { id: string; folderId: string; remoteFolderId: string | null } | undefined;
  }

  private removeRemote(folderId: string, remoteId: string, pending: Set<string>): number {
    const local = this.localByRemoteId(remoteId);
    // Only when it was last seen in this folder: a message we moved is already recorded elsewhere.
    if (!local || local.remoteFolderId !== folderId || pending.has(local.id)) return 0;
    this.ctx.store.mail.remove([local.id]);
    return 1;
  }

  private upsertRemote(folderId: string, m: GraphMessage, atts: GraphAttachmentMeta[], pending: Set<string>, counts: SyncCounts): void {
    const store = this.ctx.store;
    const local = this.localByRemoteId(m.id);
    const read = m.isRead ?? false;
    const flagged = m.flag?.flagStatus === 'flagged';
    if (local) {
      if (pending.has(local.id)) return;
      if (local.remoteFolderId !== folderId) {
        // Moved by another client: follow it.
        store.mail.setRemoteLocation(local.id, folderId, m.id);
        store.mail.move([local.id], folderId);
        counts.messagesUpdated!++;
      }
      const now = store.mail.flags([local.id]).get(local.id);
      if (now && (now.read !== read || now.flagged !== flagged)) {
        store.mail.setFlags([local.id], { read, flagged });
        counts.messagesUpdated!++;
      }
      return;
    }
    store.mail.insertMessage(this.toNewMessage(folderId, m, atts), this.ctx.now());
    counts.messagesAdded!++;
  }

  private toNewMessage(folderId: string, m: GraphMessage, atts: GraphAttachmentMeta[]): NewMessage {
    // Without a body in the answer (delta selects only the preview) the body comes later: fillBodies.
    const html = m.body?.contentType === 'html' ? m.body.content : null;
    const text = m.body ? (html !== null ? htmlToText(html) : m.body.content) : (m.bodyPreview ?? '');
    const date = Date.parse(m.receivedDateTime ?? m.sentDateTime ?? '') || this.ctx.now();
    const attachments: NewAttachment[] = atts.map((a) => ({
      filename: a.name,
      contentType: (a.contentType ?? 'application/octet-stream').toLowerCase(),
      size: a.size,
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      inline: a.isInline,
      partId: a.id,
      sha256: null,
    }));
    return {
      accountId: this.accountId,
      folderId,
      remoteId: m.id,
      messageIdHeader: m.internetMessageId ?? null,
      inReplyTo: null,
      references: [],
      subject: m.subject ?? '',
      from: address(m.from),
      to: addresses(m.toRecipients),
      cc: addresses(m.ccRecipients),
      bcc: addresses(m.bccRecipients),
      replyTo: addresses(m.replyTo),
      date,
      snippet: (m.bodyPreview ?? text).replace(/\s+/g, ' ').trim().slice(0, 200),
      bodyText: text,
      bodyHtml: html,
      bodyState: m.body ? 'complete' : 'headers-only',
      isRead: m.isRead ?? false,
      isFlagged: m.flag?.flagStatus === 'flagged',
      isDraft: m.isDraft ?? false,
      importance: m.importance ?? 'normal',
      size: (m.body?.content.length ?? 0) + atts.reduce((n, a) => n + a.size, 0),
      attachments,
    };
  }

  // ------------------------------------------------------------------ tasks

  async applyTask(task: StoredTask): Promise<void> {
    try {
      switch (task.kind) {
        case 'mail.setFlags':
          return await this.setFlags(SetFlagsPayload.parse(task.payload));
        case 'mail.move':
          return await this.move(MovePayload.parse(task.payload));
        case 'mail.expunge':
          return await this.expunge(ExpungePayload.parse(task.payload));
        case 'mail.saveDraft':
          return await this.saveDraft(SaveDraftPayload.parse(task.payload));
        default:
          throw new PimlicoError('Internal', `The Graph mail part does not handle ${task.kind}`);
      }
    } catch (err) {
      if (err instanceof SignInRequiredError) throw err;
      throw taskError(err);
    }
  }

  /** The message's current Graph id: the cache's record, which a queued move may have updated since. */
  private remoteIdOf(id: string, fallback: string | null): string | null {
    return this.ctx.store.mail.remoteRef(id)?.remoteId ?? fallback;
  }

  /** One request per message, batched ($batch, 20 per envelope, 4 at a time) when there are several. */
  private async each(requests: (BatchRequest & { localId: string })[], onOk: (r: BatchRequest & { localId: string }, body: unknown) => void): Promise<void> {
    if (requests.length === 0) return;
    if (requests.length === 1) {
      const r = requests[0]!;
      try {
        const res = await this.client.request(r.method, r.url, r.body !== undefined ? { body: r.body } : {});
        onOk(r, res.body);
      } catch (err) {
        if (err instanceof GraphHttpError && err.status === 404) return; // gone on the server already
        throw err;
      }
      return;
    }
    const results = await this.client.batch(requests);
    const failures: string[] = [];
    results.forEach((res, i) => {
      const r = requests[i]!;
      if (res.status < 300) onOk(r, res.body);
      else if (res.status !== 404) failures.push(`${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
    });
    if (failures.length) throw new GraphHttpError(400, 'BatchFailure', `${failures.length} of ${requests.length} requests failed (${failures[0]})`);
  }

  private async setFlags(p: SetFlagsPayload): Promise<void> {
    const reqs = p.items.flatMap((item, i) => {
      const rid = this.remoteIdOf(item.id, item.remoteId);
      if (!rid) return [];
      const body: Record<string, unknown> = {};
      if (item.read !== undefined) body['isRead'] = item.read;
      if (item.flagged !== undefined) body['flag'] = { flagStatus: item.flagged ? 'flagged' : 'notFlagged' };
      return [{ id: String(i + 1), method: 'PATCH', url: `/me/messages/${enc(rid)}`, body, localId: item.id }];
    });
    await this.each(reqs, () => undefined);
  }

  private async move(p: MovePayload): Promise<void> {
    const target = this.ctx.store.mail.getFolder(p.toFolderId);
    if (!target?.remoteId) throw new PimlicoError('NotFound', `Folder '${p.toFolderId}' is not on the server`);
    const reqs = p.items.flatMap((item, i) => {
      const ref = this.ctx.store.mail.remoteRef(item.id);
      const rid = ref?.remoteId ?? item.remoteId;
      if (!rid || ref?.remoteFolderId === p.toFolderId) return [];
      return [{ id: String(i + 1), method: 'POST', url: `/me/messages/${enc(rid)}/move`, body: { destinationId: target.remoteId }, localId: item.id }];
    });
    await this.each(reqs, (r, body) => {
      const moved = body as { id?: string } | null;
      if (this.ctx.store.mail.exists(r.localId)) this.ctx.store.mail.setRemoteLocation(r.localId, p.toFolderId, moved?.id ?? null);
    });
  }

  private async expunge(p: ExpungePayload): Promise<void> {
    const reqs = p.items.flatMap((item, i) =>
      item.remoteId ? [{ id: String(i + 1), method: 'POST', url: `/me/messages/${enc(item.remoteId)}/permanentDelete`, body: {}, localId: item.id }] : [],
    );
    await this.each(reqs, () => undefined);
  }

  /**
   * Files a locally saved draft in Outlook's Drafts: the version it replaces is updated in place
   * (same Graph id), a new one is created. A retry after a lost answer finds the draft by its
   * Internet Message-ID instead of creating a second one.
   */
  private async saveDraft(p: SaveDraftPayload): Promise<void> {
    const store = this.ctx.store;
    const draft = store.mail.detail(p.id);
    const drafts = store.mail.folderByRole(this.accountId, 'drafts');
    if (!draft || !drafts?.remoteId) return; // sent or discarded since, or no Drafts folder yet
    const ref = store.mail.remoteRef(draft.id);
    if (ref?.remoteFolderId === drafts.id && ref.remoteId) return;
    const messageId = draft.messageIdHeader ?? generateMessageId(this.ctx.account.email || 'draft@localhost');
    if (!draft.messageIdHeader) store.db.prepare('UPDATE messages SET message_id_header = ? WHERE id = ?').run(messageId, draft.id);
    const body = {
      subject: draft.subject,
      body: draft.bodyHtml !== null ? { contentType: 'html', content: draft.bodyHtml } : { contentType: 'text', content: draft.bodyText },
      toRecipients: recipients(draft.to),
      ccRecipients: recipients(draft.cc),
      bccRecipients: recipients(draft.bcc),
      importance: draft.importance,
    };
    let remoteId: string | null = null;
    if (p.replaces?.remoteId) {
      try {
        remoteId = (await this.client.patch<{ id: string }>(`/me/messages/${enc(p.replaces.remoteId)}`, body)).id;
      } catch (err) {
        if (!(err instanceof GraphHttpError && err.status === 404)) throw err;
      }
    }
    if (!remoteId) {
      const filter = encodeURIComponent(`internetMessageId eq '${messageId.replace(/'/g, "''")}'`);
      const found = await this.client.get<{ value: { id: string }[] }>(`/me/mailFolders/${enc(drafts.remoteId)}/messages?$filter=${filter}&$select=id`);
      remoteId = found.value[0]?.id ?? (await this.client.post<{ id: string }>(`/me/mailFolders/${enc(drafts.remoteId)}/messages`, { ...body, internetMessageId: messageId })).id;
    }
    if (store.mail.exists(draft.id)) store.mail.setRemoteLocation(draft.id, drafts.id, remoteId);
  }

  // ------------------------------------------------------------------ attachments

  async fetchAttachment(messageId: string, attachmentId: string): Promise<Uint8Array> {
    const att = this.ctx.store.mail.attachmentRef(messageId, attachmentId);
    const ref = this.ctx.store.mail.remoteRef(messageId);
    if (!att || !ref) throw new PimlicoError('NotFound', `Attachment '${attachmentId}' was not found`);
    if (!att.partId || !ref.remoteId) throw new PimlicoError('NotFound', 'This attachment is not on the server');
    let body: GraphAttachmentMeta;
    try {
      body = await this.client.get<GraphAttachmentMeta>(`/me/messages/${enc(ref.remoteId)}/attachments/${enc(att.partId)}`);
    } catch (err) {
      throw taskError(err);
    }
    if (typeof body.contentBytes !== 'string') throw new PimlicoError('Unsupported', 'Only file attachments can be downloaded');
    const bytes = Buffer.from(body.contentBytes, 'base64');
    this.ctx.store.mail.setAttachmentBlob(attachmentId, createHash('sha256').update(bytes).digest('hex'), bytes);
    return bytes;
  }

  // ------------------------------------------------------------------ sending

  /**
   * The outbox holds MIME; Graph's JSON send needs the parts, so the message is parsed and rebuilt
   * as a draft (attachments of 3 MB or less inline, larger ones by upload session), then sent.
   * A send-later entry carries PidTagDeferredSendTime: Exchange sends it at that time.
   */
  async send(entry: StoredOutboxEntry): Promise<void> {
    let parsed: ParsedMessage;
    try {
      parsed = await parseMessage(entry.raw);
    } catch (err) {
      throw new SendError(`The queued message cannot be read: ${errorMessage(err)}`, 'before-accept', true);
    }
    let draftId: string;
    try {
      draftId = await this.createDraft(parsed, entry.sendAt);
    } catch (err) {
      throw this.sendError(err, 'before-accept');
    }
    try {
      await this.client.request('POST', `/me/messages/${enc(draftId)}/send`, { body: {} });
    } catch (err) {
      // Graph answered with an error: it did not take the message; the draft goes so a retry starts clean.
      if (err instanceof GraphHttpError) {
        await this.client.delete(`/me/messages/${enc(draftId)}`).catch(() => undefined);
        throw this.sendError(err, 'before-accept');
      }
      throw this.sendError(err, 'after-accept');
    }
  }

  private sendError(err: unknown, phase: 'before-accept' | 'after-accept'): SendError {
    const permanent = err instanceof GraphHttpError && err.status >= 400 && err.status < 500 && err.status !== 408;
    return new SendError(`Microsoft Graph did not send the message: ${errorMessage(err)}`, phase, permanent || err instanceof SignInRequiredError);
  }

  private async createDraft(m: ParsedMessage, sendAt: number | null): Promise<string> {
    const small = m.attachments.filter((a) => a.size <= INLINE_ATTACHMENT_LIMIT);
    const large = m.attachments.filter((a) => a.size > INLINE_ATTACHMENT_LIMIT);
    const body: Record<string, unknown> = {
      subject: m.subject,
      body: m.html !== null ? { contentType: 'html', content: m.html } : { contentType: 'text', content: m.text },
      toRecipients: recipients(m.to),
      ccRecipients: recipients(m.cc),
      bccRecipients: recipients(m.bcc),
      importance: m.importance,
      ...(m.replyTo.length ? { replyTo: recipients(m.replyTo) } : {}),
      ...(m.messageId ? { internetMessageId: m.messageId } : {}),
      attachments: small.map((a) => ({
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: a.filename,
        contentType: a.contentType,
        contentBytes: Buffer.from(a.content).toString('base64'),
        isInline: a.inline,
        ...(a.contentId ? { contentId: a.contentId } : {}),
      })),
    };
    if (sendAt !== null && sendAt > this.ctx.now()) {
      body['singleValueExtendedProperties'] = [{ id: DEFERRED_SEND_PROPERTY, value: new Date(sendAt).toISOString() }];
    }
    const draft = (await this.replyDraft(m, body)) ?? (await this.client.post<{ id: string }>('/me/messages', body));
    try {
      for (const a of large) await this.uploadLarge(draft.id, a.filename, a.contentType, a.content, a.inline, a.contentId);
    } catch (err) {
      await this.client.delete(`/me/messages/${enc(draft.id)}`).catch(() => undefined);
      throw err;
    }
    return draft.id;
  }

  /**
   * A reply to a message Outlook has: createReply gives a draft that Exchange threads with the
   * original (In-Reply-To, References, conversation); our content then replaces its own. Null when
   * the original is not on the server, and the reply goes as a new message.
   */
  private async replyDraft(m: ParsedMessage, body: Record<string, unknown>): Promise<{ id: string } | null> {
    if (!m.inReplyTo) return null;
    const original = this.ctx.store.mail.byMessageIdHeader(this.accountId, m.inReplyTo);
    const rid = original ? this.ctx.store.mail.remoteRef(original.id)?.remoteId : null;
    if (!rid) return null;
    let draft: { id: string };
    try {
      draft = await this.client.post<{ id: string }>(`/me/messages/${enc(rid)}/createReply`, {});
    } catch (err) {
      if (err instanceof GraphHttpError && err.status === 404) return null;
      throw err;
    }
    const { attachments, internetMessageId, ...content } = body as { attachments: unknown[]; internetMessageId?: string } & Record<string, unknown>;
    void internetMessageId; // Exchange assigns the reply's Message-ID
    try {
      await this.client.patch(`/me/messages/${enc(draft.id)}`, content);
      for (const a of attachments) await this.client.post(`/me/messages/${enc(draft.id)}/attachments`, a);
    } catch (err) {
      await this.client.delete(`/me/messages/${enc(draft.id)}`).catch(() => undefined);
      throw err;
    }
    return draft;
  }

  /** An attachment over 3 MB: createUploadSession, then ordered chunks to the pre-authenticated URL. */
  private async uploadLarge(draftId: string, name: string, contentType: string, content: Uint8Array, inline: boolean, contentId: string | null): Promise<void> {
    const session = await this.client.post<{ uploadUrl: string }>(`/me/messages/${enc(draftId)}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name, size: content.byteLength, contentType, isInline: inline, ...(contentId ? { contentId } : {}) },
    });
    this.client.checkUploadUrl(session.uploadUrl);
    for (let start = 0; start < content.byteLength; start += UPLOAD_CHUNK) {
      const end = Math.min(content.byteLength, start + UPLOAD_CHUNK);
      await this.client.request('PUT', session.uploadUrl, {
        raw: {
          bytes: content.subarray(start, end),
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${end - 1}/${content.byteLength}` },
          noAuth: true,
        },
      });
    }
  }

  /**
   * Send-later entries are handed to Exchange at once with the deferred-send time, so they go out
   * on time even while Pimlico is closed. (The outbox worker only offers entries that are due.)
   * Not those held for undo send: once in Exchange's Outbox, undo could no longer take them back.
   */
  private async handOffDeferredSends(): Promise<void> {
    const now = this.ctx.now();
    const waiting = this.ctx.store.outbox
      .list()
      .filter((e) => e.accountId === this.accountId && e.status === 'queued' && e.sendAt !== null && e.sendAt > now + UNDO_SEND_WINDOW_MS);
    for (const entry of waiting) {
      if (!this.ctx.store.outbox.claim(entry.id)) continue;
      try {
        await this.send(entry);
        this.ctx.store.outbox.setStatus(entry.id, 'sent', { sentAt: now, countAttempt: true });
      } catch (err) {
        const phase = err instanceof SendError ? err.phase : 'before-accept';
        if (phase === 'after-accept') this.ctx.store.outbox.setStatus(entry.id, 'uncertain', { error: errorMessage(err), countAttempt: true });
        else this.ctx.store.outbox.setStatus(entry.id, 'queued', { error: errorMessage(err), countAttempt: true });
      }
      this.ctx.events.emit('store.changed', { entities: ['outbox'], accountId: this.accountId });
    }
  }

  async close(): Promise<void> {
    // Plain HTTP: nothing held open.
  }
}
