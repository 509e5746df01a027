// How an approval/options mail carries its choices, and how a reply is read back.
//
// Every option is a mailto: link back to the sender whose subject carries a token, so answering works
// from any mail client: "Approve: Budget 2027 [pimlico:sub_123:1]". The same choices travel in a
// machine-readable header, so a recipient using Pimlico gets real buttons in the reading pane:
//   X-Pimlico-Options: v=1; id=sub_123; reply-to=alice@example.com; options=<base64url of JSON array>

export const OPTIONS_HEADER = 'X-Pimlico-Options';

export interface OptionsMailInput {
  subscriptionId: string;
  /** Where answers go: the sending account's address. */
  replyTo: string;
  subject: string;
  options: string[];
}

export interface OptionsHeader {
  id: string;
  replyTo: string;
  options: string[];
}

/** "Approve, Reject" -> ["Approve", "Reject"]: the connector's Options field is a comma-separated list. */
export function splitOptions(value: string): string[] {
  return [...new Set(value.split(',').map((o) => o.trim()).filter(Boolean))];
}

const TOKEN_RE = /\[pimlico:([A-Za-z0-9_-]{1,200}):(\d{1,3})\]/i;

export function optionSubject(input: Pick<OptionsMailInput, 'subscriptionId' | 'subject'>, option: string, index: number): string {
  return `${option}: ${input.subject} [pimlico:${input.subscriptionId}:${index + 1}]`;
}

export function optionMailto(input: OptionsMailInput, option: string, index: number): string {
  return `mailto:${encodeURIComponent(input.replyTo).replace(/%40/g, '@')}?subject=${encodeURIComponent(optionSubject(input, option, index))}`;
}

export function formatOptionsHeader(input: OptionsMailInput): string {
  const options = Buffer.from(JSON.stringify(input.options), 'utf8').toString('base64url');
  return `v=1; id=${input.subscriptionId}; reply-to=${input.replyTo}; options=${options}`;
}

/**
 * The extra headers an options mail is sent with. Empty when the header would exceed what a reader
 * keeps (4000 characters): such a mail still works through its mailto: buttons.
 */
export function optionsMailHeaders(input: OptionsMailInput): Record<string, string> {
  const value = formatOptionsHeader(input);
  return value.length <= 4000 ? { [OPTIONS_HEADER]: value } : {};
}

/** Reads the header back; null for anything malformed (it came from the network). */
export function parseOptionsHeader(value: string | undefined | null): OptionsHeader | null {
  if (!value) return null;
  const fields = new Map<string, string>();
  for (const part of value.replace(/\s+/g, ' ').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const id = fields.get('id');
  const replyTo = fields.get('reply-to');
  const encoded = fields.get('options');
  if (fields.get('v') !== '1' || !id || !/^[A-Za-z0-9_-]{1,200}$/.test(id) || !replyTo || !encoded) return null;
  try {
    const options: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (!Array.isArray(options) || options.length === 0 || options.length > 50) return null;
    if (!options.every((o): o is string => typeof o === 'string' && o.length > 0 && o.length <= 500)) return null;
    return { id, replyTo, options };
  } catch {
    return null;
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The block appended to the mail body: one button per option, as HTML and as plain text. */
export function optionsBody(input: OptionsMailInput, body: string, isHtml: boolean): { html: string; text: string } {
  const buttons = input.options
    .map(
      (o, i) =>
        `<a href="${escapeHtml(optionMailto(input, o, i))}" style="display:inline-block;margin:4px 8px 4px 0;padding:8px 16px;` +
        `border-radius:4px;background:#2563eb;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(o)}</a>`,
    )
    .join('');
  const textBody = isHtml ? body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : body;
  const htmlBody = isHtml ? body : `<p>${escapeHtml(body).replace(/\n/g, '<br>')}</p>`;
  const text =
    `${textBody}\n\nReply with one of these options (keep the subject as it is):\n` +
    input.options.map((o, i) => `  ${o}: ${optionMailto(input, o, i)}`).join('\n') +
    '\n';
  const html = `${htmlBody}<div data-pimlico-options="${escapeHtml(input.subscriptionId)}" style="margin-top:16px">${buttons}</div>` +
    '<p style="color:#6b7280;font-size:12px">Choose an option: each button opens a reply you only have to send.</p>';
  return { html, text };
}

export interface ReplyReading {
  subscriptionId: string;
  /** 1-based option number from the token; null when the token names none. */
  optionNumber: number | null;
}

/** Finds the subscription token in a reply's subject. */
export function readReplyToken(subject: string): ReplyReading | null {
  const m = TOKEN_RE.exec(subject);
  if (!m) return null;
  return { subscriptionId: m[1]!, optionNumber: Number(m[2]) };
}

/**
 * Picks the chosen option from a reply: the token's number when it names an option, otherwise a
 * first body line that equals an option (someone who typed "Approve" into a plain reply).
 */
export function chosenOption(options: string[], reading: ReplyReading | null, bodyText: string): string | null {
  if (reading?.optionNumber && reading.optionNumber >= 1 && reading.optionNumber <= options.length) {
    return options[reading.optionNumber - 1]!;
  }
  const firstLine = bodyText
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('>'));
  if (!firstLine) return null;
  const wanted = firstLine.replace(/[.!]+$/, '').toLowerCase();
  return options.find((o) => o.toLowerCase() === wanted) ?? null;
}

const MAILTO_RE = /mailto:([^?\s"'<>]+)\?subject=([^\s"'<>&]+)/gi;

/**
 * The choices of an options mail read from its mailto: buttons, for mail that arrived without the
 * header (sent by another client, or by a sender that could not add headers).
 */
export function optionsFromBody(text: string, html: string | null): OptionsHeader | null {
  const found = new Map<number, string>();
  let id: string | null = null;
  let replyTo: string | null = null;
  for (const source of [html ?? '', text]) {
    for (const m of source.replace(/&amp;/g, '&').matchAll(MAILTO_RE)) {
      let subject: string;
      try {
        subject = decodeURIComponent(m[2]!);
      } catch {
        continue;
      }
      const token = readReplyToken(subject);
      if (!token?.optionNumber || (id && token.subscriptionId !== id)) continue;
      const colon = subject.indexOf(': ');
      if (colon <= 0) continue;
      id = token.subscriptionId;
      replyTo = decodeURIComponent(m[1]!);
      found.set(token.optionNumber, subject.slice(0, colon));
    }
  }
  if (!id || !replyTo || found.size === 0) return null;
  const options = [...found.entries()].sort((a, b) => a[0] - b[0]);
  // Buttons are numbered 1..n; a gap means the body was mangled, and a wrong number would pick the wrong option.
  if (options.some(([n], i) => n !== i + 1)) return null;
  return { id, replyTo, options: options.map(([, o]) => o) };
}

/** The choices a received message offers: its header, else its buttons. */
export function offeredOptions(m: { headers: Record<string, string>; bodyText: string; bodyHtml: string | null }): OptionsHeader | null {
  return parseOptionsHeader(m.headers['x-pimlico-options']) ?? optionsFromBody(m.bodyText, m.bodyHtml);
}
