import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileODataQuery,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  ODataQueryError,
  type CompileOptions,
  type FieldMap,
  type ODataQueryInput,
} from '../../../src/main/core/odata';

// Fixture: every row goes through real SQLite so the assertions are about the rows that come back, not
// about how the SQL happens to be spelled.

interface Row {
  id: number;
  subject: string | null;
  count: number | null;
  score: number | null;
  allDay: 0 | 1 | null;
  /** ISO text with assorted offsets; stored as epoch ms like the real schema. */
  start: string | null;
  end: string | null;
  location?: string | null;
  reminder?: boolean | null;
}

const rows: Row[] = [
  {
    id: 1,
    subject: 'Team sync',
    count: 3,
    score: 1.5,
    allDay: 0,
    start: '2026-01-02T10:00:00Z',
    end: '2026-01-02T11:00:00Z',
    location: 'Room 1',
    reminder: true,
  },
  {
    id: 2,
    subject: "Bob's birthday",
    count: 0,
    score: null,
    allDay: 1,
    start: '2026-01-03T00:00:00Z',
    end: '2026-01-04T00:00:00Z',
    location: 'Home',
    reminder: false,
  },
  // Same instant as row 1, written with a +02:00 offset.
  {
    id: 3,
    subject: '50% off sale',
    count: 10,
    score: 2.25,
    allDay: 0,
    start: '2026-01-02T12:00:00+02:00',
    end: '2026-01-02T13:00:00+02:00',
    location: 'Shop_A',
    reminder: null,
  },
  {
    id: 4,
    subject: 'snake_case review',
    count: 5,
    score: -1,
    allDay: 0,
    start: '2026-01-02T09:59:59.999Z',
    end: '2026-01-02T10:30:00Z',
    location: 'Room_1',
    reminder: true,
  },
  {
    id: 5,
    subject: 'Path C:\\temp\\x',
    count: 7,
    score: 0,
    allDay: 0,
    start: '2026-01-01T23:00:00-05:00',
    end: '2026-01-02T00:00:00-05:00',
  },
  { id: 6, subject: null, count: null, score: null, allDay: null, start: null, end: null },
  {
    id: 7,
    subject: 'TEAM SYNC',
    count: 3,
    score: 1.5,
    allDay: 0,
    start: '2026-01-09T10:00:00Z',
    end: '2026-01-09T11:00:00Z',
    location: 'Room 2',
    reminder: false,
  },
  {
    id: 8,
    subject: 'team sync notes',
    count: 4,
    score: 3,
    allDay: 0,
    start: '2026-01-02T10:00:00.001Z',
    end: '2026-01-02T10:00:00.001Z',
    location: null,
    reminder: true,
  },
  {
    id: 9,
    subject: "Robert'); DROP TABLE items;--",
    count: 1,
    score: 1,
    allDay: 0,
    start: '2026-02-01T00:00:00Z',
    end: '2026-01-31T00:00:00Z',
    location: 'Room 1',
    reminder: false,
  },
  {
    id: 10,
    subject: '',
    count: 2,
    score: 0.5,
    allDay: 0,
    start: '2026-02-02T00:00:00Z',
    end: '2026-02-02T01:00:00Z',
    location: '',
    reminder: null,
  },
  {
    id: 11,
    subject: 'Ünïcödé café',
    count: 11,
    score: 11.11,
    allDay: 0,
    start: '2026-01-15T09:00:00+05:30',
    end: '2026-01-15T10:00:00+05:30',
    location: 'Zürich',
    reminder: true,
  },
  {
    id: 12,
    subject: '100%',
    count: 100,
    score: 100,
    allDay: 1,
    start: '2026-01-10T00:00:00Z',
    end: '2026-01-11T00:00:00Z',
    location: 'Percent%Hall',
    reminder: false,
  },
  {
    id: 13,
    subject: 'a_b',
    count: 13,
    score: 1.3,
    allDay: 0,
    start: '2026-01-13T00:00:00Z',
    end: '2026-01-13T01:00:00Z',
    location: 'Room_1',
    reminder: true,
  },
  {
    id: 14,
    subject: 'a%b',
    count: 14,
    score: 1.4,
    allDay: 0,
    start: '2026-01-14T00:00:00Z',
    end: '2026-01-14T01:00:00Z',
    location: null,
    reminder: null,
  },
  // 10:30Z, written with a -00:30 offset.
  {
    id: 15,
    subject: 'Re: #123 [ext] {x}',
    count: 15,
    score: 1.5,
    allDay: 0,
    start: '2026-01-02T10:00:00-00:30',
    end: '2026-01-02T11:00:00Z',
    location: 'Room 1',
    reminder: true,
  },
  {
    id: 16,
    subject: 'Weekly 1:1',
    count: 16,
    score: null,
    allDay: 1,
    start: '2026-01-05T00:00:00Z',
    end: '2026-01-06T00:00:00Z',
    location: 'Room 3',
    reminder: false,
  },
  // 2026-01-01T00:30Z, written with a -01:00 offset (the previous calendar day locally).
  {
    id: 17,
    subject: 'Zebra',
    count: 1000000,
    score: 1e6,
    allDay: 0,
    start: '2025-12-31T23:30:00-01:00',
    end: '2026-01-01T01:30:00Z',
    location: 'Zoo',
    reminder: null,
  },
  {
    id: 18,
    subject: 'apple',
    count: -5,
    score: -5.5,
    allDay: 0,
    start: '2026-01-02T09:00:00Z',
    end: '2026-01-02T09:30:00Z',
    location: 'Orchard',
    reminder: true,
  },
  {
    id: 19,
    subject: "It's done",
    count: 19,
    score: 19,
    allDay: 0,
    start: '2026-03-29T01:30:00+01:00',
    end: '2026-03-29T02:30:00+01:00',
    location: "Bob's room",
    reminder: false,
  },
  {
    id: 20,
    subject: 'ab',
    count: 20,
    score: 20,
    allDay: 0,
    start: '2026-01-20T00:00:00Z',
    end: '2026-01-20T01:00:00Z',
    location: 'a\\b',
    reminder: true,
  },
  {
    id: 21,
    subject: 'a\\b',
    count: 21,
    score: 21,
    allDay: 0,
    start: '2026-01-21T00:00:00Z',
    end: '2026-01-21T01:00:00Z',
  },
];

const fields: FieldMap = {
  Id: { sql: 'i.id', type: 'number' },
  Subject: { sql: 'i.subject', type: 'string' },
  Count: { sql: 'i.count', type: 'number' },
  Score: { sql: 'i.score', type: 'number' },
  IsAllDay: { sql: 'i.all_day', type: 'boolean' },
  Start: { sql: 'i.start_ms', type: 'datetime' },
  End: { sql: 'i.end_ms', type: 'datetime' },
  // JSON-backed fields exercise non-column expressions (and JSON true/false/null for the boolean).
  Location: { sql: "json_extract(i.data, '$.location')", type: 'string' },
  HasReminder: { sql: "json_extract(i.data, '$.reminder')", type: 'boolean' },
};

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

let db: Database.Database;

beforeAll(() => {
  db = new Database(':memory:');
  db.exec(`CREATE TABLE items (
    id INTEGER PRIMARY KEY, subject TEXT, count INTEGER, score REAL, all_day INTEGER,
    start_ms INTEGER, end_ms INTEGER, data TEXT NOT NULL
  )`);
  const insert = db.prepare(
    'INSERT INTO items (id, subject, count, score, all_day, start_ms, end_ms, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const r of rows) {
    const data: Record<string, unknown> = {};
    if (r.location !== undefined) data['location'] = r.location;
    if (r.reminder !== undefined) data['reminder'] = r.reminder;
    insert.run(r.id, r.subject, r.count, r.score, r.allDay, ms(r.start), ms(r.end), JSON.stringify(data));
  }
});

afterAll(() => db.close());

function query(input: ODataQueryInput, options?: CompileOptions): number[] {
  const q = compileODataQuery(input, fields, options);
  const orderBy = q.orderBy === '' ? 'i.id' : q.orderBy;
  const sql = `SELECT i.id FROM items i WHERE ${q.where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`;
  return db
    .prepare(sql)
    .pluck()
    .all(...q.params, q.limit, q.offset) as number[];
}

/** Rows matching a $filter, by id. */
const where = (filter: string): number[] => query({ $filter: filter });

/** Reference semantics in plain JS, for the systematic operator matrix. */
const ids = (predicate: (r: Row) => boolean): number[] => rows.filter(predicate).map((r) => r.id);
const allIds = rows.map((r) => r.id);
const except = (...excluded: number[]): number[] => allIds.filter((id) => !excluded.includes(id));

function errorOf(fn: () => unknown): ODataQueryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ODataQueryError) return err;
    throw err;
  }
  throw new Error('expected an ODataQueryError');
}

const filterError = (filter: string): ODataQueryError =>
  errorOf(() => compileODataQuery({ $filter: filter }, fields));

describe('$filter on numbers', () => {
  it.each([
    ['Count eq 3', (r: Row) => r.count === 3],
    ['Count gt 5', (r: Row) => r.count !== null && r.count > 5],
    ['Count ge 5', (r: Row) => r.count !== null && r.count >= 5],
    ['Count lt 5', (r: Row) => r.count !== null && r.count < 5],
    ['Count le 5', (r: Row) => r.count !== null && r.count <= 5],
    ['Count eq -5', (r: Row) => r.count === -5],
    ['Count eq 3.0', (r: Row) => r.count === 3],
    ['Count gt 999999', (r: Row) => r.count !== null && r.count > 999999],
    ['Score eq 1.5', (r: Row) => r.score === 1.5],
    ['Score lt 0', (r: Row) => r.score !== null && r.score < 0],
    ['Score ge 2.25', (r: Row) => r.score !== null && r.score >= 2.25],
    ['Score gt -0.5', (r: Row) => r.score !== null && r.score > -0.5],
    ['Score eq 1.0e6', (r: Row) => r.score === 1e6],
    ['Score eq 1.5e0', (r: Row) => r.score === 1.5],
  ])('%s', (filter, predicate) => {
    expect(where(filter)).toEqual(ids(predicate));
  });

  it('ne keeps rows whose value is null (OData: null ne 3 is true)', () => {
    expect(where('Count ne 3')).toEqual(except(1, 7));
  });

  it('eq null / ne null compile to IS NULL / IS NOT NULL', () => {
    expect(where('Count eq null')).toEqual([6]);
    expect(where('Count ne null')).toEqual(except(6));
    expect(where('null eq Score')).toEqual([2, 6, 16]);
  });

  it('accepts the literal on the left and mirrors the operator', () => {
    expect(where('5 lt Count')).toEqual(where('Count gt 5'));
    expect(where('5 ge Count')).toEqual(where('Count le 5'));
  });

  it('ranges', () => {
    expect(where('Count gt 3 and Count lt 10')).toEqual([4, 5, 8]);
  });
});

describe('$filter on strings', () => {
  it('eq is exact and case-sensitive', () => {
    expect(where("Subject eq 'Team sync'")).toEqual([1]);
    expect(where("Subject eq 'team sync'")).toEqual([]);
  });

  it("unescapes '' inside literals", () => {
    expect(where("Subject eq 'Bob''s birthday'")).toEqual([2]);
    expect(where("Location eq 'Bob''s room'")).toEqual([19]);
  });

  it('distinguishes the empty string from null', () => {
    expect(where("Subject eq ''")).toEqual([10]);
    expect(where('Subject eq null')).toEqual([6]);
    expect(where("Subject ne 'Team sync'")).toEqual(except(1));
  });

  it('orders strings with gt/lt (binary collation)', () => {
    expect(where("Subject ge 'a' and Subject lt 'b'")).toEqual(
      ids((r) => r.subject !== null && r.subject >= 'a' && r.subject < 'b'),
    );
  });

  it.each([
    ["contains(Subject,'sync')", [1, 7, 8]],
    ["contains(Subject,'SYNC')", [1, 7, 8]],
    ["startswith(Subject,'team')", [1, 7, 8]],
    ["endswith(Subject,'SYNC')", [1, 7]],
    ["contains(Location,'room')", [1, 4, 7, 9, 13, 15, 16, 19]],
    ["contains(Subject,'''')", [2, 9, 19]],
    ["contains(Subject,'')", except(6)],
    ["contains(Subject, 'café' )", [11]],
  ])('%s', (filter, expected) => {
    expect(where(filter)).toEqual(expected);
  });

  it('escapes LIKE wildcards % and _ so they match literally', () => {
    expect(where("contains(Subject,'%')")).toEqual([3, 12, 14]);
    expect(where("contains(Subject,'_')")).toEqual([4, 13]);
    expect(where("startswith(Subject,'a_')")).toEqual([13]);
    expect(where("startswith(Subject,'a%')")).toEqual([14]);
    expect(where("endswith(Subject,'%')")).toEqual([12]);
    expect(where("contains(Location,'t%h')")).toEqual([12]);
    expect(where("contains(Location,'m_1')")).toEqual([4, 13]);
  });

  it('escapes the escape character itself', () => {
    expect(where("contains(Subject,'\\')")).toEqual([5, 21]);
    expect(where("startswith(Subject,'a\\')")).toEqual([21]);
    expect(where("Location eq 'a\\b'")).toEqual([20]);
    expect(where("contains(Subject,'\\temp\\')")).toEqual([5]);
  });

  it('keeps other punctuation literal', () => {
    expect(where("Subject eq 'Re: #123 [ext] {x}'")).toEqual([15]);
    expect(where("contains(Subject,'1:1')")).toEqual([16]);
  });

  it('not contains includes null subjects (two-valued logic, as OData defines it)', () => {
    expect(where("not contains(Subject,'sync')")).toEqual(except(1, 7, 8));
  });

  it('does not fold case outside ASCII (SQLite LIKE limitation)', () => {
    expect(where("contains(Subject,'CAFÉ')")).toEqual([]);
  });
});

describe('$filter on booleans', () => {
  it('eq/ne true/false against 0/1 columns', () => {
    expect(where('IsAllDay eq true')).toEqual([2, 12, 16]);
    expect(where('IsAllDay eq false')).toEqual(except(2, 6, 12, 16));
    expect(where('IsAllDay ne true')).toEqual(except(2, 12, 16));
    expect(where('IsAllDay eq null')).toEqual([6]);
  });

  it('a bare boolean field is a condition', () => {
    expect(where('IsAllDay')).toEqual([2, 12, 16]);
    expect(where('not IsAllDay')).toEqual(except(2, 12, 16));
  });

  it('works on JSON true/false/null', () => {
    expect(where('HasReminder eq true')).toEqual(ids((r) => r.reminder === true));
    expect(where('HasReminder eq false')).toEqual(ids((r) => r.reminder === false));
    expect(where('HasReminder eq null')).toEqual(ids((r) => r.reminder === null || r.reminder === undefined));
  });

  it('true and false literals are conditions', () => {
    expect(where('true')).toEqual(allIds);
    expect(where('false')).toEqual([]);
    expect(where('IsAllDay and true')).toEqual([2, 12, 16]);
  });
});

describe('$filter on datetimes (stored as epoch ms)', () => {
  it.each([
    'Start eq 2026-01-02T10:00:00Z',
    'Start eq 2026-01-02T12:00:00+02:00',
    'Start eq 2026-01-02T05:00:00-05:00',
    'Start eq 2026-01-02T10:00:00.000Z',
    "Start eq '2026-01-02T10:00:00Z'",
    "Start eq '2026-01-02T11:00:00+01:00'",
    // No offset means UTC, as the Outlook connector writes event times.
    "Start eq '2026-01-02T10:00:00'",
    "Start eq '2026-01-02T10:00:00.0000000'",
  ])('%s matches the same instant written with different offsets', (filter) => {
    expect(where(filter)).toEqual([1, 3]);
  });

  it('compares instants, not local wall-clock text', () => {
    const at = Date.parse('2026-01-02T10:00:00Z');
    expect(where('Start lt 2026-01-02T10:00:00Z')).toEqual(
      ids((r) => r.start !== null && Date.parse(r.start) < at),
    );
    expect(where('Start lt 2026-01-02T10:00:00Z')).toEqual([4, 5, 17, 18]);
    expect(where('Start ge 2026-01-02T10:00:00.001Z')).toEqual(
      ids((r) => r.start !== null && Date.parse(r.start) > at),
    );
    expect(where('Start le 2026-01-01T01:00:00+00:30')).toEqual([17]);
    expect(where('Start lt 2026-01-01T01:00:00+00:30')).toEqual([]);
  });

  it('keeps millisecond precision', () => {
    expect(where('Start gt 2026-01-02T10:00:00Z and Start lt 2026-01-02T10:00:00.002Z')).toEqual([8]);
  });

  it('a bare date is midnight UTC', () => {
    expect(where('Start ge 2026-01-02 and Start lt 2026-01-03')).toEqual([1, 3, 4, 5, 8, 15, 18]);
    expect(where("Start ge '2026-01-02' and Start lt '2026-01-03'")).toEqual([1, 3, 4, 5, 8, 15, 18]);
  });

  it('null checks', () => {
    expect(where('Start eq null')).toEqual([6]);
    expect(where('End ne null')).toEqual(except(6));
  });

  it('compares two fields of the same type', () => {
    expect(where('End lt Start')).toEqual([9]);
    // eq is null-safe in OData: null eq null is true.
    expect(where('End eq Start')).toEqual([6, 8]);
    expect(where('End gt Start')).toEqual(
      ids((r) => r.start !== null && r.end !== null && Date.parse(r.end) > Date.parse(r.start)),
    );
  });
});

describe('$filter logic and precedence', () => {
  it('and binds tighter than or', () => {
    expect(where('Count eq 3 or Count eq 5 and IsAllDay eq true')).toEqual([1, 7]);
    expect(where('IsAllDay eq true and Count eq 0 or Count eq 5')).toEqual([2, 4]);
  });

  it('not binds tighter than and/or (the parser alone gets this wrong)', () => {
    expect(where('not IsAllDay eq true and Count lt 3')).toEqual([9, 10, 18]);
    expect(where("not contains(Subject,'sync') and Count eq 3")).toEqual([]);
    expect(where('not IsAllDay or Count eq 0')).toEqual(except(12, 16));
    expect(where('Count eq 0 or not IsAllDay and Count lt 3')).toEqual([2, 9, 10, 18]);
    expect(where('not not IsAllDay')).toEqual([2, 12, 16]);
  });

  it('parentheses group', () => {
    expect(where("(Count eq 3 or Count eq 5) and Subject ne 'Team sync'")).toEqual([4, 7]);
    expect(where('((Count eq 3))')).toEqual([1, 7]);
    expect(where('not (Count eq 3 or Count eq 5)')).toEqual(except(1, 4, 7));
    expect(where('not (IsAllDay) and Count eq 0')).toEqual([]);
  });

  it('not over a comparison with a null operand is true (two-valued logic)', () => {
    expect(where('not (Count gt 5)')).toEqual(ids((r) => !(r.count !== null && r.count > 5)));
    expect(where('not (Count gt 5)')).toContain(6);
  });

  it('field names match case-insensitively and surrounding whitespace is ignored', () => {
    expect(where("subject eq 'Team sync'")).toEqual([1]);
    expect(where('  Count eq 3  ')).toEqual([1, 7]);
  });

  it('a long but bounded or-chain runs', () => {
    const filter = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `Count eq ${i}`).join(' or ');
    expect(where(filter)).toEqual(ids((r) => r.count !== null && r.count >= 0 && r.count < MAX_FILTER_TERMS));
  });

  it('deep but bounded nesting runs', () => {
    expect(where(`${'not '.repeat(MAX_FILTER_DEPTH)}IsAllDay`)).toEqual([2, 12, 16]);
  });
});

describe('injection attempts', () => {
  it('quotes inside literals stay data', () => {
    expect(where("Subject eq 'x'' OR 1=1 --'")).toEqual([]);
    expect(where("Subject eq 'x'' OR ''1''=''1'")).toEqual([]);
    expect(where("contains(Subject,''' OR 1=1 --')")).toEqual([]);
    expect(where("Subject eq 'Robert''); DROP TABLE items;--'")).toEqual([9]);
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(rows.length);
  });

  it('no client text reaches the SQL string', () => {
    const q = compileODataQuery(
      { $filter: "Subject eq 'x'' OR 1=1 --' or contains(Location,'; DROP')" },
      fields,
    );
    expect(q.where).not.toMatch(/OR 1=1|DROP|--/);
    expect(q.params).toEqual(["x' OR 1=1 --", '%; DROP%']);
  });

  it('structural injection is a syntax or field error, not SQL', () => {
    expect(filterError("Subject eq 'x') OR (1=1").code).toBe('InvalidFilter');
    expect(filterError("Subject eq 'x'; DROP TABLE items").code).toBe('InvalidFilter');
    expect(filterError('1 eq 1').code).toBe('InvalidFilter');
    expect(errorOf(() => compileODataQuery({ $orderby: 'Subject; DROP TABLE items' }, fields)).code).toBe(
      'InvalidOrderBy',
    );
    expect(errorOf(() => compileODataQuery({ $orderby: '(SELECT 1)' }, fields)).code).toBe('InvalidOrderBy');
    expect(errorOf(() => compileODataQuery({ $top: '1; DROP TABLE items' }, fields)).code).toBe('InvalidTop');
  });

  it('inherited object keys are not fields', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(filterError(`${name} eq 1`).code).toBe('UnknownField');
      expect(errorOf(() => compileODataQuery({ $orderby: name }, fields)).code).toBe('UnknownField');
    }
  });
});

describe('$orderby', () => {
  const subset = "startswith(Subject,'a') or startswith(Subject,'Z') or startswith(Subject,'T')";
  const byId: CompileOptions = { defaultOrderBy: 'Id asc' };

  it('sorts strings case-insensitively, ties broken by the default order', () => {
    expect(query({ $filter: subset, $orderby: 'Subject' }, byId)).toEqual([14, 21, 13, 20, 18, 1, 7, 8, 17]);
    expect(query({ $filter: subset, $orderby: 'Subject asc' }, byId)).toEqual([
      14, 21, 13, 20, 18, 1, 7, 8, 17,
    ]);
    expect(query({ $filter: subset, $orderby: 'Subject DESC' }, byId)).toEqual([
      17, 8, 1, 7, 18, 20, 13, 21, 14,
    ]);
  });

  it('sorts on several fields', () => {
    expect(query({ $filter: 'Count le 3', $orderby: 'IsAllDay desc, Count asc' }, byId)).toEqual([
      2, 18, 9, 10, 1, 7,
    ]);
    expect(query({ $filter: 'Count le 3', $orderby: ' Count  desc ,Id desc ' })).toEqual([
      7, 1, 10, 9, 2, 18,
    ]);
  });

  it('puts nulls first ascending and last descending', () => {
    expect(query({ $orderby: 'Start' })[0]).toBe(6);
    expect(query({ $orderby: 'Start desc' }).at(-1)).toBe(6);
    expect(query({ $orderby: 'Start asc' }).slice(1, 4)).toEqual([17, 5, 18]);
  });

  it('uses the default order when none is given, and appends it as a tie-breaker otherwise', () => {
    expect(compileODataQuery({}, fields, byId).orderBy).toBe('i.id ASC');
    expect(compileODataQuery({ $orderby: 'Count desc' }, fields, byId).orderBy).toBe(
      'i.count DESC, i.id ASC',
    );
    expect(compileODataQuery({ $orderby: 'id desc' }, fields, byId).orderBy).toBe('i.id DESC');
    expect(compileODataQuery({ $orderby: 'Subject' }, fields).orderBy).toBe('i.subject COLLATE NOCASE ASC');
    expect(compileODataQuery({ $orderby: 'Location' }, fields).orderBy).toBe(
      "(json_extract(i.data, '$.location')) COLLATE NOCASE ASC",
    );
    expect(compileODataQuery({}, fields).orderBy).toBe('');
  });
});

describe('$top and $skip', () => {
  it('pages', () => {
    expect(query({ $top: 5 })).toEqual([1, 2, 3, 4, 5]);
    expect(query({ $top: '5', $skip: '5' })).toEqual([6, 7, 8, 9, 10]);
    expect(query({ $skip: 19 })).toEqual([20, 21]);
    expect(query({ $top: 0 })).toEqual([]);
    expect(query({ $top: '007' })).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('defaults to 256 rows and caps at maxTop', () => {
    expect(compileODataQuery({}, fields)).toMatchObject({ limit: 256, offset: 0 });
    expect(compileODataQuery({ $top: '100000' }, fields).limit).toBe(5000);
    expect(compileODataQuery({ $top: '99999999999999999999999' }, fields).limit).toBe(5000);
    expect(compileODataQuery({ $top: 50 }, fields, { maxTop: 10 }).limit).toBe(10);
    expect(compileODataQuery({}, fields, { defaultTop: 3 }).limit).toBe(3);
    expect(query({}, { defaultTop: 3 })).toEqual([1, 2, 3]);
  });

  it('treats empty values as absent', () => {
    expect(compileODataQuery({ $top: '', $skip: ' ', $filter: '  ', $orderby: '' }, fields)).toEqual({
      where: '1 = 1',
      params: [],
      orderBy: '',
      limit: 256,
      offset: 0,
    });
  });

  it.each(['-1', 'abc', '1.5', '1e3', '+5', '0x10', '5 5', -1, 1.5, Number.NaN, Infinity])(
    'rejects $top=%s',
    (top) => {
      const err = errorOf(() => compileODataQuery({ $top: top }, fields));
      expect(err.code).toBe('InvalidTop');
      expect(err.parameter).toBe('$top');
      expect(err.message).toContain('$top');
    },
  );

  it.each(['-1', 'abc', '1.5', '99999999999999999999', -3, 2.5])('rejects $skip=%s', (skip) => {
    const err = errorOf(() => compileODataQuery({ $skip: skip }, fields));
    expect(err.code).toBe('InvalidSkip');
    expect(err.parameter).toBe('$skip');
  });

  it('rejects a repeated parameter surfaced as an array', () => {
    const repeated = ['1', '2'] as unknown as string;
    expect(errorOf(() => compileODataQuery({ $top: repeated }, fields)).code).toBe('InvalidTop');
    expect(errorOf(() => compileODataQuery({ $filter: repeated }, fields)).code).toBe('InvalidFilter');
    expect(errorOf(() => compileODataQuery({ $orderby: repeated }, fields)).code).toBe('InvalidOrderBy');
  });
});

describe('errors', () => {
  it('UnknownField names the field and its position', () => {
    const err = filterError("Subjec eq 'x'");
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'UnknownField', position: 0, parameter: '$filter' });
    expect(err.message).toBe("Unknown field 'Subjec' at position 0 in $filter");
    expect(filterError('Count eq 1 and Nope eq 2')).toMatchObject({ code: 'UnknownField', position: 15 });
    expect(filterError("  Subjec eq 'x'").position).toBe(2);
    expect(filterError("contains(Subjec,'x')").position).toBe(9);
    expect(filterError("not (Count eq 1) or startswith(Nope,'x')").message).toBe(
      "Unknown field 'Nope' at position 31 in $filter",
    );
  });

  it('hints at lower-case literals', () => {
    expect(filterError('IsAllDay eq True').message).toMatch(
      /Unknown field 'True'.*lower-case.* at position 12/,
    );
  });

  it('UnknownField in $orderby', () => {
    const err = errorOf(() => compileODataQuery({ $orderby: 'Subject, Nope desc' }, fields));
    expect(err).toMatchObject({ code: 'UnknownField', position: 9, parameter: '$orderby' });
    expect(err.message).toBe("Unknown field 'Nope' at position 9 in $orderby");
  });

  it.each([
    ["IsAllDay eq 'x'", 12, /boolean field 'IsAllDay' with string 'x'/],
    ['Subject gt 5', 11, /string field 'Subject' with number 5/],
    ["Count eq 'five'", 9, /number field 'Count' with string 'five'/],
    ['Count eq true', 9, /number field 'Count' with boolean true/],
    ["Start eq 'tomorrow'", 9, /datetime field 'Start'.*not an ISO 8601/],
    ['Start gt 5', 9, /datetime field 'Start' with number 5/],
    ['Subject eq 2026-01-02T10:00:00Z', 11, /string field 'Subject' with date\/time/],
    ['Subject eq 01234567-89ab-cdef-0123-456789abcdef', 11, /Edm\.Guid/],
    ["contains(Count,'1')", 9, /contains needs a string field, but 'Count' is number/],
    ['contains(Subject,5)', 17, /must be a string, not number 5/],
    ['IsAllDay gt true', 0, /'gt' cannot be used with boolean field 'IsAllDay'/],
    ['Subject eq Count', 0, /string field 'Subject' with number field 'Count'/],
    ['Subject', 0, /'Subject' is string, so it cannot be used as a condition/],
  ])('TypeMismatch: %s', (filter, position, message) => {
    const err = filterError(filter);
    expect(err.code).toBe('TypeMismatch');
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(new RegExp(`at position ${position} in \\$filter$`));
  });

  it.each([
    ['Subject eq', 8, /Syntax error near 'eq'/],
    ["Subject eq 'unterminated", 11, /Unterminated string literal/],
    ['(Count eq 1', 0, /Unclosed '\('/],
    ['Count eq 1)', 10, /Unmatched '\)'/],
    ["Subject eq 'a' garbage", 15, /Syntax error near 'garbage'/],
    ['Count eq 1 AND Count eq 2', 11, /Syntax error near 'AND/],
    ['Count eq 1 or', 11, /Syntax error near 'or'/],
    ['Count gt null', 9, /null can only be compared with eq or ne/],
    ["tolower(Subject) eq 'a'", 0, /Unsupported operand 'tolower\(Subject\)'/],
    ['Count add 1 eq 2', 0, /Unsupported operand/],
    ["substringof('a',Subject)", 0, /Unsupported function 'substringof'/],
    ["contains('a',Subject)", 9, /first argument of contains must be a field/],
    ['contains(Subject,Location)', 17, /second argument of contains must be a string literal/],
    ['Count has 1', 0, /Unsupported expression/],
    ['Start eq 2026-02-30T10:00:00Z', 9, /Invalid date\/time 2026-02-30T10:00:00Z/],
    ['Start eq 2026-02-29', 9, /Invalid date\/time/],
    ['Count eq 9007199254740993', 9, /Number 9007199254740993 is not supported/],
    ['Count eq INF', 9, /Number INF is not supported/],
    ['Location/City eq 1', 0, /Unsupported property path 'Location\/City'/],
  ])('InvalidFilter: %s', (filter, position, message) => {
    const err = filterError(filter);
    expect(err.code).toBe('InvalidFilter');
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
  });

  it('bounds size, term count and depth', () => {
    expect(filterError(`${' '.repeat(MAX_FILTER_LENGTH)}Count eq 1`).message).toMatch(/too long/);
    const tooMany = Array.from({ length: MAX_FILTER_TERMS + 1 }, () => 'Count eq 1').join(' or ');
    expect(filterError(tooMany).message).toMatch(/Too many conditions/);
    expect(filterError(`${'not '.repeat(MAX_FILTER_DEPTH + 1)}IsAllDay`).message).toMatch(
      /nested too deeply/,
    );
  });

  it.each([
    ['Subject sideways', 8, /Expected 'asc', 'desc', ',' or the end, found 'sideways'/],
    ['Subject,', 8, /Expected a field name/],
    [',Subject', 0, /Expected a field name, found ','/],
    ['tolower(Subject)', 0, /Only plain field names/],
    ['Location/City', 0, /Only plain field names/],
    ['Subject asc desc', 12, /found 'desc'/],
  ])('InvalidOrderBy: %s', (orderby, position, message) => {
    const err = errorOf(() => compileODataQuery({ $orderby: orderby }, fields));
    expect(err).toMatchObject({ code: 'InvalidOrderBy', position, parameter: '$orderby' });
    expect(err.message).toMatch(message);
  });
});

describe('compiled shape and programmer errors', () => {
  it('emits parenthesised, parameterised SQL', () => {
    const q = compileODataQuery(
      {
        $filter: "Subject eq 'a' and (Count gt 1 or contains(Location,'x_y'))",
        $orderby: 'Start desc',
        $top: '10',
        $skip: 20,
      },
      fields,
    );
    expect(q).toEqual({
      where:
        "((i.subject IS ?) AND ((i.count IS NOT NULL AND i.count > ?) OR ((json_extract(i.data, '$.location')) IS NOT NULL AND (json_extract(i.data, '$.location')) LIKE ? ESCAPE '\\')))",
      params: ['a', 1, '%x\\_y%'],
      orderBy: 'i.start_ms DESC',
      limit: 10,
      offset: 20,
    });
  });

  it('rejects invalid field maps and options with TypeError', () => {
    const bad = (map: FieldMap) => () => compileODataQuery({}, map);
    expect(bad({ X: { sql: '', type: 'string' } })).toThrow(TypeError);
    expect(bad({ X: { sql: 'x', type: 'date' as 'datetime' } })).toThrow(TypeError);
    expect(bad({ X: { sql: 'coalesce(x, ?)', type: 'string' } })).toThrow(/placeholders/);
    expect(bad({ X: { sql: 'x + :n', type: 'number' } })).toThrow(/placeholders/);
    expect(() => compileODataQuery({}, fields, { maxTop: -1 })).toThrow(TypeError);
    expect(() => compileODataQuery({}, fields, { defaultOrderBy: 'Nope' })).toThrow(TypeError);
  });
});
