import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarItem, ContactItem } from '../../../src/main/core/api/connector/objects';
import { call, errorOf, startHarness, stopHarness, type Harness } from './support';

// Calendar and contacts tables over HTTP against the Local account: CRUD in JSON and XML, every
// OData operator, the recurring calendar view, and bad input answered 4xx with nothing changed.

let h: Harness;
let calendar: string;
let book: string;

beforeAll(async () => {
  h = await startHarness();
  const tables = (await call(h.base, 'GET', '/datasets/calendars/tables')).body as { value: { Name: string; DisplayName: string }[] };
  calendar = tables.value[0]!.Name;
  const books = (await call(h.base, 'GET', '/datasets/contacts/tables')).body as { value: { Name: string; DisplayName: string }[] };
  book = books.value[0]!.Name;
});
afterAll(() => stopHarness(h));

const items = `/datasets/calendars/tables/`;
const eventCount = () => (h.core.store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
const contactCount = () => (h.core.store.db.prepare('SELECT count(*) AS n FROM contacts').get() as { n: number }).n;

describe('calendars', () => {
  it('lists calendars as a TablesList, in JSON and XML', async () => {
    const r = await call(h.base, 'GET', '/datasets/calendars/tables');
    expect(r.body).toEqual({ value: [{ Name: calendar, DisplayName: 'Local calendar' }] });
    const x = await call(h.base, 'GET', '/datasets/calendars/tables', { xml: true });
    expect(x.body).toEqual({ value: { item: [{ Name: calendar, DisplayName: 'Local calendar' }] } });
  });

  it('creates, reads, patches and deletes an event through the task queue', async () => {
    const created = await call(h.base, 'POST', `${items}${calendar}/items`, {
      body: {
        Subject: 'Planning',
        Start: '2026-03-10T09:00:00',
        End: '2026-03-10T10:30:00',
        TimeZone: 'Europe/Paris',
        Location: 'Room 1',
        Body: 'Agenda',
        ShowAs: 'Tentative',
        Importance: 'High',
        Reminder: 15,
        RequiredAttendees: 'a@example.com; B <b@example.com>',
        OptionalAttendees: 'c@example.com',
        Categories: ['Work'],
      },
    });
    expect(created.status).toBe(200);
    const item = created.body as CalendarItem;
    expect(item).toMatchObject({
      Subject: 'Planning',
      Start: '2026-03-10T09:00:00+01:00',
      End: '2026-03-10T10:30:00+01:00',
      TimeZone: 'Europe/Paris',
      IsAllDay: false,
      Location: 'Room 1',
      Body: 'Agenda',
      ShowAs: 'Tentative',
      Importance: 'High',
      Reminder: 15,
      RequiredAttendees: 'a@example.com;b@example.com',
      OptionalAttendees: 'c@example.com',
      Categories: ['Work'],
      Recurrence: null,
    });
    expect(item.ItemInternalId).toBe(item.Id);
    const kinds = h.core.store.db.prepare("SELECT kind FROM tasks WHERE kind = 'pim.putEvent'").all();
    expect(kinds.length).toBe(1);

    const got = await call(h.base, 'GET', `${items}${calendar}/items/${item.Id}`);
    expect(got.body).toEqual(item);

    const patched = await call(h.base, 'PATCH', `${items}${calendar}/items/${item.Id}`, { body: { Subject: 'Planning v2', Start: '2026-03-10T08:00:00Z', End: '2026-03-10T09:00:00Z' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ Subject: 'Planning v2', Start: '2026-03-10T09:00:00+01:00', End: '2026-03-10T10:00:00+01:00', Location: 'Room 1' });

    const xmlPatch = await call(h.base, 'PATCH', `${items}${calendar}/items/${item.Id}`, { xml: true, body: { Reminder: 30, IsAllDay: false, Categories: ['Work', 'Q1'] } });
    expect(xmlPatch.status).toBe(200);
    expect(xmlPatch.body).toMatchObject({ Reminder: '30', Categories: { item: ['Work', 'Q1'] } });

    expect((await call(h.base, 'DELETE', `${items}${calendar}/items/${item.Id}`)).status).toBe(200);
    expect((await call(h.base, 'GET', `${items}${calendar}/items/${item.Id}`)).status).toBe(404);
    expect((await call(h.base, 'DELETE', `${items}${calendar}/items/${item.Id}`)).status).toBe(404);
  });

  it('reads Windows time zone names as Outlook clients send them', async () => {
    const r = await call(h.base, 'POST', `${items}${calendar}/items`, { body: { Subject: 'Zoned', Start: '2026-07-01T09:00:00', End: '2026-07-01T10:00:00', TimeZone: 'W. Europe Standard Time' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ TimeZone: 'Europe/Berlin', Start: '2026-07-01T09:00:00+02:00' });
    await call(h.base, 'DELETE', `${items}${calendar}/items/${(r.body as CalendarItem).Id}`);
  });

  it('creates an event from an XML body and an all-day event', async () => {
    const r = await call(h.base, 'POST', `${items}${calendar}/items`, { xml: true, body: { Subject: 'Holiday', Start: '2026-04-01', End: '2026-04-02', IsAllDay: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Subject: 'Holiday', Start: '2026-04-01', End: '2026-04-02', IsAllDay: 'true' });
    const id = (r.body as Record<string, string>).Id!;
    await call(h.base, 'DELETE', `${items}${calendar}/items/${id}`);
  });

  describe('OData on items', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      const specs = [
        { Subject: 'Alpha standup', Start: '2026-05-01T09:00:00Z', End: '2026-05-01T09:15:00Z', TimeZone: 'UTC', Importance: 'Low', Reminder: 5, IsAllDay: false, Location: 'North' },
        { Subject: 'Beta review', Start: '2026-05-02T14:00:00Z', End: '2026-05-02T15:00:00Z', TimeZone: 'UTC', Importance: 'High', Reminder: 30, Location: 'South' },
        { Subject: 'Gamma offsite', Start: '2026-05-03', End: '2026-05-04', TimeZone: 'UTC', IsAllDay: true, Importance: 'Normal', Location: 'Far away' },
        { Subject: "O'Brien 1:1", Start: '2026-05-04T10:00:00Z', End: '2026-05-04T10:30:00Z', TimeZone: 'UTC', Importance: 'Normal', Reminder: 10, Location: 'North' },
      ];
      for (const s of specs) {
        const r = await call(h.base, 'POST', `${items}${calendar}/items`, { body: s });
        expect(r.status).toBe(200);
        ids[s.Subject] = (r.body as CalendarItem).Id;
      }
    });

    const subjects = async (query: string) => {
      const r = await call(h.base, 'GET', `${items}${calendar}/items?${query}`);
      expect(r.status, query).toBe(200);
      return (r.body as { value: CalendarItem[] }).value.map((e) => e.Subject);
    };
    const q = (o: Record<string, string>) => new URLSearchParams(o).toString();

    it('orders by Start ascending by default and honours $orderby asc/desc on several fields', async () => {
      expect(await subjects('')).toEqual(['Alpha standup', 'Beta review', 'Gamma offsite', "O'Brien 1:1"]);
      expect(await subjects(q({ $orderby: 'Start desc' }))).toEqual(["O'Brien 1:1", 'Gamma offsite', 'Beta review', 'Alpha standup']);
      expect(await subjects(q({ $orderby: 'Location asc,Subject desc' }))).toEqual(['Gamma offsite', "O'Brien 1:1", 'Alpha standup', 'Beta review']);
    });

    it('supports eq, ne, gt, ge, lt, le, and, or, not, parentheses and the string functions', async () => {
      expect(await subjects(q({ $filter: "Subject eq 'Beta review'" }))).toEqual(['Beta review']);
      expect(await subjects(q({ $filter: "Location ne 'North'" }))).toEqual(['Beta review', 'Gamma offsite']);
      expect(await subjects(q({ $filter: 'Reminder gt 10' }))).toEqual(['Beta review']);
      expect(await subjects(q({ $filter: 'Reminder ge 10' }))).toEqual(['Beta review', "O'Brien 1:1"]);
      expect(await subjects(q({ $filter: 'Reminder lt 10' }))).toEqual(['Alpha standup']);
      expect(await subjects(q({ $filter: 'Reminder le 10' }))).toEqual(['Alpha standup', "O'Brien 1:1"]);
      expect(await subjects(q({ $filter: "Location eq 'North' and Importance eq 'Low'" }))).toEqual(['Alpha standup']);
      expect(await subjects(q({ $filter: "Importance eq 'High' or IsAllDay eq true" }))).toEqual(['Beta review', 'Gamma offsite']);
      expect(await subjects(q({ $filter: "not (Location eq 'North')" }))).toEqual(['Beta review', 'Gamma offsite']);
      expect(await subjects(q({ $filter: "(Importance eq 'Normal' or Importance eq 'Low') and Location eq 'North'" }))).toEqual(['Alpha standup', "O'Brien 1:1"]);
      expect(await subjects(q({ $filter: "contains(Subject, 'view')" }))).toEqual(['Beta review']);
      expect(await subjects(q({ $filter: "startswith(Subject, 'Gam')" }))).toEqual(['Gamma offsite']);
      expect(await subjects(q({ $filter: "endswith(Subject, '1:1')" }))).toEqual(["O'Brien 1:1"]);
      expect(await subjects(q({ $filter: "Subject eq 'O''Brien 1:1'" }))).toEqual(["O'Brien 1:1"]);
    });

    it('compares datetime, boolean and number literals', async () => {
      expect(await subjects(q({ $filter: 'Start ge 2026-05-02T00:00:00Z and Start lt 2026-05-04T00:00:00Z' }))).toEqual(['Beta review', 'Gamma offsite']);
      expect(await subjects(q({ $filter: "Start gt '2026-05-03T12:00:00Z'" }))).toEqual(["O'Brien 1:1"]);
      expect(await subjects(q({ $filter: 'IsAllDay eq false and Reminder eq 30' }))).toEqual(['Beta review']);
      expect(await subjects(q({ $filter: 'LastModifiedTime gt 2020-01-01T00:00:00Z', $top: '1' }))).toEqual(['Alpha standup']);
    });

    it('pages with $top (default 256) and $skip', async () => {
      expect(await subjects(q({ $top: '2' }))).toEqual(['Alpha standup', 'Beta review']);
      expect(await subjects(q({ $top: '2', $skip: '2' }))).toEqual(['Gamma offsite', "O'Brien 1:1"]);
      expect(await subjects(q({ $skip: '3' }))).toEqual(["O'Brien 1:1"]);
    });

    it('answers unknown fields and bad syntax with 400 saying what and where', async () => {
      const bad: [Record<string, string>, string][] = [
        [{ $filter: "Nope eq 'x'" }, 'UnknownField'],
        [{ $filter: "Subject eq 'x" }, 'InvalidFilter'],
        [{ $filter: 'Reminder eq true' }, 'TypeMismatch'],
        [{ $orderby: 'Subject sideways' }, 'InvalidOrderBy'],
        [{ $orderby: 'Nope' }, 'UnknownField'],
        [{ $top: '-1' }, 'BadRequest'],
        [{ $skip: 'x' }, 'BadRequest'],
      ];
      for (const [query, code] of bad) {
        const r = await call(h.base, 'GET', `${items}${calendar}/items?${q(query)}`);
        expect(r.status, JSON.stringify(query)).toBe(400);
        expect(errorOf(r).code, JSON.stringify(query)).toBe(code);
      }
      const where = errorOf(await call(h.base, 'GET', `${items}${calendar}/items?${q({ $filter: "Subject eq 'a' and Nope eq 1" })}`));
      expect(where.message).toMatch(/Nope/);
      expect(where.message).toMatch(/position \d+ in \$filter/);
    });
  });

  it('expands recurring events in the v3 calendar view', async () => {
    const r = await call(h.base, 'POST', `${items}${calendar}/items`, {
      body: { Subject: 'Weekly sync', Start: '2026-06-01T09:00:00', End: '2026-06-01T09:30:00', TimeZone: 'America/New_York', Recurrence: 'FREQ=WEEKLY;COUNT=4' },
    });
    expect(r.status).toBe(200);
    const series = r.body as CalendarItem;
    expect(series.Recurrence).toBe('FREQ=WEEKLY;COUNT=4');
    const view = await call(h.base, 'GET', `/datasets/calendars/v3/tables/${calendar}/calendarview?calendarStartTime=2026-06-01T00:00:00Z&calendarEndTime=2026-06-30T00:00:00Z`);
    expect(view.status).toBe(200);
    const occ = (view.body as { value: CalendarItem[] }).value.filter((o) => o.Id === series.Id);
    expect(occ.map((o) => o.Start)).toEqual(['2026-06-01T09:00:00-04:00', '2026-06-08T09:00:00-04:00', '2026-06-15T09:00:00-04:00', '2026-06-22T09:00:00-04:00']);
    expect(occ[0]!.SeriesMasterId).toBe(series.Id);
    const xml = await call(h.base, 'GET', `/datasets/calendars/v3/tables/${calendar}/calendarview?calendarStartTime=2026-06-07T00:00:00Z&calendarEndTime=2026-06-09T00:00:00Z`, { xml: true });
    expect((xml.body as { value: { item: Record<string, string>[] } }).value.item.map((o) => o.Start)).toEqual(['2026-06-08T09:00:00-04:00']);
    for (const bad of ['calendarStartTime=2026-06-01', 'calendarStartTime=yesterday&calendarEndTime=2026-06-01', 'calendarStartTime=2026-06-02&calendarEndTime=2026-06-01']) {
      expect((await call(h.base, 'GET', `/datasets/calendars/v3/tables/${calendar}/calendarview?${bad}`)).status, bad).toBe(400);
    }
  });

  it('refuses bad calendar input with 4xx and changes nothing', async () => {
    const before = eventCount();
    const cases: [string, string, string, Parameters<typeof call>[3]][] = [
      ['unknown table', 'POST', `${items}cal_nope/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00' } }],
      ['missing Start', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', End: '2026-01-01T11:00:00' } }],
      ['bad Start', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: 'tomorrow', End: '2026-01-01T11:00:00' } }],
      ['end before start', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T12:00:00', End: '2026-01-01T11:00:00' } }],
      ['bad zone', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', TimeZone: 'Mars/Olympus' } }],
      ['wrong type', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', Reminder: 'soon' } }],
      ['bad ShowAs', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', ShowAs: 'Sleeping' } }],
      ['bad recurrence', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', Recurrence: 'FREQ=SOMETIMES' } }],
      ['garbage recurrence', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', Recurrence: 'every other day' } }],
      ['impossible time', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T25:00:00', End: '2026-01-01T26:00:00' } }],
      ['impossible date', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-02-30', End: '2026-02-31', IsAllDay: true } }],
      ['bad attendee', 'POST', `${items}${calendar}/items`, { body: { Subject: 'x', Start: '2026-01-01T10:00:00', End: '2026-01-01T11:00:00', RequiredAttendees: 'nobody' } }],
      ['malformed JSON', 'POST', `${items}${calendar}/items`, { rawBody: '{"Subject":' }],
      ['malformed XML', 'POST', `${items}${calendar}/items`, { rawBody: '<item><Subject>x</item>', contentType: 'application/xml' }],
      ['no body', 'POST', `${items}${calendar}/items`, {}],
      ['patch unknown id', 'PATCH', `${items}${calendar}/items/evt_nope`, { body: { Subject: 'y' } }],
      ['get unknown id', 'GET', `${items}${calendar}/items/evt_nope`, {}],
      ['unknown table items', 'GET', `${items}cal_nope/items`, {}],
    ];
    for (const [what, method, path, opts] of cases) {
      const r = await call(h.base, method, path, opts);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(errorOf(r).message, what).toBeTruthy();
    }
    expect(eventCount()).toBe(before);
  });
});

describe('contacts', () => {
  it('creates, reads, patches, filters and deletes contacts in JSON and XML', async () => {
    const created = await call(h.base, 'POST', `/datasets/contacts/tables/${book}/items`, {
      body: {
        GivenName: 'Ada',
        Surname: 'Lovelace',
        EmailAddresses: [{ Name: 'Ada', Address: 'ada@example.com' }],
        MobilePhone1: '+44 1',
        HomePhones: ['+44 2'],
        BusinessPhones: ['+44 3', '+44 4'],
        CompanyName: 'Engines Ltd',
        JobTitle: 'Analyst',
        Birthday: '1815-12-10T00:00:00Z',
        HomeAddress: { Street: '1 St James', City: 'London', PostalCode: 'SW1', CountryOrRegion: 'UK' },
        PersonalNotes: 'First programmer',
        Categories: ['VIP'],
      },
    });
    expect(created.status).toBe(200);
    const c = created.body as ContactItem;
    expect(c).toMatchObject({
      DisplayName: 'Ada Lovelace',
      GivenName: 'Ada',
      Surname: 'Lovelace',
      EmailAddresses: [{ Address: 'ada@example.com' }],
      MobilePhone1: '+44 1',
      HomePhones: ['+44 2'],
      BusinessPhones: ['+44 3', '+44 4'],
      CompanyName: 'Engines Ltd',
      JobTitle: 'Analyst',
      Birthday: '1815-12-10',
      HomeAddress: { Street: '1 St James', City: 'London', PostalCode: 'SW1', CountryOrRegion: 'UK', State: '' },
      PersonalNotes: 'First programmer',
      Categories: ['VIP'],
    });
    const xmlCreated = await call(h.base, 'POST', `/datasets/contacts/tables/${book}/items`, {
      xml: true,
      body: { DisplayName: 'Charles Babbage', EmailAddresses: [{ Name: 'C', Address: 'cb@example.com' }], CompanyName: 'Engines Ltd' },
    });
    expect(xmlCreated.status).toBe(200);
    expect(xmlCreated.body).toMatchObject({ DisplayName: 'Charles Babbage', EmailAddresses: { item: [{ Address: 'cb@example.com' }] } });

    expect((await call(h.base, 'GET', `/datasets/contacts/tables/${book}/items/${c.Id}`)).body).toEqual(c);
    const patched = await call(h.base, 'PATCH', `/datasets/contacts/tables/${book}/items/${c.Id}`, { body: { JobTitle: 'Countess', BusinessPhones: [] } });
    expect(patched.body).toMatchObject({ JobTitle: 'Countess', BusinessPhones: [], MobilePhone1: '+44 1', HomePhones: ['+44 2'] });

    const list = async (query: string) => ((await call(h.base, 'GET', `/datasets/contacts/tables/${book}/items?${query}`)).body as { value: ContactItem[] }).value.map((x) => x.DisplayName);
    expect(await list('')).toEqual(['Ada Lovelace', 'Charles Babbage']);
    expect(await list(new URLSearchParams({ $filter: "contains(EmailAddresses, 'cb@')" }).toString())).toEqual(['Charles Babbage']);
    expect(await list(new URLSearchParams({ $filter: "CompanyName eq 'Engines Ltd'", $orderby: 'DisplayName desc' }).toString())).toEqual(['Charles Babbage', 'Ada Lovelace']);
    expect(await list(new URLSearchParams({ $filter: "MobilePhone1 eq '+44 1'" }).toString())).toEqual(['Ada Lovelace']);
    expect(await list('$top=1&$skip=1')).toEqual(['Charles Babbage']);

    const xmlList = await call(h.base, 'GET', `/datasets/contacts/tables/${book}/items`, { xml: true });
    expect((xmlList.body as { value: { item: { DisplayName: string }[] } }).value.item.map((x) => x.DisplayName)).toEqual(['Ada Lovelace', 'Charles Babbage']);

    expect((await call(h.base, 'DELETE', `/datasets/contacts/tables/${book}/items/${c.Id}`)).status).toBe(200);
    expect(await list('')).toEqual(['Charles Babbage']);
  });

  it('refuses bad contact input with 4xx and changes nothing', async () => {
    const before = contactCount();
    const cases: [string, string, string, Parameters<typeof call>[3]][] = [
      ['empty contact', 'POST', `/datasets/contacts/tables/${book}/items`, { body: {} }],
      ['bad email', 'POST', `/datasets/contacts/tables/${book}/items`, { body: { DisplayName: 'x', EmailAddresses: [{ Address: 'nope' }] } }],
      ['bad birthday', 'POST', `/datasets/contacts/tables/${book}/items`, { body: { DisplayName: 'x', Birthday: 'last spring' } }],
      ['wrong type', 'POST', `/datasets/contacts/tables/${book}/items`, { body: { DisplayName: 'x', HomePhones: 5 } }],
      ['unknown table', 'POST', '/datasets/contacts/tables/abk_nope/items', { body: { DisplayName: 'x' } }],
      ['unknown id', 'DELETE', `/datasets/contacts/tables/${book}/items/con_nope`, {}],
      ['malformed XML', 'POST', `/datasets/contacts/tables/${book}/items`, { rawBody: '<<<', contentType: 'application/xml' }],
      ['bad filter', 'GET', `/datasets/contacts/tables/${book}/items?$filter=${encodeURIComponent('DisplayName eq')}`, {}],
    ];
    for (const [what, method, path, opts] of cases) {
      const r = await call(h.base, method, path, opts);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
    }
    expect(contactCount()).toBe(before);
  });
});
