import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileODataQuery, ODataQueryError, type FieldMap } from '../../../src/main/core/odata';

// Seeded, so failures reproduce. Two properties: (1) and/or/not precedence and null handling agree with an
// independent evaluator, which guards our re-association around @odata/parser's greedy `not`; (2) arbitrary
// or mangled input only ever yields ODataQueryError, and whatever compiles also runs in SQLite.

function rng(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    // The low bits of this LCG cycle with a tiny period; the high bits are usable.
    return (state >>> 16) % n;
  };
}

interface Row {
  id: number;
  a: 0 | 1 | null;
  n: number | null;
  s: string | null;
}

const fields: FieldMap = {
  A: { sql: 't.a', type: 'boolean' },
  N: { sql: 't.n', type: 'number' },
  S: { sql: 't.s', type: 'string' },
  Start: { sql: 't.start_ms', type: 'datetime' },
  Loc: { sql: "json_extract(t.data, '$.l')", type: 'string' },
};

// Every combination of a value, a different value and null for each column.
const rows: Row[] = [];
for (const a of [0, 1, null] as const)
  for (const n of [1, 3, null])
    for (const s of ['xay', 'b', null]) rows.push({ id: rows.length + 1, a, n, s });

let db: Database.Database;

beforeAll(() => {
  db = new Database(':memory:');
  db.exec(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, n INTEGER, s TEXT, start_ms INTEGER, data TEXT)',
  );
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
  for (const r of rows) insert.run(r.id, r.a, r.n, r.s, r.n === null ? null : r.n * 1000, '{}');
});

afterAll(() => db.close());

function run(filter: string, orderby?: string): number[] {
  const q = compileODataQuery(
    orderby === undefined ? { $filter: filter } : { $filter: filter, $orderby: orderby },
    fields,
  );
  const order = q.orderBy === '' ? 't.id' : `${q.orderBy}, t.id`;
  return db
    .prepare(`SELECT t.id FROM t WHERE ${q.where} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...q.params, q.limit, q.offset) as number[];
}

describe('precedence and null semantics match an independent evaluator', () => {
  // Condition text -> its OData truth value for a row.
  const atoms: Record<string, (r: Row) => boolean> = {
    A: (r) => r.a === 1,
    'A eq false': (r) => r.a === 0,
    'N gt 2': (r) => r.n !== null && r.n > 2,
    'N ne 3': (r) => r.n !== 3,
    "contains(S,'a')": (r) => r.s !== null && r.s.includes('a'),
    'S eq null': (r) => r.s === null,
    true: () => true,
  };
  const atomTexts = Object.keys(atoms);
  type Token = { t: 'atom'; text: string } | { t: 'and' | 'or' | 'not' | '(' | ')' };

  function generate(next: (n: number) => number, depth: number): Token[] {
    const r = next(depth > 4 ? 2 : 6);
    if (r <= 1) return [{ t: 'atom', text: atomTexts[next(atomTexts.length)] ?? 'true' }];
    if (r === 2) return [{ t: 'not' }, ...generate(next, depth + 1)];
    if (r === 3) return [{ t: '(' }, ...generate(next, depth + 1), { t: ')' }];
    // Unparenthesised chains are where precedence matters.
    const out = generate(next, depth + 1);
    for (let m = next(3) + 1; m > 0; m--)
      out.push({ t: next(2) ? 'and' : 'or' }, ...generate(next, depth + 1));
    return out;
  }

  /** Plain recursive descent with or < and < not. */
  function evaluate(tokens: Token[], row: Row): boolean {
    let i = 0;
    const unary = (): boolean => {
      const token = tokens[i++];
      if (token?.t === 'not') return !unary();
      if (token?.t === '(') {
        const value = or();
        i++;
        return value;
      }
      if (token?.t === 'atom') return atoms[token.text]?.(row) ?? false;
      throw new Error('malformed token stream');
    };
    const and = (): boolean => {
      let value = unary();
      while (tokens[i]?.t === 'and') {
        i++;
        value = unary() && value;
      }
      return value;
    };
    const or = (): boolean => {
      let value = and();
      while (tokens[i]?.t === 'or') {
        i++;
        value = and() || value;
      }
      return value;
    };
    return or();
  }

  const render = (tokens: Token[]): string =>
    tokens
      .map((token) => (token.t === 'atom' ? token.text : token.t))
      .join(' ')
      .replaceAll('( ', '(')
      .replaceAll(' )', ')');

  it('for 3000 random expressions', () => {
    const next = rng(99);
    let checked = 0;
    while (checked < 3000) {
      const tokens = generate(next, 0);
      const filter = render(tokens);
      if (filter.length > 2000) continue;
      expect(run(filter), filter).toEqual(rows.filter((r) => evaluate(tokens, r)).map((r) => r.id));
      checked++;
    }
  });
});

describe('robustness', () => {
  it('arbitrary and mangled input only raises ODataQueryError, and compiled SQL always runs', () => {
    const next = rng(12345);
    const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
    const names = ['S', 'N', 'A', 'Start', 'Loc', 'Nope', 's'];
    const literals = [
      "'a'",
      "'it''s'",
      "'%_\\'",
      '5',
      '-3',
      '1.5',
      'true',
      'null',
      '2026-01-02T10:00:00Z',
      "''",
    ];
    const operators = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
    const junk = ["'", '(', ')', ' ', ',', 'and ', '%27', '%', '\\', '/', '$', '@', '-', 'x', '\n', 'é'];
    const condition = (depth: number): string => {
      const r = next(depth > 3 ? 4 : 9);
      if (r === 0) return `${pick(names)} ${pick(operators)} ${pick(literals)}`;
      if (r === 1)
        return `${pick(['contains', 'startswith', 'endswith', 'tolower'])}(${pick(names)},${pick(literals)})`;
      if (r === 2) return `${pick(literals)} ${pick(operators)} ${pick(names)}`;
      if (r === 3) return pick(names);
      if (r <= 5) return `${condition(depth + 1)} ${pick(['and', 'or'])} ${condition(depth + 1)}`;
      if (r === 6) return `not ${condition(depth + 1)}`;
      return `(${condition(depth + 1)})`;
    };
    const mangle = (text: string): string => {
      const at = next(text.length + 1);
      const how = next(3);
      if (how === 0) return text.slice(0, at) + pick(junk) + text.slice(at);
      if (how === 1) return text.slice(0, at) + text.slice(at + 1 + next(3));
      return text.slice(0, at) + text.slice(at).replace(/\s+/, '');
    };

    const outcomes: Record<string, number> = {};
    for (let n = 0; n < 10000; n++) {
      let filter = condition(0);
      if (next(2)) for (let m = next(3) + 1; m > 0; m--) filter = mangle(filter);
      const orderby = next(4) ? undefined : pick(['S desc', 'N,Start', 'Nope', 'S sideways', 'Loc']);
      try {
        run(filter, orderby);
        outcomes['ok'] = (outcomes['ok'] ?? 0) + 1;
      } catch (err) {
        if (!(err instanceof ODataQueryError)) {
          throw new Error(`${JSON.stringify(filter)} threw ${String(err)}`, { cause: err });
        }
        const limit = err.parameter === '$filter' ? filter.length : (orderby ?? '').length;
        if (err.position !== undefined) expect(err.position).toBeLessThanOrEqual(limit);
        outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
      }
    }
    // Make sure the generator really exercises both paths.
    expect(outcomes['ok']).toBeGreaterThan(500);
    expect(outcomes['InvalidFilter']).toBeGreaterThan(500);
  });
});
