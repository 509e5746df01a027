/**
 * Decodes the raw text of an OData string literal: 'it''s' -> it's. Returns undefined when malformed.
 * The parser accepts "%27" as an apostrophe (the ABNF's SQUOTE) when it decides where a literal ends,
 * so we read it the same way; other percent-escapes are left alone because the HTTP layer already decoded.
 */
export function decodeStringLiteral(raw: string): string | undefined {
  const text = raw.replaceAll('%27', "'");
  if (text.length < 2 || !text.startsWith("'") || !text.endsWith("'")) return undefined;
  const inner = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === "'") {
      if (inner[i + 1] !== "'") return undefined;
      i++;
    }
    out += ch;
  }
  return out;
}

/** Parses an OData numeric literal; undefined for INF/NaN and integers JavaScript cannot hold exactly. */
export function parseNumberLiteral(raw: string): number | undefined {
  const value = Number(raw);
  if (!Number.isFinite(value)) return undefined;
  if (/^[+-]?\d+$/.test(raw) && !Number.isSafeInteger(value)) return undefined;
  return value;
}

export interface ParsedDateTime {
  /** Epoch milliseconds (UTC). */
  ms: number;
  hasTime: boolean;
  hasOffset: boolean;
}

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/**
 * Strict ISO 8601 subset used by OData: YYYY-MM-DD[THH:MM[:SS[.fff...]][Z|±HH:MM]].
 * Rejects impossible dates (Feb 30) instead of letting Date roll them over. Fractions beyond
 * milliseconds are truncated (Outlook sends 7 digits). A missing offset means UTC, matching the
 * Outlook connector, which serialises event times in UTC without a designator.
 */
export function parseIsoDateTime(text: string): ParsedDateTime | undefined {
  const m = ISO_DATETIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  // setUTCFullYear rather than Date.UTC, which maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return {
    ms: date.getTime() - offsetMinutes * 60_000,
    hasTime: h !== undefined,
    hasOffset: zone !== undefined,
  };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
