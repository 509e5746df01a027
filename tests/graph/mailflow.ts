/**
 * Mail semantics: building messages from request bodies, replies/forwards, sending,
 * delivery to other emulated users, and deferred send (PidTagDeferredSendTime).
 */
import { randomBytes } from 'node:crypto';
import { renderMessage, escapeHtml, DEFAULT_VIEW } from './render';
import { badRequest, GraphError } from './response';
import type { MessageIn } from './schemas';
import { normBody, normRecipient, normRecipients } from './schemas';
import {
  newChangeKey,
  newId,
  nextSeq,
  touch,
  type AttachmentRec,
  type Mailbox,
  type MessageContent,
  type MessageRec,
  type Store,
} from './store';
import type { GraphMessage, ItemBody, Recipient } from './types';
import type { z } from 'zod';
import type { fileAttachmentIn } from './schemas';

/** Graph's limit for attachments added in a single request; larger ones need an upload session. */
export const MAX_INLINE_ATTACHMENT = 3 * 1024 * 1024;
/** MAPI PidTagDeferredSendTime, as Graph exposes it through singleValueExtendedProperties. */
export const DEFERRED_SEND_PROP = 'SystemTime 0x3FEF';

export interface SentMailRecord {
  /** UPN of the sending user. */
  from: string;
  via: 'sendMail' | 'send' | 'reply' | 'replyAll' | 'forward' | 'eventResponse' | 'eventCancel';
  /** The message as sent (REST id of the Sent Items copy when one was saved). */
  message: GraphMessage;
  /** Every to/cc/bcc address, lowercased. */
  recipients: string[];
  /** UPNs of emulated users the message was delivered to (their Inbox). */
  deliveredTo: string[];
  savedToSentItems: boolean;
  sentAt: string;
}

export function blankContent(mb: Mailbox, now: number): MessageContent {
  const domain = mb.user.mail.split('@')[1] ?? 'emulator.test';
  return {
    subject: '',
    body: { contentType: 'text', content: '' },
    from: null,
    sender: null,
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    replyTo: [],
    isRead: true,
    isDraft: true,
    importance: 'normal',
    flag: { flagStatus: 'notFlagged' },
    categories: [],
    inferenceClassification: 'focused',
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    internetMessageHeaders: [],
    singleValueExtendedProperties: [],
    internetMessageId: `<${randomBytes(12).toString('hex')}@${domain}>`,
    conversationId: newId('message'),
    conversationIndex: randomBytes(22).toString('base64'),
    createdMs: now,
    lastModifiedMs: now,
    receivedMs: now,
    sentMs: now,
    attachments: [],
  };
}

export function userRecipient(mb: Mailbox): Recipient {
  return { emailAddress: { name: mb.user.displayName, address: mb.user.mail } };
}

type FileAttachmentIn = z.output<typeof fileAttachmentIn>;

export function attachmentFromInput(a: FileAttachmentIn): AttachmentRec {
  if (a['@odata.type'].toLowerCase() !== '#microsoft.graph.fileattachment') {
    throw badRequest(
      `The emulator supports only '#microsoft.graph.fileAttachment' (got '${a['@odata.type']}').`,
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.contentBytes.replace(/\s/g, ''))) {
    throw badRequest("Invalid value for property 'contentBytes': not valid base64.");
  }
  const bytes = Buffer.from(a.contentBytes, 'base64');
  if (bytes.length > MAX_INLINE_ATTACHMENT) {
    throw new GraphError(
      413,
      'RequestEntityTooLarge',
      'The attachment is larger than 3 MB; use attachments/createUploadSession.',
    );
  }
  return {
    id: newId('attachment'),
    name: a.name,
    contentType: a.contentType ?? 'application/octet-stream',
    isInline: a.isInline ?? false,
    contentId: a.contentId ?? null,
    lastModifiedMs: Date.now(),
    bytes,
  };
}

/** Properties Graph lets you change only while isDraft is true. */
const DRAFT_ONLY: ReadonlyArray<keyof MessageIn> = [
  'subject',
  'body',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'from',
  'sender',
  'internetMessageId',
  'internetMessageHeaders',
  'attachments',
];

/** Applies a create/PATCH body to message content. */
export function applyMessageInput(m: MessageContent, input: MessageIn): void {
  if (!m.isDraft) {
    const bad = DRAFT_ONLY.find((k) => input[k] !== undefined);
    if (bad) {
      throw badRequest(
        `Update operation is not allowed for property '${bad}' of a message that is not a draft.`,
        'ErrorInvalidPropertyUpdateSentMessage',
      );
    }
  }
  if (input.subject !== undefined) m.subject = input.subject ?? '';
  if (input.body !== undefined) m.body = normBody(input.body);
  if (input.toRecipients) m.toRecipients = normRecipients(input.toRecipients);
  if (input.ccRecipients) m.ccRecipients = normRecipients(input.ccRecipients);
  if (input.bccRecipients) m.bccRecipients = normRecipients(input.bccRecipients);
  if (input.replyTo) m.replyTo = normRecipients(input.replyTo);
  if (input.from !== undefined) m.from = input.from ? normRecipient(input.from) : null;
  if (input.sender !== undefined) m.sender = input.sender ? normRecipient(input.sender) : null;
  if (input.importance) m.importance = input.importance;
  if (input.isRead !== undefined) m.isRead = input.isRead;
  if (input.isReadReceiptRequested !== undefined) m.isReadReceiptRequested = input.isReadReceiptRequested;
  if (input.isDeliveryReceiptRequested !== undefined)
    m.isDeliveryReceiptRequested = input.isDeliveryReceiptRequested;
  if (input.categories) m.categories = [...input.categories];
  if (input.flag) {
    const { flagStatus, startDateTime, dueDateTime, completedDateTime } = input.flag;
    m.flag = { flagStatus };
    if (startDateTime)
      m.flag.startDateTime = { dateTime: startDateTime.dateTime, timeZone: startDateTime.timeZone ?? 'UTC' };
    if (dueDateTime)
      m.flag.dueDateTime = { dateTime: dueDateTime.dateTime, timeZone: dueDateTime.timeZone ?? 'UTC' };
    if (completedDateTime) {
      m.flag.completedDateTime = {
        dateTime: completedDateTime.dateTime,
        timeZone: completedDateTime.timeZone ?? 'UTC',
      };
    }
  }
  if (input.inferenceClassification) m.inferenceClassification = input.inferenceClassification;
  if (input.internetMessageId) m.internetMessageId = input.internetMessageId;
  if (input.internetMessageHeaders) {
    // Graph only accepts custom (x-) headers here.
    const bad = input.internetMessageHeaders.find((h) => !/^x-/i.test(h.name));
    if (bad) {
      throw badRequest(
        `The internet message header name '${bad.name}' should start with 'x-' or 'X-'.`,
        'InvalidInternetMessageHeader',
      );
    }
    m.internetMessageHeaders = input.internetMessageHeaders.map((h) => ({ ...h }));
  }
  if (input.singleValueExtendedProperties) {
    // PATCHing extended properties adds or replaces by id (ids compare case-insensitively).
    for (const p of input.singleValueExtendedProperties) {
      const i = m.singleValueExtendedProperties.findIndex((x) => x.id.toLowerCase() === p.id.toLowerCase());
      if (i >= 0) m.singleValueExtendedProperties[i] = { ...p };
      else m.singleValueExtendedProperties.push({ ...p });
    }
  }
  if (input.attachments) m.attachments.push(...input.attachments.map(attachmentFromInput));
}

export function deferredSendTime(m: MessageContent): number | null {
  const p = m.singleValueExtendedProperties.find(
    (x) => x.id.replace(/\s+/g, ' ').toLowerCase() === DEFERRED_SEND_PROP.toLowerCase(),
  );
  if (!p) return null;
  const t = Date.parse(p.value);
  return Number.isNaN(t) ? null : t;
}

const sameAddress = (a: Recipient, b: string): boolean =>
  a.emailAddress.address.toLowerCase() === b.toLowerCase();

function dedupe(rs: Recipient[], exclude: string): Recipient[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const a = r.emailAddress.address.toLowerCase();
    if (a === exclude.toLowerCase() || seen.has(a)) return false;
    seen.add(a);
    return true;
  });
}

function quoteHeader(o: MessageRec): string {
  const list = (rs: Recipient[]): string =>
    rs
      .map((r) => `${escapeHtml(r.emailAddress.name)} &lt;${escapeHtml(r.emailAddress.address)}&gt;`)
      .join('; ');
  return (
    '<hr style="display:inline-block;width:98%" tabindex="-1">' +
    `<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> ${o.from ? list([o.from]) : ''}<br>` +
    `<b>Sent:</b> ${new Date(o.sentMs).toUTCString()}<br><b>To:</b> ${list(o.toRecipients)}<br>` +
    (o.ccRecipients.length ? `<b>Cc:</b> ${list(o.ccRecipients)}<br>` : '') +
    `<b>Subject:</b> ${escapeHtml(o.subject)}</div><br>`
  );
}

function quotedBody(intro: ItemBody | string, o: MessageRec): ItemBody {
  const introHtml =
    typeof intro === 'string'
      ? escapeHtml(intro).replace(/\n/g, '<br>')
      : intro.contentType === 'html'
        ? intro.content
        : escapeHtml(intro.content).replace(/\n/g, '<br>');
  const original =
    o.body.contentType === 'html' ? o.body.content : escapeHtml(o.body.content).replace(/\n/g, '<br>');
  return {
    contentType: 'html',
    content: `<html><body><div>${introHtml}</div>${quoteHeader(o)}${original}</body></html>`,
  };
}

export type ResponseKind = 'reply' | 'replyAll' | 'forward';
export interface ResponseInput {
  comment?: string | undefined;
  message?: MessageIn | undefined;
  toRecipients?: Recipient[] | undefined;
}

/** Builds the draft content of a reply/replyAll/forward to `o`, like create{Reply,ReplyAll,Forward}. */
export function composeResponse(
  mb: Mailbox,
  o: MessageRec,
  kind: ResponseKind,
  input: ResponseInput,
): MessageContent {
  if (input.comment !== undefined && input.message?.body !== undefined) {
    throw badRequest("Both 'comment' and the 'body' property of 'message' were specified; specify only one.");
  }
  const m = blankContent(mb, Date.now());
  const self = mb.user.mail;
  m.conversationId = o.conversationId;
  m.conversationIndex = o.conversationIndex + randomBytes(5).toString('base64');
  const prefix = kind === 'forward' ? 'FW: ' : 'RE: ';
  m.subject = new RegExp(`^${prefix.trim()}`, 'i').test(o.subject) ? o.subject : `${prefix}${o.subject}`;
  if (kind === 'reply' || kind === 'replyAll') {
    m.inReplyTo = o.internetMessageId;
    const back = o.replyTo.length > 0 ? o.replyTo : o.from ? [o.from] : [];
    m.toRecipients = dedupe(kind === 'replyAll' ? [...back, ...o.toRecipients] : back, self);
    if (kind === 'replyAll')
      m.ccRecipients = dedupe(
        o.ccRecipients.filter((r) => !m.toRecipients.some((t) => sameAddress(t, r.emailAddress.address))),
        self,
      );
    if (m.toRecipients.length === 0 && o.from) m.toRecipients = [o.from];
  } else {
    m.attachments = o.attachments.map((a) => ({ ...a, id: newId('attachment') }));
  }
  const msg: MessageIn = input.message ?? {};
  const { body, ...rest } = msg;
  applyMessageInput(m, rest);
  if (input.toRecipients) m.toRecipients = input.toRecipients;
  m.body = quotedBody(body ? normBody(body) : (input.comment ?? ''), o);
  return m;
}

// ---------------------------------------------------------------------------

export class MailFlow {
  readonly sent: SentMailRecord[] = [];
  private readonly store: Store;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(store: Store) {
    this.store = store;
  }

  /** POST /messages/{id}/send (and the reply/forward actions, which send a composed draft). */
  sendDraft(mb: Mailbox, m: MessageRec, via: SentMailRecord['via']): void {
    if (!m.isDraft) {
      throw badRequest('Only draft messages can be sent.', 'ErrorInvalidOperation');
    }
    this.requireRecipients(m);
    const deferred = deferredSendTime(m);
    if (deferred !== null && deferred > Date.now()) {
      // Deferred delivery: Exchange holds the message in the Outbox until the time comes.
      m.isDraft = false;
      m.deferredUntil = deferred;
      mb.moveMessage(m, mb.wellKnown('outbox').id);
      this.schedule(deferred);
      return;
    }
    this.complete(mb, m, via, true);
  }

  /** POST /sendMail: the message exists only in Sent Items (if saved) and the recipients' mailboxes. */
  sendNew(mb: Mailbox, content: MessageContent, save: boolean, via: SentMailRecord['via']): void {
    const sentItems = mb.wellKnown('sentitems').id;
    this.requireRecipients(content);
    if (save || (deferredSendTime(content) ?? 0) > Date.now()) {
      this.sendDraft(mb, mb.addMessage(content, sentItems), via);
      return;
    }
    const transient: MessageRec = {
      ...content,
      key: newId('message', true),
      restId: newId('message'),
      seq: nextSeq(),
      folderId: sentItems,
      changeKey: newChangeKey(),
      deferredUntil: null,
    };
    this.complete(mb, transient, via, false);
  }

  /** Sends every deferred message whose time has come; returns how many were sent. */
  runDue(now = Date.now()): number {
    let n = 0;
    for (const mb of this.store.mailboxes.values()) {
      for (const m of [...mb.messages.values()]) {
        if (m.deferredUntil !== null && m.deferredUntil <= now) {
          m.deferredUntil = null;
          this.complete(mb, m, 'send', true);
          n++;
        }
      }
    }
    return n;
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(at: number): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.runDue();
      },
      Math.max(0, at - Date.now()) + 5,
    );
    t.unref();
    this.timers.add(t);
  }

  private requireRecipients(m: MessageContent): void {
    const all = [...m.toRecipients, ...m.ccRecipients, ...m.bccRecipients];
    if (all.length === 0) {
      throw badRequest(
        "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        'ErrorInvalidRecipients',
      );
    }
    const bad = all.find((r) => !/^[^@\s]+@[^@\s]+$/.test(r.emailAddress.address));
    if (bad) {
      throw badRequest(
        `At least one recipient isn't valid., Recipient '${bad.emailAddress.address}' is not resolved. All recipients must be resolved before a message can be submitted.`,
        'ErrorInvalidRecipients',
      );
    }
  }

  private complete(mb: Mailbox, m: MessageRec, via: SentMailRecord['via'], saved: boolean): void {
    const now = Date.now();
    m.isDraft = false;
    m.isRead = true;
    m.sentMs = now;
    m.receivedMs = now;
    m.from ??= userRecipient(mb);
    m.sender ??= m.from;
    if (saved) mb.moveMessage(m, mb.wellKnown('sentitems').id);
    touch(m);
    const deliveredTo = this.deliver(m);
    this.sent.push({
      from: mb.user.upn,
      via,
      message: renderMessage(m, DEFAULT_VIEW),
      recipients: [...m.toRecipients, ...m.ccRecipients, ...m.bccRecipients].map((r) =>
        r.emailAddress.address.toLowerCase(),
      ),
      deliveredTo,
      savedToSentItems: saved,
      sentAt: new Date(now).toISOString(),
    });
  }

  /** Copies the message into the Inbox of every emulated recipient (Bcc stripped). */
  private deliver(m: MessageRec): string[] {
    const targets = new Map<string, Mailbox>();
    for (const r of [...m.toRecipients, ...m.ccRecipients, ...m.bccRecipients]) {
      const mb = this.store.byAddress(r.emailAddress.address);
      if (mb) targets.set(mb.user.id, mb);
    }
    const now = Date.now();
    // A received message carries its transport headers (Graph: internetMessageHeaders, $select only).
    const transport = [{ name: 'Message-ID', value: m.internetMessageId }];
    if (m.inReplyTo) transport.push({ name: 'In-Reply-To', value: m.inReplyTo }, { name: 'References', value: m.inReplyTo });
    for (const target of targets.values()) {
      target.addMessage(
        {
          ...m,
          internetMessageHeaders: [...transport, ...m.internetMessageHeaders.map((h) => ({ ...h }))],
          toRecipients: m.toRecipients.map((r) => structuredClone(r)),
          ccRecipients: m.ccRecipients.map((r) => structuredClone(r)),
          bccRecipients: [],
          replyTo: [...m.replyTo],
          categories: [],
          flag: { flagStatus: 'notFlagged' },
          isRead: false,
          isDraft: false,
          receivedMs: now,
          createdMs: now,
          lastModifiedMs: now,
          singleValueExtendedProperties: [],
          attachments: m.attachments.map((a) => ({ ...a, id: newId('attachment') })),
        },
        target.wellKnown('inbox').id,
      );
    }
    return [...targets.values()].map((t) => t.user.upn);
  }
}
