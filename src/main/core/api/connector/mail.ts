import type { Draft } from '../../../../shared/types';
import { htmlToText, replyTo } from '../../mime';
import { HttpError } from '../http';
import { replyBasis } from '../../mail/service';
import { ERROR_RESPONSES, messageOf, receiveAttachment, receiveMessage, resolveFolder } from './common';
import { addressList, readBodyAs, SendMessage } from './objects';
import { ACCOUNT_PARAM, type OperationContext, type OperationSpec } from './operation';

const MAX_TOP = 1000;

/** skipToken is an opaque continuation: the offset of the next page. */
export function skipTokenFor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function offsetFrom(token: string): number {
  const m = /^o:(\d{1,12})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new HttpError(400, 'BadRequest', `Parameter 'skipToken' is not a token this server issued`);
  return Number(m[1]);
}

/** FTS5 query that matches every word as typed (quoted, so no operator syntax reaches FTS). */
function ftsQuery(text: string): string | null {
  const words = text.trim().split(/\s+/).filter(Boolean).slice(0, 20);
  return words.length ? words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ') : null;
}

async function getEmails(ctx: OperationContext) {
  const { core } = ctx;
  const folder = resolveFolder(core, ctx.account, ctx.str('folderPath')!);
  const top = ctx.int('top');
  const token = ctx.str('skipToken');
  const offset = token !== undefined ? offsetFrom(token) : ctx.int('skip');
  const match = ftsQuery(ctx.str('searchQuery') ?? '');
  const rows = core.store.db
    .prepare(
      `SELECT m.id FROM messages m WHERE m.folder_id = ? AND (? = 0 OR m.is_read = 0)
         AND (? IS NULL OR m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))
       ORDER BY m.date DESC, m.id LIMIT ? OFFSET ?`,
    )
    .all(folder.id, ctx.bool('fetchOnlyUnread') ? 1 : 0, match, match, top, offset) as { id: string }[];
  const out = [];
  for (const r of rows) {
    const m = core.store.mail.detail(r.id);
    if (m) out.push(await receiveMessage(core, m, ctx.bool('includeAttachments')));
  }
  const headers: Record<string, string> = rows.length === top && top > 0 ? { 'X-Pimlico-Next-Skip-Token': skipTokenFor(offset + top) } : {};
  return { status: 200, body: out, headers };
}

/** A Draft for the account from a SendMessage body; every field is checked before anything is queued. */
export function draftFromSendMessage(ctx: OperationContext, msg: SendMessage): Draft {
  const account = ctx.account;
  if (msg.From && msg.From.trim() && addressList(msg.From, 'From')[0]!.address.toLowerCase() !== account.email.toLowerCase()) {
    throw new HttpError(400, 'BadRequest', `'From' must be this account's address (${account.email || 'none'}); sending as another address is not supported`);
  }
  const to = addressList(msg.To, 'To');
  if (to.length === 0) throw new HttpError(400, 'BadRequest', "'To' needs at least one address");
  return {
    accountId: account.id,
    to,
    cc: addressList(msg.Cc, 'Cc'),
    bcc: addressList(msg.Bcc, 'Bcc'),
    subject: msg.Subject,
    bodyText: msg.IsHtml ? htmlToText(msg.Body) : msg.Body,
    bodyHtml: msg.IsHtml ? msg.Body : null,
    importance: msg.Importance ?? 'normal',
    attachments: (msg.Attachments ?? []).map((a) => ({
      filename: a.Name,
      contentType: a.ContentType ?? 'application/octet-stream',
      contentBase64: a.ContentBytes,
    })),
  };
}

export async function sendDraft(ctx: OperationContext, draft: Draft): Promise<{ outboxId: string }> {
  const out = (await ctx.core.handle('mail.send', draft)) as { outboxId: string };
  return out;
}

async function sendEmail(ctx: OperationContext) {
  const msg = readBodyAs(SendMessage, ctx.req.body, 'SendMessage');
  await sendDraft(ctx, draftFromSendMessage(ctx, msg));
  return { status: 200 };
}

function deleteEmail(ctx: OperationContext) {
  const m = messageOf(ctx.core, ctx.account, ctx.requiredStr('messageId'));
  ctx.core.mail.delete([m.id]);
  return { status: 200 };
}

function markAsRead(ctx: OperationContext) {
  const m = messageOf(ctx.core, ctx.account, ctx.requiredStr('messageId'));
  ctx.core.mail.setFlags([m.id], { read: true });
  return { status: 200 };
}

async function replyToEmail(ctx: OperationContext) {
  const account = ctx.account;
  const original = messageOf(ctx.core, account, ctx.requiredStr('messageId'));
  const comment = ctx.requiredStr('comment');
  const reply = replyTo(
    replyBasis(original),
    { replyAll: ctx.bool('replyAll'), self: account.email ? [account.email] : [], comment },
  );
  if (reply.to.length + reply.cc.length === 0) throw new HttpError(400, 'BadRequest', 'This message has nobody to reply to');
  await sendDraft(ctx, {
    accountId: account.id,
    to: reply.to,
    cc: reply.cc,
    subject: reply.subject,
    bodyText: reply.text,
    bodyHtml: reply.html ?? null,
    inReplyToMessageId: original.id,
  });
  return { status: 200 };
}

async function getAttachment(ctx: OperationContext) {
  const m = messageOf(ctx.core, ctx.account, ctx.requiredStr('messageId'));
  const attachmentId = ctx.requiredStr('attachmentId');
  if (!m.attachments.some((a) => a.id === attachmentId)) throw new HttpError(404, 'NotFound', `Attachment '${attachmentId.slice(0, 200)}' was not found`);
  return { status: 200, body: await receiveAttachment(ctx.core, m.id, attachmentId) };
}

const messageIdParam = (description: string) => ({ name: 'messageId', in: 'path' as const, type: 'string' as const, required: true, description });

export const mailOperations: OperationSpec[] = [
  {
    operationId: 'GetEmails',
    method: 'GET',
    path: '/Mail',
    summary: 'Get emails',
    description: 'Retrieves emails from a folder, newest first. X-Pimlico-Next-Skip-Token carries the next page.',
    tags: ['Mail'],
    params: [
      { name: 'folderPath', in: 'query', type: 'string', required: false, default: 'Inbox', description: "Path of the folder to retrieve emails (default: 'Inbox')" },
      { name: 'top', in: 'query', type: 'integer', required: false, default: 10, minimum: 0, maximum: MAX_TOP, description: 'Number of emails to retrieve (default: 10)' },
      { name: 'fetchOnlyUnread', in: 'query', type: 'boolean', required: false, default: true, description: 'Retrieve only unread emails?' },
      { name: 'includeAttachments', in: 'query', type: 'boolean', required: false, default: false, description: 'If set to true, attachments will also be retrieved along with the email' },
      { name: 'searchQuery', in: 'query', type: 'string', required: false, description: 'Search query to filter emails' },
      { name: 'skip', in: 'query', type: 'integer', required: false, default: 0, minimum: 0, description: 'Number of emails to skip (default: 0)' },
      { name: 'skipToken', in: 'query', type: 'string', required: false, description: 'Skip token to fetch new page' },
      ACCOUNT_PARAM,
    ],
    responses: { '200': { description: 'Operation was successful', schema: 'ReceiveMessageArray' }, ...ERROR_RESPONSES },
    handler: getEmails,
  },
  {
    operationId: 'SendEmail',
    method: 'POST',
    path: '/Mail',
    summary: 'Send email',
    description: 'Queues an email in the outbox; it is sent when the account can reach its server.',
    tags: ['Mail'],
    params: [ACCOUNT_PARAM],
    body: { name: 'emailMessage', schema: 'SendMessage', description: 'Email' },
    responses: { '200': { description: 'Operation was successful' }, ...ERROR_RESPONSES },
    handler: sendEmail,
  },
  {
    operationId: 'DeleteEmail',
    method: 'DELETE',
    path: '/Mail/{messageId}',
    summary: 'Delete email',
    description: 'Moves the email to Trash; an email already in Trash is deleted for good.',
    tags: ['Mail'],
    params: [messageIdParam('Id of the email to delete'), ACCOUNT_PARAM],
    responses: { '200': { description: 'Operation was successful' }, ...ERROR_RESPONSES },
    handler: deleteEmail,
  },
  {
    operationId: 'MarkAsRead',
    method: 'POST',
    path: '/Mail/MarkAsRead/{messageId}',
    summary: 'Mark as read',
    tags: ['Mail'],
    params: [messageIdParam('Id of the email to be marked as read'), ACCOUNT_PARAM],
    responses: { '200': { description: 'Operation was successful' }, ...ERROR_RESPONSES },
    handler: markAsRead,
  },
  {
    operationId: 'ReplyTo',
    method: 'POST',
    path: '/Mail/ReplyTo/{messageId}',
    summary: 'Reply to email',
    tags: ['Mail'],
    params: [
      messageIdParam('Id of the email to reply to'),
      { name: 'comment', in: 'query', type: 'string', required: true, description: 'Reply comment' },
      { name: 'replyAll', in: 'query', type: 'boolean', required: false, default: false, description: 'Reply to all recipients' },
      ACCOUNT_PARAM,
    ],
    responses: { '200': { description: 'Operation was successful' }, ...ERROR_RESPONSES },
    handler: replyToEmail,
  },
  {
    operationId: 'GetAttachment',
    method: 'GET',
    path: '/Mail/{messageId}/Attachments/{attachmentId}',
    summary: 'Get attachment',
    tags: ['Mail'],
    params: [
      messageIdParam('Id of the email'),
      { name: 'attachmentId', in: 'path', type: 'string', required: true, description: 'Id of the attachment to download' },
      ACCOUNT_PARAM,
    ],
    responses: { '200': { description: 'Operation was successful', schema: 'ReceiveAttachment' }, ...ERROR_RESPONSES },
    handler: getAttachment,
  },
];
