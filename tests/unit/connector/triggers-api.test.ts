import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarItem, ContactItem, ReceiveMessage } from '../../../src/main/core/api/connector/objects';
import { tempDir } from '../../support/core';
import { call, deliver, errorOf, startHarness, stopHarness, type Harness, type Reply } from './support';

// The Logic Apps polling contract of every trigger, including across a restart of Pimlico (the
// Core and server closed and a new one opened on the same data directory).

const dataDir = tempDir('pimlico-connector-triggers-');
let clock = Date.UTC(2026, 5, 1, 8, 0, 0);
const now = () => clock;
let h: Harness;
let accountId: string;
let calendar: string;
let book: string;

beforeAll(async () => {
  h = await startHarness(dataDir, now);
  accountId = h.core.accounts.resolve().id;
  calendar = h.core.calendar.calendars(accountId)[0]!.id;
  book = h.core.contacts.addressBooks(accountId)[0]!.id;
});
afterAll(() => stopHarness(h));

async function restart(): Promise<void> {
  await stopHarness(h);
  h = await startHarness(dataDir, now);
}

/** The Location of a previous answer, on whatever port the server now listens. */
function next(r: Reply): string {
  const loc = r.headers.get('location');
  expect(loc, 'Location header').toBeTruthy();
  const url = new URL(loc!);
  expect(url.searchParams.get('triggerState')).toBeTruthy();
  return `${url.pathname}${url.search}`;
}

function expectAccepted(r: Reply): void {
  expect(r.status).toBe(202);
  expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(r.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
}

const subjectsOf = (r: Reply) => (r.body as { value: ReceiveMessage[] }).value.map((m) => m.Subject);

describe('GET /Mail/OnNewEmail', () => {
  it('records a watermark, then answers new mail once, across a restart', async () => {
    const first = await call(h.base, 'GET', '/Mail/OnNewEmail');
    expectAccepted(first);
    expect(new URL(first.headers.get('location')!).pathname).toBe('/Mail/OnNewEmail');
    const idle = await call(h.base, 'GET', next(first));
    expectAccepted(idle);

    deliver(h.core, accountId, 'Inbox', { subject: 'Hello one' });
    deliver(h.core, accountId, 'Archive', { subject: 'Not in Inbox' });
    deliver(h.core, accountId, 'Inbox', { subject: 'Urgent', importance: 'high' });
    deliver(h.core, accountId, 'Inbox', { subject: 'Hello two' });
    const batch = await call(h.base, 'GET', next(idle));
    expect(batch.status).toBe(200);
    expect(batch.headers.get('retry-after')).toMatch(/^\d+$/);
    // Importance defaults to Normal, as in the spec.
    expect(subjectsOf(batch)).toEqual(['Hello one', 'Hello two']);

    // Retrying the same Location answers the same batch: nothing is lost when an answer is.
    const again = await call(h.base, 'GET', next(idle));
    expect(subjectsOf(again)).toEqual(['Hello one', 'Hello two']);

    const after = await call(h.base, 'GET', next(batch));
    expectAccepted(after);
    const saved = next(after);

    await restart();
    deliver(h.core, accountId, 'Inbox', { subject: 'After restart' });
    const resumed = await call(h.base, 'GET', saved);
    expect(resumed.status).toBe(200);
    expect(subjectsOf(resumed)).toEqual(['After restart']);
    expectAccepted(await call(h.base, 'GET', next(resumed)));
  });

  it('applies every filter of the spec', async () => {
    const q = new URLSearchParams({ folderPath: 'Archive', to: 'team@example.com', from: 'boss@example.com', importance: 'High', fetchOnlyWithAttachment: 'true', includeAttachments: 'true', subjectFilter: 'report' });
    const first = await call(h.base, 'GET', `/Mail/OnNewEmail?${q}`);
    expectAccepted(first);
    const file = { filename: 'r.txt', contentType: 'text/plain', content: Buffer.from('numbers') };
    const base = { from: { name: 'Boss', address: 'boss@example.com' }, to: [{ name: '', address: 'team@example.com' }], importance: 'high' as const };
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'Weekly REPORT' }, file);
    deliver(h.core, accountId, 'Inbox', { ...base, subject: 'report in inbox' }, file);
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'report without file' });
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'report low', importance: 'low' }, file);
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'report from someone', from: { name: '', address: 'x@example.com' } }, file);
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'report to others', to: [{ name: '', address: 'y@example.com' }] }, file);
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'no match in subject' }, file);
    deliver(h.core, accountId, 'Archive', { ...base, subject: 'cc report', to: [], cc: [{ name: '', address: 'team@example.com' }] }, file);
    const r = await call(h.base, 'GET', next(first));
    expect(r.status).toBe(200);
    const value = (r.body as { value: ReceiveMessage[] }).value;
    expect(value.map((m) => m.Subject)).toEqual(['Weekly REPORT', 'cc report']);
    expect(value[0]!.Attachments[0]).toMatchObject({ Name: 'r.txt', ContentBytes: Buffer.from('numbers').toString('base64') });

    const any = await call(h.base, 'GET', '/Mail/OnNewEmail?importance=Any');
    deliver(h.core, accountId, 'Inbox', { subject: 'low one', importance: 'low' });
    deliver(h.core, accountId, 'Inbox', { subject: 'high one', importance: 'high' });
    expect(subjectsOf(await call(h.base, 'GET', next(any)))).toEqual(['low one', 'high one']);
  });

  it('answers XML batches', async () => {
    const first = await call(h.base, 'GET', '/Mail/OnNewEmail', { xml: true });
    expectAccepted(first);
    deliver(h.core, accountId, 'Inbox', { subject: 'Xml one' });
    const r = await call(h.base, 'GET', next(first), { xml: true });
    expect(r.status).toBe(200);
    expect((r.body as { value: { item: { Subject: string }[] } }).value.item.map((m) => m.Subject)).toEqual(['Xml one']);
  });

  it('refuses unknown or foreign trigger states and bad filters', async () => {
    const r = await call(h.base, 'GET', '/Mail/OnNewEmail?triggerState=ts_made_up');
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('InvalidTriggerState');
    const first = await call(h.base, 'GET', '/Mail/OnNewEmail');
    const state = new URL(first.headers.get('location')!).searchParams.get('triggerState')!;
    expect((await call(h.base, 'GET', `/Mail/OnNewEmail?subjectFilter=x&triggerState=${state}`)).status).toBe(400);
    expect((await call(h.base, 'GET', `/datasets/contacts/tables/${book}/onnewitems?triggerState=${state}`)).status).toBe(400);
    expect((await call(h.base, 'GET', '/Mail/OnNewEmail?importance=Urgent')).status).toBe(400);
    expect((await call(h.base, 'GET', '/Mail/OnNewEmail?fetchOnlyWithAttachment=sometimes')).status).toBe(400);
    expect((await call(h.base, 'GET', '/Mail/OnNewEmail?from=not-an-address')).status).toBe(400);
    expect((await call(h.base, 'GET', '/Mail/OnNewEmail?folderPath=Nowhere')).status).toBe(404);
  });
});

describe('onnewitems and onupdateditems', () => {
  const event = (subject: string, day: number) => ({ Subject: subject, Start: `2026-07-${String(day).padStart(2, '0')}T10:00:00Z`, End: `2026-07-${String(day).padStart(2, '0')}T11:00:00Z`, TimeZone: 'UTC' });

  it('calendar: new items once, updates once in their latest state, batches capped by $top, across a restart', async () => {
    const items = `/datasets/calendars/tables/${calendar}/items`;
    const onNew = await call(h.base, 'GET', `/datasets/calendars/tables/${calendar}/onnewitems`);
    const onUpd = await call(h.base, 'GET', `/datasets/calendars/tables/${calendar}/onupdateditems`);
    const filtered = await call(h.base, 'GET', `/datasets/calendars/tables/${calendar}/onnewitems?${new URLSearchParams({ $filter: "startswith(Subject, 'B')", $top: '1' })}`);
    expectAccepted(onNew);
    expectAccepted(onUpd);
    expectAccepted(filtered);

    const a = (await call(h.base, 'POST', items, { body: event('Alpha', 1) })).body as CalendarItem;
    const b1 = (await call(h.base, 'POST', items, { body: event('Bravo', 2) })).body as CalendarItem;
    const b2 = (await call(h.base, 'POST', items, { body: event('Bingo', 3) })).body as CalendarItem;
    clock += 1000;
    await call(h.base, 'PATCH', `${items}/${a.Id}`, { body: { Subject: 'Alpha edited' } });

    const news = await call(h.base, 'GET', next(onNew));
    expect(news.status).toBe(200);
    expect((news.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Alpha edited', 'Bravo', 'Bingo']);
    expectAccepted(await call(h.base, 'GET', next(news)));

    const upd = await call(h.base, 'GET', next(onUpd));
    // Each changed item once, in its latest state, in the default order (Start ascending).
    expect((upd.body as { value: CalendarItem[] }).value.map((e) => [e.Id, e.Subject])).toEqual([[a.Id, 'Alpha edited'], [b1.Id, 'Bravo'], [b2.Id, 'Bingo']]);

    const f1 = await call(h.base, 'GET', next(filtered));
    expect((f1.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Bravo']);
    const f2 = await call(h.base, 'GET', next(f1));
    expect((f2.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Bingo']);
    expectAccepted(await call(h.base, 'GET', next(f2)));

    const savedUpd = next(upd);
    await restart();
    clock += 1000;
    await call(h.base, 'PATCH', `${items}/${b1.Id}`, { body: { Location: 'Moved' } });
    const after = await call(h.base, 'GET', savedUpd);
    expect(after.status).toBe(200);
    expect((after.body as { value: CalendarItem[] }).value.map((e) => [e.Subject, e.Location])).toEqual([['Bravo', 'Moved']]);
    expectAccepted(await call(h.base, 'GET', next(after)));
  });

  it('contacts: new and updated contacts in JSON and XML', async () => {
    const items = `/datasets/contacts/tables/${book}/items`;
    const onNew = await call(h.base, 'GET', `/datasets/contacts/tables/${book}/onnewitems`, { xml: true });
    const onUpd = await call(h.base, 'GET', `/datasets/contacts/tables/${book}/onupdateditems?$orderby=DisplayName%20desc`);
    expectAccepted(onNew);
    expectAccepted(onUpd);
    const ada = (await call(h.base, 'POST', items, { body: { DisplayName: 'Ada' } })).body as ContactItem;
    await call(h.base, 'POST', items, { body: { DisplayName: 'Bob' } });
    const news = await call(h.base, 'GET', next(onNew), { xml: true });
    expect(news.status).toBe(200);
    expect((news.body as { value: { item: { DisplayName: string }[] } }).value.item.map((c) => c.DisplayName)).toEqual(['Ada', 'Bob']);
    const upd = await call(h.base, 'GET', next(onUpd));
    expect((upd.body as { value: ContactItem[] }).value.map((c) => c.DisplayName)).toEqual(['Bob', 'Ada']);
    clock += 1000;
    await call(h.base, 'PATCH', `${items}/${ada.Id}`, { body: { JobTitle: 'Countess' } });
    expectAccepted(await call(h.base, 'GET', next(news)));
    const upd2 = await call(h.base, 'GET', next(upd));
    expect((upd2.body as { value: ContactItem[] }).value.map((c) => [c.DisplayName, c.JobTitle])).toEqual([['Ada', 'Countess']]);
  });

  it('rejects a bad query on the first call and unknown tables', async () => {
    const bad = await call(h.base, 'GET', `/datasets/calendars/tables/${calendar}/onnewitems?$filter=${encodeURIComponent("Nope eq 'x'")}`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('UnknownField');
    expect((await call(h.base, 'GET', '/datasets/calendars/tables/cal_nope/onupdateditems')).status).toBe(404);
    expect((await call(h.base, 'GET', '/datasets/contacts/tables/abk_nope/onnewitems')).status).toBe(404);
  });
});

describe('GET /Events/OnUpcomingEvents', () => {
  it('reports each occurrence starting within the look-ahead window once, across a restart', async () => {
    clock = Date.UTC(2026, 8, 1, 8, 0, 0);
    const items = `/datasets/calendars/tables/${calendar}/items`;
    const at = (minutes: number) => new Date(clock + minutes * 60_000).toISOString().replace('.000Z', 'Z');
    await call(h.base, 'POST', items, { body: { Subject: 'In 10', Start: at(10), End: at(40), TimeZone: 'UTC' } });
    await call(h.base, 'POST', items, { body: { Subject: 'In 30', Start: at(30), End: at(60), TimeZone: 'UTC' } });
    await call(h.base, 'POST', items, { body: { Subject: 'Daily in 5', Start: at(5), End: at(6), TimeZone: 'UTC', Recurrence: 'FREQ=DAILY;COUNT=3' } });

    const first = await call(h.base, 'GET', `/Events/OnUpcomingEvents?table=${calendar}`);
    expectAccepted(first);
    const r1 = await call(h.base, 'GET', next(first));
    expect(r1.status).toBe(200);
    expect((r1.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['Daily in 5', 'In 10']);
    expectAccepted(await call(h.base, 'GET', next(r1)));

    clock += 20 * 60_000;
    const saved = next(r1);
    await restart();
    const r2 = await call(h.base, 'GET', saved);
    expect((r2.body as { value: CalendarItem[] }).value.map((e) => e.Subject)).toEqual(['In 30']);

    clock += 24 * 3600_000 - 20 * 60_000;
    const r3 = await call(h.base, 'GET', next(r2));
    expect((r3.body as { value: CalendarItem[] }).value.map((e) => [e.Subject, e.Start])).toEqual([['Daily in 5', '2026-09-02T08:05:00+00:00']]);

    const wide = await call(h.base, 'GET', `/Events/OnUpcomingEvents?table=${calendar}&lookAheadTimeInMinutes=2000`);
    const w = await call(h.base, 'GET', next(wide));
    expect((w.body as { value: CalendarItem[] }).value.map((e) => e.Start)).toEqual(['2026-09-02T08:05:00+00:00', '2026-09-03T08:05:00+00:00']);

    expect((await call(h.base, 'GET', '/Events/OnUpcomingEvents')).status).toBe(400);
    expect((await call(h.base, 'GET', `/Events/OnUpcomingEvents?table=${calendar}&lookAheadTimeInMinutes=soon`)).status).toBe(400);
    expect((await call(h.base, 'GET', '/Events/OnUpcomingEvents?table=cal_nope')).status).toBe(404);
  });
});

describe('every trigger across a restart', () => {
  it('answers 202 first, then after a restart 200 with what was made meanwhile, then 202', async () => {
    clock = Date.UTC(2026, 10, 1, 8, 0, 0);
    const at = (minutes: number) => new Date(clock + minutes * 60_000).toISOString().replace('.000Z', 'Z');
    const triggers: { route: string; make: () => Promise<void>; expect: string }[] = [
      { route: '/Mail/OnNewEmail', make: async () => void deliver(h.core, accountId, 'Inbox', { subject: 'restart mail' }), expect: 'restart mail' },
      { route: `/Events/OnUpcomingEvents?table=${calendar}`, make: async () => void (await call(h.base, 'POST', `/datasets/calendars/tables/${calendar}/items`, { body: { Subject: 'restart soon', Start: at(5), End: at(10), TimeZone: 'UTC' } })), expect: 'restart soon' },
      { route: `/datasets/calendars/tables/${calendar}/onnewitems`, make: async () => void (await call(h.base, 'POST', `/datasets/calendars/tables/${calendar}/items`, { body: { Subject: 'restart new', Start: at(600), End: at(660), TimeZone: 'UTC' } })), expect: 'restart new' },
      { route: `/datasets/calendars/tables/${calendar}/onupdateditems`, make: async () => void 0, expect: 'restart new' },
      { route: `/datasets/contacts/tables/${book}/onnewitems`, make: async () => void (await call(h.base, 'POST', `/datasets/contacts/tables/${book}/items`, { body: { DisplayName: 'restart contact' } })), expect: 'restart contact' },
      { route: `/datasets/contacts/tables/${book}/onupdateditems`, make: async () => void 0, expect: 'restart contact' },
    ];
    const locations: string[] = [];
    for (const t of triggers) {
      const r = await call(h.base, 'GET', t.route);
      expectAccepted(r);
      locations.push(next(r));
    }
    await restart();
    for (const t of triggers) await t.make();
    for (const [i, t] of triggers.entries()) {
      const r = await call(h.base, 'GET', locations[i]!, { xml: i % 2 === 1 });
      expect(r.status, t.route).toBe(200);
      expect(r.text, t.route).toContain(t.expect);
      expectAccepted(await call(h.base, 'GET', next(r)));
    }
  });
});
