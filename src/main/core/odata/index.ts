// OData query options ($filter, $orderby, $top, $skip) -> parameterised SQLite, for the local REST API that
// mirrors the Outlook.com connector. This is the module's only public entry point.
import { ODataQueryError, type ODataQueryErrorCode, type ODataQueryParameter } from './errors';
import { fieldResolver, type FieldResolver } from './fields';
import { compileFilter } from './filter';
import { orderBySql, parseOrderBy, type OrderItem } from './orderby';
import type { CompiledQuery, CompileOptions, FieldMap, ODataQueryInput } from './types';

export { ODataQueryError, type ODataQueryErrorCode, type ODataQueryParameter } from './errors';
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from './filter';
export type {
  CompiledQuery,
  CompileOptions,
  FieldMap,
  FieldSpec,
  FieldType,
  ODataQueryInput,
  SqlParam,
} from './types';

export const DEFAULT_TOP = 256;
export const DEFAULT_MAX_TOP = 5000;

const NO_FILTER = '1 = 1';

/**
 * Compiles client-supplied OData query options against a whitelist of fields.
 *
 * Throws ODataQueryError (a 400 for the client) for bad input, and TypeError for programmer mistakes in
 * `fields` or `options`. Every client value reaches SQL through `params`; only the trusted `fields[*].sql`
 * text is spliced in. Empty or whitespace-only options count as absent.
 *
 * Usage: `SELECT ... WHERE e.calendar_id = ? AND ${q.where} ORDER BY ${q.orderBy} LIMIT ? OFFSET ?`
 * with `[calendarId, ...q.params, q.limit, q.offset]` (omit ORDER BY when `q.orderBy` is "").
 */
export function compileODataQuery(
  query: ODataQueryInput,
  fields: FieldMap,
  options: CompileOptions = {},
): CompiledQuery {
  const maxTop = checkOption('maxTop', options.maxTop ?? DEFAULT_MAX_TOP);
  const defaultTop = checkOption('defaultTop', options.defaultTop ?? DEFAULT_TOP);
  const resolve = fieldResolver(fields);

  const filterText = presentText(query.$filter, 'InvalidFilter', '$filter');
  const filter =
    filterText === undefined ? { sql: NO_FILTER, params: [] } : compileFilter(filterText, resolve);

  const orderText = presentText(query.$orderby, 'InvalidOrderBy', '$orderby');
  const requested = orderText === undefined ? [] : parseOrderBy(orderText, resolve);
  const order = withDefaults(requested, defaultOrder(options.defaultOrderBy, resolve));

  const top = parseCount(query.$top, 'InvalidTop', '$top');
  const skip = parseCount(query.$skip, 'InvalidSkip', '$skip');
  if (skip !== undefined && !Number.isSafeInteger(skip)) {
    throw new ODataQueryError('InvalidSkip', '$skip', `Value ${String(query.$skip)} is too large`);
  }

  return {
    where: filter.sql,
    params: filter.params,
    orderBy: orderBySql(order),
    // Capping (rather than rejecting) an oversized $top matches how Outlook/Graph treat page sizes.
    limit: Math.min(top ?? defaultTop, maxTop),
    offset: skip ?? 0,
  };
}

function checkOption(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`compileODataQuery: options.${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Query strings can repeat a key, which many HTTP parsers surface as an array; refuse it explicitly. */
function presentText(
  value: unknown,
  code: ODataQueryErrorCode,
  parameter: ODataQueryParameter,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ODataQueryError(code, parameter, 'Expected a single text value');
  return value.trim() === '' ? undefined : value;
}

function parseCount(
  value: unknown,
  code: 'InvalidTop' | 'InvalidSkip',
  parameter: '$top' | '$skip',
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new ODataQueryError(code, parameter, `Expected a non-negative integer, got ${value}`);
  }
  if (typeof value !== 'string')
    throw new ODataQueryError(code, parameter, 'Expected a single integer value');
  const text = value.trim();
  if (text === '') return undefined;
  // Digits only: rejects "-1", "1.5", "1e3", "0x10" and "abc", all of which Number() would accept or coerce.
  if (!/^\d+$/.test(text)) {
    throw new ODataQueryError(code, parameter, `Expected a non-negative integer, got '${text.slice(0, 32)}'`);
  }
  return Number(text);
}

function defaultOrder(text: string | undefined, resolve: FieldResolver): OrderItem[] {
  if (text === undefined || text.trim() === '') return [];
  try {
    return parseOrderBy(text, resolve);
  } catch (err) {
    // The default comes from our code, so a mistake in it is a bug, not a client error.
    if (err instanceof ODataQueryError) {
      throw new TypeError(`compileODataQuery: options.defaultOrderBy is invalid: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** Appends default terms the client did not sort on, as tie-breakers that keep $skip paging stable. */
function withDefaults(requested: OrderItem[], defaults: OrderItem[]): OrderItem[] {
  const seen = new Set(requested.map((item) => item.field.name));
  return [...requested, ...defaults.filter((item) => !seen.has(item.field.name))];
}
