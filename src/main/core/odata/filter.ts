import type * as ODataParser from '@odata/parser';
import { lazyRequire } from '../util/lazy-require';
import { ODataQueryError, type ODataQueryErrorCode } from './errors';
import type { FieldResolver, ResolvedField } from './fields';
import { decodeStringLiteral, parseIsoDateTime, parseNumberLiteral } from './literals';
import type { SqlParam } from './types';

const odataParser = lazyRequire<typeof ODataParser>('@odata/parser');

// Bounds keep the parser fast (it is a backtracking recursive-descent parser) and the generated SQL within
// SQLite's expression-depth limit of 1000, so a hostile URL yields a 400 instead of a stall or a 500.
export const MAX_FILTER_LENGTH = 8192;
export const MAX_FILTER_TERMS = 200;
export const MAX_FILTER_DEPTH = 32;

export interface CompiledFilter {
  sql: string;
  params: SqlParam[];
}

/** Compiles a non-empty $filter into a parenthesised SQL boolean expression with positional parameters. */
export function compileFilter(filter: string, resolve: FieldResolver): CompiledFilter {
  const body = filter.trim();
  // The parser rejects surrounding whitespace; trimming it means positions must be shifted back.
  const offset = filter.length - filter.trimStart().length;
  if (filter.length > MAX_FILTER_LENGTH) {
    throw new ODataQueryError(
      'InvalidFilter',
      '$filter',
      `Expression is too long (${filter.length} characters; the limit is ${MAX_FILTER_LENGTH})`,
    );
  }
  let root: unknown;
  try {
    root = odataParser().defaultParser.filter(body);
  } catch (err) {
    throw syntaxError(body, offset, err);
  }
  const node = asNode(root);
  if (!node) throw new ODataQueryError('InvalidFilter', '$filter', 'Unparseable expression', offset);
  const compiler = new FilterCompiler(resolve, offset);
  return { sql: compiler.compile(compiler.structure(node), 0), params: compiler.params };
}

/** The subset of the parser's Token we rely on; everything is checked before use. */
interface PNode {
  type: string;
  value: unknown;
  position: number;
  raw: string;
}

function asNode(x: unknown): PNode | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { type, value, position, raw } = x as Record<string, unknown>;
  if (typeof type !== 'string' || typeof position !== 'number' || typeof raw !== 'string') return undefined;
  return { type, value, position, raw };
}

function child(x: unknown, key: string): PNode | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  return asNode((x as Record<string, unknown>)[key]);
}

type BoolExpr =
  | { kind: 'and' | 'or'; items: BoolExpr[]; position: number }
  | { kind: 'not'; item: BoolExpr; position: number }
  | { kind: 'atom'; node: PNode; position: number };

type SeqItem = { t: 'and' | 'or' | 'not'; position: number } | { t: 'atom'; node: PNode };

type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

const COMPARISONS: Readonly<Record<string, ComparisonOp>> = {
  EqualsExpression: 'eq',
  NotEqualsExpression: 'ne',
  GreaterThanExpression: 'gt',
  GreaterOrEqualsExpression: 'ge',
  LesserThanExpression: 'lt',
  LesserOrEqualsExpression: 'le',
};
const SQL_OPERATOR: Readonly<Record<'gt' | 'ge' | 'lt' | 'le', string>> = {
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};
const MIRRORED: Readonly<Record<ComparisonOp, ComparisonOp>> = {
  eq: 'eq',
  ne: 'ne',
  gt: 'lt',
  ge: 'le',
  lt: 'gt',
  le: 'ge',
};
const LIKE_METHODS: Readonly<Record<string, (escaped: string) => string>> = {
  contains: (s) => `%${s}%`,
  startswith: (s) => `${s}%`,
  endswith: (s) => `%${s}`,
};
const NUMERIC_LITERALS: ReadonlySet<string> = new Set([
  'Edm.Byte',
  'Edm.SByte',
  'Edm.Int16',
  'Edm.Int32',
  'Edm.Int64',
  'Edm.Decimal',
  'Edm.Double',
  'Edm.Single',
]);
const WRAPPERS: ReadonlySet<string> = new Set(['CommonExpression', 'ParenExpression', 'BoolParenExpression']);

type Operand =
  | { kind: 'field'; field: ResolvedField; position: number }
  | { kind: 'literal'; edm: string | null; raw: string; position: number };

class FilterCompiler {
  readonly params: SqlParam[] = [];
  private terms = 0;

  constructor(
    private readonly resolve: FieldResolver,
    private readonly offset: number,
  ) {}

  /**
   * Rebuilds the and/or/not structure from the parser's tree. @odata/parser applies the ABNF rule
   * `notExpr = "not" RWS boolCommonExpr` greedily, so `not A or B` comes back as `not (A or B)`. The
   * in-order sequence of operands and connectives is still the source text, so we re-associate it with
   * the OData precedence table (not > and > or) and treat parenthesised groups as operands.
   */
  structure(node: PNode): BoolExpr {
    const seq: SeqItem[] = [];
    this.linearize(node, seq);
    let i = 0;
    const peek = (): SeqItem | undefined => seq[i];
    const parseUnary = (): BoolExpr => {
      const item = peek();
      i++;
      if (!item) return this.fail('InvalidFilter', 'Incomplete expression', node.position);
      if (item.t === 'not') return { kind: 'not', item: parseUnary(), position: item.position };
      if (item.t === 'atom') return this.group(item.node);
      return this.fail('InvalidFilter', `Unexpected '${item.t}'`, item.position);
    };
    const parseChain = (op: 'and' | 'or', next: () => BoolExpr): BoolExpr => {
      const first = next();
      const items = [first];
      while (peek()?.t === op) {
        i++;
        items.push(next());
      }
      return items.length === 1 ? first : { kind: op, items, position: first.position };
    };
    const parseAnd = (): BoolExpr => parseChain('and', parseUnary);
    const expr = parseChain('or', parseAnd);
    const rest = seq[i];
    if (rest) {
      this.fail(
        'InvalidFilter',
        'Unexpected trailing input',
        'node' in rest ? rest.node.position : rest.position,
      );
    }
    return expr;
  }

  private linearize(node: PNode, out: SeqItem[]): void {
    if (node.type === 'CommonExpression') {
      const inner = asNode(node.value);
      if (inner) return this.linearize(inner, out);
    }
    if (node.type === 'AndExpression' || node.type === 'OrExpression') {
      const left = child(node.value, 'left');
      const right = child(node.value, 'right');
      if (!left || !right) this.unsupported(node);
      this.linearize(left, out);
      out.push({ t: node.type === 'AndExpression' ? 'and' : 'or', position: left.position });
      this.linearize(right, out);
      return;
    }
    if (node.type === 'NotExpression') {
      const operand = asNode(node.value);
      if (!operand) this.unsupported(node);
      out.push({ t: 'not', position: node.position });
      this.linearize(operand, out);
      return;
    }
    out.push({ t: 'atom', node });
  }

  /** A parenthesised operand is a fresh sub-expression; anything else is a single condition. */
  private group(node: PNode): BoolExpr {
    if (node.type === 'BoolParenExpression' || node.type === 'ParenExpression') {
      const inner = asNode(node.value);
      if (!inner) this.unsupported(node);
      return this.structure(inner);
    }
    return { kind: 'atom', node, position: node.position };
  }

  compile(expr: BoolExpr, depth: number): string {
    if (expr.kind === 'atom') return this.atom(expr.node);
    if (depth >= MAX_FILTER_DEPTH) {
      this.fail(
        'InvalidFilter',
        `Expression is nested too deeply (the limit is ${MAX_FILTER_DEPTH})`,
        expr.position,
      );
    }
    if (expr.kind === 'not') return `(NOT ${this.compile(expr.item, depth + 1)})`;
    const joiner = expr.kind === 'and' ? ' AND ' : ' OR ';
    return `(${expr.items.map((item) => this.compile(item, depth + 1)).join(joiner)})`;
  }

  private atom(node: PNode): string {
    this.terms++;
    if (this.terms > MAX_FILTER_TERMS) {
      this.fail('InvalidFilter', `Too many conditions (the limit is ${MAX_FILTER_TERMS})`, node.position);
    }
    const op = COMPARISONS[node.type];
    if (op) return this.comparison(node, op);
    switch (node.type) {
      case 'MethodCallExpression':
        return this.methodCall(node);
      case 'FirstMemberExpression': {
        // A bare boolean property is a condition in OData: `$filter=IsAllDay`.
        const field = this.field(node);
        if (field.type !== 'boolean') {
          this.fail(
            'TypeMismatch',
            `Field '${field.name}' is ${field.type}, so it cannot be used as a condition on its own`,
            node.position,
          );
        }
        return `(${field.sql} IS 1)`;
      }
      case 'Literal':
        if (node.value === 'Edm.Boolean') return node.raw === 'true' ? '(1 = 1)' : '(1 = 0)';
        return this.fail('InvalidFilter', `Expected a condition, found '${node.raw}'`, node.position);
      default:
        return this.unsupported(node);
    }
  }

  private comparison(node: PNode, written: ComparisonOp): string {
    let left = this.operand(child(node.value, 'left'), node);
    let right = this.operand(child(node.value, 'right'), node);
    let op = written;
    if (left.kind === 'literal' && right.kind === 'field') {
      // `5 lt Count` is `Count gt 5`.
      [left, right] = [right, left];
      op = MIRRORED[op];
    }
    if (left.kind !== 'field') {
      return this.fail('InvalidFilter', `Comparison '${node.raw}' must involve a field`, node.position);
    }
    const field = left.field;
    if (right.kind === 'field') return this.fieldComparison(node, op, field, right.field);

    if (right.edm === null) {
      if (op === 'eq') return `(${field.sql} IS NULL)`;
      if (op === 'ne') return `(${field.sql} IS NOT NULL)`;
      return this.fail('InvalidFilter', `null can only be compared with eq or ne`, right.position);
    }
    if (field.type === 'boolean' && op !== 'eq' && op !== 'ne') {
      this.fail(
        'TypeMismatch',
        `Operator '${op}' cannot be used with boolean field '${field.name}'`,
        node.position,
      );
    }
    this.params.push(this.convert(right, field));
    // IS / IS NOT keep results two-valued: in OData `null ne 'x'` is true and `not (null eq 'x')` is
    // true, whereas SQL's = and <> would yield NULL and drop those rows.
    if (op === 'eq') return `(${field.sql} IS ?)`;
    if (op === 'ne') return `(${field.sql} IS NOT ?)`;
    // Guarding NULL makes the result 0 rather than NULL, so an enclosing NOT behaves as OData says.
    return `(${field.sql} IS NOT NULL AND ${field.sql} ${SQL_OPERATOR[op]} ?)`;
  }

  private fieldComparison(node: PNode, op: ComparisonOp, a: ResolvedField, b: ResolvedField): string {
    if (a.type !== b.type) {
      this.fail(
        'TypeMismatch',
        `Cannot compare ${a.type} field '${a.name}' with ${b.type} field '${b.name}'`,
        node.position,
      );
    }
    if (op === 'eq') return `(${a.sql} IS ${b.sql})`;
    if (op === 'ne') return `(${a.sql} IS NOT ${b.sql})`;
    if (a.type === 'boolean') {
      this.fail(
        'TypeMismatch',
        `Operator '${op}' cannot be used with boolean field '${a.name}'`,
        node.position,
      );
    }
    return `(${a.sql} IS NOT NULL AND ${b.sql} IS NOT NULL AND ${a.sql} ${SQL_OPERATOR[op]} ${b.sql})`;
  }

  private methodCall(node: PNode): string {
    const value = node.value;
    const method =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['method'] : undefined;
    const args =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)['parameters']
        : undefined;
    const pattern = typeof method === 'string' ? LIKE_METHODS[method] : undefined;
    if (typeof method !== 'string' || !pattern || !Array.isArray(args)) {
      return this.fail(
        'InvalidFilter',
        `Unsupported function '${typeof method === 'string' ? method : node.raw}' (supported: contains, startswith, endswith)`,
        node.position,
      );
    }
    if (args.length !== 2) {
      this.fail('InvalidFilter', `${method} takes exactly two arguments`, node.position);
    }
    const target = this.operand(asNode(args[0]), node);
    if (target.kind !== 'field') {
      return this.fail('InvalidFilter', `The first argument of ${method} must be a field`, target.position);
    }
    if (target.field.type !== 'string') {
      this.fail(
        'TypeMismatch',
        `${method} needs a string field, but '${target.field.name}' is ${target.field.type}`,
        target.position,
      );
    }
    const needle = this.operand(asNode(args[1]), node);
    if (needle.kind !== 'literal') {
      return this.fail(
        'InvalidFilter',
        `The second argument of ${method} must be a string literal`,
        needle.position,
      );
    }
    if (needle.edm !== 'Edm.String') {
      return this.fail(
        'TypeMismatch',
        `The second argument of ${method} must be a string, not ${describe(needle)}`,
        needle.position,
      );
    }
    this.params.push(pattern(escapeLike(this.string(needle))));
    const sql = target.field.sql;
    // SQLite's LIKE is case-insensitive for ASCII, which is what these functions promise here.
    return `(${sql} IS NOT NULL AND ${sql} LIKE ? ESCAPE '\\')`;
  }

  private operand(maybe: PNode | undefined, parent: PNode): Operand {
    let node = maybe;
    while (node && WRAPPERS.has(node.type)) node = asNode(node.value);
    if (!node) return this.unsupported(parent);
    if (node.type === 'FirstMemberExpression') {
      return { kind: 'field', field: this.field(node), position: node.position };
    }
    if (node.type === 'Literal') {
      // The parser types the null literal as the string 'null' rather than an Edm type name.
      const edm = typeof node.value === 'string' && node.value !== 'null' ? node.value : null;
      return { kind: 'literal', edm, raw: node.raw, position: node.position };
    }
    return this.fail('InvalidFilter', `Unsupported operand '${node.raw}'`, node.position);
  }

  private field(node: PNode): ResolvedField {
    // FirstMemberExpression > MemberExpression > PropertyPathExpression > ODataIdentifier { name }
    let cur = asNode(node.value);
    if (cur?.type === 'MemberExpression') cur = asNode(cur.value);
    const id = cur?.type === 'PropertyPathExpression' ? asNode(cur.value) : undefined;
    const name =
      id?.type === 'ODataIdentifier' && typeof id.value === 'object' && id.value !== null
        ? (id.value as Record<string, unknown>)['name']
        : undefined;
    if (typeof name !== 'string') {
      return this.fail('InvalidFilter', `Unsupported property path '${node.raw}'`, node.position);
    }
    const field = this.resolve(name);
    if (!field) {
      const hint = ['true', 'false', 'null'].includes(name.toLowerCase())
        ? ' (the literals true, false and null are lower-case)'
        : '';
      return this.fail('UnknownField', `Unknown field '${name}'${hint}`, node.position);
    }
    return field;
  }

  /** Converts a non-null literal to the SQL value stored for `field`, or fails with TypeMismatch. */
  private convert(lit: Extract<Operand, { kind: 'literal' }>, field: ResolvedField): SqlParam {
    const edm = lit.edm ?? 'null';
    switch (field.type) {
      case 'string':
        if (edm === 'Edm.String') return this.string(lit);
        break;
      case 'number':
        if (NUMERIC_LITERALS.has(edm)) {
          const n = parseNumberLiteral(lit.raw);
          if (n === undefined) this.fail('InvalidFilter', `Number ${lit.raw} is not supported`, lit.position);
          return n;
        }
        break;
      case 'boolean':
        if (edm === 'Edm.Boolean') return lit.raw === 'true' ? 1 : 0;
        break;
      case 'datetime': {
        if (edm === 'Edm.DateTimeOffset' || edm === 'Edm.Date') {
          // A bare date means midnight UTC.
          const parsed = parseIsoDateTime(lit.raw);
          if (!parsed) this.fail('InvalidFilter', `Invalid date/time ${lit.raw}`, lit.position);
          return parsed.ms;
        }
        if (edm === 'Edm.String') {
          const text = this.string(lit);
          const parsed = parseIsoDateTime(text);
          if (!parsed) {
            this.fail(
              'TypeMismatch',
              `Cannot compare datetime field '${field.name}' with ${lit.raw}, which is not an ISO 8601 date/time`,
              lit.position,
            );
          }
          return parsed.ms;
        }
        break;
      }
    }
    return this.fail(
      'TypeMismatch',
      `Cannot compare ${field.type} field '${field.name}' with ${describe(lit)}`,
      lit.position,
    );
  }

  private string(lit: Extract<Operand, { kind: 'literal' }>): string {
    const text = decodeStringLiteral(lit.raw);
    if (text === undefined) this.fail('InvalidFilter', `Malformed string literal ${lit.raw}`, lit.position);
    return text;
  }

  private unsupported(node: PNode): never {
    return this.fail('InvalidFilter', `Unsupported expression '${node.raw}'`, node.position);
  }

  /** Parser positions are relative to the trimmed text; report them relative to the caller's $filter. */
  private fail(code: ODataQueryErrorCode, what: string, position: number): never {
    throw new ODataQueryError(code, '$filter', what, position + this.offset);
  }
}

function describe(lit: Extract<Operand, { kind: 'literal' }>): string {
  if (lit.edm === null) return 'null';
  if (lit.edm === 'Edm.String') return `string ${lit.raw}`;
  if (lit.edm === 'Edm.Boolean') return `boolean ${lit.raw}`;
  if (NUMERIC_LITERALS.has(lit.edm)) return `number ${lit.raw}`;
  if (lit.edm === 'Edm.DateTimeOffset' || lit.edm === 'Edm.Date') return `date/time ${lit.raw}`;
  return `${lit.edm} literal ${lit.raw}`;
}

/** Escapes LIKE wildcards so user text matches literally; pairs with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Turns a parser failure into an error with a useful position. The parser reports only where its longest
 * valid prefix ended, so unbalanced quotes and parentheses are located directly first.
 */
function syntaxError(body: string, offset: number, err: unknown): ODataQueryError {
  if (err instanceof RangeError) {
    return new ODataQueryError('InvalidFilter', '$filter', 'Expression is nested too deeply');
  }
  const structural = findUnbalanced(body);
  if (structural) {
    return new ODataQueryError('InvalidFilter', '$filter', structural.what, structural.position + offset);
  }
  const reported = err instanceof Error ? /at (\d+)$/.exec(err.message) : null;
  let position = reported ? Number(reported[1]) : 0;
  while (position < body.length && /\s/.test(body.charAt(position))) position++;
  if (position >= body.length) {
    return new ODataQueryError(
      'InvalidFilter',
      '$filter',
      'Unexpected end of expression',
      body.length + offset,
    );
  }
  const near = body.slice(position, position + 24);
  const ellipsis = body.length > position + 24 ? '…' : '';
  return new ODataQueryError(
    'InvalidFilter',
    '$filter',
    `Syntax error near '${near}${ellipsis}'`,
    position + offset,
  );
}

function findUnbalanced(text: string): { what: string; position: number } | undefined {
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === "'") {
      const start = i;
      // Skip to the closing quote; '' inside a literal is an escaped apostrophe.
      for (i++; i < text.length; i++) {
        if (text.charAt(i) === "'") {
          if (text.charAt(i + 1) !== "'") break;
          i++;
        }
      }
      if (i >= text.length) return { what: 'Unterminated string literal', position: start };
    } else if (ch === '(') {
      open.push(i);
    } else if (ch === ')') {
      if (open.pop() === undefined) return { what: "Unmatched ')'", position: i };
    }
  }
  const unclosed = open.pop();
  return unclosed === undefined ? undefined : { what: "Unclosed '('", position: unclosed };
}
