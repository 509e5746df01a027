// A structural pass over the raw message that runs before postal-mime. postal-mime is lenient
// but silent: it never says what was wrong, and a few defects make it drop content (a multipart
// without a usable boundary yields an empty body; a leading blank line turns the headers into
// body text; 8-bit text without a charset decodes to U+FFFD). This pass walks the same MIME
// tree, records every defect as a human-readable problem, and repairs the ones with an obvious
// fix by patching header bytes, so postal-mime then parses what the sender meant.

import {
  checkUtf8,
  decodeQuotedPrintable,
  encodeUtf8,
  has8bit,
  isKnownCharset,
  isUtf8Label,
  latin1,
} from './bytes';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/** Beyond this the scanner stops descending (postal-mime itself allows 256). */
const MAX_DEPTH = 50;
/** Text parts larger than this are not decoded just to check their charset. */
const MAX_TEXT_CHECK = 8 * 1024 * 1024;
const MAX_PROBLEMS = 40;

export interface ScanResult {
  /** The input, or a repaired copy when a defect had an obvious fix. */
  bytes: Uint8Array;
  problems: string[];
  /** False when the input had no recognisable header block and was read as a bare body. */
  hasHeaders: boolean;
}

interface Field {
  /** Lower-case name; '' for a line that is not a header at all. */
  lower: string;
  start: number;
  /** End of the last folded line's content (line break excluded). */
  end: number;
  /** Whole field as text, folds included; edited in place when a repair is needed. */
  text: string;
  dirty: boolean;
  /** Raw 8-bit bytes that are not UTF-8; `text` holds them read as windows-1252. */
  legacy8bit: boolean;
}

interface HeaderBlock {
  fields: Field[];
  /** Offset of the blank separator line, or the range end when there is none. */
  headerEnd: number;
  bodyStart: number;
  hasSeparator: boolean;
  validLines: number;
  invalidLines: number;
}

interface Structured {
  value: string;
  params: Record<string, string>;
}

interface Patch {
  start: number;
  end: number;
  bytes: Uint8Array;
  /** Among inserts at the same offset, goes last (a header/body separator after inserted headers). */
  last?: boolean;
}

interface DashLine {
  start: number;
  next: number;
  text: string;
}

export function scanMessage(input: Uint8Array): ScanResult {
  return new Scanner(input).run();
}

class Scanner {
  private problems: string[] = [];
  private patches: Patch[] = [];
  private dirtyFields: Field[] = [];
  private hasHeaders = true;

  constructor(private readonly buf: Uint8Array) {}

  run(): ScanResult {
    const buf = this.buf;
    let pos = 0;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      pos = 3;
      this.problem('a byte-order mark preceded the headers; skipped');
    }
    let skippedBlank = false;
    for (;;) {
      const line = this.line(pos, buf.length);
      if (line.contentEnd === pos && line.next > pos && line.next < buf.length) {
        pos = line.next;
        skippedBlank = true;
        continue;
      }
      break;
    }
    // Without this postal-mime would take the blank line as the end of an empty header block.
    if (skippedBlank) this.problem('blank lines preceded the headers; skipped');
    const first = this.line(pos, buf.length);
    if (this.startsWith(pos, 'From ') && this.fieldName(pos, first.contentEnd) === '') {
      pos = first.next;
      this.problem('an mbox "From " separator line preceded the headers; skipped');
    }
    if (pos > 0) this.patches.push({ start: 0, end: pos, bytes: new Uint8Array(0) });

    if (pos >= buf.length) {
      this.hasHeaders = false;
      if (buf.length === 0) this.problem('the message is empty');
      else this.problem('the message has no headers and no body');
      return this.finish();
    }

    const head = this.readHeaders(pos, buf.length);
    const firstIsHeader = head.fields[0]?.lower !== '';
    if (head.validLines === 0 || (!firstIsHeader && head.invalidLines > head.validLines)) {
      // Not a message at all: show whatever text there is rather than misreading it as headers.
      const utf8 = checkUtf8(buf, pos, buf.length).valid;
      const charset = utf8 ? 'utf-8' : 'windows-1252';
      this.hasHeaders = false;
      this.problem(`no header block found; the input was read as a plain-text body (${charset})`);
      this.patches.push({
        start: pos,
        end: pos,
        bytes: encodeUtf8(`Content-Type: text/plain; charset=${charset}\r\n\r\n`),
      });
      return this.finish();
    }
    this.scanEntity(head, buf.length, '', 'text/plain', 0, true);
    return this.finish();
  }

  private finish(): ScanResult {
    for (const f of this.dirtyFields)
      this.patches.push({ start: f.start, end: f.end, bytes: encodeUtf8(f.text) });
    const problems =
      this.problems.length > MAX_PROBLEMS
        ? [
            ...this.problems.slice(0, MAX_PROBLEMS),
            `…and ${this.problems.length - MAX_PROBLEMS} more problems`,
          ]
        : this.problems;
    if (this.patches.length === 0) return { bytes: this.buf, problems, hasHeaders: this.hasHeaders };
    this.patches.sort(
      (a, b) => a.start - b.start || a.end - b.end || Number(a.last ?? 0) - Number(b.last ?? 0),
    );
    const chunks: Uint8Array[] = [];
    let pos = 0;
    for (const p of this.patches) {
      if (p.start < pos) continue; // overlapping edits cannot happen by construction; be safe anyway
      chunks.push(this.buf.subarray(pos, p.start), p.bytes);
      pos = p.end;
    }
    chunks.push(this.buf.subarray(pos));
    return { bytes: Buffer.concat(chunks), problems, hasHeaders: this.hasHeaders };
  }

  private problem(text: string): void {
    if (!this.problems.includes(text)) this.problems.push(text);
  }

  private startsWith(pos: number, ascii: string): boolean {
    for (let i = 0; i < ascii.length; i++) if (this.buf[pos + i] !== ascii.charCodeAt(i)) return false;
    return true;
  }

  /** One line within [pos, limit): where its content ends (trailing CR/LF excluded) and the next begins. */
  private line(pos: number, limit: number): { contentEnd: number; next: number } {
    const nl = this.buf.indexOf(LF, pos);
    const stop = nl < 0 || nl >= limit ? limit : nl;
    const next = nl < 0 || nl >= limit ? limit : nl + 1;
    let contentEnd = stop;
    while (contentEnd > pos && this.buf[contentEnd - 1] === CR) contentEnd--;
    return { contentEnd, next };
  }

  private readHeaders(start: number, limit: number): HeaderBlock {
    const fields: Field[] = [];
    let validLines = 0;
    let invalidLines = 0;
    let pos = start;
    while (pos < limit) {
      const { contentEnd, next } = this.line(pos, limit);
      if (contentEnd === pos) {
        return this.finishHeaders(fields, pos, next, true, validLines, invalidLines);
      }
      const first = this.buf[pos];
      const last = fields[fields.length - 1];
      if ((first === SP || first === HT) && last) {
        last.end = contentEnd;
      } else {
        const lower = this.fieldName(pos, contentEnd);
        if (lower) validLines++;
        else invalidLines++;
        // Invalid lines still become (nameless) fields so that folded lines attach where postal-mime attaches them.
        fields.push({ lower, start: pos, end: contentEnd, text: '', dirty: false, legacy8bit: false });
      }
      pos = next;
    }
    return this.finishHeaders(fields, limit, limit, false, validLines, invalidLines);
  }

  private finishHeaders(
    fields: Field[],
    headerEnd: number,
    bodyStart: number,
    hasSeparator: boolean,
    validLines: number,
    invalidLines: number,
  ): HeaderBlock {
    for (const f of fields) {
      if (has8bit(this.buf, f.start, f.end) && !checkUtf8(this.buf, f.start, f.end).valid) {
        f.text = new TextDecoder('windows-1252').decode(this.buf.subarray(f.start, f.end));
        f.legacy8bit = true;
      } else {
        f.text = Buffer.from(this.buf.subarray(f.start, f.end)).toString('utf8');
      }
    }
    return { fields, headerEnd, bodyStart, hasSeparator, validLines, invalidLines };
  }

  /** Lower-case field name if the line is `name:`; '' otherwise. */
  private fieldName(pos: number, end: number): string {
    let i = pos;
    while (i < end) {
      const c = this.buf[i] ?? 0;
      if (c === 0x3a) break;
      if (c <= 0x20 || c >= 0x7f) break;
      i++;
    }
    const nameEnd = i;
    while (i < end && (this.buf[i] === SP || this.buf[i] === HT)) i++; // obsolete "Name :" syntax
    if (nameEnd === pos || i >= end || this.buf[i] !== 0x3a) return '';
    return latin1(this.buf, pos, nameEnd).toLowerCase();
  }

  private markDirty(f: Field): void {
    if (!f.dirty) {
      f.dirty = true;
      this.dirtyFields.push(f);
    }
  }

  /**
   * Non-header lines in a header block. When no header follows the first of them, the blank line
   * that ends the headers is missing and that line is where the body starts: insert the blank line
   * (postal-mime would read the whole body as headers). Otherwise they are junk between headers.
   */
  private repairHeaderEnd(head: HeaderBlock, path: string): HeaderBlock {
    const k = head.fields.findIndex((f) => f.lower === '');
    const bad = head.fields[k];
    if (!bad) return head;
    const where = path ? `part ${path}` : 'the message';
    if (k > 0 && head.fields.slice(k).every((f) => f.lower === '')) {
      this.patches.push({ start: bad.start, end: bad.start, bytes: encodeUtf8('\r\n'), last: true });
      this.problem(
        `the headers of ${where} are not followed by a blank line; the body was taken to start after them`,
      );
      return {
        ...head,
        fields: head.fields.slice(0, k),
        headerEnd: bad.start,
        bodyStart: bad.start,
        hasSeparator: true,
        invalidLines: 0,
      };
    }
    this.problem(`${head.invalidLines} malformed header line(s) in ${where}`);
    return head;
  }

  private scanEntity(
    headIn: HeaderBlock,
    end: number,
    path: string,
    defaultType: string,
    depth: number,
    isMessage: boolean,
  ): void {
    const where = path ? `part ${path}` : 'the message body';
    let head = headIn;
    for (const f of head.fields) {
      if (f.legacy8bit && f.lower) {
        // postal-mime reads raw header bytes as UTF-8; legacy mailers send Latin-1. Transcode so it reads them right.
        this.markDirty(f);
        this.problem(
          `the ${displayName(f)} header has raw 8-bit bytes that are not UTF-8; read as windows-1252`,
        );
      }
    }
    if (head.invalidLines > 0) head = this.repairHeaderEnd(head, path);
    if (isMessage) {
      for (const f of head.fields) {
        if (['subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc'].includes(f.lower)) {
          this.checkEncodedWords(f, `${displayName(f)} header`);
        }
      }
    }
    const ctField = head.fields.find((f) => f.lower === 'content-type');
    let ct = parseStructured(ctField ? fieldValue(ctField) : defaultType);
    if (!ct.value || !ct.value.includes('/')) {
      if (ctField)
        this.problem(
          `invalid Content-Type "${fieldValue(ctField).slice(0, 60)}" in ${where}; read as ${defaultType}`,
        );
      ct = { value: defaultType, params: ct.params };
    }
    const cdField = head.fields.find((f) => f.lower === 'content-disposition');
    const cd = parseStructured(cdField ? fieldValue(cdField) : '');
    for (const [key, raw] of [...Object.entries(ct.params), ...Object.entries(cd.params)]) {
      if (/^(?:name|filename)(?:\*|$)/.test(key) && raw.includes('=?'))
        this.checkEncodedText(raw, `file name of ${where}`);
    }
    const cteField = head.fields.find((f) => f.lower === 'content-transfer-encoding');
    const cte = cteField ? (/[\w-]+/.exec(fieldValue(cteField).toLowerCase())?.[0] ?? '') : '';
    if (cte && !['7bit', '8bit', 'binary', 'base64', 'quoted-printable'].includes(cte)) {
      this.problem(`unknown Content-Transfer-Encoding "${cte}" in ${where}; content left undecoded`);
    }
    if (!head.hasSeparator) return; // header-only entity: nothing more to check

    if (ct.value.startsWith('multipart/')) {
      if (depth >= MAX_DEPTH) {
        this.problem(`MIME nesting deeper than ${MAX_DEPTH} levels; inner parts not checked`);
        return;
      }
      const asText = this.scanMultipart(head, ctField, ct, end, path, depth);
      if (!asText) return;
      ct = { value: 'text/plain', params: {} };
    } else if (
      ct.value === 'message/rfc822' &&
      ['', '7bit', '8bit', 'binary'].includes(cte) &&
      cd.value !== 'attachment' &&
      depth < MAX_DEPTH
    ) {
      const inner = this.readHeaders(head.bodyStart, end);
      if (inner.validLines > 0)
        this.scanEntity(inner, end, path ? `${path}.1` : '1', 'text/plain', depth + 1, true);
      return;
    }

    if (cte === 'base64') this.checkBase64(head.bodyStart, end, where);
    const inlineText = (ct.value === 'text/plain' || ct.value === 'text/html') && cd.value !== 'attachment';
    if (inlineText || ct.value === 'text/calendar') {
      this.checkCharset(head, ctField, ct, cte, end, where);
    }
  }

  /** Checks a multipart body; returns true when it has no usable parts and must be read as plain text. */
  private scanMultipart(
    head: HeaderBlock,
    ctField: Field | undefined,
    ct: Structured,
    end: number,
    path: string,
    depth: number,
  ): boolean {
    const label = `${ct.value}${path ? ` (part ${path})` : ''}`;
    const dashLines = this.dashLines(head.bodyStart, end);
    let boundary = ct.params['boundary'] ?? '';
    const matches = (b: string): DashLine[] =>
      dashLines.filter((l) => l.text === `--${b}` || l.text === `--${b}--`);

    let delimiters = boundary ? matches(boundary) : [];
    if (delimiters.length === 0 && ctField) {
      const inferred = this.inferBoundary(dashLines, head.bodyStart, end);
      if (inferred && inferred !== boundary) {
        // postal-mime keeps the first occurrence of a parameter, so the old one (even an empty one) must go.
        const without = ctField.text.replace(
          /;\s*boundary\*?[0-9*]*\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;\s]*)/gi,
          '',
        );
        ctField.text = `${without};\r\n boundary="${inferred}"`;
        this.markDirty(ctField);
        this.problem(
          boundary
            ? `${label}: boundary "${boundary}" never occurs in the body; used "${inferred}" found there`
            : `${label} has no boundary parameter; used "${inferred}" found in the body`,
        );
        boundary = inferred;
        delimiters = matches(boundary);
      }
    }
    if (!boundary || delimiters.length === 0) {
      return ctField ? this.multipartAsText(ctField, label) : false;
    }

    let closed = false;
    let parts = 0;
    for (let i = 0; i < delimiters.length; i++) {
      const d = delimiters[i]!;
      if (d.text !== `--${boundary}`) {
        closed = true;
        break;
      }
      const partEnd = delimiters[i + 1]?.start ?? end;
      parts++;
      const childPath = path ? `${path}.${parts}` : `${parts}`;
      const childHead = this.readHeaders(d.next, partEnd);
      const childDefault = ct.value === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      this.scanEntity(childHead, partEnd, childPath, childDefault, depth + 1, false);
    }
    if (!closed) this.problem(`${label} has no closing boundary; the message is probably truncated`);
    if (parts === 0) this.problem(`${label} contains no parts`);
    return false;
  }

  private multipartAsText(ctField: Field, label: string): boolean {
    // postal-mime would drop a multipart body it cannot split; plain text at least shows the content.
    ctField.text = 'Content-Type: text/plain';
    this.markDirty(ctField);
    this.problem(`${label} has no usable boundary; its body was read as plain text`);
    return true;
  }

  private dashLines(start: number, end: number): DashLine[] {
    const out: DashLine[] = [];
    let pos = start;
    while (pos < end) {
      const { contentEnd, next } = this.line(pos, end);
      if (this.buf[pos] === 0x2d && this.buf[pos + 1] === 0x2d && contentEnd - pos > 2) {
        let e = contentEnd;
        while (e > pos && (this.buf[e - 1] === SP || this.buf[e - 1] === HT)) e--;
        out.push({ start: pos, next, text: latin1(this.buf, pos, e) });
      }
      pos = next;
    }
    return out;
  }

  /** Guesses a multipart boundary from delimiter-looking lines that are followed by part headers. */
  private inferBoundary(dashLines: DashLine[], bodyStart: number, end: number): string | null {
    let firstContent = bodyStart;
    while (firstContent < end) {
      const { contentEnd, next } = this.line(firstContent, end);
      if (contentEnd > firstContent) break;
      firstContent = next;
    }
    const counts = new Map<string, number>();
    for (const d of dashLines) counts.set(d.text, (counts.get(d.text) ?? 0) + 1);
    for (const l of dashLines.slice(0, 1000)) {
      const body = l.text.slice(2);
      const base = body.endsWith('--') && body.length > 2 ? body.slice(0, -2) : body;
      if (
        !base ||
        base.length > 200 ||
        /^-*$/.test(base) ||
        /[^\x21-\x7e ]|["\\]/.test(base) ||
        base.endsWith(' ')
      )
        continue;
      if (l.text !== `--${base}`) continue; // must start with an opening delimiter
      const after = this.line(l.next, end);
      const nextIsHeaderOrBlank =
        after.contentEnd === l.next || this.fieldName(l.next, after.contentEnd) !== '';
      if (!nextIsHeaderOrBlank) continue;
      const count = (counts.get(`--${base}`) ?? 0) + (counts.get(`--${base}--`) ?? 0);
      if (count >= 2 || l.start === firstContent) return base;
    }
    return null;
  }

  private checkBase64(start: number, end: number, where: string): void {
    let data = 0; // base64 characters in the current padding-delimited unit
    let invalid = 0;
    let paddedEnd = false;
    for (let i = start; i < end; i++) {
      const c = this.buf[i] ?? 0;
      if (
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2b ||
        c === 0x2f
      ) {
        data++;
        paddedEnd = false;
      } else if (c === 0x3d) {
        data = 0; // '=' closes a unit; some mailers pad every line
        paddedEnd = true;
      } else if (c !== CR && c !== LF && c !== SP && c !== HT) {
        invalid++;
      }
    }
    if (invalid > 0) this.problem(`${where} has ${invalid} invalid character(s) in its base64 data; ignored`);
    if (!paddedEnd && data % 4 !== 0)
      this.problem(`${where} ends in the middle of a base64 group; the data is truncated`);
  }

  private checkCharset(
    head: HeaderBlock,
    ctField: Field | undefined,
    ct: Structured,
    cte: string,
    end: number,
    where: string,
  ): void {
    if (end - head.bodyStart > MAX_TEXT_CHECK) return;
    const raw = this.buf.subarray(head.bodyStart, end);
    let bytes: Uint8Array;
    if (cte === 'base64') bytes = Buffer.from(latin1(raw), 'base64');
    else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(latin1(raw));
    else bytes = raw;

    const declared = ct.params['charset']?.trim() ?? '';
    if (declared && !isKnownCharset(declared)) {
      this.problem(`unknown charset "${declared}" in ${where}; read as windows-1252`);
      return;
    }
    if (!has8bit(bytes)) return;
    const utf8 = checkUtf8(bytes);
    if (!declared) {
      if (ct.value === 'text/html') {
        const meta = sniffHtmlCharset(latin1(bytes, 0, Math.min(bytes.length, 4096)));
        if (meta && isKnownCharset(meta)) {
          this.setCharset(head, ctField, ct, meta);
          this.problem(`${where} has 8-bit text but no charset; used "${meta}" from its HTML meta tag`);
          return;
        }
      }
      if (utf8.valid) {
        this.problem(`${where} has 8-bit text but no charset; read as UTF-8`);
      } else {
        this.setCharset(head, ctField, ct, 'windows-1252');
        this.problem(`${where} has 8-bit text but no charset and it is not UTF-8; read as windows-1252`);
      }
      return;
    }
    if (isUtf8Label(declared) && !utf8.valid) {
      if (utf8.multibyte === 0) {
        // Labelled UTF-8 without a single valid sequence: almost certainly mislabelled Latin-1.
        this.setCharset(head, ctField, ct, 'windows-1252');
        this.problem(`${where} is labelled UTF-8 but is not; read as windows-1252`);
      } else {
        this.problem(`${where} has ${utf8.invalid} invalid UTF-8 sequence(s); replaced with U+FFFD`);
      }
    } else if (/^(?:us-)?ascii$/i.test(declared)) {
      this.problem(`${where} is labelled ${declared} but has 8-bit bytes; read as windows-1252`);
    }
  }

  private setCharset(head: HeaderBlock, ctField: Field | undefined, ct: Structured, charset: string): void {
    if (ctField) {
      ctField.text = `${ctField.text.replace(/;\s*charset\s*=\s*(?:"[^"]*"|[^;\s]*)/gi, '')}; charset=${charset}`;
      this.markDirty(ctField);
    } else {
      this.patches.push({
        start: head.headerEnd,
        end: head.headerEnd,
        bytes: encodeUtf8(`Content-Type: ${ct.value}; charset=${charset}\r\n`),
      });
    }
  }

  private checkEncodedWords(f: Field, label: string): void {
    const value = fieldValue(f);
    if (!value.includes('=?')) return;
    // An encoded word cut off at the end of the field (a common truncation bug): closing it lets it decode.
    if (/=\?[^?\s]+\?[QqBb]\?[^?\s]*$/.test(value)) {
      f.text = `${f.text.trimEnd()}?=`;
      this.markDirty(f);
      this.problem(`the ${label} ends in an unterminated encoded word; closed it`);
      this.checkEncodedText(`${value}?=`, label);
      return;
    }
    this.checkEncodedText(value, label);
  }

  private checkEncodedText(value: string, label: string): void {
    const re = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value))) {
      const charset = (m[1] ?? '').split('*')[0] ?? '';
      if (!isKnownCharset(charset))
        this.problem(`the ${label} has an encoded word in unknown charset "${charset}"`);
      if (m[2]?.toUpperCase() === 'B') {
        const payload = (m[3] ?? '').replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.replace(/=+$/, '').length % 4 === 1) {
          this.problem(`the ${label} has a malformed base64 encoded word`);
        }
      }
    }
    // What is left after removing well-formed words but still looks like the start of one is broken.
    if (/=\?[^?\s]*\?[QqBb]\?/.test(value.replace(re, ''))) {
      this.problem(`the ${label} has a malformed encoded word; left as literal text`);
    }
  }
}

function displayName(f: Field): string {
  const name = f.text.slice(0, Math.max(0, f.text.indexOf(':'))).trim();
  return name.length > 0 && name.length <= 60 ? name : 'a';
}

/** Unfolded, trimmed value of a field. */
export function fieldValue(f: { text: string }): string {
  const i = f.text.indexOf(':');
  return f.text
    .slice(i + 1)
    .replace(/\r?\n/g, '')
    .trim();
}

/**
 * Minimal RFC 2045 structured-value parser (type/subtype; key=value; key="quoted") with
 * comments stripped; first occurrence of a parameter wins, as in postal-mime.
 */
export function parseStructured(input: string): Structured {
  const params: Record<string, string> = {};
  let i = 0;
  const s = input;
  const skipWs = (): void => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s[i] !== '(') return;
      let depth = 0;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) {
          i++;
          break;
        }
      }
    }
  };
  skipWs();
  let value = '';
  while (i < s.length && s[i] !== ';') value += s[i++];
  value = value
    .replace(/\(.*?\)/g, '')
    .trim()
    .toLowerCase();
  while (i < s.length) {
    i++; // ';'
    skipWs();
    let key = '';
    while (i < s.length && s[i] !== '=' && s[i] !== ';') key += s[i++];
    key = key.trim().toLowerCase();
    if (s[i] !== '=') {
      if (key && !(key in params)) params[key] = '';
      continue;
    }
    i++;
    skipWs();
    let val = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        val += s[i++];
      }
      i++;
      while (i < s.length && s[i] !== ';') i++;
    } else {
      while (i < s.length && s[i] !== ';') val += s[i++];
      val = val.trim();
    }
    if (key && !Object.prototype.hasOwnProperty.call(params, key)) params[key] = val;
  }
  return { value, params };
}

function sniffHtmlCharset(head: string): string | null {
  const m =
    /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head) ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset\s*=\s*([\w.:-]+)/i.exec(head);
  return m?.[1] ?? null;
}
