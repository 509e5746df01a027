import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpenApi31 } from './openapi-check';
import { call, deliver, startHarness, stopHarness, type Harness, type Reply } from './support';

// Walks the connector spec itself: every "```METHOD: /path```" block with its parameter table must be
// served with that method, path, parameter names, locations, required flags and defaults, both in
// /openapi.json and in behaviour (the route answers 2xx, and sending the defaults explicitly
// changes nothing).

const SPEC = '/work/shared/spec/outlook-connector.md';

interface SpecParam {
  name: string;
  type: string;
  required: boolean;
  in: string;
  default: string | undefined;
}
interface SpecOperation {
  name: string;
  method: string;
  path: string;
  params: SpecParam[];
}

function parseSpec(text: string): SpecOperation[] {
  const ops: SpecOperation[] = [];
  const lines = text.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^## (\w+)\s*$/.exec(lines[i]!);
    if (h) heading = h[1]!;
    const m = /^```(GET|POST|PUT|PATCH|DELETE): (\S+)```/.exec(lines[i]!.trim());
    if (!m) continue;
    const op: SpecOperation = { name: heading, method: m[1]!, path: m[2]!, params: [] };
    for (let j = i + 1; j < lines.length && !lines[j]!.startsWith('####'); j++) {
      const cells = lines[j]!.split('|').map((c) => c.trim());
      if (cells.length < 7 || cells[1] === 'Name' || cells[1]!.startsWith('---')) continue;
      const [, name, type, required, located, def] = cells;
      op.params.push({ name: name!, type: type!, required: required === 'yes', in: located!, default: def === 'none' ? undefined : def });
    }
    ops.push(op);
  }
  return ops;
}

const specOps = parseSpec(readFileSync(SPEC, 'utf8'));
let h: Harness;
let doc: { paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string; required: boolean; schema: { type: string; default?: unknown } }[]; requestBody?: { 'x-ms-body-name': string } }>> };
let accountId: string;
let calendar: string;
let book: string;

beforeAll(async () => {
  h = await startHarness();
  accountId = h.core.accounts.create({ kind: 'local', displayName: 'Me', email: 'me@example.com' }).id;
  h.core.accounts.setDefault(accountId);
  calendar = h.core.calendar.calendars(accountId)[0]!.id;
  book = h.core.contacts.addressBooks(accountId)[0]!.id;
  doc = (await call(h.base, 'GET', '/openapi.json')).body as typeof doc;
});
afterAll(() => stopHarness(h));

describe('the spec file', () => {
  it('has the 24 operations (20 actions, 4 triggers) the connector defines', () => {
    expect(specOps.length).toBe(24);
    expect(specOps.map((o) => o.name)).toContain('SendApprovalMail');
  });
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const r = await call(h.base, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(checkOpenApi31(r.body)).toEqual([]);
  });

  it('lists the calendar view beyond the spec', () => {
    const view = doc.paths['/datasets/calendars/v3/tables/{table}/calendarview']?.get;
    expect(view?.parameters.filter((p) => p.required).map((p) => p.name).sort()).toEqual(['calendarEndTime', 'calendarStartTime', 'table']);
  });

  it('the check catches broken documents', () => {
    const broken = {
      openapi: '3.0.0',
      info: { title: 'x' },
      paths: { '/a/{id}': { get: { operationId: 'A', parameters: [{ name: 'q', in: 'body', schema: { type: 'text' } }], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } }, '404': {} } } } },
    };
    const problems = checkOpenApi31(broken).join('\n');
    expect(problems).toMatch(/3\.1/);
    expect(problems).toMatch(/title and version/);
    expect(problems).toMatch(/name and in/);
    expect(problems).toMatch(/template \{id\}/);
    expect(problems).toMatch(/description/);
    expect(problems).toMatch(/unresolvable \$ref/);
  });
});

function typedDefault(p: SpecParam): unknown {
  if (p.default === undefined) return undefined;
  if (p.type === 'integer') return Number(p.default);
  if (p.type === 'boolean') return p.default === 'true';
  return p.default;
}

describe.each(specOps.map((o) => [`${o.method} ${o.path}`, o] as const))('%s', (_label, op) => {
  it('is described in /openapi.json with every parameter, location, required flag and default', () => {
    const described = doc.paths[op.path]?.[op.method.toLowerCase()];
    expect(described, 'operation in /openapi.json').toBeDefined();
    expect(described!.operationId).toBe(op.name);
    for (const p of op.params) {
      if (p.in === 'body') {
        expect(described!.requestBody?.['x-ms-body-name'], p.name).toBe(p.name);
        continue;
      }
      const q = described!.parameters.find((x) => x.name === p.name);
      expect(q, p.name).toBeDefined();
      expect(q!.in, p.name).toBe(p.in);
      expect(q!.required, p.name).toBe(p.required);
      expect(q!.schema.type, p.name).toBe(p.type);
      expect(q!.schema.default, p.name).toEqual(typedDefault(p));
    }
  });

  async function prepare(): Promise<{ path: string; required: URLSearchParams; withDefaults: URLSearchParams; body: unknown }> {
    const id = deliver(h.core, accountId, 'Inbox', { subject: `for ${op.name}` }, { filename: 'f.txt', contentType: 'text/plain', content: Buffer.from('x') });
    const attachmentId = h.core.mail.get(id).attachments[0]!.id;
    const isContacts = op.path.includes('/contacts/');
    const event = h.core.calendar.create(calendar, { summary: 'e', start: '2026-01-01T10:00:00', end: '2026-01-01T11:00:00' }).event.id;
    const contact = h.core.contacts.create(book, { displayName: 'c' }).contact.id;
    const values: Record<string, string> = { messageId: id, attachmentId, table: isContacts ? book : calendar, id: isContacts ? contact : event, comment: 'ok' };
    const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name]!));
    const required = new URLSearchParams();
    const withDefaults = new URLSearchParams();
    for (const p of op.params.filter((x) => x.in === 'query')) {
      if (p.required) {
        required.set(p.name, values[p.name]!);
        withDefaults.set(p.name, values[p.name]!);
      } else if (p.default !== undefined) withDefaults.set(p.name, p.default);
    }
    const bodies: Record<string, unknown> = {
      emailMessage: { To: 'a@example.com', Subject: 's', Body: 'b' },
      optionsEmailSubscription: { Message: { To: 'a@example.com', Subject: 's', Options: 'A, B' } },
      approvalEmailSubscription: { Message: { To: 'a@example.com', Subject: 's', Options: 'Approve, Reject' } },
      item: isContacts ? { DisplayName: 'New' } : { Subject: 'New', Start: '2026-02-01T10:00:00', End: '2026-02-01T11:00:00' },
    };
    const bodyParam = op.params.find((p) => p.in === 'body');
    return { path, required, withDefaults, body: bodyParam ? bodies[bodyParam.name] : undefined };
  }
  const url = (path: string, q: URLSearchParams) => (q.size ? `${path}?${q}` : path);

  it('is served: answers 2xx with the required parameters only, and the same with the defaults spelled out', async () => {
    const { path, required, withDefaults, body } = await prepare();
    const first: Reply = await call(h.base, op.method, url(path, required), { body });
    expect(first.status, first.text).toBeGreaterThanOrEqual(200);
    expect(first.status, first.text).toBeLessThan(300);
    if (!op.params.some((p) => p.default !== undefined)) return;
    if (first.status === 202) {
      // A trigger: the defaults spelled out must name the same query, so the state is accepted.
      const state = new URL(first.headers.get('location')!).searchParams.get('triggerState')!;
      withDefaults.set('triggerState', state);
      const again = await call(h.base, op.method, url(path, withDefaults));
      expect(again.status, again.text).toBe(202);
    } else {
      const again = await call(h.base, op.method, url(path, withDefaults), { body });
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body);
    }
  });

  it('is served in XML: an XML body is accepted and the answer is XML', async () => {
    const { path, required, body } = await prepare();
    const r = await call(h.base, op.method, url(path, required), { body, xml: true });
    expect(r.status, r.text).toBeGreaterThanOrEqual(200);
    expect(r.status, r.text).toBeLessThan(300);
    if (r.text) {
      expect(r.headers.get('content-type')).toContain('application/xml');
      expect(r.text.startsWith('<?xml')).toBe(true);
    }
  });
});
