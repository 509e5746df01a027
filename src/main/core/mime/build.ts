import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import MailComposer, {
  type MailComposerAttachment,
  type MailComposerOptions,
} from 'nodemailer/lib/mail-composer';
import { type MimeNodeHeaderValue } from 'nodemailer/lib/mime-node';
import { normalizeMessageId, trimReferences } from './message-id';
import type { Address, OutgoingMessage } from './types';

/** Headers MailComposer owns; letting a caller set them would corrupt the MIME structure or leak Bcc. */
const RESERVED_HEADERS =
  /^(?:content-.*|mime-version|bcc|from|sender|to|cc|reply-to|subject|date|message-id|in-reply-to|references)$/i;

export interface BuiltMessage {
  /** The full message with CRLF line ends, ready for SMTP DATA or IMAP APPEND. */
  raw: Buffer;
  /** With angle brackets. */
  messageId: string;
  /** SMTP envelope: every To, Cc and Bcc recipient (Bcc appears here and nowhere in `raw`). */
  envelope: { from: string; to: string[] };
}

export async function buildMessage(msg: OutgoingMessage): Promise<BuiltMessage> {
  const messageId =
    (msg.messageId && normalizeMessageId(msg.messageId)) || generateMessageId(msg.from.address);

  const headers: Record<string, MimeNodeHeaderValue> = {};
  for (const [key, value] of Object.entries(msg.headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(key)) throw new TypeError(`invalid header name "${key}"`);
    if (RESERVED_HEADERS.test(key)) throw new TypeError(`header "${key}" is set by buildMessage itself`);
    // A line break in a value would start a new header (injection); flatten it.
    const flat = value.replace(/\r\n|\r|\n/g, ' ');
    // Printable ASCII goes out verbatim: MailComposer would otherwise RFC 2047-encode any value
    // holding a double quote, which turns JSON options into an encoded word.
    headers[key] = /^[\x20-\x7e\t]*$/.test(flat) ? { prepared: true, foldLines: true, value: flat } : flat;
  }
  Object.assign(headers, importanceHeaders(msg.importance ?? 'normal'));

  const attachments: MailComposerAttachment[] = (msg.attachments ?? []).map((a) => ({
    filename: a.filename,
    content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    ...(a.contentType ? { contentType: a.contentType } : {}),
    ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, '') } : {}),
    contentDisposition: a.inline ? 'inline' : 'attachment',
    // base64 is byte-exact for every content type, so what arrives hashes the same as what was attached.
    contentTransferEncoding: 'base64',
  }));

  const references = trimReferences((msg.references ?? []).flatMap((r) => normalizeMessageId(r) ?? []));
  const inReplyTo = msg.inReplyTo ? normalizeMessageId(msg.inReplyTo) : null;

  const options: MailComposerOptions = {
    from: mailbox(msg.from),
    to: msg.to.map(mailbox),
    cc: (msg.cc ?? []).map(mailbox),
    bcc: (msg.bcc ?? []).map(mailbox),
    replyTo: (msg.replyTo ?? []).map(mailbox),
    subject: msg.subject,
    messageId,
    date: msg.date ?? new Date(),
    headers,
    attachments,
    // CRLF everywhere: SMTP and IMAP APPEND both require it.
    newline: 'win',
    // Content is always given as bytes; never let a path or URL in the data reach the disk or network.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (msg.text !== undefined || msg.html === undefined) options.text = msg.text ?? '';
  if (msg.html !== undefined) options.html = msg.html;
  if (inReplyTo) options.inReplyTo = inReplyTo;
  if (references.length > 0) options.references = references;
  if (msg.calendar) {
    // MailComposer sends the event as the text/calendar; method=… alternative that iMIP requires, plus an
    // application/ics "invite.ics" attachment that clients which ignore the alternative still show.
    options.icalEvent = { method: msg.calendar.method.toUpperCase(), content: msg.calendar.content };
  }

  const node = new MailComposer(options).compile();
  const raw = await node.build();
  const envelope = node.getEnvelope();
  return {
    raw,
    messageId,
    envelope: { from: envelope.from || msg.from.address, to: envelope.to },
  };
}

function mailbox(a: Address): { name: string; address: string } {
  return { name: a.name, address: a.address };
}

/** `<uuid@domain-of-from>`; the domain is punycoded since Message-ID must be ASCII. */
export function generateMessageId(fromAddress: string): string {
  const at = fromAddress.lastIndexOf('@');
  const domain =
    at >= 0
      ? domainToASCII(
          fromAddress
            .slice(at + 1)
            .trim()
            .toLowerCase(),
        )
      : '';
  return `<${randomUUID()}@${domain || 'pimlico.invalid'}>`;
}

function importanceHeaders(importance: 'low' | 'normal' | 'high'): Record<string, string> {
  // Importance is what Outlook/Exchange read, X-Priority what most others read; send both.
  if (importance === 'high')
    return { Importance: 'High', 'X-Priority': '1 (Highest)', 'X-MSMail-Priority': 'High' };
  if (importance === 'low')
    return { Importance: 'Low', 'X-Priority': '5 (Lowest)', 'X-MSMail-Priority': 'Low' };
  return {};
}
