/**
 * OData query handling as Graph applies it to Outlook resources:
 * system query option validation, $select, $filter (a practical subset), $orderby,
 * $top/$skip paging with @odata.nextLink, and the Prefer header.
 */
import { badRequest, GraphError, unknownProperty } from './response';
import type { JsonObject } from './types';
import { parseInstant, resolveTimeZone } from './time';

// ---------------------------------------------------------------------------
// System query options

const KNOWN_OPTIONS = new Set([
  '$select',
  '$expand',
  '$filter',
  '$orderby',
  '$top',
  '$skip',
  '$count',
  '$search',
  '$format',
  '$skiptoken',
  '$deltatoken',
  '$apply',
  '$compute',
  '$levels',
  '$index',
  '$id',
  '$schemaversion',
]);

export type QueryOption =
  | '$select'
  | '$expand'
  | '$filter'
  | '$orderby'
  | '$top'
  | '$skip'
  | '$count'
  | '$search'
  | '$skiptoken'
  | '$deltatoken';

export interface ExpandItem {
  name: string;
  filter: FilterNode | null;
}
export interface OrderItem {
  path: string;
  desc: boolean;
}
export interface QueryOptions {
  select: string[] | null;
  expand: ExpandItem[] | null;
  filter: FilterNode | null;
  orderby: OrderItem[] | null;
  top: number | null;
  skip: number | null;
  count: boolean;
  search: string | null;
  skiptoken: string | null;
  deltatoken: string | null;
}

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) {
    // The OData library's wording, which Graph surfaces verbatim.
    throw badRequest(
      `Invalid value '${raw}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
    );
  }
  return Number(raw);
}

/**
 * Validates and parses the `$` options of a request. Graph rejects unknown system
 * query options and ones the resource does not support with 400, and options given twice.
 * Non-`$` parameters are custom parameters; Graph ignores unknown ones.
 */
export function parseQuery(
  search: URLSearchParams,
  allowed: readonly QueryOption[],
  unsupportedCode = 'BadRequest',
): QueryOptions {
  const q: QueryOptions = {
    select: null,
    expand: null,
    filter: null,
    orderby: null,
    top: null,
    skip: null,
    count: false,
    search: null,
    skiptoken: null,
    deltatoken: null,
  };
  const seen = new Set<string>();
  for (const [key, value] of search) {
    if (!key.startsWith('$')) continue;
    const name = key.toLowerCase();
    if (seen.has(name)) {
      throw badRequest(
        `Query option '${key}' was specified more than once, but it must be specified at most once.`,
      );
    }
    seen.add(name);
    if (!KNOWN_OPTIONS.has(name)) throw badRequest(`The query parameter '${key}' is not supported.`);
    if (!(allowed as readonly string[]).includes(name)) {
      throw badRequest(`The query parameter '${key}' is not supported for this request.`, unsupportedCode);
    }
    switch (name) {
      case '$select':
        q.select = value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
        break;
      case '$expand':
        q.expand = parseExpand(value);
        break;
      case '$filter':
        q.filter = parseFilter(value);
        break;
      case '$orderby':
        q.orderby = parseOrderBy(value);
        break;
      case '$top':
        q.top = nonNegativeInt('$top', value);
        break;
      case '$skip':
        q.skip = nonNegativeInt('$skip', value);
        break;
      case '$count':
        if (value !== 'true' && value !== 'false') {
          throw badRequest(`'${value}' is not a valid count option.`);
        }
        q.count = value === 'true';
        break;
      case '$search': {
        const s = value.trim();
        q.search = s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
        break;
      }
      case '$skiptoken':
        q.skiptoken = value;
        break;
      case '$deltatoken':
        q.deltatoken = value;
        break;
      default:
        break;
    }
  }
  return q;
}

function parseOrderBy(raw: string): OrderItem[] {
  return raw.split(',').map((part) => {
    const [path, dir, ...rest] = part.trim().split(/\s+/);
    if (!path || rest.length > 0 || (dir !== undefined && !/^(asc|desc)$/i.test(dir))) {
      throw badRequest(`Syntax error in $orderby: '${raw}'.`);
    }
    return { path, desc: dir !== undefined && dir.toLowerCase() === 'desc' };
  });
}

/** Splits on `sep` at parenthesis depth 0 (outside quotes). */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === sep) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

function parseExpand(raw: string): ExpandItem[] {
  return splitTopLevel(raw, ',').map((item) => {
    const m = /^([A-Za-z][\w/]*)(?:\((.*)\))?$/s.exec(item);
    if (!m || !m[1]) throw badRequest(`Syntax error in $expand: '${raw}'.`);
    let filter: FilterNode | null = null;
    for (const opt of splitTopLevel(m[2] ?? '', ';')) {
      const eq = opt.indexOf('=');
      const key = opt.slice(0, eq).trim().toLowerCase();
      if (eq < 0 || key !== '$filter') {
        throw badRequest(`The query option '${opt}' is not supported inside $expand.`);
      }
      filter = parseFilter(opt.slice(eq + 1));
    }
    return { name: m[1], filter };
  });
}

// ---------------------------------------------------------------------------
// $filter: tokenizer + recursive-descent parser

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal =
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'datetime'; v: number };
export type FilterNode =
  | { k: 'and' | 'or'; l: FilterNode; r: FilterNode }
  | { k: 'not'; e: FilterNode }
  | { k: 'cmp'; op: CmpOp; path: string; lit: Literal }
  | { k: 'fn'; fn: 'startswith' | 'endswith' | 'contains'; path: string; lit: Literal }
  | { k: 'lambda'; q: 'any' | 'all'; path: string; v: string; e: FilterNode };

type Token = { t: 'punct'; v: '(' | ')' | ',' | ':' } | { t: 'ident'; v: string } | { t: 'lit'; v: Literal };

const invalidFilter = (detail: string): GraphError => badRequest(`Invalid filter clause: ${detail}`);

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const ch = s[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === ':') {
      out.push({ t: 'punct', v: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= s.length) throw invalidFilter('unterminated string literal.');
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += s[j];
        j++;
      }
      out.push({ t: 'lit', v: { t: 'string', v } });
      i = j + 1;
      continue;
    }
    const dt = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(rest);
    if (dt) {
      const ms = parseInstant(dt[0].length === 10 ? `${dt[0]}T00:00:00Z` : dt[0]);
      if (ms === null) throw invalidFilter(`invalid date '${dt[0]}'.`);
      out.push({ t: 'lit', v: { t: 'datetime', v: ms } });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      out.push({ t: 'lit', v: { t: 'number', v: Number(num[0]) } });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_@][\w./@]*/.exec(rest);
    if (id) {
      const w = id[0];
      if (w === 'true' || w === 'false') out.push({ t: 'lit', v: { t: 'bool', v: w === 'true' } });
      else if (w === 'null') out.push({ t: 'lit', v: { t: 'null' } });
      else out.push({ t: 'ident', v: w });
      i += w.length;
      continue;
    }
    throw invalidFilter(`unexpected character '${ch}'.`);
  }
  return out;
}

const CMP_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(text: string): FilterNode {
  const toks = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  const isWord = (tok: Token | undefined, w: string): boolean =>
    tok?.t === 'ident' && tok.v.toLowerCase() === w;
  const expectPunct = (v: string): void => {
    const tok = toks[pos++];
    if (tok?.t !== 'punct' || tok.v !== v) throw invalidFilter(`expected '${v}'.`);
  };
  const ident = (): string => {
    const tok = toks[pos++];
    if (tok?.t !== 'ident') throw invalidFilter('expected a property name.');
    return tok.v;
  };
  const literal = (): Literal => {
    const tok = toks[pos++];
    if (tok?.t !== 'lit') throw invalidFilter('expected a literal value.');
    return tok.v;
  };

  const orExpr = (): FilterNode => {
    let l = andExpr();
    while (isWord(peek(), 'or')) {
      pos++;
      l = { k: 'or', l, r: andExpr() };
    }
    return l;
  };
  const andExpr = (): FilterNode => {
    let l = unary();
    while (isWord(peek(), 'and')) {
      pos++;
      l = { k: 'and', l, r: unary() };
    }
    return l;
  };
  const unary = (): FilterNode => {
    if (isWord(peek(), 'not')) {
      pos++;
      return { k: 'not', e: unary() };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const tok = peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      pos++;
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    const name = ident();
    const lower = name.toLowerCase();
    if (lower === 'startswith' || lower === 'endswith' || lower === 'contains') {
      expectPunct('(');
      const path = ident();
      expectPunct(',');
      const lit = literal();
      expectPunct(')');
      return { k: 'fn', fn: lower, path, lit };
    }
    const lambda = /^(.*)\/(any|all)$/i.exec(name);
    if (lambda && lambda[1]) {
      expectPunct('(');
      const v = ident();
      expectPunct(':');
      const e = orExpr();
      expectPunct(')');
      return { k: 'lambda', q: lambda[2]?.toLowerCase() === 'all' ? 'all' : 'any', path: lambda[1], v, e };
    }
    const opTok = toks[pos++];
    if (opTok?.t !== 'ident' || !CMP_OPS.has(opTok.v.toLowerCase())) {
      throw invalidFilter(`expected a comparison operator after '${name}'.`);
    }
    return { k: 'cmp', op: opTok.v.toLowerCase() as CmpOp, path: name, lit: literal() };
  };

  const node = orExpr();
  if (pos !== toks.length) throw invalidFilter('unexpected trailing tokens.');
  return node;
}

/** Property paths referenced by a filter, in order of appearance (used for Graph's $orderby rule). */
export function filterPaths(n: FilterNode): string[] {
  switch (n.k) {
    case 'and':
    case 'or':
      return [...filterPaths(n.l), ...filterPaths(n.r)];
    case 'not':
      return filterPaths(n.e);
    case 'cmp':
    case 'fn':
    case 'lambda':
      return [n.path];
  }
}

// ---------------------------------------------------------------------------
// Entity specs: what can be selected, filtered and sorted

export type Scalar = string | number | boolean | null;
export type ScalarType = 'string' | 'boolean' | 'datetime' | 'number';
export interface ScalarField<T> {
  kind: 'scalar';
  type: ScalarType;
  get: (item: T) => Scalar;
}
export interface CollectionField<T> {
  kind: 'collection';
  get: (item: T) => readonly unknown[];
  /** 'string' for primitive collections (categories), or sub-fields of object elements. */
  element: 'string' | Record<string, ScalarField<unknown>>;
}
export type Field<T> = ScalarField<T> | CollectionField<T>;
export interface EntitySpec<T> {
  /** Graph type name, for error messages ("message", "event", ...). */
  type: string;
  /** Selectable properties, canonical casing. */
  properties: readonly string[];
  /** Filterable/sortable paths, keyed lowercase ("from/emailaddress/address"). */
  fields: Record<string, Field<T>>;
}

export const scalar = <T>(type: ScalarType, get: (item: T) => Scalar): ScalarField<T> => ({
  kind: 'scalar',
  type,
  get,
});

/** Reads a scalar property from an element of a collection (e.g. emailAddresses). */
export const elementProp = (type: ScalarType, name: string): ScalarField<unknown> => ({
  kind: 'scalar',
  type,
  get: (el) => {
    if (typeof el !== 'object' || el === null) return null;
    const v: unknown = (el as Record<string, unknown>)[name];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
  },
});

function lookupField<T>(spec: EntitySpec<T>, path: string): Field<T> {
  const f = spec.fields[path.toLowerCase()];
  if (f) return f;
  const head = path.split('/')[0] ?? path;
  if (spec.properties.some((p) => p.toLowerCase() === head.toLowerCase())) {
    throw new GraphError(
      400,
      'ErrorInvalidUrlQueryFilter',
      'The query filter contains one or more invalid nodes.',
    );
  }
  throw unknownProperty(head, spec.type);
}

function edmName(l: Literal): string {
  switch (l.t) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return 'Edm.Int32';
    case 'bool':
      return 'Edm.Boolean';
    case 'null':
      return 'null';
    case 'datetime':
      return 'Edm.DateTimeOffset';
  }
}
const EDM: Record<ScalarType, string> = {
  string: 'Edm.String',
  boolean: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  number: 'Edm.Int32',
};

function checkLiteral(type: ScalarType, lit: Literal, op: string): void {
  const ok =
    lit.t === 'null' ||
    (type === 'string' && lit.t === 'string') ||
    (type === 'boolean' && lit.t === 'bool') ||
    (type === 'datetime' && lit.t === 'datetime') ||
    (type === 'number' && lit.t === 'number');
  if (!ok) {
    throw badRequest(
      `A binary operator with incompatible types was detected. Found operand types '${EDM[type]}' and '${edmName(lit)}' for operator kind '${op}'.`,
    );
  }
}

/** Rejects filters naming unknown properties or comparing incompatible types, before any evaluation. */
export function validateFilter<T>(n: FilterNode, spec: EntitySpec<T>): void {
  switch (n.k) {
    case 'and':
    case 'or':
      validateFilter(n.l, spec);
      validateFilter(n.r, spec);
      return;
    case 'not':
      validateFilter(n.e, spec);
      return;
    case 'cmp':
    case 'fn': {
      const f = lookupField(spec, n.path);
      if (f.kind !== 'scalar') throw badRequest(`The property '${n.path}' is a collection; use any().`);
      if (n.k === 'fn' && f.type !== 'string') throw badRequest(`${n.fn} requires a string property.`);
      checkLiteral(f.type, n.lit, n.k === 'cmp' ? n.op : n.fn);
      return;
    }
    case 'lambda': {
      const f = lookupField(spec, n.path);
      if (f.kind !== 'collection') throw badRequest(`The property '${n.path}' is not a collection.`);
      validateLambdaBody(n.e, n.v, f);
      return;
    }
  }
}

function elementField(coll: CollectionField<unknown>, variable: string, path: string): ScalarField<unknown> {
  if (path === variable && coll.element === 'string')
    return { kind: 'scalar', type: 'string', get: (el) => (typeof el === 'string' ? el : null) };
  const prefix = `${variable}/`;
  if (coll.element !== 'string' && path.startsWith(prefix)) {
    const sub = coll.element[path.slice(prefix.length).toLowerCase()];
    if (sub) return sub;
  }
  throw new GraphError(
    400,
    'ErrorInvalidUrlQueryFilter',
    'The query filter contains one or more invalid nodes.',
  );
}

function validateLambdaBody<T>(n: FilterNode, variable: string, coll: CollectionField<T>): void {
  const c = coll as unknown as CollectionField<unknown>;
  switch (n.k) {
    case 'and':
    case 'or':
      validateLambdaBody(n.l, variable, coll);
      validateLambdaBody(n.r, variable, coll);
      return;
    case 'not':
      validateLambdaBody(n.e, variable, coll);
      return;
    case 'cmp':
    case 'fn': {
      const f = elementField(c, variable, n.path);
      checkLiteral(f.type, n.lit, n.k === 'cmp' ? n.op : n.fn);
      return;
    }
    case 'lambda':
      throw new GraphError(
        400,
        'ErrorInvalidUrlQueryFilter',
        'The query filter contains one or more invalid nodes.',
      );
  }
}

function compareScalar(type: ScalarType, value: Scalar, lit: Literal): number | null {
  if (value === null || lit.t === 'null') return null;
  if (type === 'string' && typeof value === 'string' && lit.t === 'string') {
    // Exchange compares strings case-insensitively.
    return value.toLowerCase().localeCompare(lit.v.toLowerCase());
  }
  if (type === 'datetime' && typeof value === 'number' && lit.t === 'datetime') return value - lit.v;
  if (type === 'number' && typeof value === 'number' && lit.t === 'number') return value - lit.v;
  if (type === 'boolean' && typeof value === 'boolean' && lit.t === 'bool')
    return Number(value) - Number(lit.v);
  return null;
}

function evalCmp(type: ScalarType, value: Scalar, op: CmpOp, lit: Literal): boolean {
  if (lit.t === 'null') return op === 'eq' ? value === null : op === 'ne' ? value !== null : false;
  const c = compareScalar(type, value, lit);
  if (c === null) return op === 'ne';
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

function evalFn(fn: 'startswith' | 'endswith' | 'contains', value: Scalar, lit: Literal): boolean {
  if (typeof value !== 'string' || lit.t !== 'string') return false;
  const v = value.toLowerCase();
  const l = lit.v.toLowerCase();
  return fn === 'startswith' ? v.startsWith(l) : fn === 'endswith' ? v.endsWith(l) : v.includes(l);
}

function evalElement(n: FilterNode, el: unknown, variable: string, coll: CollectionField<unknown>): boolean {
  switch (n.k) {
    case 'and':
      return evalElement(n.l, el, variable, coll) && evalElement(n.r, el, variable, coll);
    case 'or':
      return evalElement(n.l, el, variable, coll) || evalElement(n.r, el, variable, coll);
    case 'not':
      return !evalElement(n.e, el, variable, coll);
    case 'cmp': {
      const f = elementField(coll, variable, n.path);
      return evalCmp(f.type, f.get(el), n.op, n.lit);
    }
    case 'fn':
      return evalFn(n.fn, elementField(coll, variable, n.path).get(el), n.lit);
    case 'lambda':
      return false;
  }
}

export function evaluateFilter<T>(n: FilterNode, item: T, spec: EntitySpec<T>): boolean {
  switch (n.k) {
    case 'and':
      return evaluateFilter(n.l, item, spec) && evaluateFilter(n.r, item, spec);
    case 'or':
      return evaluateFilter(n.l, item, spec) || evaluateFilter(n.r, item, spec);
    case 'not':
      return !evaluateFilter(n.e, item, spec);
    case 'cmp': {
      const f = lookupField(spec, n.path);
      return f.kind === 'scalar' && evalCmp(f.type, f.get(item), n.op, n.lit);
    }
    case 'fn': {
      const f = lookupField(spec, n.path);
      return f.kind === 'scalar' && evalFn(n.fn, f.get(item), n.lit);
    }
    case 'lambda': {
      const f = lookupField(spec, n.path);
      if (f.kind !== 'collection') return false;
      const coll = f as unknown as CollectionField<unknown>;
      const els = f.get(item);
      return n.q === 'any'
        ? els.some((el) => evalElement(n.e, el, n.v, coll))
        : els.every((el) => evalElement(n.e, el, n.v, coll));
    }
  }
}

export function applyFilter<T>(items: T[], filter: FilterNode | null, spec: EntitySpec<T>): T[] {
  if (!filter) return items;
  validateFilter(filter, spec);
  return items.filter((it) => evaluateFilter(filter, it, spec));
}

/** Sorts by $orderby (stable, after the caller's default order). */
export function applyOrderBy<T>(items: T[], order: OrderItem[] | null, spec: EntitySpec<T>): T[] {
  if (!order || order.length === 0) return items;
  const fields = order.map((o) => {
    const f = lookupField(spec, o.path);
    if (f.kind !== 'scalar') throw badRequest(`The $orderby property '${o.path}' is not sortable.`);
    return { f, desc: o.desc };
  });
  return [...items].sort((a, b) => {
    for (const { f, desc } of fields) {
      const va = f.get(a);
      const vb = f.get(b);
      let c: number;
      if (va === null || vb === null) c = va === vb ? 0 : va === null ? -1 : 1;
      else if (typeof va === 'string' && typeof vb === 'string')
        c = va.toLowerCase().localeCompare(vb.toLowerCase());
      else c = Number(va) - Number(vb);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}

/** Canonicalises $select names (Graph is case-insensitive here) and rejects unknown ones. */
export function resolveSelect<T>(select: string[] | null, spec: EntitySpec<T>): string[] | null {
  if (!select) return null;
  return select.map((s) => {
    const hit = spec.properties.find((p) => p.toLowerCase() === s.toLowerCase());
    if (!hit) throw unknownProperty(s, spec.type);
    return hit;
  });
}

/** Applies $select; Graph always returns the id and the etag alongside selected properties. */
export function project(obj: JsonObject, select: string[] | null): JsonObject {
  if (!select) return obj;
  const keep = new Set(['@odata.type', '@odata.etag', 'id', ...select]);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (keep.has(k)) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------
// Paging and collection envelopes

/** Query string with OData-friendly escaping (keeps `$`, quotes, commas readable). */
export function buildQuery(params: Iterable<[string, string]>): string {
  const parts: string[] = [];
  for (const [k, v] of params) {
    parts.push(
      `${k}=${encodeURIComponent(v).replace(/%24/g, '$').replace(/%2C/g, ',').replace(/%27/g, "'")}`,
    );
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * $skip/$top paging. Graph's list nextLinks for Outlook resources repeat the original
 * query with an advanced `$skip`; they are stateless (unlike delta links).
 */
export function paginate<T>(
  items: T[],
  q: QueryOptions,
  pageSize: number,
  linkBase: string,
  raw: URLSearchParams,
): { page: T[]; nextLink: string | undefined } {
  const skip = q.skip ?? 0;
  const size = Math.min(q.top ?? pageSize, 1000);
  const page = items.slice(skip, skip + size);
  if (skip + size >= items.length || size === 0) return { page, nextLink: undefined };
  const params: [string, string][] = [];
  for (const [k, v] of raw) if (k.toLowerCase() !== '$skip') params.push([k, v]);
  params.push(['$skip', String(skip + size)]);
  return { page, nextLink: `${linkBase}${buildQuery(params)}` };
}

export function collectionBody(
  context: string,
  value: unknown[],
  extra: { nextLink?: string | undefined; deltaLink?: string | undefined; count?: number | undefined } = {},
): JsonObject {
  const body: JsonObject = { '@odata.context': context };
  if (extra.count !== undefined) body['@odata.count'] = extra.count;
  if (extra.nextLink) body['@odata.nextLink'] = extra.nextLink;
  body['value'] = value;
  if (extra.deltaLink) body['@odata.deltaLink'] = extra.deltaLink;
  return body;
}

// ---------------------------------------------------------------------------
// Prefer header

export interface Prefer {
  /** `IdType="ImmutableId"`: ids that survive moves. */
  immutableId: boolean;
  /** `odata.maxpagesize=N` */
  maxPageSize: number | null;
  /** `outlook.timezone="..."` (as spelled by the client; validated). */
  timeZone: string | null;
  /** `outlook.body-content-type="text"|"html"` */
  bodyContentType: 'text' | 'html' | null;
  /** `return=minimal` (PATCH answers 204). */
  returnMinimal: boolean;
  /** Preferences to echo in Preference-Applied. */
  applied: string[];
}

function splitPrefer(header: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if ((ch === ',' || ch === ';') && !quoted) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parsePrefer(header: string | undefined): Prefer {
  const p: Prefer = {
    immutableId: false,
    maxPageSize: null,
    timeZone: null,
    bodyContentType: null,
    returnMinimal: false,
    applied: [],
  };
  if (!header) return p;
  for (const item of splitPrefer(header)) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? ''
        : item
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (key === 'idtype') {
      p.immutableId = value.toLowerCase() === 'immutableid';
    } else if (key === 'odata.maxpagesize' && /^\d+$/.test(value) && Number(value) > 0) {
      p.maxPageSize = Number(value);
      p.applied.push(`odata.maxpagesize=${value}`);
    } else if (key === 'outlook.timezone' && resolveTimeZone(value)) {
      p.timeZone = value;
      p.applied.push(`outlook.timezone="${value}"`);
    } else if (key === 'outlook.body-content-type' && /^(text|html)$/i.test(value)) {
      p.bodyContentType = value.toLowerCase() === 'text' ? 'text' : 'html';
      p.applied.push(`outlook.body-content-type="${p.bodyContentType}"`);
    } else if (key === 'return' && value === 'minimal') {
      p.returnMinimal = true;
    }
  }
  return p;
}
