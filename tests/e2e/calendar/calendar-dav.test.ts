// The calendar view in Chromium against headless mode, with real CalDAV accounts on Radicale and real mail on
// Dovecot/Postfix. Every change made through the UI is checked on the server with a separate DAV request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseICalendar } from '../../../src/main/core/pim';
import { resetDavUser, resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { davResources } from '../../support/dav';
import { imapAccountInput } from '../../integration/imap/support';
import { openDelivered } from '../../support/mail-ui';
import { compact, dateIn } from '../../support/dates';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;
const ZONE = 'America/New_York';

let app: HeadlessApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const accountIds: Record<string, string> = {};

/** A separate HTTP client: what is on the server, independent of Pimlico's code. */
const serverCalendar = (u: { email: string; password: string }) => davResources(servers, u, 'calendar');

/** Unfolded text of the one resource on the server whose text matches. */
async function resourceWith(u: typeof alice, pattern: RegExp): Promise<string | undefined> {
  return (await serverCalendar(u)).map((t) => t.replace(/\r\n[ \t]/g, '')).find((t) => pattern.test(t));
}

async function onServer(u: typeof alice, pattern: RegExp, what: string): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(async () => (found = await resourceWith(u, pattern)) !== undefined, {
      timeout: 20_000,
      message: what,
    })
    .toBe(true);
  return found!;
}


async function addAccount(u: typeof alice, name: string) {
  accountIds[name] = await app.addAccount({ ...imapAccountInput(servers, u, { dav: true }), displayName: name }, { sync: true });
}

const eventBlock = (title: string) => page.locator('[data-testid="event"]', { hasText: title }).first();
const editor = () => page.getByRole('dialog', { name: /event/i });

async function chooseScope(text: 'This event' | 'This and following events' | 'All events') {
  await page.getByRole('dialog').getByRole('button', { name: text, exact: true }).click();
}

async function save() {
  await editor().getByRole('button', { name: 'Save event' }).click();
}

beforeAll(async () => {
  for (const u of [alice, bob]) {
    await resetMailUser(u.email, servers);
    await resetDavUser(u.email, servers);
  }
  app = await startHeadless();
  await addAccount(alice, 'alice');
  await addAccount(bob, 'bob');
  browser = await launchChromium();
  // The user's zone is New York: new events default to it.
  context = await browser.newContext({
    timezoneId: ZONE,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.getByRole('button', { name: 'Calendar', exact: true }).click();
  await page.locator('.cal-body[data-loaded="true"]').waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

describe('events through the UI, checked on the CalDAV server', () => {
  const day = dateIn(ZONE, 1);

  it('creates an event with c in the user zone', async () => {
    await page.keyboard.press('d');
    await page.keyboard.press('n');
    await page.keyboard.press('c');
    await editor().locator('input[name="summary"]').fill('Dentist');
    await editor().locator('select[name="calendar"]').selectOption({ label: 'Calendar (alice)' });
    await expect(editor().locator('input[name="start"]').inputValue()).resolves.toBe(`${day}T09:00`);
    await expect(editor().locator('input[name="timeZone"]').inputValue()).resolves.toBe(ZONE);
    await save();
    await eventBlock('Dentist').waitFor();
    const text = await onServer(alice, /SUMMARY:Dentist/, 'Dentist on the server');
    expect(text).toContain(`DTSTART;TZID=${ZONE}:${compact(day)}T090000`);
    expect(text).toContain(`DTEND;TZID=${ZONE}:${compact(day)}T100000`);
  });

  it('edits it (Enter opens the selected event)', async () => {
    await eventBlock('Dentist').focus();
    await page.keyboard.press('Enter');
    await editor().locator('input[name="location"]').fill('Room 4');
    await editor().locator('select[name="reminder"]').selectOption({ label: '15 minutes before' });
    await save();
    const text = await onServer(alice, /LOCATION:Room 4/, 'new location on the server');
    expect(text).toContain('SUMMARY:Dentist');
    expect(text).toMatch(/BEGIN:VALARM[\s\S]*TRIGGER[^:]*:-PT15M/);
  });

  it('moves it by dragging and resizes it from its bottom edge', async () => {
    const box = (await eventBlock('Dentist').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 8 + 24, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + 8 + 48, { steps: 4 });
    await page.mouse.up();
    await expect
      .poll(
        async () =>
          (await resourceWith(alice, /SUMMARY:Dentist/))?.includes(
            `DTSTART;TZID=${ZONE}:${compact(day)}T100000`,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);

    await expect
      .poll(async () => (await eventBlock('Dentist').getAttribute('aria-label')) ?? '', { timeout: 10_000 })
      .toMatch(/10:00/);
    const moved = (await eventBlock('Dentist').boundingBox())!;
    await page.mouse.move(moved.x + moved.width / 2, moved.y + moved.height - 2);
    await page.mouse.down();
    await page.mouse.move(moved.x + moved.width / 2, moved.y + moved.height - 2 + 48, { steps: 6 });
    await page.mouse.up();
    await expect
      .poll(
        async () =>
          (await resourceWith(alice, /SUMMARY:Dentist/))?.includes(
            `DTEND;TZID=${ZONE}:${compact(day)}T120000`,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(await resourceWith(alice, /SUMMARY:Dentist/)).toContain(
      `DTSTART;TZID=${ZONE}:${compact(day)}T100000`,
    );
  });

  it('deletes it with Delete, and Undo puts it back on the server', async () => {
    await eventBlock('Dentist').focus();
    await page.keyboard.press('Delete');
    await expect
      .poll(async () => resourceWith(alice, /SUMMARY:Dentist/), { timeout: 20_000 })
      .toBeUndefined();
    await page.getByRole('button', { name: 'Undo (z)' }).click();
    await onServer(alice, /SUMMARY:Dentist/, 'restored by undo');
  });
});

describe('a weekly series edited by occurrence, checked on the server', () => {
  const day = dateIn(ZONE, 1);
  const week = (n: number) =>
    compact(new Date(Date.parse(`${day}T12:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10));

  it('creates a weekly series of six with the recurrence editor', async () => {
    await page.keyboard.press('w');
    await page.keyboard.press('t');
    // The anchor is today; creating from the week view starts at the next full hour today, so set the day.
    await page.keyboard.press('c');
    await editor().locator('input[name="summary"]').fill('Standup');
    await editor().locator('select[name="calendar"]').selectOption({ label: 'Calendar (alice)' });
    await editor().locator('input[name="start"]').fill(`${day}T08:00`);
    await editor().locator('input[name="end"]').fill(`${day}T08:30`);
    await editor().locator('select[name="freq"]').selectOption('WEEKLY');
    await editor().locator('select[name="ends"]').selectOption('count');
    await editor().locator('input[name="count"]').fill('6');
    await save();
    const text = await onServer(alice, /SUMMARY:Standup/, 'series on the server');
    expect(text).toMatch(/RRULE:FREQ=WEEKLY;BYDAY=[A-Z]{2};COUNT=6/);
    expect(text).toContain(`DTSTART;TZID=${ZONE}:${week(0)}T080000`);
  });

  it('one occurrence edited: a RECURRENCE-ID override in the same resource', async () => {
    await page.keyboard.press('n');
    await eventBlock('Standup').dblclick();
    await editor().locator('input[name="summary"]').fill('Standup in room 2');
    await save();
    await chooseScope('This event');
    const text = await onServer(alice, /SUMMARY:Standup in room 2/, 'override on the server');
    expect(text).toContain(`RECURRENCE-ID;TZID=${ZONE}:${week(1)}T080000`);
    expect(text).toMatch(/SUMMARY:Standup\r?\n/);
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
  });

  it('one occurrence deleted: an EXDATE on the master', async () => {
    await page.keyboard.press('n');
    await eventBlock('Standup').focus();
    await page.keyboard.press('Delete');
    await chooseScope('This event');
    await expect
      .poll(async () => (await resourceWith(alice, /SUMMARY:Standup in room 2/)) ?? '', { timeout: 20_000 })
      .toMatch(new RegExp(`EXDATE;TZID=${ZONE}:${week(2)}T080000`));
  });

  it('this and following: the series ends with UNTIL and a new series takes the rest of the COUNT', async () => {
    await page.keyboard.press('n');
    await eventBlock('Standup').dblclick();
    await editor().locator('input[name="summary"]').fill('Standup v2');
    await save();
    await chooseScope('This and following events');
    const tail = await onServer(alice, /SUMMARY:Standup v2/, 'new series on the server');
    expect(tail).toMatch(/RRULE:FREQ=WEEKLY;BYDAY=[A-Z]{2};COUNT=3/);
    expect(tail).toContain(`DTSTART;TZID=${ZONE}:${week(3)}T080000`);
    await expect
      .poll(async () => (await resourceWith(alice, /SUMMARY:Standup in room 2/)) ?? '', { timeout: 20_000 })
      .toMatch(/RRULE:FREQ=WEEKLY;BYDAY=[A-Z]{2};UNTIL=\d{8}T\d{6}Z/);
  });

  it('the whole series: a change to all events, then deleting all of them', async () => {
    for (let i = 0; i < 3; i++) await page.keyboard.press('p');
    await eventBlock('Standup').dblclick();
    await editor().locator('input[name="location"]').fill('Big room');
    await save();
    await chooseScope('All events');
    const text = await onServer(alice, /LOCATION:Big room/, 'series changed');
    expect(text).toMatch(/SUMMARY:Standup\r?\n/);
    // The override keeps its own title.
    expect(text).toContain('SUMMARY:Standup in room 2');

    await eventBlock('Standup').focus();
    await page.keyboard.press('Delete');
    await chooseScope('All events');
    await expect
      .poll(async () => resourceWith(alice, /SUMMARY:Standup in room 2/), { timeout: 20_000 })
      .toBeUndefined();
    expect(await resourceWith(alice, /SUMMARY:Standup v2/)).toBeDefined();
  });
});

describe('an invitation sent from alice and accepted by bob', () => {
  const day = dateIn(ZONE, 2);

  it('alice invites bob from a new event: the REQUEST reaches him and he accepts from the reading pane', async () => {
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await page.keyboard.press('c');
    await editor().locator('input[name="summary"]').fill('Team lunch');
    await editor().locator('select[name="calendar"]').selectOption({ label: 'Calendar (alice)' });
    await editor().locator('input[name="start"]').fill(`${day}T12:00`);
    await editor().locator('input[name="end"]').fill(`${day}T13:00`);
    await editor().locator('input[name="attendee"]').fill(bob.email);
    await editor().locator('input[name="attendee"]').press('Enter');
    await expect(editor().locator('input[name="sendInvitations"]').isChecked()).resolves.toBe(true);
    await save();
    const organiserCopy = await onServer(alice, /SUMMARY:Team lunch/, 'event on alice’s server');
    expect(organiserCopy).toMatch(new RegExp(`ORGANIZER[^:]*:mailto:${alice.email}`, 'i'));
    expect(organiserCopy).toMatch(
      new RegExp(`ATTENDEE[^:]*PARTSTAT=NEEDS-ACTION[^:]*:mailto:${bob.email}`, 'i'),
    );

    await openDelivered(page, app, accountIds.bob!, 'Invitation: Team lunch');
    const card = page.getByRole('region', { name: 'Invitation' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('Team lunch');
    await expect(card.textContent()).resolves.toMatch(/No conflicts|Conflicts with/);
    await card.getByRole('button', { name: 'Accept' }).click();
    await expect
      .poll(async () => card.getByRole('button', { name: 'Accept' }).getAttribute('aria-pressed'), {
        timeout: 15_000,
      })
      .toBe('true');

    const bobsCopy = await onServer(bob, /SUMMARY:Team lunch/, 'event in bob’s calendar');
    expect(bobsCopy).toMatch(new RegExp(`ATTENDEE[^:]*PARTSTAT=ACCEPTED[^:]*:mailto:${bob.email}`, 'i'));
    expect(bobsCopy).not.toContain('METHOD:');
  });

  it('the REPLY reaches alice and, shown in her reading pane, updates bob’s status on her server', async () => {
    await openDelivered(page, app, accountIds.alice!, 'Accepted: Team lunch');
    await expect
      .poll(async () => (await page.getByTestId('reply-status').textContent()) ?? '', { timeout: 15_000 })
      .toContain('up to date');
    await expect
      .poll(async () => (await resourceWith(alice, /SUMMARY:Team lunch/)) ?? '', { timeout: 20_000 })
      .toMatch(new RegExp(`ATTENDEE[^:]*PARTSTAT=ACCEPTED[^:]*:mailto:${bob.email}`, 'i'));
  });
});

describe('.ics files from other applications through the UI', () => {
  const fixtures = join(import.meta.dirname, '../../fixtures/ics');

  it('imports a Google and a Fastmail file into the Local calendar and exports every component unchanged', async () => {
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    for (const file of ['google.ics', 'import/fastmail-series-with-override.ics']) {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Import .ics into Local calendar' }).click();
      await (await chooser).setFiles(join(fixtures, file));
      await page.getByText(/^Imported \d+ new/).waitFor();
    }
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export Local calendar as .ics' }).click();
    const file = await (await download).path();
    const exported = parseICalendar(readFileSync(file, 'utf8'));
    for (const name of ['google.ics', 'import/fastmail-series-with-override.ics']) {
      for (const ev of parseICalendar(readFileSync(join(fixtures, name), 'utf8')).events) {
        const match = exported.events.find(
          (e) => e.data.uid === ev.data.uid && e.data.recurrenceId === ev.data.recurrenceId,
        );
        expect(match?.component, `${name} ${ev.data.uid}`).toBe(ev.component);
      }
    }
    expect(exported.calendarProperties).toContain('X-WR-CALNAME:Platform team');
  });
});
