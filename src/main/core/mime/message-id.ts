// Message-ID handling. Ids are kept in their bracketed form `<local@domain>` everywhere so that
// what is stored, looked up and written back into In-Reply-To / References is the same string.

/** Ids longer than this are junk (RFC 5322 lines max out at 998) and are not worth threading on. */
const MAX_ID_LENGTH = 250;

/** All message ids in a header value, in order. Unbracketed legacy values are bracketed. */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids: string[] = [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  if (bracketed) {
    for (const id of bracketed) if (id.length <= MAX_ID_LENGTH + 2) ids.push(id);
    return ids;
  }
  // Some mailers omit the brackets; whitespace- or comma-separated tokens with an @ are ids then.
  for (const token of value.split(/[\s,]+/)) {
    const t = token.replace(/^[<("']+|[>)"']+$/g, '');
    if (t.includes('@') && t.length <= MAX_ID_LENGTH) ids.push(`<${t}>`);
  }
  return ids;
}

export function normalizeMessageId(value: string | null | undefined): string | null {
  return parseMessageIds(value)[0] ?? null;
}

/** RFC 5322 3.6.4 leaves trimming to the writer; keeping the first id and the newest ones preserves the thread root and the nearest ancestors. */
export const MAX_REFERENCES = 20;

export function trimReferences(ids: readonly string[], max = MAX_REFERENCES): string[] {
  const unique: string[] = [];
  for (const id of ids) if (!unique.includes(id)) unique.push(id);
  if (unique.length <= max) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (max - 1))];
}
