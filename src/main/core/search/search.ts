import type { MessageSummary } from '../../../shared/types';
import type { Store } from '../store';
import { parseSearch } from './query';

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
  if (parsed.match) {
    clauses.push('m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    args.push(parsed.match);
  }
  if (parsed.exclude) {
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
  let rows: { id: string }[];
  let total: number;
  try {
    rows = store.db.prepare(`SELECT m.id FROM messages m WHERE ${where} ORDER BY m.date DESC LIMIT ?`).all(...args, limit) as { id: string }[];
    total = rows.length < limit ? rows.length : (store.db.prepare(`SELECT count(*) AS n FROM messages m WHERE ${where}`).get(...args) as { n: number }).n;
  } catch {
    // An FTS syntax the parser let through: answer with nothing rather than an error while typing.
    return { items: [], total: 0, highlights: parsed.terms };
  }
  return { items: store.mail.summaries(rows.map((r) => r.id)), total, highlights: parsed.terms };
}
