import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { parseICalendar, parseVCards } from '../../../src/main/core/pim';
import type { CalendarEvent, Contact, Occurrence } from '../../../src/shared/types';
import { createTestCore } from '../../support/core';
import { settleAndClose } from './settle';

const fixtures = join(__dirname, '../../fixtures');
const read = (p: string) => readFileSync(join(fixtures, p), 'utf8');

let core: Core;
let calendarId: string;
let addressBookId: string;
const call = <T>(name: string, req: unknown) => core.handle(name, req) as Promise<T>;

beforeEach(async () => {
  core = createTestCore();
  calendarId = (await call<{ id: string }[]>('calendars.list', {}))[0]!.id;
  addressBookId = (await call<{ id: string }[]>('addressBooks.list', {}))[0]!.id;
});
afterEach(async () => settleAndClose(core));

/** Every VEVENT of `before` appears in `after` with the same text, except the lines named in `edited`. */
function expectComponentsKept(before: string, after: string, edited: RegExp | null = null) {
  const a = parseICalendar(before);
  const b = parseICalendar(after);
  expect(b.events).toHaveLength(a.events.length);
  const strip = (c: string) =>
    c
      .split(/\r\n(?![ \t])/)
      .filter((l) => !(edited && edited.test(l)))
      .join('\r\n');
  for (const ev of a.events) {
    const match = b.events.find((e) => e.data.uid === ev.data.uid && e.data.recurrenceId === ev.data.recurrenceId);
    expect(match, `${ev.data.uid} ${ev.data.recurrenceId}`).toBeDefined();
    expect(strip(match!.component)).toBe(strip(ev.component));
  }
}

describe('.ics import and export', () => {
  for (const file of ['google.ics', 'apple-icloud.ics', 'outlook-exchange.ics', 'thunderbird.ics', 'import/fastmail-series-with-override.ics']) {
    it(`${file}: imported and exported with every event component unchanged`, async () => {
      const text = read(`ics/${file}`);
      const res = await call<{ created: number; updated: number }>('events.importIcs', { calendarId, text });
      expect(res.created).toBe(parseICalendar(text).events.length);
      const out = await call<{ filename: string; text: string }>('events.exportIcs', { calendarId });
      expectComponentsKept(text, out.text);
      // Importing the same file again updates instead of duplicating.
      const again = await call<{ created: number; updated: number }>('events.importIcs', { calendarId, text });
      expect(again).toMatchObject({ created: 0, updated: res.created });
    });
  }

  it('an edit changes only what was edited; the override and unknown properties survive; one event exports alone', async () => {
    const text = read('ics/import/fastmail-series-with-override.ics');
    await call('events.importIcs', { calendarId, text });
    const occ = await call<Occurrence[]>('events.range', { fromUtc: Date.parse('2026-03-29T00:00:00Z'), toUtc: Date.parse('2026-04-30T00:00:00Z') });
    expect(occ.map((o) => new Date(o.startUtc).toISOString())).toEqual([
      '2026-03-29T21:00:00.000Z', // 08:00 AEDT
      '2026-04-05T23:00:00.000Z', // the override: 09:00 AEST
      '2026-04-12T22:00:00.000Z', // 08:00 AEST after the change
      '2026-04-19T22:00:00.000Z',
    ]);
    const master = occ[0]!.event;
    await call<CalendarEvent>('events.update', { id: master.id, patch: { location: 'Harbour room' } });
    const one = await call<{ filename: string; text: string }>('events.exportIcs', { eventId: master.id });
    expect(one.filename).toBe('Sydney sync.ics');
    expect(one.text).toContain('LOCATION:Harbour room');
    expect(one.text).toContain('X-CUSTOM-PRIVATE;X-PARAM=kept:value Pimlico does not model');
    expect(one.text).toContain('X-APPLE-CALENDAR-COLOR:#3a87ad');
    expectComponentsKept(text, one.text, /^(LOCATION|LAST-MODIFIED|DTSTAMP)[:;]/);
  });

  it('a file that is not iCalendar is refused with a clear error and changes nothing', async () => {
    await expect(call('events.importIcs', { calendarId, text: 'hello' })).rejects.toThrow(/not iCalendar/);
    expect(await call<unknown[]>('events.range', { fromUtc: 0, toUtc: 8e15 })).toHaveLength(0);
  });
});

describe('.vcf import and export', () => {
  for (const file of ['google-contacts-v3.vcf', 'apple-icloud-v3.vcf', 'nextcloud-v4.vcf', 'import/evolution-v3-many.vcf', 'import/ios-v4-group.vcf']) {
    it(`${file}: every card exported as it came in`, async () => {
      const text = read(`vcf/${file}`);
      const cards = parseVCards(text);
      const res = await call<{ created: number }>('contacts.importVcf', { addressBookId, text, onDuplicate: 'ask' });
      expect(res.created).toBe(cards.length);
      const out = await call<{ text: string; count: number }>('contacts.exportVcf', { addressBookId });
      const exported = parseVCards(out.text);
      for (const card of cards) expect(exported.find((c) => c.data.uid === card.data.uid)?.original).toBe(card.original);
    });
  }

  it('duplicates are found by email and imported only after a choice: merge adds the new details', async () => {
    await call('contacts.create', { addressBookId, contact: { displayName: 'Carol J', emails: [{ type: 'work', address: 'CAROL@example.org' }] } });
    const text = read('vcf/import/evolution-v3-many.vcf');
    const asked = await call<{ created: number; duplicates: { index: number; reason: string; existingName: string }[] }>('contacts.importVcf', { addressBookId, text, onDuplicate: 'ask' });
    expect(asked.created).toBe(0);
    expect(asked.duplicates).toEqual([expect.objectContaining({ index: 0, reason: 'email', existingName: 'Carol J' })]);
    expect(await call<Contact[]>('contacts.list', {})).toHaveLength(1);

    const done = await call<{ created: number; merged: number }>('contacts.importVcf', { addressBookId, text, onDuplicate: 'ask', choices: { '0': 'merge' } });
    expect(done).toMatchObject({ created: 1, merged: 1 });
    const carol = (await call<Contact[]>('contacts.list', { query: 'carol' }))[0]!;
    expect(carol.displayName).toBe('Carol J');
    expect(carol.phones.map((p) => p.number)).toEqual(['+44 7700 900123']);
    expect(carol.jobTitle).toBe('Chemist');
    expect(carol.categories).toEqual(['Book club', 'Work']);
  });

  it('groups come from KIND:group cards and from CATEGORIES; photos are read from the stored card', async () => {
    await call('contacts.importVcf', { addressBookId, text: read('vcf/import/ios-v4-group.vcf'), onDuplicate: 'skip' });
    await call('contacts.importVcf', { addressBookId, text: read('vcf/import/evolution-v3-many.vcf'), onDuplicate: 'skip' });
    const groups = await call<{ name: string; source: string; members: { address: string | null }[] }[]>('contacts.groups', {});
    expect(groups.map((g) => [g.name, g.source, g.members.map((m) => m.address).sort()])).toEqual([
      ['Climbing', 'kind', ['erin@example.com', 'finn@example.com']],
      ['Book club', 'category', ['carol@example.org', 'dan@example.net']],
      ['Work', 'category', ['carol@example.org']],
    ]);
    const carol = (await call<Contact[]>('contacts.list', { query: 'carol' }))[0]!;
    expect((await call<{ url: string }>('contacts.photo', { id: carol.id })).url).toMatch(/^data:image\/png;base64,iVBOR/);
  });

  it('add sender to contacts creates once, then finds the existing contact; undo of a delete restores it', async () => {
    const first = await call<{ created: boolean; contact: Contact }>('contacts.addSender', { name: 'Grace Hopper', address: 'grace@example.com' });
    expect(first.created).toBe(true);
    expect(first.contact).toMatchObject({ givenName: 'Grace', surname: 'Hopper' });
    const again = await call<{ created: boolean; contact: Contact }>('contacts.addSender', { name: 'G', address: 'GRACE@example.com' });
    expect(again).toMatchObject({ created: false, contact: { id: first.contact.id } });
    const { taskId } = await call<{ taskId: string }>('contacts.delete', { id: first.contact.id });
    expect(await call<Contact[]>('contacts.list', {})).toHaveLength(0);
    await call('tasks.undo', { id: taskId });
    expect((await call<Contact[]>('contacts.list', { query: 'gra' })).map((c) => c.displayName)).toEqual(['Grace Hopper']);
  });
});
