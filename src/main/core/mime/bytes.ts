// Byte-level helpers shared by the structure scanner and the parser: charset lookup, UTF-8
// validation and the transfer decodings the scanner needs to look at text parts.

const utf8Encoder = new TextEncoder();

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes bytes one byte per char; used for ASCII structure (header names, params, boundaries). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

export function has8bit(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] ?? 0) >= 0x80) return true;
  return false;
}

export interface Utf8Check {
  /** Every byte sequence is well-formed UTF-8. */
  valid: boolean;
  /** Number of well-formed multi-byte sequences; tells "mostly UTF-8 with damage" from "not UTF-8 at all". */
  multibyte: number;
  invalid: number;
}

/** Strict UTF-8 validation (no overlongs, no surrogates), counting good and bad sequences. */
export function checkUtf8(bytes: Uint8Array, start = 0, end = bytes.length): Utf8Check {
  let multibyte = 0;
  let invalid = 0;
  let i = start;
  while (i < end) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      invalid++;
      i++;
      continue;
    }
    let cp = b & (0x3f >> need);
    let ok = i + need < end;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k] ?? 0;
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      multibyte++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid: invalid === 0, multibyte, invalid };
}

const knownCharsets = new Map<string, boolean>();

/**
 * Whether a charset label names an encoding we can decode. Mirrors the spirit of postal-mime's
 * lookup (WHATWG labels, then x-/cs- prefixes and separators stripped, cp/windows code pages);
 * only used to word a problem report, so an occasional mismatch costs nothing but wording.
 */
export function isKnownCharset(label: string): boolean {
  const key = label.trim().toLowerCase();
  const cached = knownCharsets.get(key);
  if (cached !== undefined) return cached;
  const normalized = key.replace(/^(?:x-ms-|x-|cs)/, '');
  const candidates = [
    key,
    normalized,
    normalized.replace(/[\s._-]+/g, ''),
    normalized.replace(/^(?:cp|ms|ibm)(\d+)$/, 'windows-$1'),
    normalized.replace(/^(?:shiftjis|mskanji|windows-?31j)$/, 'shift_jis'),
    normalized.replace(/^iso-?8859-?(\d+)(?:-[ie])?$/, 'iso-8859-$1'),
    normalized.replace(/^iso-?2022-?jp(?:-\d)?$/, 'iso-2022-jp'),
    normalized.replace(/^euc-?(jp|kr)$/, 'euc-$1'),
    normalized.replace(/^(?:uhc|windows-949)$/, 'euc-kr'),
    normalized.replace(/^tis-?620$/, 'windows-874'),
  ];
  let ok = false;
  for (const c of candidates) {
    try {
      new TextDecoder(c);
      ok = true;
      break;
    } catch {
      // not a label this runtime knows; try the next spelling
    }
  }
  if (knownCharsets.size < 500) knownCharsets.set(key, ok);
  return ok;
}

export function isUtf8Label(label: string): boolean {
  return /^(?:utf-?8|unicode-1-1-utf-8|x-unicode20utf8|unicode20utf8)$/i.test(label.trim());
}

/** Quoted-printable decoding with the same leniency as postal-mime (bad escapes kept literally). */
export function decodeQuotedPrintable(text: string): Uint8Array {
  const out: number[] = [];
  const lines = text.split('\n');
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    line = line.replace(/[ \t]+$/, '');
    const soft = line.endsWith('=');
    if (soft) line = line.slice(0, -1);
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x3d && i + 2 < line.length && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 1, i + 3))) {
        out.push(parseInt(line.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.push(c & 0xff);
      }
    }
    if (!soft && li < lines.length - 1) out.push(0x0a);
  }
  return Uint8Array.from(out);
}
