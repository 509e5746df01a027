// "Add sender to contacts" in the mail reading pane, in Chromium against headless mode with a real IMAP +
// CardDAV account: the sender is added once (a second click finds the existing contact), checked on the
// CardDAV server with a separate request.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { resetDavUser, resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { davResources } from '../../support/dav';
import { imapAccountInput } from '../../integration/imap/support';
import { openDelivered } from '../../support/mail-ui';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;

let app: HeadlessApp;
let browser: Browser;
let page: Page;
let accountId: string;

const serverCards = () => davResources(servers, alice, 'contacts');

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetDavUser(alice.email, servers);
  app = await startHeadless();
  accountId = await app.addAccount(imapAccountInput(servers, alice, { dav: true }));
  const transport = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: bob.email, pass: bob.password } });
  await transport.sendMail({ from: { name: 'Bob Sender', address: bob.email }, to: alice.email, subject: 'Lunch on Thursday?', text: 'Shall we?' });
  transport.close();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${app.url}#token=${app.token}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('Add sender to contacts from the reading pane', () => {
  it('adds the sender once; a second click finds the contact already there', async () => {
    await openDelivered(page, app, accountId, 'Lunch on Thursday?');
    const button = page.getByRole('button', { name: 'Add sender to contacts' });
    await button.click();
    await expect.poll(async () => (await page.getByRole('status').allTextContents()).join(' '), { timeout: 10_000 }).toContain('Added Bob Sender to contacts');
    await expect
      .poll(async () => (await serverCards()).filter((c) => c.toLowerCase().includes(`:${bob.email}`)).length, { timeout: 20_000, message: 'card on the server' })
      .toBe(1);

    await expect.poll(async () => button.isEnabled()).toBe(true);
    await button.click();
    await expect.poll(async () => (await page.getByRole('status').allTextContents()).join(' '), { timeout: 10_000 }).toContain('Bob Sender is already in your contacts');
    const cards = (await serverCards()).filter((c) => c.toLowerCase().includes(`:${bob.email}`));
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain('FN:Bob Sender');
  });
});
