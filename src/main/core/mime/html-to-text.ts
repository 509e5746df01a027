// HTML to plain text without a DOM: a small forgiving tokenizer plus a line writer that knows
// about blocks, lists, <pre>, <br> and <blockquote> (rendered as "> " quoting). Used for snippets,
// search indexing and plain-text replies, so it favours readable text over layout fidelity.
// It never throws and runs in linear time; malformed markup degrades to text.

import { decodeEntities } from './entities';

export interface HtmlToTextOptions {
  /** 'inline' appends ` <url>` after link text that differs from its URL; 'omit' drops URLs. Default 'inline'. */
  links?: 'inline' | 'omit';
}

/** Content of these is never text. */
const RAW_SKIP = new Set([
  'script',
  'style',
  'title',
  'textarea',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'template',
]);
/** Skipped with everything inside, but parsed as markup (they may contain tags). */
const SKIP_SUBTREE = new Set(['head', 'svg', 'math', 'object', 'select', 'map']);
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'dl',
  'hr',
  'figure',
  'table',
  'address',
  'fieldset',
]);
const BLOCK = new Set([
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'dir',
  'div',
  'dt',
  'figcaption',
  'footer',
  'form',
  'header',
  'hgroup',
  'html',
  'legend',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'section',
  'summary',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
  'option',
]);

interface Line {
  depth: number;
  text: string;
}

class Writer {
  lines: Line[] = [];
  cur = '';
  curDepth = 0;
  pending = 0;
  started = false;
  quoteDepth = 0;
  preDepth = 0;
  needSpace = false;
  bullet = '';
  linkTexts: string[] = [];

  block(n: 1 | 2): void {
    if (this.pending < n) this.pending = n;
    this.needSpace = false;
  }

  private flush(): void {
    if (this.started && this.pending > 0) {
      if (this.cur !== '') this.pushLine();
      if (this.pending > 1 && this.lines.length > 0 && this.lines[this.lines.length - 1]!.text !== '') {
        this.lines.push({ depth: Math.min(this.quoteDepth, this.curDepth), text: '' });
      }
    }
    this.pending = 0;
  }

  private pushLine(): void {
    this.lines.push({ depth: this.curDepth, text: this.cur });
    this.cur = '';
  }

  private beginContent(): void {
    this.flush();
    if (this.cur === '') {
      this.curDepth = this.quoteDepth;
      if (this.bullet) {
        this.cur = this.bullet;
        this.bullet = '';
      }
    } else if (this.needSpace && !/\s$/.test(this.cur)) {
      this.cur += ' ';
    }
    this.needSpace = false;
    this.started = true;
  }

  text(raw: string): void {
    if (this.preDepth > 0) {
      const parts = raw.replace(/\r\n?/g, '\n').split('\n');
      parts.forEach((part, i) => {
        if (i > 0) this.hardBreak();
        if (part) this.emit(part);
      });
      return;
    }
    let s = raw.replace(/[ \t\n\r\f]+/g, ' ');
    if (s === ' ') {
      // Whitespace between inline content matters; at a line start or after a block it does not.
      if (this.cur !== '' && this.pending === 0 && !this.cur.endsWith(' ')) this.needSpace = true;
      return;
    }
    if (s.startsWith(' ')) {
      if (this.cur !== '' && this.pending === 0) this.needSpace = true;
      s = s.slice(1);
    }
    const trailing = s.endsWith(' ');
    if (trailing) s = s.slice(0, -1);
    if (s) this.emit(s);
    if (trailing) this.needSpace = true;
  }

  private emit(s: string): void {
    this.beginContent();
    this.cur += s;
    for (let i = 0; i < this.linkTexts.length; i++) this.linkTexts[i] += s;
  }

  hardBreak(): void {
    this.flush();
    if (this.cur === '') this.curDepth = this.quoteDepth;
    this.pushLine();
    this.started = true;
    this.needSpace = false;
  }

  result(): string {
    if (this.cur !== '') this.pushLine();
    const out: string[] = [];
    for (const l of this.lines) {
      const text = l.text.replace(/\u00a0/g, ' ').replace(/[ \t]+$/, '');
      out.push(l.depth > 0 ? `${'>'.repeat(l.depth)}${text ? ` ${text}` : ''}` : text);
    }
    // At most one blank line in a row, none at either end.
    const collapsed: string[] = [];
    for (const line of out) {
      if (line === '' && (collapsed.length === 0 || collapsed[collapsed.length - 1] === '')) continue;
      collapsed.push(line);
    }
    while (collapsed.length > 0 && collapsed[collapsed.length - 1] === '') collapsed.pop();
    return collapsed.join('\n');
  }
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attrs: Record<string, string>;
  end: number;
}

export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  const links = options.links ?? 'inline';
  const w = new Writer();
  const lists: { ordered: boolean; n: number }[] = [];
  const anchors: (string | null)[] = [];
  let skipName: string | null = null;
  let skipDepth = 0;
  let i = 0;
  const len = html.length;

  while (i < len) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? len : lt;
    if (textEnd > i && skipName === null) w.text(decodeEntities(html.slice(i, textEnd)));
    if (lt < 0) break;
    i = lt;
    const next = html.charCodeAt(i + 1);

    if (html.startsWith('<!--', i)) {
      const close = html.indexOf('-->', i + 4);
      i = close < 0 ? len : close + 3;
      continue;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      // Doctype, CDATA, <?xml?>, Outlook's <![if !mso]>: none of it is text.
      const close = html.indexOf('>', i + 2);
      i = close < 0 ? len : close + 1;
      continue;
    }
    const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!(isLetter(next) || (next === 0x2f /* / */ && isLetter(html.charCodeAt(i + 2))))) {
      if (skipName === null) w.text('<');
      i++;
      continue;
    }
    const tag = readTag(html, i);
    i = tag.end;
    const name = tag.name;

    if (skipName !== null) {
      if (name === skipName) {
        if (tag.closing) skipDepth--;
        else if (!tag.selfClosing) skipDepth++;
        if (skipDepth === 0) skipName = null;
      } else if (skipName === 'head' && name === 'body' && !tag.closing) {
        skipName = null; // a missing </head> must not swallow the message
      }
      continue;
    }

    if (!tag.closing && RAW_SKIP.has(name)) {
      // Raw text elements end only at their own end tag; tags inside are text to HTML.
      const close = findEndTag(html, i, name);
      i = close;
      continue;
    }
    if (!tag.closing && SKIP_SUBTREE.has(name) && !tag.selfClosing) {
      skipName = name;
      skipDepth = 1;
      continue;
    }

    if (name === 'br') {
      w.hardBreak();
      continue;
    }
    if (name === 'blockquote') {
      w.block(2);
      w.quoteDepth += tag.closing ? (w.quoteDepth > 0 ? -1 : 0) : 1;
      continue;
    }
    if (name === 'pre') {
      w.block(2);
      w.preDepth = Math.max(0, w.preDepth + (tag.closing ? -1 : 1));
      continue;
    }
    if (name === 'ul' || name === 'ol') {
      if (tag.closing) lists.pop();
      w.block(lists.length === 0 ? 2 : 1);
      if (!tag.closing)
        lists.push({
          ordered: name === 'ol',
          n: Math.max(0, parseInt(tag.attrs['start'] ?? '1', 10) - 1 || 0),
        });
      continue;
    }
    if (name === 'li') {
      w.block(1);
      if (!tag.closing) {
        const list = lists[lists.length - 1];
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        if (list?.ordered) w.bullet = `${indent}${++list.n}. `;
        else w.bullet = `${indent}- `;
      }
      continue;
    }
    if (name === 'td' || name === 'th') {
      if (!tag.closing) w.needSpace = w.cur !== '';
      continue;
    }
    if (name === 'a') {
      if (!tag.closing && !tag.selfClosing) {
        anchors.push(tag.attrs['href'] ?? null);
        w.linkTexts.push('');
      } else if (tag.closing && anchors.length > 0) {
        const href = anchors.pop() ?? null;
        const text = w.linkTexts.pop() ?? '';
        if (links === 'inline' && href) {
          const url = linkTarget(href, text);
          if (url) w.text(` <${url}>`);
        }
      }
      continue;
    }
    if (PARAGRAPH.has(name)) {
      w.block(2);
      continue;
    }
    if (BLOCK.has(name)) {
      w.block(1);
      continue;
    }
    // Inline, void and unknown elements contribute nothing but their text.
  }
  return w.result();
}

/** The URL worth showing after a link's text, or null when it would only repeat it. */
function linkTarget(href: string, text: string): string | null {
  const url = href.trim();
  if (!/^(?:https?:|ftp:|mailto:)/i.test(url)) return null;
  const shown = text.trim();
  if (!shown) return null;
  const bare = (s: string): string =>
    s
      .toLowerCase()
      .replace(/^mailto:/, '')
      .replace(/^https?:\/\//, '')
      .replace(/^www\./, '')
      .replace(/\/$/, '');
  if (bare(url) === bare(shown)) return null;
  return /^mailto:/i.test(url) ? url.slice(7).split('?')[0] || null : url;
}

function readTag(html: string, start: number): Tag {
  let i = start + 1;
  const closing = html[i] === '/';
  if (closing) i++;
  let name = '';
  while (i < html.length && !/[\s/>]/.test(html[i]!)) name += html[i++];
  const attrs: Record<string, string> = {};
  let selfClosing = false;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '>') {
      i++;
      break;
    }
    if (c === '/') {
      selfClosing = html[i + 1] === '>';
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let key = '';
    while (i < html.length && !/[\s/>=]/.test(html[i]!)) key += html[i++];
    while (i < html.length && /\s/.test(html[i]!)) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < html.length && /\s/.test(html[i]!)) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        const stop = close < 0 ? html.length : close;
        value = html.slice(i + 1, stop);
        i = close < 0 ? html.length : close + 1;
      } else {
        while (i < html.length && !/[\s>]/.test(html[i]!)) value += html[i++];
      }
    }
    if (!key) {
      i++;
      continue;
    }
    const k = key.toLowerCase();
    if (!(k in attrs)) attrs[k] = decodeEntities(value);
  }
  return { name: name.toLowerCase(), closing, selfClosing, attrs, end: i };
}

function findEndTag(html: string, from: number, name: string): number {
  const re = new RegExp(`</${name}[\\s/>]`, 'ig');
  re.lastIndex = from;
  const m = re.exec(html);
  if (!m) return html.length;
  const close = html.indexOf('>', m.index);
  return close < 0 ? html.length : close + 1;
}
