/**
 * The search box language: free text and quoted phrases go to the FTS5 index; operators
 * (from:, to:, cc:, subject:, body:, has:attachment, is:unread|read|flagged|unflagged, in:folder,
 * before:, after:) narrow it, and a leading "-" negates a word or an operator. Parsing never throws:
 * what it cannot read is searched as text, and an operator still being typed ("from:") is ignored.
 */
export interface ParsedSearch {
  /** FTS5 MATCH expression the message must match, or null when there is no positive text part. */
  match: string | null;
  /** FTS5 MATCH expression the message must NOT match (negated words and text operators). */
  exclude: string | null;
  filters: {
    unread?: boolean;
    flagged?: boolean;
    hasAttachment?: boolean;
    folder?: string;
    /** Epoch ms, exclusive: messages strictly before this day. */
    before?: number;
    /** Epoch ms, inclusive: messages on or after this day. */
    after?: number;
  };
  /** Words and phrases to highlight in results. */
  terms: string[];
}

const TOKEN = /(-?)([a-z_]+):("([^"]*)"?|\S+)|(-?)"([^"]*)"?|(\S+)/gi;

const TEXT_COLUMNS: Record<string, string> = { from: 'sender', to: 'recipients', cc: 'recipients', subject: 'subject', body: 'body' };
const KNOWN_KEYS = new Set([...Object.keys(TEXT_COLUMNS), 'is', 'has', 'in', 'before', 'after']);

/** True when a string holds something FTS5's tokenizer keeps (letters or digits). */
function hasToken(s: string): boolean {
  return /[\p{L}\p{N}]/u.test(s);
}

function ftsString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** YYYY-MM-DD or YYYY/MM/DD (UTC midnight); nothing else, so a typo never silently filters. */
export function parseSearchDate(value: string): number | undefined {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const t = Date.UTC(y, mo - 1, d);
  return new Date(t).getUTCDate() === d ? t : undefined;
}

export function parseSearch(input: string): ParsedSearch {
  const positive: string[] = [];
  const negative: string[] = [];
  const terms: string[] = [];
  const filters: ParsedSearch['filters'] = {};
  const text = (expr: string, negated: boolean, term: string) => {
    (negated ? negative : positive).push(expr);
    if (!negated) terms.push(term);
  };
  for (const m of input.matchAll(TOKEN)) {
    const [whole, neg, key, rawValue, quoted, phraseNeg, phrase, word] = m;
    if (key !== undefined && rawValue !== undefined) {
      const k = key.toLowerCase();
      const value = (quoted ?? rawValue).trim();
      const negated = neg === '-';
      const column = TEXT_COLUMNS[k];
      if (column) {
        const words = value.split(/\s+/).filter(hasToken);
        if (!words.length) continue;
        // A quoted operator value is a phrase; a bare one matches as you type (prefix on the last word).
        const expr = quoted !== undefined ? ftsString(value) : `${ftsString(words.join(' '))}*`;
        text(`${column} : ${expr}`, negated, value);
        continue;
      }
      const v = value.toLowerCase();
      if (k === 'is' && (v === 'unread' || v === 'read')) filters.unread = (v === 'unread') !== negated;
      else if (k === 'is' && (v === 'flagged' || v === 'starred')) filters.flagged = !negated;
      else if (k === 'is' && v === 'unflagged') filters.flagged = negated;
      else if (k === 'has' && (v === 'attachment' || v === 'attachments')) filters.hasAttachment = !negated;
      else if (k === 'in' && value) filters.folder = value;
      else if (k === 'before' && parseSearchDate(value) !== undefined) filters.before = parseSearchDate(value);
      else if (k === 'after' && parseSearchDate(value) !== undefined) filters.after = parseSearchDate(value);
      else if (KNOWN_KEYS.has(k) && !hasToken(value)) continue;
      else if (hasToken(whole)) text(ftsString(whole.replace(/^-/, '')), negated, whole.replace(/^-/, ''));
      continue;
    }
    if (phrase !== undefined) {
      // An unclosed quote is a phrase still being typed: its last word matches as a prefix.
      const closed = /.+"$/.test(whole.replace(/^-/, ''));
      if (hasToken(phrase)) text(closed ? ftsString(phrase) : `${ftsString(phrase.trim())}*`, phraseNeg === '-', phrase);
      continue;
    }
    if (word) {
      // "from:" on its own is an operator still being typed, not a search for the word "from".
      if (/^[a-z_]+:$/i.test(word) && KNOWN_KEYS.has(word.slice(0, -1).toLowerCase())) continue;
      const negated = word.startsWith('-') && word.length > 1;
      const bare = negated ? word.slice(1) : word;
      if (!hasToken(bare)) continue;
      // Prefix match so results come as you type.
      text(`${ftsString(bare)}*`, negated, bare);
    }
  }
  return {
    match: positive.length ? positive.join(' AND ') : null,
    exclude: negative.length ? negative.join(' OR ') : null,
    filters,
    terms,
  };
}
