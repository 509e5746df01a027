// The notification display in a real browser: headless mode (the built app as a process) pushes the
// core's 'notification' events over its WebSocket, and the page shows them through the Web
// Notification API (permission granted); a click opens the message or the event.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { imapAccountInput, user } from '../imap/support';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');

let app: HeadlessApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

interface Shown {
  title: string;
  body: string;
  tag: string;
}

async function json<T>(res: Response): Promise<T> {
  expect(res.ok, `${res.status} ${res.url}`).toBe(true);
  return (await res.json()) as T;
}

// Browser-side code is passed as text: this file is type-checked for Node, without the DOM library.

/** Records every Notification the page creates, through a subclass of the real one (so it is still shown). */
const RECORD_NOTIFICATIONS = `
  const Real = window.Notification;
  const seen = [];
  window.__pimlicoShown = seen;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      seen.push({ title, body: (options && options.body) || '', tag: (options && options.tag) || '', n: this });
    }
  };
`;

/** Notifications the page created so far. */
const shown = () => page.evaluate<Shown[]>('window.__pimlicoShown.map(({ title, body, tag }) => ({ title, body, tag }))');

async function waitForShown(predicate: (n: Shown) => boolean, trigger: () => Promise<void>): Promise<Shown> {
  const until = Date.now() + 30_000;
  for (;;) {
    const hit = (await shown()).find(predicate);
    if (hit) return hit;
    if (Date.now() > until) throw new Error(`no such notification; shown: ${JSON.stringify(await shown())}`);
    await trigger();
    await page.waitForTimeout(300);
  }
}

const sidebar = () => page.getByRole('navigation', { name: 'Sidebar' });

/** Clicks a shown notification the way the OS would: a 'click' event on that Notification object. */
async function click(tag: string): Promise<void> {
  await page.evaluate(`window.__pimlicoShown.find((x) => x.tag === ${JSON.stringify(tag)}).n.dispatchEvent(new Event('click'))`);
}

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  app = await startHeadless();
  browser = await launchChromium();
  context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: new URL(app.url).origin });
  await context.addInitScript({ content: RECORD_NOTIFICATIONS });
  page = await context.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await sidebar().getByRole('button', { name: 'Automation', exact: true }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('notifications in the browser (headless mode)', () => {
  it('shows an upcoming event as a Web Notification and opens that event in the calendar on click', async () => {
    expect(await page.evaluate<string>('Notification.permission')).toBe('granted');
    const tables = await json<{ value: { Name: string }[] }>(await app.api('/datasets/calendars/tables'));
    const start = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const end = new Date(Date.now() + 40 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = await app.api(`/datasets/calendars/tables/${encodeURIComponent(tables.value[0]!.Name)}/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Subject: 'Design review', Start: start, End: end, TimeZone: 'UTC', Location: 'Room 2' }),
    });
    expect(created.status).toBeLessThan(300);
    const accounts = await json<{ id: string; kind: string }[]>(await app.api('/accounts'));
    const local = accounts.find((a) => a.kind === 'local')!;
    const n = await waitForShown(
      (x) => x.title === 'Design review',
      async () => void (await app.api(`/accounts/${local.id}/sync`, { method: 'POST' })),
    );
    expect(n.body).toContain('Room 2');
    // The calendar shows another period when the click comes: it must go to the event's day and open it.
    await sidebar().getByRole('button', { name: 'Calendar', exact: true }).click();
    const heading = page.getByTestId('cal-title');
    const before = await heading.textContent();
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    await expect.poll(() => heading.textContent()).not.toBe(before);
    await sidebar().getByRole('button', { name: 'Automation', exact: true }).click();
    await click(n.tag);
    await expect.poll(() => sidebar().getByRole('button', { name: 'Calendar', exact: true }).getAttribute('aria-current')).toBe('page');
    const editor = page.getByRole('dialog', { name: /event/i });
    await expect.poll(() => editor.locator('input[name="summary"]').inputValue(), { timeout: 10_000 }).toBe('Design review');
    await expect(editor.locator('input[name="location"]').inputValue()).resolves.toBe('Room 2');
    expect(await heading.textContent()).toBe(before);
    await editor.getByRole('button', { name: 'Cancel' }).click();
    expect((await shown()).filter((x) => x.title === 'Design review')).toHaveLength(1);
  });

  it('shows new mail with sender, subject and preview, and opens the message on click; the ledger is in the UI', async () => {
    const { id } = await json<{ id: string }>(
      await app.api('/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(imapAccountInput(servers, alice)) }),
    );
    // Watching starts after the first successful sync (what it finds is old news): make sure it happened.
    for (let i = 0; !(await app.api(`/accounts/${id}/sync`, { method: 'POST' })).ok; i++) {
      if (i === 20) throw new Error('the first sync of the account never succeeded');
      await page.waitForTimeout(500);
    }
    // Other mail may reach this shared test user meanwhile: keep each message its own notification.
    await json(await app.api('/notifications/settings', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ groupThreshold: 1000 }) }));
    const transport = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: bob.email, pass: bob.password } });
    await transport.sendMail({ from: `Bob <${bob.email}>`, to: alice.email, subject: 'Quarterly numbers', text: 'The spreadsheet is attached in spirit.' });
    transport.close();
    const n = await waitForShown(
      (x) => x.body.startsWith('Quarterly numbers'),
      async () => void (await app.api(`/accounts/${id}/sync`, { method: 'POST' })),
    );
    expect(n).toMatchObject({ title: 'Bob', body: 'Quarterly numbers\nThe spreadsheet is attached in spirit.' });
    await click(n.tag);
    await expect.poll(() => page.locator('.reading-pane').getAttribute('data-message-id')).toMatch(/^msg_/);
    await expect.poll(() => page.locator('.reading-pane').textContent()).toContain('Quarterly numbers');

    const tray = await json<{ unreadInboxCount: number }>(await app.api('/tray'));
    expect(tray.unreadInboxCount).toBeGreaterThanOrEqual(0);
    await sidebar().getByRole('button', { name: 'Automation', exact: true }).click();
    const ledger = page.getByRole('table', { name: 'Notification ledger' });
    await expect.poll(() => ledger.textContent()).toContain('Quarterly numbers');
    await expect.poll(() => ledger.textContent()).toContain('Design review');
  });
});

describe('rules in the browser', () => {
  it('are edited in the UI, tried against the cache before saving, and listed with their actions', async () => {
    await sidebar().getByRole('button', { name: 'Automation', exact: true }).click();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const editor = page.getByRole('form', { name: 'Rule editor' });
    await editor.getByLabel('Name').fill('Numbers to archive');
    await editor.getByLabel('with subject containing').fill('quarterly');
    await editor.getByRole('combobox', { name: 'Add an action' }).selectOption('flag');
    await editor.getByRole('button', { name: 'Test against the cache' }).click();
    await expect.poll(() => editor.getByRole('status').textContent()).toContain('This rule would have matched 1 messages');
    await expect.poll(() => editor.getByRole('status').textContent()).toContain('Quarterly numbers');
    await editor.getByRole('button', { name: 'Save' }).click();
    const rule = page.getByRole('list', { name: 'Rules' }).getByRole('listitem').filter({ hasText: 'Numbers to archive' });
    await expect.poll(() => rule.textContent()).toContain('Notify me, Flag');
    expect(await rule.getByRole('checkbox', { name: 'Enabled' }).isChecked()).toBe(false);
  });
});
