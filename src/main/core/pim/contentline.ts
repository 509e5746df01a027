// Content-line layer shared by iCalendar (RFC 5545) and vCard (RFC 2425/6350, 2.1 best effort).
// Every property keeps its original physical lines (`raw`) until it is modified, which is what lets
// the builders round-trip files from other clients byte for byte apart from the fields we edit.
import { PimParseError } from './errors';

export interface ContentParam {
  /** As written (case preserved); compare case-insensitively. */
  name: string;
  /** Decoded values (quotes removed, RFC 6868 caret escapes resolved). Empty for vCard 2.1 bare params. */
  values: string[];
}

export interface ContentProperty {
  readonly kind: 'property';
  /** vCard group prefix ("item1" in "item1.EMAIL"), or null. */
  group: string | null;
  /** Upper-cased name without the group. */
  name: string;
  /** Name as written, including the group, so re-serialised lines keep the producer's spelling. */
  rawName: string;
  params: ContentParam[];
  /** Value in wire form (still escaped). */
  value: string;
  /** Original physical lines joined with CRLF; null once the property was modified or created. */
  raw: string | null;
  line: number;
}

export interface ContentComponent {
  readonly kind: 'component';
  /** Upper-cased component name. */
  name: string;
  rawName: string;
  items: ContentItem[];
  line: number;
}

export type ContentItem = ContentProperty | ContentComponent;

export interface LogicalLine {
  text: string;
  raw: string;
  line: number;
}

// vCard 2.1 quoted-printable values continue on the next physical line after a trailing '=' (soft break),
// without the leading whitespace that ordinary folding uses.
const QP_PARAM = /^[^:]*;(?:ENCODING=)?QUOTED-PRINTABLE(?:[;:])/i;

export function isQuotedPrintableLine(text: string): boolean {
  return QP_PARAM.test(text);
}

/** Splits input into logical (unfolded) lines, keeping the raw text of each. */
export function unfoldLines(text: string): LogicalLine[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const physical = src.split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  let cur: LogicalLine | null = null;
  let qpSoft = false;
  for (let i = 0; i < physical.length; i++) {
    const p = physical[i] ?? '';
    if (cur && qpSoft) {
      cur.text = cur.text.slice(0, -1) + p.replace(/^[ \t]+/, '');
      cur.raw += '\r\n' + p;
      qpSoft = cur.text.endsWith('=') && isQuotedPrintableLine(cur.text);
      continue;
    }
    if (cur && (p.startsWith(' ') || p.startsWith('\t'))) {
      cur.text += p.slice(1);
      cur.raw += '\r\n' + p;
      qpSoft = cur.text.endsWith('=') && isQuotedPrintableLine(cur.text);
      continue;
    }
    if (p.trim() === '') {
      cur = null;
      qpSoft = false;
      continue;
    }
    cur = { text: p, raw: p, line: i + 1 };
    out.push(cur);
    qpSoft = p.endsWith('=') && isQuotedPrintableLine(p);
  }
  return out;
}

function decodeCaret(v: string): string {
  if (!v.includes('^')) return v;
  return v.replace(/\^(\^|n|N|')/g, (_m, c: string) => (c === '^' ? '^' : c === "'" ? '"' : '\n'));
}

const NAME_CHAR = /[A-Za-z0-9\-_.]/;

/** Parses one unfolded content line. Throws INVALID_LINE with the line number on syntax errors. */
export function parseContentLine(l: LogicalLine): ContentProperty {
  const s = l.text;
  let i = 0;
  while (i < s.length && NAME_CHAR.test(s.charAt(i))) i++;
  const fullName = s.slice(0, i);
  if (!fullName || (s[i] !== ':' && s[i] !== ';')) {
    throw new PimParseError('INVALID_LINE', `Not a content line: "${s.slice(0, 60)}"`, l.line);
  }
  const params: ContentParam[] = [];
  while (s[i] === ';') {
    i++;
    const nameStart = i;
    while (i < s.length && s[i] !== '=' && s[i] !== ';' && s[i] !== ':') i++;
    const pname = s.slice(nameStart, i).trim();
    if (s[i] !== '=') {
      // vCard 2.1 bare parameter such as "TEL;WORK;VOICE:" (or a stray ';').
      if (pname) params.push({ name: pname, values: [] });
      continue;
    }
    i++;
    const values: string[] = [];
    for (;;) {
      if (s[i] === '"') {
        const end = s.indexOf('"', i + 1);
        if (end < 0)
          throw new PimParseError('INVALID_LINE', `Unterminated quoted parameter ${pname}`, l.line);
        values.push(decodeCaret(s.slice(i + 1, end)));
        i = end + 1;
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ';' && s[i] !== ':') i++;
        values.push(decodeCaret(s.slice(start, i)));
      }
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    params.push({ name: pname, values });
  }
  if (s[i] !== ':') throw new PimParseError('INVALID_LINE', `Missing ':' in "${s.slice(0, 60)}"`, l.line);
  const dot = fullName.lastIndexOf('.');
  return {
    kind: 'property',
    group: dot > 0 ? fullName.slice(0, dot) : null,
    name: (dot > 0 ? fullName.slice(dot + 1) : fullName).toUpperCase(),
    rawName: fullName,
    params,
    value: s.slice(i + 1),
    raw: l.raw,
    line: l.line,
  };
}

/** Builds the component tree. Properties outside any component are ignored (e.g. mail headers). */
export function parseContent(text: string): ContentComponent[] {
  const lines = unfoldLines(text);
  const roots: ContentComponent[] = [];
  const stack: ContentComponent[] = [];
  for (const l of lines) {
    const prop = parseContentLine(l);
    if (prop.name === 'BEGIN' && prop.group === null) {
      const compName = prop.value.trim();
      if (!compName) throw new PimParseError('INVALID_LINE', 'BEGIN without a component name', l.line);
      const comp: ContentComponent = {
        kind: 'component',
        name: compName.toUpperCase(),
        rawName: compName,
        items: [],
        line: l.line,
      };
      const parent = stack[stack.length - 1];
      if (parent) parent.items.push(comp);
      else roots.push(comp);
      stack.push(comp);
    } else if (prop.name === 'END' && prop.group === null) {
      const top = stack.pop();
      const compName = prop.value.trim().toUpperCase();
      if (!top) throw new PimParseError('UNBALANCED_COMPONENT', `END:${compName} without BEGIN`, l.line);
      if (top.name !== compName) {
        throw new PimParseError(
          'UNBALANCED_COMPONENT',
          `END:${compName} does not close BEGIN:${top.name} from line ${top.line}`,
          l.line,
        );
      }
    } else {
      const parent = stack[stack.length - 1];
      if (parent) parent.items.push(prop);
    }
  }
  const open = stack[stack.length - 1];
  if (open) {
    throw new PimParseError('UNBALANCED_COMPONENT', `BEGIN:${open.name} is never closed`, open.line);
  }
  return roots;
}

// ---------------------------------------------------------------- serialisation

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Folds at 75 octets (RFC 5545 3.1) without splitting a UTF-8 sequence. */
export function foldLine(line: string): string {
  let bytes = 0;
  for (const ch of line) bytes += utf8Len(ch.codePointAt(0) ?? 0);
  if (bytes <= 75) return line;
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  for (const ch of line) {
    const b = utf8Len(ch.codePointAt(0) ?? 0);
    if (curBytes + b > 75) {
      out.push(cur);
      cur = ' ';
      curBytes = 1;
    }
    cur += ch;
    curBytes += b;
  }
  out.push(cur);
  return out.join('\r\n');
}

function encodeParamValue(v: string): string {
  const enc = v
    .replace(/\^/g, '^^')
    .replace(/\r\n|\r|\n/g, '^n')
    .replace(/"/g, "^'");
  return /[;:,]/.test(enc) || enc !== enc.trim() ? `"${enc}"` : enc;
}

export function serializeProperty(p: ContentProperty): string {
  let s = p.rawName;
  for (const param of p.params) {
    s += ';' + param.name;
    if (param.values.length) s += '=' + param.values.map(encodeParamValue).join(',');
  }
  return s + ':' + p.value;
}

export function componentLines(c: ContentComponent, out: string[] = []): string[] {
  out.push(`BEGIN:${c.rawName}`);
  for (const item of c.items) {
    if (item.kind === 'component') componentLines(item, out);
    else out.push(item.raw ?? foldLine(serializeProperty(item)));
  }
  out.push(`END:${c.rawName}`);
  return out;
}

export function componentToString(c: ContentComponent): string {
  return componentLines(c).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------- values

/** TEXT unescaping (RFC 5545 3.3.11 / RFC 6350 3.4); also tolerates Outlook's "\:". */
export function unescapeText(v: string): string {
  if (!v.includes('\\')) return v;
  return v.replace(/\\([\\;,nN:"])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

export function escapeText(v: string): string {
  return v
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Splits on `sep` where it is not backslash-escaped; parts stay escaped. */
export function splitEscaped(v: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v.charAt(i);
    if (ch === '\\' && i + 1 < v.length) {
      cur += ch + v.charAt(i + 1);
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

// ---------------------------------------------------------------- tree helpers

export function makeProperty(name: string, value: string, params: ContentParam[] = []): ContentProperty {
  return {
    kind: 'property',
    group: null,
    name: name.toUpperCase(),
    rawName: name,
    params,
    value,
    raw: null,
    line: 0,
  };
}

export function makeComponent(name: string, items: ContentItem[] = []): ContentComponent {
  return { kind: 'component', name: name.toUpperCase(), rawName: name, items, line: 0 };
}

export function getParam(p: ContentProperty, name: string): string | null {
  const n = name.toUpperCase();
  for (const param of p.params) if (param.name.toUpperCase() === n) return param.values[0] ?? '';
  return null;
}

/** All values of a parameter across repeats ("type=WORK;type=pref" and "TYPE=WORK,pref" alike). */
export function getParamValues(p: ContentProperty, name: string): string[] {
  const n = name.toUpperCase();
  const out: string[] = [];
  for (const param of p.params) if (param.name.toUpperCase() === n) out.push(...param.values);
  return out;
}

export function hasParam(p: ContentProperty, name: string): boolean {
  const n = name.toUpperCase();
  return p.params.some((param) => param.name.toUpperCase() === n);
}

/** Returns a modified copy (raw cleared); `null` removes the parameter. Keeps the first occurrence's position. */
export function withParam(p: ContentProperty, name: string, values: string[] | null): ContentProperty {
  const n = name.toUpperCase();
  const params: ContentParam[] = [];
  let placed = false;
  for (const param of p.params) {
    if (param.name.toUpperCase() !== n) params.push(param);
    else if (!placed && values !== null) {
      params.push({ name: param.name, values });
      placed = true;
    }
  }
  if (!placed && values !== null) params.push({ name: n, values });
  return { ...p, params, raw: null };
}

export function withValue(p: ContentProperty, value: string): ContentProperty {
  return { ...p, value, raw: null };
}

export function props(c: ContentComponent, name: string): ContentProperty[] {
  const n = name.toUpperCase();
  return c.items.filter((i): i is ContentProperty => i.kind === 'property' && i.name === n);
}

export function firstProp(c: ContentComponent, name: string): ContentProperty | null {
  const n = name.toUpperCase();
  for (const i of c.items) if (i.kind === 'property' && i.name === n) return i;
  return null;
}

export function children(c: ContentComponent, name: string): ContentComponent[] {
  const n = name.toUpperCase();
  return c.items.filter((i): i is ContentComponent => i.kind === 'component' && i.name === n);
}

/** True when any property (at any depth) was created or changed since parsing. */
export function isModified(c: ContentComponent): boolean {
  return c.line === 0 || c.items.some((i) => (i.kind === 'component' ? isModified(i) : i.raw === null));
}

/** Index where a new property goes: after the last property, before the first sub-component. */
function propInsertIndex(c: ContentComponent): number {
  const idx = c.items.findIndex((i) => i.kind === 'component');
  return idx < 0 ? c.items.length : idx;
}

export function appendProperty(c: ContentComponent, p: ContentProperty): void {
  c.items.splice(propInsertIndex(c), 0, p);
}

export function removeItems(c: ContentComponent, pred: (i: ContentItem) => boolean): number {
  let first = -1;
  for (let i = c.items.length - 1; i >= 0; i--) {
    const item = c.items[i];
    if (item && pred(item)) {
      c.items.splice(i, 1);
      first = i;
    }
  }
  return first;
}

/**
 * Replaces every property named `name` with `next` (kept at the first one's position), or removes them
 * when `next` is empty. Returns the properties that were there before.
 */
export function replaceProperties(
  c: ContentComponent,
  name: string,
  next: ContentProperty[],
): ContentProperty[] {
  const n = name.toUpperCase();
  const before = props(c, n);
  const at = removeItems(c, (i) => i.kind === 'property' && i.name === n);
  const idx = at < 0 ? propInsertIndex(c) : at;
  c.items.splice(idx, 0, ...next);
  return before;
}

/** Sets a single-valued property, keeping position; `build` receives the existing one (if any). */
export function setSingle(
  c: ContentComponent,
  name: string,
  build: (existing: ContentProperty | null) => ContentProperty | null,
): void {
  const existing = firstProp(c, name);
  const next = build(existing);
  replaceProperties(c, name, next ? [next] : []);
}
