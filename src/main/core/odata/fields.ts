import type { FieldMap, FieldType } from './types';

export interface ResolvedField {
  /** The public name as spelled in the FieldMap (not as the client typed it). */
  name: string;
  type: FieldType;
  /** The column expression, parenthesised unless it is a plain (qualified) identifier. */
  sql: string;
}

export type FieldResolver = (name: string) => ResolvedField | undefined;

const FIELD_TYPES: ReadonlySet<string> = new Set<FieldType>(['string', 'number', 'boolean', 'datetime']);
const PLAIN_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

// Field maps are module-level constants in practice, so validate and index each one once.
const cache = new WeakMap<FieldMap, FieldResolver>();

export function fieldResolver(fields: FieldMap): FieldResolver {
  let resolver = cache.get(fields);
  if (!resolver) {
    resolver = buildResolver(fields);
    cache.set(fields, resolver);
  }
  return resolver;
}

function buildResolver(fields: FieldMap): FieldResolver {
  const exact = new Map<string, ResolvedField>();
  // Lower-cased name -> field, or null when two fields differ only by case (then only exact matches work).
  const folded = new Map<string, ResolvedField | null>();
  // Object.keys, not `in`: a client must never reach inherited keys such as "constructor".
  for (const name of Object.keys(fields)) {
    const spec = fields[name];
    if (!spec || typeof spec.sql !== 'string' || spec.sql.trim() === '' || !FIELD_TYPES.has(spec.type)) {
      throw new TypeError(`OData field map: '${name}' needs a non-empty sql expression and a known type`);
    }
    if (hasPlaceholder(spec.sql)) {
      // A placeholder inside a column expression would silently shift every bound parameter.
      throw new TypeError(`OData field map: the sql of '${name}' must not contain parameter placeholders`);
    }
    const sql = PLAIN_COLUMN.test(spec.sql) ? spec.sql : `(${spec.sql})`;
    const field: ResolvedField = { name, type: spec.type, sql };
    exact.set(name, field);
    const key = name.toLowerCase();
    folded.set(key, folded.has(key) ? null : field);
  }
  // Case-insensitive fallback because the Outlook/Graph APIs we mirror accept "subject" for "Subject".
  return (name) => exact.get(name) ?? folded.get(name.toLowerCase()) ?? undefined;
}

/** True when `sql` has ?, ?N, :name, @name or $name outside single-quoted strings (e.g. '$.path' is fine). */
function hasPlaceholder(sql: string): boolean {
  const outsideStrings = sql.replace(/'(?:[^']|'')*'/g, "''");
  return /\?|[:@$][A-Za-z_]/.test(outsideStrings);
}
