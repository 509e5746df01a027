/**
 * The search box language: free text and quoted phrases go to the FTS5 index; operators
 * (from:, to:, subject:, has:attachment, is:unread|read|flagged, in:folder, before:, after:)
 * narrow it. Parsing never throws: what it cannot read is searched as text.
 */
export interface ParsedSearch {
  /** FTS5 MATCH expression, or null when there is no text part. */
  match: string | null;
  filters: {
    unread?: boolean;
    flagged?: boolean;
    hasAttachment?: boolean;
    folder?: string;
    before?: number;
    after?: number;
  };
  /** Words to highlight in results. */
  terms: string[];
}

const TOKEN = /(-?)(\w+):("([^"]*)"|\S+)|"([^"]*)"|(\S+)/g;

function ftsString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

function parseDate(value: string): number | undefined {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? undefined : t;
}

export function parseSearch(input: string): ParsedSearch {
  const parts: string[] = [];
  const terms: string[] = [];
  const filters: ParsedSearch['filters'] = {};
  for (const m of input.matchAll(TOKEN)) {
    const [, neg, key, rawValue, quoted, phrase, word] = m;
    if (key !== undefined && rawValue !== undefined) {
      const value = quoted ?? rawValue;
      const k = key.toLowerCase();
      const column = { from: 'sender', to: 'recipients', subject: 'subject', body: 'body' }[k];
      if (column && value) {
        const words = value.split(/\s+/).filter(Boolean);
        parts.push(`${neg ? 'NOT ' : ''}${column} : (${words.map((w) => `${ftsString(w)}*`).join(' ')})`);
        terms.push(...words);
        continue;
      }
      const v = value.toLowerCase();
      if (k === 'is' && (v === 'unread' || v === 'read')) filters.unread = (v === 'unread') !== Boolean(neg);
      else if (k === 'is' && (v === 'flagged' || v === 'starred')) filters.flagged = !neg;
      else if (k === 'has' && (v === 'attachment' || v === 'attachments')) filters.hasAttachment = !neg;
      else if (k === 'in') filters.folder = value;
      else if (k === 'before' && parseDate(value) !== undefined) filters.before = parseDate(value);
      else if (k === 'after' && parseDate(value) !== undefined) filters.after = parseDate(value);
      else {
        parts.push(ftsString(`${key}:${value}`));
        terms.push(value);
      }
      continue;
    }
    if (phrase !== undefined) {
      if (phrase.trim()) {
        parts.push(ftsString(phrase));
        terms.push(phrase);
      }
      continue;
    }
    if (word) {
      // Prefix match so results come as you type.
      parts.push(`${ftsString(word)}*`);
      terms.push(word);
    }
  }
  // NOT cannot stand first in FTS5; a lone negation becomes a filter-free search for everything else.
  const positive = parts.filter((p) => !p.startsWith('NOT '));
  const negative = parts.filter((p) => p.startsWith('NOT '));
  const match = positive.length ? [positive.join(' AND '), ...negative].join(' ') : null;
  return { match, filters, terms };
}
