import { createHash } from 'node:crypto';
import type { CallRequest, CallResponse } from '../../../shared/contract';
import { Draft, type DraftParsed, type EmailAddress, type FolderRole, type MessageDetail, type TaskInfo } from '../../../shared/types';
import type { CoreEvents } from '../events';
import { buildMessage, replyTo as replyHeaders, type OutgoingMessage, type ParsedMessageLike } from '../mime';
import type { NewAttachment, Store } from '../store';
import type { TaskQueue } from '../tasks/queue';
import { badRequest, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';
import { searchMessages } from '../search/search';

/** Mail operations shared by the UI contract and the REST API. Writes go through the task queue. */
export class MailService {
  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    private readonly events: CoreEvents,
    private readonly now: () => number,
  ) {}

  folders(accountId?: string) {
    return this.store.mail.listFolders(accountId).map(({ id, accountId: a, path, name, role, parentId, unreadCount, totalCount }) => ({
      id,
      accountId: a,
      path,
      name,
      role,
      parentId,
      unreadCount,
      totalCount,
    }));
  }

  list(req: CallRequest<'mail.list'> & { offset: number; limit: number }): CallResponse<'mail.list'> {
    if (req.folderId && !this.store.mail.getFolder(req.folderId)) throw notFound('Folder', req.folderId);
    return this.store.mail.list({ folderId: req.folderId, role: req.role, threads: req.threads ?? false, offset: req.offset, limit: req.limit });
  }

  get(id: string) {
    const m = this.store.mail.detail(id);
    if (!m) throw notFound('Message', id);
    return m;
  }

  thread(threadId: string) {
    return this.store.mail.thread(threadId);
  }

  search(query: string, limit: number) {
    return searchMessages(this.store, query, limit);
  }

  private refs(ids: string[]) {
    const refs = this.store.mail.remoteRefs(ids);
    const missing = ids.filter((id) => !refs.some((r) => r.id === id));
    if (missing.length) throw notFound('Message', missing[0]!);
    return refs;
  }

  /** Groups by account: every task belongs to one account's ordered queue. */
  private perAccount<T extends { accountId: string }>(items: T[]): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const i of items) out.set(i.accountId, [...(out.get(i.accountId) ?? []), i]);
    return out;
  }

  setFlags(ids: string[], flags: { read?: boolean; flagged?: boolean }): TaskInfo {
    if (flags.read === undefined && flags.flagged === undefined) throw badRequest('Nothing to change: give read and/or flagged');
    let last: TaskInfo | undefined;
    for (const [accountId, refs] of this.perAccount(this.refs(ids))) {
      last = this.tasks.enqueue(accountId, 'mail.setFlags', {
        items: refs.map((r) => ({ id: r.id, remoteFolderId: r.remoteFolderId, remoteId: r.remoteId, ...flags })),
      });
    }
    return last!;
  }

  move(ids: string[], folderId: string): TaskInfo {
    const target = this.store.mail.getFolder(folderId);
    if (!target) throw notFound('Folder', folderId);
    const refs = this.refs(ids);
    if (refs.some((r) => r.accountId !== target.accountId)) {
      throw new PimlicoError('Unsupported', 'Moving messages between accounts is not supported; copy them instead.');
    }
    return this.tasks.enqueue(target.accountId, 'mail.move', {
      toFolderId: folderId,
      items: refs.filter((r) => r.folderId !== folderId).map((r) => ({ id: r.id, remoteFolderId: r.remoteFolderId, remoteId: r.remoteId, fromFolderId: r.folderId })),
    });
  }

  /** Moves to each account's folder of the given role (archive, trash, junk). */
  moveToRole(ids: string[], role: FolderRole): TaskInfo {
    let last: TaskInfo | undefined;
    for (const [accountId, refs] of this.perAccount(this.refs(ids))) {
      const folder = this.store.mail.folderByRole(accountId, role);
      if (!folder) throw new PimlicoError('Unsupported', `This account has no ${role} folder`);
      last = this.move(refs.map((r) => r.id), folder.id);
    }
    return last!;
  }

  /** Delete moves to Trash; what is already in Trash is deleted for good. */
  delete(ids: string[]): TaskInfo {
    const refs = this.refs(ids);
    const inTrash = refs.filter((r) => this.store.mail.getFolder(r.folderId)?.role === 'trash');
    const elsewhere = refs.filter((r) => !inTrash.includes(r));
    let last: TaskInfo | undefined;
    for (const [accountId, group] of this.perAccount(inTrash)) {
      last = this.tasks.enqueue(accountId, 'mail.expunge', {
        items: group.map((r) => ({ id: r.id, remoteFolderId: r.remoteFolderId, remoteId: r.remoteId })),
      });
    }
    if (elsewhere.length) last = this.moveToRole(elsewhere.map((r) => r.id), 'trash');
    return last!;
  }

  /** Saves (or replaces) a draft in the account's Drafts folder. */
  saveDraft(input: Draft): { id: string } {
    const draft = Draft.parse(input);
    const account = this.store.accounts.get(draft.accountId);
    if (!account) throw notFound('Account', draft.accountId);
    const drafts = this.store.mail.folderByRole(account.id, 'drafts');
    if (!drafts) throw new PimlicoError('Unsupported', 'This account has no Drafts folder');
    const from = { name: account.displayName, address: account.email };
    // The server copy of the version this one supersedes, read before its row goes.
    const previous = draft.id ? this.store.mail.remoteRef(draft.id) : undefined;
    const attachments: NewAttachment[] = draft.attachments.map((a) => {
      const content = decodeBase64Strict(a.contentBase64, a.filename);
      return {
        filename: a.filename,
        contentType: a.contentType,
        size: content.byteLength,
        contentId: null,
        inline: false,
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
      };
    });
    const id = this.store.transaction(() => {
      if (previous) this.store.mail.remove([previous.id]);
      return this.store.mail.insertMessage(
        {
          accountId: account.id,
          folderId: drafts.id,
          remoteId: null,
          messageIdHeader: null,
          inReplyTo: null,
          references: [],
          subject: draft.subject,
          from,
          to: draft.to,
          cc: draft.cc,
          bcc: draft.bcc,
          replyTo: [],
          date: this.now(),
          snippet: draft.bodyText.slice(0, 200),
          bodyText: draft.bodyText,
          bodyHtml: draft.bodyHtml,
          headers: draft.inReplyToMessageId ? { 'x-pimlico-in-reply-to': draft.inReplyToMessageId } : {},
          isRead: true,
          isFlagged: false,
          isDraft: true,
          importance: draft.importance,
          size: draft.bodyText.length + attachments.reduce((n, a) => n + a.size, 0),
          attachments,
        },
        this.now(),
      );
    });
    // Files it in the server's Drafts (a no-op for the Local account), replacing the superseded copy.
    this.tasks.enqueue(account.id, 'mail.saveDraft', {
      id,
      replaces: previous?.remoteId ? { remoteFolderId: previous.remoteFolderId, remoteId: previous.remoteId } : null,
    });
    this.events.emit('store.changed', { entities: ['mail', 'folders'], accountId: account.id });
    return { id };
  }

  /**
   * Composes the MIME message and queues it. The outbox survives restarts; the worker sends it.
   * extraHeaders is core-only (approval mail's X-Pimlico-Options): the renderer's Draft cannot carry
   * headers, so nothing outside the core can forge or inject them.
   */
  async send(input: Draft, extraHeaders?: Record<string, string>): Promise<{ outboxId: string }> {
    const draft: DraftParsed = Draft.parse(input);
    const account = this.store.accounts.get(draft.accountId);
    if (!account) throw notFound('Account', draft.accountId);
    if (draft.to.length + draft.cc.length + draft.bcc.length === 0) throw badRequest('A message needs at least one recipient');
    const from: EmailAddress = { name: account.displayName, address: account.email || 'me@localhost' };
    const outgoing: OutgoingMessage = {
      from,
      to: draft.to,
      cc: draft.cc,
      bcc: draft.bcc,
      subject: draft.subject,
      text: draft.bodyText,
      html: draft.bodyHtml ?? undefined,
      importance: draft.importance,
      attachments: draft.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: decodeBase64Strict(a.contentBase64, a.filename),
      })),
    };
    if (extraHeaders) outgoing.headers = { ...outgoing.headers, ...checkedExtraHeaders(extraHeaders) };
    if (draft.inReplyToMessageId) {
      const original = this.store.mail.detail(draft.inReplyToMessageId);
      if (!original) throw notFound('Message', draft.inReplyToMessageId);
      const headers = replyHeaders(
        replyBasis(original),
        { replyAll: false, self: [account.email] },
      );
      outgoing.inReplyTo = headers.inReplyTo;
      outgoing.references = headers.references;
    }
    const built = await buildMessage(outgoing);
    const id = newId('out');
    this.store.transaction(() => {
      this.store.outbox.insert({
        id,
        accountId: account.id,
        raw: built.raw,
        envelope: built.envelope,
        messageIdHeader: built.messageId,
        subject: draft.subject,
        to: [...draft.to, ...draft.cc, ...draft.bcc],
        draftId: draft.id ?? null,
        sendAt: draft.sendAt,
        now: this.now(),
      });
      if (draft.inReplyToMessageId) this.store.mail.setFlags([draft.inReplyToMessageId], { answered: true });
    });
    // The draft became the outgoing message: remove it here and from the server's Drafts.
    const draftRef = draft.id ? this.store.mail.remoteRef(draft.id) : undefined;
    if (draftRef) {
      this.tasks.enqueue(account.id, 'mail.expunge', {
        items: [{ id: draftRef.id, remoteFolderId: draftRef.remoteFolderId, remoteId: draftRef.remoteId }],
      });
    }
    this.events.emit('store.changed', { entities: ['outbox', 'mail'], accountId: account.id });
    return { outboxId: id };
  }

  async attachment(messageId: string, attachmentId: string, fetchRemote?: () => Promise<Uint8Array>) {
    const ref = this.store.mail.attachmentRef(messageId, attachmentId);
    if (!ref) throw notFound('Attachment', attachmentId);
    let bytes: Uint8Array | undefined = ref.sha256 ? this.store.mail.getBlob(ref.sha256) : undefined;
    if (!bytes && fetchRemote) bytes = await fetchRemote();
    if (!bytes) throw new PimlicoError('Offline', 'The attachment is not cached and the server cannot be reached');
    return { filename: ref.meta.filename, contentType: ref.meta.contentType, contentBase64: Buffer.from(bytes).toString('base64') };
  }
}

/** Rejects anything that is not canonical base64 instead of silently sending garbage. */
export function decodeBase64Strict(value: string, what: string): Buffer {
  const clean = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw badRequest(`Attachment '${what}' is not valid base64`);
  }
  return Buffer.from(clean, 'base64');
}

/** Only X- headers with printable one-line values: these never override what the message builder sets. */
function checkedExtraHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(headers)) {
    if (!/^X-[A-Za-z0-9-]{1,70}$/.test(key)) throw badRequest(`'${key.slice(0, 80)}' is not an extension (X-) header name`);
    if (/[\r\n]/.test(value) || value.length > 4000) throw badRequest(`Header '${key}' must be one line of at most 4000 characters`);
  }
  return headers;
}

/** A stored message as the reply/forward rules of the mime module read it. */
export function replyBasis(m: MessageDetail): ParsedMessageLike {
  return {
    messageId: m.messageIdHeader,
    references: m.references,
    inReplyTo: m.inReplyTo,
    subject: m.subject,
    from: m.from,
    replyTo: m.replyTo,
    to: m.to,
    cc: m.cc,
    date: m.date,
    text: m.bodyText,
    html: m.bodyHtml,
  };
}
