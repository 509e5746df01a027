import type { EmailAddress, MessageDetail } from '../../shared/types';

export type ComposeMode = 'new' | 'reply' | 'replyAll' | 'forward';

export function formatAddress(a: EmailAddress | null): string {
  if (!a) return '';
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

export function prefixedSubject(prefix: 'Re' | 'Fwd', subject: string): string {
  const already = prefix === 'Re' ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i;
  return already.test(subject) ? subject : `${prefix}: ${subject}`;
}

function uniqueAddresses(list: EmailAddress[], exclude: string[]): EmailAddress[] {
  const seen = new Set(exclude.map((e) => e.toLowerCase()).filter(Boolean));
  const out: EmailAddress[] = [];
  for (const a of list) {
    const key = a.address.toLowerCase();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

/** Recipients of a reply: Reply-To (or From); reply all adds the other To and Cc addresses, never the user. */
export function replyRecipients(source: MessageDetail, mode: 'reply' | 'replyAll', self: string): { to: EmailAddress[]; cc: EmailAddress[] } {
  const author = source.replyTo.length ? source.replyTo : source.from ? [source.from] : [];
  const fromSelf = source.from?.address.toLowerCase() === self.toLowerCase();
  // Replying to one's own sent message goes to its original recipients.
  const primary = fromSelf && source.to.length ? source.to : author;
  if (mode === 'reply') return { to: uniqueAddresses(primary, []), cc: [] };
  const to = uniqueAddresses([...primary, ...source.to], [self]);
  const cc = uniqueAddresses(source.cc, [self, ...to.map((a) => a.address)]);
  return { to: to.length ? to : uniqueAddresses(primary, []), cc };
}

/** The plain-text body of a reply: the original, quoted with "> ", under an attribution line. */
export function quotedReply(source: MessageDetail): string {
  const when = new Date(source.date).toLocaleString();
  const quoted = source.bodyText
    .replace(/\r\n/g, '\n')
    .trimEnd()
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
  return `\n\nOn ${when}, ${formatAddress(source.from)} wrote:\n${quoted}\n`;
}

export function forwardedBody(source: MessageDetail): string {
  const lines = [
    '',
    '',
    '---------- Forwarded message ----------',
    `From: ${formatAddress(source.from)}`,
    `Date: ${new Date(source.date).toLocaleString()}`,
    `Subject: ${source.subject}`,
    `To: ${source.to.map(formatAddress).join(', ')}`,
  ];
  if (source.cc.length) lines.push(`Cc: ${source.cc.map(formatAddress).join(', ')}`);
  return `${lines.join('\n')}\n\n${source.bodyText}`;
}

/** Parses what a person typed into a recipient field: "Name <a@b>", "a@b", or nothing usable. */
export function parseTypedAddress(text: string): EmailAddress | null {
  const t = text.trim().replace(/[,;]+$/, '');
  const angle = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(t);
  if (angle) return { name: angle[1]!.replace(/^"|"$/g, '').trim(), address: angle[2]! };
  if (/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(t)) return { name: '', address: t };
  return null;
}

export function textToHtml(text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .split('\n')
    .map((line) => `<div>${escape(line) || '<br>'}</div>`)
    .join('');
}
