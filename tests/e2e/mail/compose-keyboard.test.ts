import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { seedLocalMailbox, type SeedMessage } from './seed';

let app: HeadlessApp;
let browser: Browser;
let page: Page;

const grace = { name: 'Grace Hopper', address: 'grace.hopper@navy.example' };
const ada = { name: 'Ada Lovelace', address: 'ada@engines.example' };
const day = (d: number) => Date.UTC(2026, 2, d, 9);

beforeAll(async () => {
  const messages: SeedMessage[] = [
    { subject: 'Budget review', from: grace, bodyText: 'The budget for next year is attached.', date: day(1) },
    { subject: 'Lunch', from: grace, bodyText: 'Shall we meet at noon?', date: day(2) },
    { subject: 'Budget numbers', from: { name: 'Carol', address: 'carol@example.org' }, bodyText: 'Numbers inside.', date: day(3) },
    { subject: 'Engines', from: { name: 'Me', address: 'me@example.com' }, to: [ada], bodyText: 'About the engine.', date: day(4), role: 'sent' },
    { subject: 'Trip', from: grace, bodyText: 'Trip plans, first message.', date: day(5), messageIdHeader: '<trip-1@navy.example>' },
    { subject: 'Re: Trip', from: { name: 'Carol', address: 'carol@example.org' }, bodyText: 'Count me in.', date: day(6), messageIdHeader: '<trip-2@example.org>', inReplyTo: '<trip-1@navy.example>', references: ['<trip-1@navy.example>'] },
    { subject: 'Re: Trip', from: grace, bodyText: 'Great, booked.', date: day(7), messageIdHeader: '<trip-3@navy.example>', inReplyTo: '<trip-2@example.org>', references: ['<trip-1@navy.example>', '<trip-2@example.org>'] },
  ];
  const dataDir = await seedLocalMailbox(messages, 0, undefined, {}, (core, accountId) => {
    const book = core.store.pim.addressBooks(accountId)[0]!;
    core.contacts.create(book.id, { displayName: 'Grace Hopper', givenName: 'Grace', surname: 'Hopper', emails: [{ type: 'work', address: grace.address }] });
  });
  app = await startHeadless({ dataDir });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.message-row', { hasText: 'Budget review' }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const rows = () => page.locator('.message-list .message-row');
const paneSubject = () => page.locator('.reading-pane h2.message-subject');

describe('keyboard: overlay, rebinding, palette', () => {
  it('shows every shortcut with ?, and a rebinding is used at once and kept across a reload', async () => {
    await page.keyboard.press('?');
    const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await overlay.waitFor();
    for (const label of ['Next message', 'Archive', 'Delete', 'Report spam', 'Move to folder…', 'Reply all', 'Go to inbox', 'Undo', 'Command palette']) {
      await overlay.getByRole('cell', { name: label, exact: true }).waitFor();
    }
    await expect.poll(() => overlay.locator('tr[data-action="go.inbox"] kbd').allTextContents()).toEqual(['g then i']);
    await overlay.getByRole('button', { name: 'Change keys for Archive' }).click();
    await overlay.getByLabel('Keys for Archive').fill('y');
    await page.keyboard.press('Enter');
    await expect.poll(() => overlay.locator('tr[data-action="mail.archive"] kbd').allTextContents()).toEqual(['y']);
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'detached' });

    await page.keyboard.press('j');
    await expect.poll(() => paneSubject().textContent()).toBe('Re: Trip');
    const newest = page.locator(`.message-row[data-message-id="${await page.locator('.reading-pane').getAttribute('data-message-id')}"]`);
    await page.keyboard.press('e'); // no longer bound
    await expect.poll(() => newest.count()).toBe(1);
    await page.keyboard.press('y');
    await expect.poll(() => newest.count()).toBe(0);
    // The next message (the middle one of the conversation) opened at once.
    await expect.poll(() => page.frameLocator('iframe.message-body').locator('body').textContent()).toContain('Count me in.');
    await page.keyboard.press('z');
    await expect.poll(() => newest.count()).toBe(1);
    await expect.poll(() => page.frameLocator('iframe.message-body').locator('body').textContent()).toContain('Great, booked.');

    await page.reload();
    await rows().first().waitFor();
    await page.keyboard.press('?');
    await expect.poll(() => overlay.locator('tr[data-action="mail.archive"] kbd').allTextContents()).toEqual(['y']);
    await overlay.getByRole('button', { name: 'Reset all' }).click();
    await expect.poll(() => overlay.locator('tr[data-action="mail.archive"] kbd').allTextContents()).toEqual(['e']);
    await page.keyboard.press('Escape');
  });

  it('finds actions and folders by typing in the Ctrl+K palette', async () => {
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.waitFor();
    await page.keyboard.type('go to sent');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.view-title').textContent()).toBe('Sent');
    await expect.poll(() => rows().allTextContents()).toEqual([expect.stringContaining('Engines')]);
    await page.keyboard.press('Control+k');
    await page.keyboard.type('compact');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.density)).toBe('compact');
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await expect.poll(() => page.locator('.view-title').textContent()).toBe('All inboxes');
  });

  it('searches as you type with operators and highlights the matches', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('from:grace budg');
    await expect.poll(() => rows().allTextContents()).toEqual([expect.stringContaining('Budget review')]);
    // Results come as you type: the same row can show for 'from:grace bu' before 'budg' is answered.
    await expect.poll(() => page.locator('.message-row mark').allTextContents()).toEqual(expect.arrayContaining(['Grace', 'Budg']));
    await page.keyboard.press('Escape');
    await expect.poll(() => rows().count()).toBe(6);
  });

  it('groups conversations and shows the whole conversation in the reading pane', async () => {
    await page.locator('.threads-toggle input').check();
    await expect.poll(() => rows().count()).toBe(4);
    const trip = rows().filter({ hasText: 'Re: Trip' });
    await expect.poll(() => trip.locator('.count').textContent()).toBe('3');
    await trip.click();
    await expect.poll(() => page.getByRole('list', { name: 'Conversation' }).getByRole('listitem').count()).toBe(3);
    await page.locator('.threads-toggle input').first().uncheck();
    await expect.poll(() => rows().count()).toBe(6);
  });
});

describe('compose', () => {
  it('uses the account signature, suggests contacts and past correspondents, attaches by picker and drop, and saves the draft by itself', async () => {
    await page.getByRole('button', { name: 'Mail settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Mail settings' });
    await settings.getByLabel(/Signature for/).fill('Bob\nPimlico Labs');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });

    await page.locator('.message-list').focus();
    await page.keyboard.press('c');
    const compose = page.getByRole('dialog', { name: 'Compose' });
    await compose.waitFor();
    await expect.poll(() => compose.getByLabel('Message body').inputValue()).toBe('\n\n-- \nBob\nPimlico Labs');
    const to = compose.getByRole('combobox', { name: 'To' });
    await to.focus();
    await page.keyboard.type('grac');
    const suggestions = compose.getByRole('listbox', { name: 'To suggestions' });
    await expect.poll(() => suggestions.getByRole('option').first().textContent()).toContain('Grace Hopper');
    await expect.poll(() => suggestions.getByRole('option').first().textContent()).toContain('contact');
    await page.keyboard.press('Enter');
    await page.keyboard.type('ada');
    await expect.poll(() => suggestions.getByRole('option').first().textContent()).toContain('ada@engines.example');
    await expect.poll(() => suggestions.getByRole('option').first().textContent()).toContain('recent');
    await page.keyboard.press('Enter');
    await expect.poll(() => compose.locator('.chip').allTextContents()).toEqual([expect.stringContaining('Grace Hopper'), expect.stringContaining('Ada Lovelace')]);
    await compose.getByLabel('Subject').fill('Engine budget');
    await compose.getByLabel('Message body').press('Control+Home');
    await page.keyboard.type('Numbers attached.');

    await compose.getByLabel('Attach files').setInputFiles({ name: 'numbers.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    });
    await compose.dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => compose.getByRole('list', { name: 'Attachments to send' }).getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('numbers.csv'),
      expect.stringContaining('dropped.txt'),
    ]);
    // Saved without being asked, within a few seconds.
    await compose.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await compose.waitFor({ state: 'detached' });
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await rows().filter({ hasText: 'Engine budget' }).click();
    await page.getByRole('button', { name: 'Edit draft' }).click();
    await compose.waitFor();
    await expect.poll(() => compose.getByLabel('Message body').inputValue()).toContain('Numbers attached.');
    await expect.poll(() => compose.locator('.chip').count()).toBe(2);
  });

  it('sends later at a chosen time, and the scheduled send can be cancelled back into a draft', async () => {
    const compose = page.getByRole('dialog', { name: 'Compose' });
    await compose.getByRole('button', { name: 'Send later…' }).click();
    await compose.getByLabel('Send at').fill('2031-05-04T09:30');
    await expect.poll(() => compose.getByRole('button', { name: /^Send at/ }).textContent()).toContain('2031');
    await page.keyboard.press('Control+Enter');
    await compose.waitFor({ state: 'detached' });
    const bar = page.locator('.pending-send');
    await expect.poll(() => bar.textContent()).toContain('Scheduled for');
    await expect.poll(() => bar.textContent()).toContain('2031');
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await expect.poll(() => rows().filter({ hasText: 'Engine budget' }).count()).toBe(0);
    await bar.getByRole('button', { name: 'Cancel send' }).click();
    await compose.waitFor();
    await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe('Engine budget');
    await page.keyboard.press('Escape');
    await expect.poll(() => rows().filter({ hasText: 'Engine budget' }).count()).toBe(1);
  });
});
