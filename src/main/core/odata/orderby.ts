import { ODataQueryError } from './errors';
import type { FieldResolver, ResolvedField } from './fields';

export interface OrderItem {
  field: ResolvedField;
  descending: boolean;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const DIRECTION = /(asc|desc)(?![A-Za-z0-9_])/iy;

/**
 * Parses `Field [asc|desc] (, Field [asc|desc])*`. Hand-written rather than @odata/parser's $orderby rule,
 * which rejects "Subject DESC" and spaces around commas and reports every failure as "Fail at 0": the
 * grammar is small and precise positions matter more here.
 */
export function parseOrderBy(text: string, resolve: FieldResolver): OrderItem[] {
  const items: OrderItem[] = [];
  let i = skipWhitespace(text, 0);
  for (;;) {
    IDENTIFIER.lastIndex = i;
    const name = IDENTIFIER.exec(text)?.[0];
    if (name === undefined) {
      const what =
        i >= text.length ? 'Expected a field name' : `Expected a field name, found '${text.charAt(i)}'`;
      throw new ODataQueryError('InvalidOrderBy', '$orderby', what, i);
    }
    const start = i;
    i += name.length;
    if (text.charAt(i) === '/' || text.charAt(i) === '(') {
      throw new ODataQueryError(
        'InvalidOrderBy',
        '$orderby',
        'Only plain field names can be sorted on',
        start,
      );
    }
    const field = resolve(name);
    if (!field) throw new ODataQueryError('UnknownField', '$orderby', `Unknown field '${name}'`, start);

    let descending = false;
    const afterName = skipWhitespace(text, i);
    if (afterName > i) {
      DIRECTION.lastIndex = afterName;
      const direction = DIRECTION.exec(text)?.[1];
      if (direction !== undefined) {
        descending = direction.toLowerCase() === 'desc';
        i = afterName + direction.length;
      }
    }
    items.push({ field, descending });

    i = skipWhitespace(text, i);
    if (i >= text.length) return items;
    if (text.charAt(i) !== ',') {
      throw new ODataQueryError(
        'InvalidOrderBy',
        '$orderby',
        `Expected 'asc', 'desc', ',' or the end, found '${text.slice(i, i + 16)}'`,
        i,
      );
    }
    i = skipWhitespace(text, i + 1);
  }
}

/** Renders ORDER BY terms. Strings sort case-insensitively, as a person scanning a list expects. */
export function orderBySql(items: readonly OrderItem[]): string {
  return items
    .map(({ field, descending }) => {
      const collate = field.type === 'string' ? ' COLLATE NOCASE' : '';
      // SQLite puts NULLs first ascending and last descending, which is also OData's rule.
      return `${field.sql}${collate} ${descending ? 'DESC' : 'ASC'}`;
    })
    .join(', ');
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (text.charAt(i) === ' ' || text.charAt(i) === '\t') i++;
  return i;
}
