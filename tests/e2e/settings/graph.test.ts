import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { startGraphEmulator, type GraphEmulator } from '../../graph/emulator';

/**
 * Adding an Outlook.com / Microsoft 365 account from Settings, against the local Graph emulator:
 * a token-command account syncs its folders; browser sign-in without an application id is refused
 * up front instead of pretending to sign in.
 */
const EMAIL = 'dana@contoso.test';
const TOKEN = 'token-dana-settings';

let emu: GraphEmulator;
let app: HeadlessApp;
let browser: Browser;
let page: Page;

const form = () => page.getByRole('form', { name: 'Add Outlook account' });

async function openOutlookForm() {
  await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Add account…' }).click();
  await page.getByRole('radio', { name: 'Outlook.com / Microsoft 365' }).check();
  await form().waitFor();
}

beforeAll(async () => {
  emu = await startGraphEmulator();
  emu.addUser(EMAIL, TOKEN, { displayName: 'Dana' });
  emu.seedMessage(EMAIL, 'inbox', {
    subject: 'Hello from Outlook',
    from: 'Carol <carol@example.com>',
    body: 'Graph body.',
    receivedDateTime: new Date(Date.UTC(2026, 1, 1, 9)),
  });
  app = await startHeadless();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.sidebar').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await emu?.close();
});

describe('Settings: Outlook.com / Microsoft 365 accounts', () => {
  it('does not offer browser sign-in without an application (client) id', async () => {
    await openOutlookForm();
    const f = form();
    await f.getByLabel('Email', { exact: true }).fill(EMAIL);
    expect(await f.getByLabel('How Pimlico gets access').inputValue()).toBe('interactive');
    expect(await f.getByRole('button', { name: 'Add account' }).isDisabled()).toBe(true);
    expect(await f.locator('.hint').textContent()).toContain('needs an application (client) id');
    await f.getByLabel('How Pimlico gets access').selectOption('deviceCode');
    expect(await f.getByRole('button', { name: 'Add account' }).isDisabled()).toBe(true);
    const before = (await (await app.api('/accounts')).json()) as unknown[];
    expect(before).toHaveLength(1);
    await f.getByRole('button', { name: 'Cancel' }).click();
  });

  it('adds a token-command account, syncs it and shows its folders in the sidebar', async () => {
    await openOutlookForm();
    const f = form();
    await f.getByLabel('Name', { exact: true }).fill('Dana (Outlook)');
    await f.getByLabel('Email', { exact: true }).fill(EMAIL);
    await f.getByLabel('How Pimlico gets access').selectOption('tokenCommand');
    await f.getByLabel('Token command').fill(`printf ${TOKEN}`);
    await f.getByLabel('Graph address').fill(emu.baseUrl);
    await f.getByRole('button', { name: 'Add account' }).click();
    const row = page.locator('table.accounts tbody tr', { hasText: 'Dana (Outlook)' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('Outlook.com / Microsoft 365');
    await row.getByRole('button', { name: 'Sync now' }).click();
    await row.locator('.sync-result').waitFor({ timeout: 30_000 });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    const group = page.locator('.account-group', {
      has: page.locator('.account-name', { hasText: 'Dana (Outlook)' }),
    });
    await group.locator('[data-folder-role="inbox"]').click({ timeout: 15_000 });
    await page.locator('.message-row', { hasText: 'Hello from Outlook' }).waitFor({ timeout: 15_000 });
  }, 60_000);

  it('an account whose token command fails asks for sign-in with a banner', async () => {
    await openOutlookForm();
    const f = form();
    await f.getByLabel('Name', { exact: true }).fill('Broken token');
    await f.getByLabel('Email', { exact: true }).fill(EMAIL);
    await f.getByLabel('How Pimlico gets access').selectOption('tokenCommand');
    await f.getByLabel('Token command').fill('printf not-a-valid-token');
    await f.getByLabel('Graph address').fill(emu.baseUrl);
    await f.getByRole('button', { name: 'Add account' }).click();
    const row = page.locator('table.accounts tbody tr', { hasText: 'Broken token' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('needs-sign-in');
    const id = await row.getAttribute('data-account-id');
    const banner = page.locator(`.banner[data-account-id="${id}"]`);
    await banner.waitFor();
    expect(await banner.textContent()).toContain('token command');
  }, 60_000);
});
