import type { MessageSummary } from '../../../shared/types';
import type { Store } from '../store';
import { parseSearch } from './query';

/** Up to this many full-text matches are read row by row; past it the date index is walked instead. */
const FEW_TEXT_MATCHES = 2000;

export interface SearchResult {
  items: MessageSummary[];
  total: number;
  highlights: string[];
}

/** Answers the search box from the FTS5 index and the message columns, newest first. */
export function searchMessages(store: Store, query: string, limit: number): SearchResult {
  const parsed = parseSearch(query);
  const clauses: string[] = [];
  const args: (string | number)[] = [];
  // With a positive part, negated words go into the same FTS5 expression: one match set, not two.
  const textMatch = parsed.match && parsed.exclude ? `(${parsed.match}) NOT (${parsed.exclude})` : parsed.match;
  if (textMatch) {
    clauses.push('m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    args.push(textMatch);
  }
  if (parsed.exclude && !parsed.match) {
    clauses.push('m.rowid NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    args.push(parsed.exclude);
  }
  const f = parsed.filters;
  if (f.unread !== undefined) clauses.push(`m.is_read = ${f.unread ? 0 : 1}`);
  if (f.flagged !== undefined) clauses.push(`m.is_flagged = ${f.flagged ? 1 : 0}`);
  if (f.hasAttachment !== undefined) clauses.push(`m.has_attachments = ${f.hasAttachment ? 1 : 0}`);
  if (f.before !== undefined) {
    clauses.push('m.date < ?');
    args.push(f.before);
  }
  if (f.after !== undefined) {
    clauses.push('m.date >= ?');
    args.push(f.after);
  }
  if (f.folder) {
    clauses.push('m.folder_id IN (SELECT id FROM folders WHERE lower(name) = lower(?) OR lower(path) = lower(?) OR role = lower(?))');
    args.push(f.folder, f.folder, f.folder);
  }
  if (clauses.length === 0) return { items: [], total: 0, highlights: [] };
  const where = clauses.join(' AND ');
  let top: string[];
  let total: number;
  try {
    // Few text matches: read those rows and sort them here (cheaper than walking the date index).
    // Many, or filters only: walk the covering (date DESC, flags, folder) index newest first, which
    // counts without reading any row and stops the list after `limit` (migrations 6 and 8).
    const textMatches = textMatch
      ? (store.db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(textMatch) as number)
      : Number.POSITIVE_INFINITY;
    if (textMatches <= FEW_TEXT_MATCHES) {
      const matches = store.db.prepare(`SELECT m.id, m.date FROM messages m WHERE ${where}`).raw().all(...args) as [string, number][];
      matches.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      top = matches.slice(0, limit).map((r) => r[0]);
      total = matches.length;
    } else {
      // is:unread / is:flagged walk a partial index of just those messages (migration 8).
      const index = f.unread === true ? 'messages_unread_date' : f.flagged === true ? 'messages_flagged_date' : 'messages_date_flags';
      const from = `messages m INDEXED BY ${index} WHERE ${where}`;
      // Text alone: the index's own count is the answer (every message has exactly one FTS row).
      total = textMatch && clauses.length === 1 ? textMatches : (store.db.prepare(`SELECT count(*) FROM ${from}`).pluck().get(...args) as number);
      top = store.db.prepare(`SELECT m.id FROM ${from} ORDER BY m.date DESC LIMIT ?`).pluck().all(...args, limit) as string[];
    }
  } catch {
    // An FTS syntax the parser let through: answer with nothing rather than an error while typing.
    return { items: [], total: 0, highlights: parsed.terms };
  }
  return { items: store.mail.summaries(top), total, highlights: parsed.terms };
}
