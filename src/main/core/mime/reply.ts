import { formatAddressList, sameAddress } from './address';
import { htmlToText } from './html-to-text';
import { normalizeMessageId, parseMessageIds, trimReferences } from './message-id';
import type { Address, OutgoingMessage, ParsedMessageLike } from './types';

// Reply and forward prefixes as mail clients write them in various languages, with the optional
// counters some add ("Re[2]:", "Re(2):", "Re^2:") and the full-width colon CJK clients use.
const REPLY = String.raw`re|aw|sv|vs|antw|antwort|odp|rif|res|ynt|απ|σχετ|отв|回复|回覆|答复`;
const FORWARD = String.raw`fwd?|wg|tr|enc|rv|vb|vl|doorst|pd|ilt|İlt|προωθ|пересл|转发|轉寄|轉發`;
const COUNTER = String.raw`(?:\[\d+\]|\(\d+\)|\^\d+)?`;
const REPLY_PREFIX = new RegExp(`^\\s*(?:${REPLY})\\s*${COUNTER}\\s*[:：]\\s*`, 'iu');
const FORWARD_PREFIX = new RegExp(`^\\s*(?:${FORWARD})\\s*${COUNTER}\\s*[:：]\\s*`, 'iu');
const ANY_PREFIX = new RegExp(`^\\s*(?:${REPLY}|${FORWARD})\\s*${COUNTER}\\s*[:：]\\s*`, 'iu');
const LIST_TAG = /^\s*\[[^\]]{1,80}\]\s*/;

/** The brief's Pick<OutgoingMessage, …>, with the fields that are always filled in made required. */
export type ReplyFields = Required<Pick<OutgoingMessage, 'to' | 'cc' | 'subject' | 'references' | 'text'>> &
  Pick<OutgoingMessage, 'inReplyTo' | 'html'>;
export type ForwardFields = Required<Pick<OutgoingMessage, 'subject' | 'text'>> &
  Pick<OutgoingMessage, 'html'>;

export interface ReplyOptions {
  replyAll: boolean;
  /** The user's own addresses; never replied to unless nobody else is left. */
  self: string[];
  /** Plain text written above the quote (escaped into the HTML version). */
  comment?: string;
  /** true: also build an HTML body; false: text only; default: HTML when the original has HTML. */
  html?: boolean;
  /** IANA zone for the "On <date>" line; default: the process's zone. */
  timeZone?: string;
}

export interface ForwardOptions {
  comment?: string;
  html?: boolean;
  timeZone?: string;
}

/** Reply or reply-all fields. Attachments and From are the caller's business. */
export function replyTo(original: ParsedMessageLike, opts: ReplyOptions): ReplyFields {
  const { to, cc } = replyRecipients(original, opts.replyAll, opts.self);
  const references = trimReferences([
    ...(original.references.length > 0 ? original.references : parseMessageIds(original.inReplyTo)),
    ...(original.messageId ? [original.messageId] : []),
  ]);
  const header = attribution(original, opts.timeZone);
  const quotedText = quoteText(originalText(original));
  const comment = opts.comment ? trimEnd(opts.comment.replace(/\r\n?/g, '\n')) : '';
  const result: ReplyFields = {
    to,
    cc,
    subject: replySubject(original.subject),
    references,
    text: `${comment ? `${comment}\n\n` : ''}${header}\n${quotedText}\n`,
  };
  const inReplyTo = normalizeMessageId(original.messageId);
  if (inReplyTo) result.inReplyTo = inReplyTo;
  if (opts.html ?? original.html !== null) {
    result.html =
      `${comment ? `<div>${textToHtml(comment)}</div><br>\n` : ''}` +
      `<div class="pimlico-quote"><div>${escapeHtml(header)}</div>\n` +
      `<blockquote type="cite" style="margin:0 0 0 0.8ex;border-left:1px solid #ccc;padding-left:1ex">\n` +
      `${originalHtml(original)}\n</blockquote></div>`;
  }
  return result;
}

/** Forward fields: "Fwd:" subject and a header block above the original body. */
export function forward(original: ParsedMessageLike, opts: ForwardOptions): ForwardFields {
  const rows: [string, string][] = [
    ['From', original.from ? formatAddressList([original.from]) : ''],
    ['Date', original.date !== null ? formatDate(original.date, opts.timeZone) : ''],
    ['Subject', original.subject],
    ['To', formatAddressList(original.to)],
    ['Cc', formatAddressList(original.cc)],
  ];
  const shown = rows.filter(([, v]) => v !== '');
  const comment = opts.comment ? trimEnd(opts.comment.replace(/\r\n?/g, '\n')) : '';
  const separator = '---------- Forwarded message ----------';
  const result: ForwardFields = {
    subject: forwardSubject(original.subject),
    text:
      `${comment ? `${comment}\n\n` : ''}${separator}\n` +
      `${shown.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${originalText(original)}\n`,
  };
  if (opts.html ?? original.html !== null) {
    result.html =
      `${comment ? `<div>${textToHtml(comment)}</div><br>\n` : ''}` +
      `<div class="pimlico-forward"><div>${escapeHtml(separator)}<br>\n` +
      `${shown.map(([k, v]) => `${k}: ${escapeHtml(v)}`).join('<br>\n')}</div><br>\n` +
      `${originalHtml(original)}\n</div>`;
  }
  return result;
}

function replyRecipients(
  original: ParsedMessageLike,
  replyAll: boolean,
  self: string[],
): { to: Address[]; cc: Address[] } {
  const isSelf = (a: Address): boolean => self.some((s) => sameAddress(s, a.address));
  const notSelf = (list: Address[]): Address[] => list.filter((a) => !isSelf(a));
  // Reply-To wins over From.
  const primary = dedupe(
    original.replyTo.length > 0 ? original.replyTo : original.from ? [original.from] : [],
  );

  let to: Address[];
  let cc: Address[] = [];
  if (primary.length > 0 && primary.every(isSelf)) {
    // Replying to one's own message (e.g. from Sent) continues with the people it went to.
    to = notSelf(dedupe(original.to));
    if (replyAll) cc = notSelf(dedupe(original.cc));
  } else {
    to = notSelf(primary);
    if (replyAll) {
      to = notSelf(dedupe([...to, ...original.to]));
      cc = notSelf(dedupe(original.cc));
    }
  }
  cc = cc.filter((c) => !to.some((t) => sameAddress(t.address, c.address)));

  // Never an empty To: promote Cc, else fall back to whoever the original came from, self or not.
  if (to.length === 0 && cc.length > 0) {
    to = cc;
    cc = [];
  }
  if (to.length === 0) to = primary.length > 0 ? primary : dedupe(original.to);
  return { to, cc };
}

function dedupe(list: readonly Address[]): Address[] {
  const out: Address[] = [];
  for (const a of list) {
    const existing = out.find((o) => sameAddress(o.address, a.address));
    if (!existing) out.push({ name: a.name, address: a.address });
    else if (!existing.name && a.name) existing.name = a.name;
  }
  return out;
}

/** "Re: " exactly once; an existing reply prefix (any language, any count) is replaced, a leading [list] tag kept. */
export function replySubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const m = REPLY_PREFIX.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      continue;
    }
    const tag = LIST_TAG.exec(s);
    const after = tag ? REPLY_PREFIX.exec(s.slice(tag[0].length)) : null;
    if (tag && after) {
      s = `${tag[0].trim()} ${s.slice(tag[0].length + after[0].length)}`.trim();
      continue;
    }
    break;
  }
  return s ? `Re: ${s}` : 'Re:';
}

export function forwardSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let m = FORWARD_PREFIX.exec(s); m; m = FORWARD_PREFIX.exec(s)) s = s.slice(m[0].length);
  return s ? `Fwd: ${s}` : 'Fwd:';
}

/**
 * Subject reduced for thread matching when no ids link two messages: reply/forward prefixes in
 * any order, [list] tags and a trailing "(fwd)" removed, whitespace collapsed, case-folded.
 */
export function normalizeSubject(subject: string): string {
  let s = subject.normalize('NFKC').replace(/\s+/g, ' ').trim();
  for (;;) {
    const m = ANY_PREFIX.exec(s) ?? LIST_TAG.exec(s);
    if (!m || m[0].length === 0) break;
    s = s.slice(m[0].length);
  }
  s = s.replace(/\s*\((?:fwd|fw)\)\s*$/i, '');
  return s.trim().toLocaleLowerCase('en-US');
}

/**
 * Message ids to look up when threading a message: its own id (children may have arrived first),
 * then its parents nearest first (In-Reply-To, then References newest to oldest). Bracketed, unique.
 */
export function threadKeyCandidates(msg: {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}): string[] {
  const ids = [
    ...parseMessageIds(msg.messageId),
    ...parseMessageIds(msg.inReplyTo),
    ...msg.references.flatMap((r) => parseMessageIds(r)).reverse(),
  ];
  return [...new Set(ids)].slice(0, 100);
}

function attribution(original: ParsedMessageLike, timeZone: string | undefined): string {
  const who = original.from ? original.from.name || original.from.address : 'Someone';
  return original.date !== null
    ? `On ${formatDate(original.date, timeZone)}, ${who} wrote:`
    : `${who} wrote:`;
}

/** "Mon, Jun 3, 2024 at 10:00 AM": fixed English like the rest of the quote header. */
export function formatDate(epochMs: number, timeZone?: string): string {
  const date = new Date(epochMs);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      ...(timeZone ? { timeZone } : {}),
    }).formatToParts(date);
  } catch {
    return date.toUTCString(); // an unknown time zone must not break replying
  }
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')}, ${get('month')} ${get('day')}, ${get('year')} at ${get('hour')}:${get('minute')} ${get('dayPeriod')}`.trim();
}

function originalText(original: ParsedMessageLike): string {
  const text = original.text.trim() ? original.text : original.html ? htmlToText(original.html) : '';
  return trimEnd(text.replace(/\r\n?/g, '\n'));
}

function quoteText(text: string): string {
  if (!text) return '>';
  return text
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : line ? `> ${line}` : '>'))
    .join('\n');
}

/** The original's body markup, without the document wrapper, head or scripts. */
function originalHtml(original: ParsedMessageLike): string {
  if (original.html === null) return `<div>${textToHtml(originalText(original))}</div>`;
  let html = original.html;
  // indexOf scans rather than lazy regexes: a hostile message with many unclosed tags must not make replying quadratic.
  const lower = html.toLowerCase();
  const bodyOpen = lower.search(/<body[\s>]/);
  if (bodyOpen >= 0) {
    const start = lower.indexOf('>', bodyOpen) + 1;
    const close = lower.lastIndexOf('</body');
    html = html.slice(start, close > start ? close : html.length);
  } else {
    const headOpen = lower.search(/<head[\s>]/);
    const headClose = headOpen >= 0 ? lower.indexOf('</head', headOpen) : -1;
    if (headOpen >= 0 && headClose >= 0) {
      const end = lower.indexOf('>', headClose);
      html = html.slice(0, headOpen) + html.slice(end < 0 ? html.length : end + 1);
    }
    html = html.replace(/<!doctype[^>]{0,2000}>/gi, '').replace(/<\/?html[^>]{0,2000}>/gi, '');
  }
  // A <base> would re-target every link of the composed message; scripts never belong in mail.
  return removeElements(html, 'script')
    .replace(/<base[^>]{0,2000}>/gi, '')
    .trim();
}

function removeElements(html: string, name: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let pos = 0;
  for (let open = lower.indexOf(`<${name}`, pos); open >= 0; open = lower.indexOf(`<${name}`, pos)) {
    out += html.slice(pos, open);
    const close = lower.indexOf(`</${name}`, open);
    if (close < 0) return out; // unclosed: everything after it belongs to the element
    const end = lower.indexOf('>', close);
    pos = end < 0 ? html.length : end + 1;
  }
  return out + html.slice(pos);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function textToHtml(s: string): string {
  return escapeHtml(s).replace(/\r?\n/g, '<br>\n');
}

function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0 && /\s/.test(s[end - 1]!)) end--;
  return s.slice(0, end);
}
