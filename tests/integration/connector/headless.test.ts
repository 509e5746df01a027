// `pimlico serve` as a user runs it (the built app, a real process): the connector is served next
// to the UI, survives a restart of the process with its trigger states, and answers /openapi.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadless, type HeadlessApp } from '../../support/headless';

let app: HeadlessApp;

beforeAll(async () => {
  app = await startHeadless();
});
afterAll(async () => {
  await app?.stop();
});

describe('the connector in headless mode', () => {
  it('serves /openapi.json and the spec routes on the default (Local) account', async () => {
    const doc = (await (await app.api('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/Mail', '/Mail/OnNewEmail', '/datasets/calendars/tables/{table}/items', '/datasets/contacts/tables/{table}/onupdateditems']));
    expect((await app.api('/Mail')).status).toBe(200);
    expect((await fetch(new URL('/Mail', app.url))).status).toBe(401);
  });

  it('keeps trigger states across a restart of the process', async () => {
    const tables = (await (await app.api('/datasets/contacts/tables')).json()) as { value: { Name: string }[] };
    const book = tables.value[0]!.Name;
    const first = await app.api(`/datasets/contacts/tables/${book}/onnewitems`);
    expect(first.status).toBe(202);
    const location = new URL(first.headers.get('location')!);
    const dataDir = app.dataDir;
    const token = app.token;
    await app.stop();
    app = await startHeadless({ dataDir, token });
    const created = await app.api(`/datasets/contacts/tables/${book}/items`, { method: 'POST', headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' }, body: '<item><DisplayName>Headless Hal</DisplayName></item>' });
    expect(created.status).toBe(200);
    expect(await created.text()).toContain('<DisplayName>Headless Hal</DisplayName>');
    const batch = await app.api(`${location.pathname}${location.search}`);
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as { value: { DisplayName: string }[] }).value.map((c) => c.DisplayName)).toEqual(['Headless Hal']);
  });
});
