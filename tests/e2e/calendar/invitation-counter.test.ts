// Proposing a new time through the reading pane, in Chromium against headless mode with two real accounts
// (alice organises, bob attends) on Dovecot/Postfix/Radicale: bob accepts, then proposes another time; alice
// sees "bob proposes a new time" and accepts it; both calendars on the CalDAV server move (separate requests).
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
const ZONE = 'Europe/Paris';

let app: HeadlessApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const accountIds: Record<string, string> = {};

const serverCalendar = (u: typeof alice) => davResources(servers, u, 'calendar');
const resourceWith = async (u: typeof alice, pattern: RegExp) => (await serverCalendar(u)).find((t) => pattern.test(t)) ?? '';


async function sync(name: string) {
  expect((await app.api(`/accounts/${accountIds[name]}/sync`, { method: 'POST' })).status).toBe(200);
}

async function addAccount(u: typeof alice, name: string) {
  accountIds[name] = await app.addAccount({ ...imapAccountInput(servers, u, { dav: true }), displayName: name }, { sync: true });
}

/** Opens the newest message with this subject in All inboxes, syncing the account until it is there. */
async function openMail(name: string, subject: string) {
  await openDelivered(page, app, accountIds[name]!, subject);
  const card = page.getByRole('region', { name: 'Invitation' });
  await card.waitFor();
  return card;
}

const editor = () => page.getByRole('dialog', { name: /event/i });

beforeAll(async () => {
  for (const u of [alice, bob]) {
    await resetMailUser(u.email, servers);
    await resetDavUser(u.email, servers);
  }
  app = await startHeadless();
  await addAccount(alice, 'alice');
  await addAccount(bob, 'bob');
  browser = await launchChromium();
  context = await browser.newContext({ timezoneId: ZONE, viewport: { width: 1400, height: 1000 } });
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

describe('a new time proposed by bob and accepted by alice, from the reading pane', () => {
  const day = dateIn(ZONE, 3);

  it('alice invites bob; bob accepts, then proposes 15:00 instead', async () => {
    await page.keyboard.press('c');
    await editor().locator('input[name="summary"]').fill('Design review');
    await editor().locator('select[name="calendar"]').selectOption({ label: 'Calendar (alice)' });
    await editor().locator('input[name="start"]').fill(`${day}T10:00`);
    await editor().locator('input[name="end"]').fill(`${day}T11:00`);
    await editor().locator('input[name="attendee"]').fill(bob.email);
    await editor().locator('input[name="attendee"]').press('Enter');
    await editor().getByRole('button', { name: 'Save event' }).click();
    await expect.poll(() => resourceWith(alice, /SUMMARY:Design review/), { timeout: 20_000 }).toMatch(/SUMMARY/);

    const card = await openMail('bob', 'Invitation: Design review');
    await card.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => resourceWith(bob, /SUMMARY:Design review/), { timeout: 20_000 }).toMatch(new RegExp(`DTSTART;TZID=Europe/Paris:${compact(day)}T100000`));

    await card.getByRole('button', { name: 'Propose new time' }).click();
    const form = card.getByRole('form', { name: 'Propose new time' });
    await form.getByLabel('Start').fill(`${day}T15:00`);
    await form.getByLabel('End').fill(`${day}T16:00`);
    await form.getByLabel('Note to the organiser').fill('10:00 clashes with the standup');
    await form.getByRole('button', { name: 'Send proposal' }).click();
    await page.getByText('Proposal sent to alice').waitFor();
  });

  it('alice sees who proposes what and accepts: both calendars on the server move to 15:00', async () => {
    const card = await openMail('alice', 'New time proposed: Design review');
    const counter = card.getByTestId('counter');
    await expect(counter.textContent()).resolves.toMatch(/bob proposes a new time: .*(15:00|03:00 PM)/);
    await expect(counter.textContent()).resolves.toContain('10:00 clashes with the standup');
    await counter.getByRole('button', { name: 'Accept proposal' }).click();
    await counter.getByText('Accepted: the event is at this time.').waitFor();
    await expect
      .poll(() => resourceWith(alice, /SUMMARY:Design review/), { timeout: 20_000 })
      .toMatch(new RegExp(`DTSTART;TZID=Europe/Paris:${compact(day)}T150000[\\s\\S]*SEQUENCE:1|SEQUENCE:1[\\s\\S]*DTSTART;TZID=Europe/Paris:${compact(day)}T150000`));

    // The updated REQUEST reaches bob; he had accepted, so his copy moves when his mail syncs.
    await expect
      .poll(
        async () => {
          await sync('bob');
          return resourceWith(bob, /SUMMARY:Design review/);
        },
        { timeout: 30_000, message: 'bob’s copy moved on his server' },
      )
      .toMatch(new RegExp(`DTSTART;TZID=Europe/Paris:${compact(day)}T150000`));
    expect(await resourceWith(bob, /SUMMARY:Design review/)).toMatch(new RegExp(`ATTENDEE[^\\r\\n]*PARTSTAT=ACCEPTED[^\\r\\n]*:mailto:${bob.email}`, 'i'));
  });
});
