import { createHash } from 'node:crypto';
import PostalMime, { decodeWords, type Attachment, type Email } from 'postal-mime';
import { errorMessage } from '../util/errors';
import { fromPostalAddresses } from './address';
import { htmlToText } from './html-to-text';
import { normalizeMessageId, parseMessageIds } from './message-id';
import { makeSnippet } from './snippet';
import { scanMessage } from './structure';
import type { Address, Importance, ParsedAttachment, ParsedMessage } from './types';

/** Headers kept in ParsedMessage.headers: what list handling, auto-reply detection, threading fallbacks and Pimlico itself need. */
export const SELECTED_HEADERS = [
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-post',
  'list-archive',
  'list-help',
  'auto-submitted',
  'precedence',
  'x-auto-response-suppress',
  'x-autoreply',
  'x-pimlico-options',
  'content-class',
  'thread-topic',
  'thread-index',
  'disposition-notification-to',
  'return-path',
  'delivered-to',
  'authentication-results',
  'x-mailer',
  'user-agent',
] as const;

const MAX_HEADER_VALUE = 4000;
const DECODED_HEADERS = new Set<string>(['thread-topic', 'list-id']);

/**
 * Parses a raw RFC 5322 message. Never throws for malformed input: defects are repaired where
 * the intent is clear and listed in `problems` either way. Throws only for a wrong argument type.
 */
export async function parseMessage(raw: Uint8Array | string): Promise<ParsedMessage> {
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    throw new TypeError('parseMessage expects a string or a Uint8Array');
  }
  const input = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const problems: string[] = [];

  let bytes: Uint8Array = input;
  let hasHeaders = true;
  try {
    const scan = scanMessage(input);
    bytes = scan.bytes;
    hasHeaders = scan.hasHeaders;
    problems.push(...scan.problems);
  } catch (err) {
    // A bug in the scanner must not cost the user the message; postal-mime still gets the original.
    problems.push(`structure check failed (${errorMessage(err)}); parsed as is`);
  }

  let email: Email;
  try {
    email = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer' });
  } catch (err) {
    // postal-mime rejects only on its resource limits (nesting depth, 2 MiB of headers).
    problems.push(`the MIME parser gave up (${errorMessage(err)}); only the top-level headers were read`);
    email = await parseHeadersOnly(bytes);
  }
  return toParsedMessage(email, problems, hasHeaders);
}

async function parseHeadersOnly(bytes: Uint8Array): Promise<Email> {
  const limit = Math.min(bytes.length, 1024 * 1024);
  let end = limit;
  for (let i = 0; i + 1 < limit; i++) {
    if (bytes[i] === 0x0a && (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a))) {
      end = i + 1;
      break;
    }
  }
  try {
    const email = await PostalMime.parse(bytes.subarray(0, end));
    email.text = undefined;
    email.html = undefined;
    email.attachments = [];
    return email;
  } catch {
    return { headers: [], headerLines: [], attachments: [] };
  }
}

function toParsedMessage(email: Email, problems: string[], hasHeaders: boolean): ParsedMessage {
  const header = (key: string): string | undefined => email.headers.find((h) => h.key === key)?.value;
  const problem = (text: string): void => {
    if (!problems.includes(text)) problems.push(text);
  };

  const messageId = normalizeMessageId(email.messageId);
  if (email.messageId && !messageId) problem('the Message-ID header holds no valid id; ignored');
  const inReplyTo = normalizeMessageId(email.inReplyTo);
  const references = parseMessageIds(email.references);

  const subject = cleanHeaderText(email.subject ?? '');
  if (subject.includes('\ufffd')) problem('the Subject has characters that could not be decoded');

  const date = parseDate(header('date'));
  if (header('date') !== undefined && date === null)
    problem(`unparseable Date header "${(header('date') ?? '').slice(0, 80)}"`);

  const from = fromPostalAddresses(email.from ? [email.from] : [])[0] ?? null;
  if (hasHeaders && header('from') === undefined) problem('the message has no From header');
  else if (header('from') !== undefined && !from) problem('the From header has no usable address');
  const sender = fromPostalAddresses(email.sender ? [email.sender] : [])[0] ?? null;
  const replyTo = fromPostalAddresses(email.replyTo);
  const to = fromPostalAddresses(email.to);
  const cc = fromPostalAddresses(email.cc);
  const bcc = fromPostalAddresses(email.bcc);
  const everyone: Address[] = [
    ...(from ? [from] : []),
    ...(sender ? [sender] : []),
    ...replyTo,
    ...to,
    ...cc,
    ...bcc,
  ];
  if (everyone.some((a) => a.name.includes('\ufffd')))
    problem('an address has a name that could not be decoded');

  let html = email.html ? stripControls(email.html, true) : null;
  if (html !== null && html.trim() === '') html = null;
  let text = stripControls((email.text ?? '').replace(/\r\n?/g, '\n'), false);
  let textFromHtml = false;
  if (!text.trim() && html !== null) {
    text = htmlToText(html);
    textFromHtml = true;
  }
  text = trimEndWhitespace(text);
  const snippetSource = textFromHtml && html !== null ? htmlToText(html, { links: 'omit' }) : text;

  const attachments: ParsedAttachment[] = [];
  const calendarParts: string[] = [];
  email.attachments.forEach((a, index) => {
    const content = toBytes(a.content);
    const contentType = (a.mimeType || 'application/octet-stream').toLowerCase();
    if (contentType === 'text/calendar' || contentType === 'application/ics') {
      const ics = new TextDecoder().decode(content);
      if (ics.trim() && !calendarParts.includes(ics)) calendarParts.push(ics);
      // The iMIP alternative is the invitation itself, not a file; only explicit attachments stay listed.
      if (a.disposition !== 'attachment') return;
    }
    attachments.push(toAttachment(a, content, contentType, index, html));
  });

  const headers: Record<string, string> = {};
  for (const key of SELECTED_HEADERS) {
    const value = header(key);
    if (value === undefined) continue;
    // Outlook writes non-ASCII thread topics and list names as encoded words; the rest are kept raw.
    headers[key] = (DECODED_HEADERS.has(key) ? decodeWords(value) : value).slice(0, MAX_HEADER_VALUE);
  }

  return {
    messageId,
    inReplyTo,
    references,
    subject,
    date,
    from,
    sender,
    replyTo,
    to,
    cc,
    bcc,
    text,
    html,
    snippet: makeSnippet(snippetSource),
    attachments,
    importance: parseImportance(header),
    headers,
    calendarParts,
    problems,
  };
}

function toAttachment(
  a: Attachment,
  content: Uint8Array,
  contentType: string,
  index: number,
  html: string | null,
): ParsedAttachment {
  const contentId = a.contentId ? a.contentId.trim().replace(/^<|>$/g, '').trim() || null : null;
  const referenced = contentId !== null && html !== null && html.includes(`cid:${contentId}`);
  return {
    filename: sanitizeFilename(a.filename ?? '') || defaultFilename(contentType, index),
    contentType,
    size: content.byteLength,
    contentId,
    inline: a.disposition === 'inline' || a.related === true || (a.disposition === null && referenced),
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

function toBytes(content: Attachment['content']): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/** A name that is safe to show and to save: no directories, no control characters, at most 255 chars. */
export function sanitizeFilename(name: string): string {
  let n = name
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, '')
    .split(/[/\\]/)
    .pop()!
    .trim();
  if (/^\.+$/.test(n)) n = '';
  if (n.length > 255) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, 255 - ext.length) + ext;
  }
  return n;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'image/bmp': 'bmp',
  'image/tiff': 'tif',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'application/ics': 'ics',
  'text/vcard': 'vcf',
  'text/x-vcard': 'vcf',
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'application/zip': 'zip',
  'application/json': 'json',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/pgp-signature': 'asc',
  'application/pkcs7-signature': 'p7s',
  'application/x-pkcs7-signature': 'p7s',
};

function defaultFilename(contentType: string, index: number): string {
  const base =
    contentType === 'message/rfc822' ? 'message' : contentType.startsWith('image/') ? 'image' : 'attachment';
  return `${base}-${index + 1}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

function parseImportance(header: (key: string) => string | undefined): Importance {
  const importance = header('importance')?.trim().toLowerCase();
  if (importance === 'high' || importance === 'low' || importance === 'normal') return importance;
  const xPriority = /^\s*([1-5])/.exec(header('x-priority') ?? '')?.[1];
  if (xPriority) return xPriority <= '2' ? 'high' : xPriority >= '4' ? 'low' : 'normal';
  const priority = header('priority')?.trim().toLowerCase();
  if (priority === 'urgent') return 'high';
  if (priority === 'non-urgent') return 'low';
  const ms = header('x-msmail-priority')?.trim().toLowerCase();
  if (ms === 'high') return 'high';
  if (ms === 'low') return 'low';
  return 'normal';
}

/** Epoch ms, tolerating the usual junk (comments, "UT", missing commas); null when hopeless. */
export function parseDate(value: string | undefined): number | null {
  if (!value) return null;
  const direct = Date.parse(value);
  if (Number.isFinite(direct)) return direct;
  const cleaned = value
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\bUT\b/, 'GMT')
    .replace(/([+-]\d{2}):?(\d{2})\s*$/, '$1$2')
    .replace(/\b(GMT|UTC)([+-]\d{4})\b/, '$2')
    .replace(/(\d{1,2})\.(\d{1,2})\.(\d{4})/, '$3-$2-$1')
    .replace(/\s+/g, ' ')
    .trim();
  const retried = Date.parse(cleaned);
  return Number.isFinite(retried) ? retried : null;
}

function cleanHeaderText(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Drops C0 controls that break storage and display; keeps tab, newline and (in HTML) CR. */
function stripControls(s: string, keepCr: boolean): string {
  /* eslint-disable no-control-regex -- removing control characters is the point */
  return keepCr
    ? s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    : s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  /* eslint-enable no-control-regex */
}

function trimEndWhitespace(s: string): string {
  let end = s.length;
  while (end > 0 && /\s/.test(s[end - 1]!)) end--;
  return s.slice(0, end);
}
