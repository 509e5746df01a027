import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { Disposable } from '../../events';
import type { StoredOutboxEntry, StoredTask } from '../../store';
import { buildMessage, generateMessageId } from '../../mime';
import { SaveDraftPayload } from '../../tasks/draft-kinds';
import { ExpungePayload, MovePayload, SetFlagsPayload, type RemoteItem } from '../../tasks/kinds';
import { PimlicoError, errorMessage } from '../../util/errors';
import { composeProvider, type ProviderPart } from '../compose';
import { createDavPart } from '../dav';
import { RetryableError, type AccountProvider, type ProviderContext, type SyncCounts } from '../types';
import { ImapCache } from './cache';
import { createImapClient, requirePassword } from './client';
import { sendRaw } from './smtp';
import { MailSync, uidSet } from './sync';
import { readSettings, type ImapAccountSettings } from './settings';

interface Located {
  id: string;
  uid: number;
}

/** imapflow marks failed logins; everything else reaching a server is worth retrying later. */
function connectError(err: unknown, what: string): Error {
  const e = err as { authenticationFailed?: boolean; responseText?: string };
  if (e.authenticationFailed) return new PimlicoError('Unauthorized', `${what} refused the user name or password${e.responseText ? `: ${e.responseText}` : ''}`);
  if (err instanceof PimlicoError) return err;
  return new RetryableError(`${what} is unreachable: ${errorMessage(err)}`);
}

/** The IMAP/SMTP share of an 'imap' account: mail sync, the remote side of mail tasks, sending. */
export class ImapMailPart implements ProviderPart {
  readonly name = 'imap';
  private readonly settings: ImapAccountSettings;
  private client: ImapFlow | null = null;
  private connecting: Promise<ImapFlow> | null = null;
  private closed = false;
  private readonly cache: ImapCache;

  constructor(private readonly ctx: ProviderContext) {
    this.settings = readSettings(ctx.account.settings);
    this.cache = new ImapCache(ctx.store);
  }

  handles(taskKind: string): boolean {
    return taskKind === 'mail.setFlags' || taskKind === 'mail.move' || taskKind === 'mail.expunge' || taskKind === 'mail.saveDraft';
  }

  /** The shared connection, opened on first use and again after it dropped. */
  async connection(): Promise<ImapFlow> {
    if (this.closed) throw new PimlicoError('Internal', 'The IMAP provider is closed');
    if (this.client?.usable) return this.client;
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<ImapFlow> {
    const old = this.client;
    this.client = null;
    old?.close();
    const password = requirePassword(this.ctx.secret('imap.password'), 'IMAP');
    let c: ImapFlow;
    try {
      c = await createImapClient(this.settings.imap, password);
    } catch (err) {
      throw connectError(err, 'The IMAP server');
    }
    // A dropped connection must not crash the process; the next call reconnects.
    c.on('error', (err: unknown) => this.ctx.log.warn('IMAP connection error', { error: errorMessage(err) }));
    c.on('close', () => {
      if (this.client === c) this.client = null;
    });
    try {
      await c.connect();
    } catch (err) {
      c.close();
      throw connectError(err, 'The IMAP server');
    }
    this.client = c;
    return c;
  }

  /** Runs fn on the connection; a connection lost meanwhile becomes a RetryableError. */
  private async withConnection<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const c = await this.connection();
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof PimlicoError || err instanceof RetryableError) throw err;
      if (!c.usable) throw new RetryableError(`The IMAP connection was lost: ${errorMessage(err)}`);
      throw err;
    }
  }

  async sync(): Promise<SyncCounts> {
    const once = () => this.withConnection((c) => new MailSync(this.ctx, c, this.settings.imap.useCondstore).run());
    try {
      return await once();
    } catch (err) {
      // A connection dropped under a sync is reopened once at once: the sync resumes where the last
      // completed folder left it, so only a server that stays unreachable fails the cycle.
      if (!(err instanceof RetryableError)) throw err;
      this.ctx.log.warn('IMAP connection lost during sync; reconnecting once', { error: errorMessage(err) });
      return once();
    }
  }

  // ---- tasks

  async applyTask(task: StoredTask): Promise<void> {
    switch (task.kind) {
      case 'mail.setFlags':
        return this.withConnection((c) => this.setFlags(c, SetFlagsPayload.parse(task.payload)));
      case 'mail.move':
        return this.withConnection((c) => this.move(c, MovePayload.parse(task.payload)));
      case 'mail.expunge':
        return this.withConnection((c) => this.expunge(c, ExpungePayload.parse(task.payload)));
      case 'mail.saveDraft':
        return this.withConnection((c) => this.saveDraft(c, SaveDraftPayload.parse(task.payload)));
      default:
        throw new PimlicoError('Internal', `The IMAP part does not handle ${task.kind}`);
    }
  }

  private folderPath(folderId: string): string | undefined {
    return this.ctx.store.mail.getFolder(folderId)?.remoteId ?? this.ctx.store.mail.getFolder(folderId)?.path;
  }

  /**
   * Where each message is on the server now (the payload's ref may be stale: an earlier task may
   * have moved it). A message without a known UID is found by its Message-ID in that folder.
   */
  private async locate(c: ImapFlow, items: RemoteItem[]): Promise<Map<string, Located[]>> {
    const byFolder = new Map<string, { id: string; uid: number | null; messageId: string | null }[]>();
    for (const item of items) {
      const ref = this.ctx.store.mail.remoteRef(item.id);
      if (!ref) continue; // gone locally since: nothing to do
      const folderId = ref.remoteFolderId ?? ref.folderId;
      const list = byFolder.get(folderId) ?? [];
      list.push({ id: ref.id, uid: ref.remoteId !== null ? Number(ref.remoteId) : null, messageId: ref.messageIdHeader });
      byFolder.set(folderId, list);
    }
    const out = new Map<string, Located[]>();
    for (const [folderId, list] of byFolder) {
      const located: Located[] = [];
      for (const m of list) {
        if (m.uid !== null) located.push({ id: m.id, uid: m.uid });
        else if (m.messageId) {
          const uid = await this.searchMessageId(c, folderId, m.messageId);
          if (uid !== null) {
            this.ctx.store.mail.setRemoteLocation(m.id, folderId, String(uid));
            located.push({ id: m.id, uid });
          }
        }
      }
      if (located.length) out.set(folderId, located);
    }
    return out;
  }

  private async searchMessageId(c: ImapFlow, folderId: string, messageId: string): Promise<number | null> {
    const path = this.folderPath(folderId);
    if (!path) return null;
    const lock = await c.getMailboxLock(path);
    try {
      const found = await c.search({ header: { 'message-id': messageId } }, { uid: true });
      return Array.isArray(found) && found.length ? Math.max(...found) : null;
    } finally {
      lock.release();
    }
  }

  private async setFlags(c: ImapFlow, payload: SetFlagsPayload): Promise<void> {
    const wanted = new Map(payload.items.map((i) => [i.id, i]));
    for (const [folderId, located] of await this.locate(c, payload.items)) {
      const path = this.folderPath(folderId);
      if (!path) continue;
      const lock = await c.getMailboxLock(path);
      try {
        for (const [flag, key] of [
          ['\\Seen', 'read'],
          ['\\Flagged', 'flagged'],
        ] as const) {
          const on = located.filter((l) => wanted.get(l.id)?.[key] === true).map((l) => l.uid);
          const off = located.filter((l) => wanted.get(l.id)?.[key] === false).map((l) => l.uid);
          if (on.length) await c.messageFlagsAdd(uidSet(on), [flag], { uid: true });
          if (off.length) await c.messageFlagsRemove(uidSet(off), [flag], { uid: true });
        }
      } finally {
        lock.release();
      }
    }
  }

  private async move(c: ImapFlow, payload: MovePayload): Promise<void> {
    const target = this.folderPath(payload.toFolderId);
    if (!target) throw new PimlicoError('NotFound', `Folder '${payload.toFolderId}' no longer exists`);
    for (const [folderId, located] of await this.locate(c, payload.items)) {
      if (folderId === payload.toFolderId) continue;
      const path = this.folderPath(folderId);
      if (!path) continue;
      const lock = await c.getMailboxLock(path);
      try {
        const result = await c.messageMove(uidSet(located.map((l) => l.uid)), target, { uid: true });
        if (!result) throw new RetryableError(`The server did not move the messages from ${path} to ${target}`);
        // COPYUID tells the new UIDs, so the next sync of the target knows these messages. Without
        // it the UID stays unknown and sync adopts the message by its Message-ID.
        const uidMap = result.uidMap;
        this.ctx.store.transaction(() => {
          for (const l of located) {
            const newUid = uidMap?.get(l.uid);
            this.ctx.store.mail.setRemoteLocation(l.id, payload.toFolderId, newUid !== undefined ? String(newUid) : null);
          }
        });
      } finally {
        lock.release();
      }
    }
  }

  /** The local copies are already gone, so the payload's refs are all there is. */
  private async expunge(c: ImapFlow, payload: ExpungePayload): Promise<void> {
    const byFolder = new Map<string, number[]>();
    for (const item of payload.items) {
      if (!item.remoteFolderId || item.remoteId === null) continue;
      byFolder.set(item.remoteFolderId, [...(byFolder.get(item.remoteFolderId) ?? []), Number(item.remoteId)]);
    }
    for (const [folderId, uids] of byFolder) {
      const path = this.folderPath(folderId);
      if (!path) continue;
      const lock = await c.getMailboxLock(path);
      try {
        await c.messageDelete(uidSet(uids), { uid: true });
      } finally {
        lock.release();
      }
    }
  }

  /**
   * APPENDs the draft to Drafts and deletes the version it replaces. Idempotent across a crash:
   * the Message-ID is recorded before the APPEND, and a retry first looks for it on the server.
   */
  private async saveDraft(c: ImapFlow, payload: SaveDraftPayload): Promise<void> {
    const draft = this.ctx.store.mail.detail(payload.id);
    const drafts = this.ctx.store.mail.folderByRole(this.ctx.account.id, 'drafts');
    if (draft && drafts) {
      const path = drafts.remoteId ?? drafts.path;
      const ref = this.ctx.store.mail.remoteRef(draft.id);
      const alreadyFiled = ref?.remoteFolderId === drafts.id && ref.remoteId !== null;
      if (!alreadyFiled) {
        const messageId = draft.messageIdHeader ?? generateMessageId(this.ctx.account.email || 'draft@localhost');
        this.cache.setMessageIdHeader(draft.id, messageId);
        let uid = await this.searchMessageId(c, drafts.id, messageId);
        if (uid === null) {
          const built = await buildMessage({
            from: { name: this.ctx.account.displayName, address: this.ctx.account.email },
            to: draft.to,
            cc: draft.cc,
            bcc: draft.bcc,
            subject: draft.subject,
            text: draft.bodyText,
            html: draft.bodyHtml ?? undefined,
            messageId,
            inReplyTo: draft.inReplyTo ?? undefined,
            references: draft.references,
            importance: draft.importance,
            date: new Date(draft.date),
          });
          const res = await c.append(path, built.raw, ['\\Draft', '\\Seen']);
          uid = res && res.uid !== undefined ? res.uid : null;
        }
        this.ctx.store.mail.setRemoteLocation(draft.id, drafts.id, uid !== null ? String(uid) : null);
      }
    }
    const old = payload.replaces;
    if (old?.remoteFolderId && old.remoteId !== null) {
      await this.expunge(c, { items: [{ id: payload.id, remoteFolderId: old.remoteFolderId, remoteId: old.remoteId }] });
    }
  }

  // ---- sending

  async send(entry: StoredOutboxEntry): Promise<void> {
    const smtp = this.settings.smtp;
    if (!smtp) throw new PimlicoError('Unsupported', 'This account has no SMTP server configured');
    const password = this.ctx.secret('smtp.password') ?? this.ctx.secret('imap.password');
    await sendRaw(smtp, requirePassword(password, 'SMTP'), entry.envelope, entry.raw);
    if (smtp.serverSavesSent) return;
    // The message is sent: a failure to file the copy must not make the outbox send it again.
    try {
      await this.appendToRole('sent', entry.raw, ['\\Seen']);
    } catch (err) {
      this.ctx.log.warn('sent, but the copy could not be filed in Sent', { outbox: entry.id, error: errorMessage(err) });
    }
  }

  /** APPENDs a message to the account's folder of a role; returns the new UID when the server says (UIDPLUS). */
  async appendToRole(role: 'sent' | 'drafts', raw: Buffer, flags: string[]): Promise<{ folderId: string; uid: number | null } | null> {
    const folder = this.ctx.store.mail.folderByRole(this.ctx.account.id, role);
    if (!folder) return null;
    return this.withConnection(async (c) => {
      const res = await c.append(folder.remoteId ?? folder.path, raw, flags);
      return { folderId: folder.id, uid: res && res.uid !== undefined ? res.uid : null };
    });
  }

  // ---- attachments

  async fetchAttachment(messageId: string, attachmentId: string): Promise<Uint8Array> {
    const att = this.ctx.store.mail.attachmentRef(messageId, attachmentId);
    const ref = this.ctx.store.mail.remoteRef(messageId);
    if (!att || !ref) throw new PimlicoError('NotFound', `Attachment '${attachmentId}' was not found`);
    if (!att.partId || !ref.remoteId || !ref.remoteFolderId) {
      throw new PimlicoError('NotFound', 'This attachment is not on the server');
    }
    const path = this.folderPath(ref.remoteFolderId);
    if (!path) throw new PimlicoError('NotFound', 'The folder of this message no longer exists');
    const bytes = await this.withConnection(async (c) => {
      const lock = await c.getMailboxLock(path);
      try {
        const dl = await c.download(ref.remoteId!, att.partId!, { uid: true });
        if (!dl.content) throw new PimlicoError('NotFound', 'The server no longer has this message');
        const chunks: Buffer[] = [];
        for await (const chunk of dl.content) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } finally {
        lock.release();
      }
    });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.ctx.store.mail.setAttachmentBlob(attachmentId, sha256, bytes);
    return bytes;
  }

  // ---- push

  /** IDLE on INBOX over a connection of its own; reconnects with exponential backoff. */
  watch(onChange: () => void): Disposable {
    let stopped = false;
    let current: ImapFlow | null = null;
    let timer: NodeJS.Timeout | null = null;
    let failures = 0;
    let debounce: NodeJS.Timeout | null = null;
    const changed = () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => !stopped && onChange(), 300);
    };
    const retry = () => {
      if (stopped) return;
      const delay = Math.min(60_000, 1_000 * 2 ** failures++);
      timer = setTimeout(() => void start(), delay);
      timer.unref();
    };
    const start = async () => {
      if (stopped) return;
      try {
        const password = requirePassword(this.ctx.secret('imap.password'), 'IMAP');
        const c = await createImapClient(this.settings.imap, password);
        current = c;
        c.on('error', (err: unknown) => this.ctx.log.warn('IDLE connection error', { error: errorMessage(err) }));
        c.on('exists', changed);
        c.on('expunge', changed);
        c.on('flags', changed);
        c.on('close', () => {
          if (current === c) current = null;
          if (!stopped) {
            changed();
            retry();
          }
        });
        await c.connect();
        await c.mailboxOpen('INBOX');
        failures = 0;
        changed(); // anything that arrived while disconnected
        while (!stopped && c.usable) await c.idle();
      } catch (err) {
        this.ctx.log.warn('IDLE failed; retrying', { error: errorMessage(err) });
        if (current) current.close();
        else retry();
      }
    };
    void start();
    return {
      dispose: () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (debounce) clearTimeout(debounce);
        current?.close();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    if (c?.usable) await c.logout().catch(() => c.close());
    else c?.close();
  }
}

export function createImapPart(ctx: ProviderContext): ImapMailPart {
  return new ImapMailPart(ctx);
}

/** An 'imap' account: IMAP/SMTP for mail plus, when configured, CalDAV/CardDAV. */
export function createImapProvider(ctx: ProviderContext): AccountProvider {
  const parts: ProviderPart[] = [createImapPart(ctx)];
  const dav = createDavPart(ctx);
  if (dav) parts.push(dav);
  return composeProvider(parts);
}
