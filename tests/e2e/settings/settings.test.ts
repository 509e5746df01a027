import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { resetDavUser, resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { appendOnServer, imapAccountInput, serverSession, user } from '../../integration/imap/support';

/**
 * The Settings screen in headless mode against the real test servers: an IMAP/SMTP/DAV account added
 * through the form with its connection test, preferences that survive a reload, removal.
 */
const servers = inject('servers');
const alice = user(servers, 'alice');
const ACCOUNT_NAME = 'Alice (settings test)';
const SUBJECT = `Settings e2e ${Date.now()}`;

let app: HeadlessApp;
let browser: Browser;
let page: Page;

interface AccountJson {
  id: string;
  displayName: string;
  status: string;
}

async function accountsOverApi(): Promise<AccountJson[]> {
  const res = await app.api('/accounts');
  expect(res.status).toBe(200);
  const body = (await res.json()) as AccountJson[] | { value: AccountJson[] };
  return Array.isArray(body) ? body : body.value;
}

/** A setting as the core stored it (read-only look at the profile's database). */
function storedSetting(key: string): unknown {
  const db = new Database(join(app.dataDir, 'pimlico.sqlite3'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  } finally {
    db.close();
  }
}

const html = (attr: string) => page.evaluate((a) => document.documentElement.getAttribute(a), attr);
const rootFontSize = () => page.evaluate(() => document.documentElement.style.fontSize);
const accountGroup = () =>
  page.locator('.account-group', { has: page.locator('.account-name', { hasText: ACCOUNT_NAME }) });
const form = () => page.getByRole('form', { name: 'Add IMAP account' });
const check = (service: string) => form().locator(`.connection-report li.check[data-service="${service}"]`);

async function openSettings() {
  await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
}

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  // Alice's calendar must exist for the CalDAV check; a reset racing another file's reset is retried once.
  await resetDavUser(alice.email, servers).catch(() => resetDavUser(alice.email, servers));
  app = await startHeadless();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.sidebar').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('Settings: accounts', () => {
  it('tests the connection of a new IMAP/SMTP/DAV account, names the failing step for a wrong password, adds it and syncs its folders into the sidebar', async () => {
    await openSettings();
    await page.getByRole('button', { name: 'Add account…' }).click();
    await form().waitFor();
    const f = form();
    await f.getByLabel('Name', { exact: true }).fill(ACCOUNT_NAME);
    await f.getByLabel('Email', { exact: true }).fill(alice.email);
    await f.getByLabel('Password', { exact: true }).fill(alice.password);
    await f.getByLabel('IMAP server').fill(servers.imap.host);
    await f.getByLabel('IMAP security').selectOption('none');
    await f.getByLabel('IMAP port').fill(String(servers.imap.port));
    await f.getByLabel('SMTP server').fill(servers.smtp.host);
    await f.getByLabel('SMTP security').selectOption('none');
    await f.getByLabel('SMTP port').fill(String(servers.smtp.port));
    await f.getByLabel('CalDAV URL').fill(servers.dav.url);
    await f.getByLabel('CardDAV URL').fill(servers.dav.url);

    await f.getByRole('button', { name: 'Test connection' }).click();
    await f.locator('.connection-report').waitFor({ timeout: 30_000 });
    // The whole report in the message, so a failure says which server and step.
    expect(
      await f.locator('.connection-report').getAttribute('class'),
      await f.locator('.connection-report').innerText(),
    ).toContain('ok');
    for (const service of ['imap', 'smtp', 'caldav', 'carddav']) {
      expect(await check(service).getAttribute('data-ok'), service).toBe('true');
      expect(await check(service).getAttribute('data-failed-step'), service).toBe('');
    }
    expect(await f.locator('.connection-report .summary').textContent()).toContain('passed');

    // A wrong password: every service gets as far as the sign-in and says that is where it stopped.
    await f.getByLabel('Password', { exact: true }).fill('not-the-password');
    await expect.poll(() => f.locator('.connection-report').count()).toBe(0);
    await f.getByRole('button', { name: 'Test connection' }).click();
    await f.locator('.connection-report').waitFor({ timeout: 30_000 });
    expect(await f.locator('.connection-report').getAttribute('class')).toContain('failed');
    for (const service of ['imap', 'smtp', 'caldav', 'carddav']) {
      expect(await check(service).getAttribute('data-ok'), service).toBe('false');
      expect(await check(service).getAttribute('data-failed-step'), service).toBe('auth');
    }
    expect(await check('imap').locator('.steps li.failed').textContent()).toContain('Sign-in');
    // DNS and TCP passed; TLS is not used with security "none"; the sign-in is where it stopped.
    expect(await check('imap').locator('.steps li.passed').count()).toBe(2);
    expect(await check('imap').locator('.steps li[data-step="tls"]').textContent()).toContain('(not used)');
    expect(await check('imap').locator('.fail-mark').textContent()).toBe('Failed at: Sign-in (auth)');

    // Back to the right password, then add it.
    await f.getByLabel('Password', { exact: true }).fill(alice.password);
    await f.getByRole('button', { name: 'Add account' }).click();
    const row = page.locator('table.accounts tbody tr', { hasText: ACCOUNT_NAME });
    await row.waitFor();
    await expect.poll(() => form().count()).toBe(0);
    expect(await row.locator('td').nth(1).textContent()).toBe('IMAP/SMTP');

    // Mail put on the server just before the sync (other test files share this mailbox).
    const imap = await serverSession(servers, alice);
    await appendOnServer(imap, 'INBOX', {
      subject: SUBJECT,
      from: 'Bob <bob@pimlico.test>',
      to: alice.email,
    });
    await imap.logout();
    await row.getByRole('button', { name: 'Sync now' }).click();
    await row.locator('.sync-result').waitFor({ timeout: 30_000 });
    expect(await row.locator('.sync-result').textContent()).toMatch(
      /^\d+ folders, \d+ new, \d+ updated, \d+ removed/,
    );
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');

    // The account's folders, with their special-use roles, are in the sidebar; the inbox holds the seeded mail.
    const group = accountGroup();
    await group.locator('[data-folder-role="inbox"]').waitFor({ timeout: 15_000 });
    for (const role of ['sent', 'drafts', 'trash', 'archive'])
      expect(await group.locator(`[data-folder-role="${role}"]`).count(), role).toBe(1);
    await group.locator('[data-folder-role="inbox"]').click();
    await page.locator('.message-row', { hasText: SUBJECT }).waitFor({ timeout: 15_000 });

    const listed = await accountsOverApi();
    expect(listed.map((a) => a.displayName)).toContain(ACCOUNT_NAME);
  }, 120_000);

  it('tests the saved account again from its row', async () => {
    await openSettings();
    const row = page.locator('table.accounts tbody tr', { hasText: ACCOUNT_NAME });
    await row.getByRole('button', { name: 'Test connection' }).click();
    const report = page.locator('tr.test-row .connection-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('class')).toContain('ok');
    expect(await report.locator('li.check').count()).toBe(4);
  }, 60_000);

  it('makes the account the default', async () => {
    const row = page.locator('table.accounts tbody tr', { hasText: ACCOUNT_NAME });
    await row.getByRole('button', { name: 'Make default' }).click();
    await row.locator('.badge', { hasText: 'default' }).waitFor();
    expect(await page.locator('table.accounts tbody tr .badge', { hasText: 'default' }).count()).toBe(1);
  });
});

describe('Settings: local accounts and notifications', () => {
  it('adds a Local account with its folders, and removes it again', async () => {
    await openSettings();
    await page.getByRole('button', { name: 'Add account…' }).click();
    await page.getByRole('radio', { name: 'Local (no server)' }).check();
    const f = page.getByRole('form', { name: 'Add local account' });
    await f.getByLabel('Name', { exact: true }).fill('Scratchpad');
    await f.getByRole('button', { name: 'Add account' }).click();
    const row = page.locator('table.accounts tbody tr', { hasText: 'Scratchpad' });
    await row.waitFor();
    expect(await row.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    const group = page.locator('.account-group', {
      has: page.locator('.account-name', { hasText: 'Scratchpad' }),
    });
    await group.locator('[data-folder-role="inbox"]').waitFor();
    await row.getByRole('button', { name: 'Remove…' }).click();
    await row.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => group.count()).toBe(0);
  });

  it('leads to the mail settings dialog for signatures and the undo send delay', async () => {
    await openSettings();
    await page.getByRole('button', { name: 'Open mail settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mail settings' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Undo send delay (5 to 30 seconds)').inputValue()).toBe('10');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('leads to the notification settings instead of repeating them', async () => {
    await openSettings();
    await page.getByRole('button', { name: 'Open notification settings' }).click();
    await page.getByRole('tab', { name: 'Notifications', selected: true }).waitFor();
  });
});

describe('Settings: certificates and sign-in', () => {
  it('refuses a self-signed certificate, shows its SHA-256, and trusts it on request so the account works', async () => {
    const fingerprint = new X509Certificate(readFileSync(servers.imap.caCertPath)).fingerprint256;
    const hex = fingerprint.replace(/:/g, '').toLowerCase();
    await openSettings();
    await page.getByRole('button', { name: 'Add account…' }).click();
    const f = form();
    await f.getByLabel('Name', { exact: true }).fill('Self-signed');
    await f.getByLabel('Email', { exact: true }).fill(alice.email);
    await f.getByLabel('Password', { exact: true }).fill(alice.password);
    await f.getByLabel('IMAP server').fill(servers.imap.host);
    await f.getByLabel('IMAP security').selectOption('tls');
    await f.getByLabel('IMAP port').fill(String(servers.imap.tlsPort));
    await f.getByRole('button', { name: 'Test connection' }).click();
    await f.locator('.connection-report').waitFor({ timeout: 30_000 });
    expect(await check('imap').getAttribute('data-failed-step')).toBe('tls');
    expect(
      (await check('imap').locator('.fingerprint code').textContent())?.replace(/:/g, '').toLowerCase(),
    ).toBe(hex);

    await check('imap').getByRole('button', { name: 'Trust this certificate' }).click();
    await expect.poll(() => check('imap').getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect(await check('imap').locator('.badge', { hasText: 'trusted' }).count()).toBe(1);
    expect(await check('imap').getByRole('button', { name: 'Trust this certificate' }).count()).toBe(0);

    // Saved with the account: its own sync goes through the pinned certificate.
    await f.getByRole('button', { name: 'Add account' }).click();
    const row = page.locator('table.accounts tbody tr', { hasText: 'Self-signed' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Sync now' }).click();
    await row.locator('.sync-result').waitFor({ timeout: 30_000 });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    const id = await row.getAttribute('data-account-id');
    expect((await app.api(`/accounts/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await expect.poll(() => row.count()).toBe(0);
  }, 90_000);

  it('shows a banner for an account whose password the server refuses, with a retry that reports why', async () => {
    const created = await app.api('/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        ...imapAccountInput(servers, alice, {
          imap: { password: 'changed-elsewhere' },
          smtp: { password: 'changed-elsewhere' },
        }),
        displayName: 'Stale password',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await app.api(`/accounts/${id}/sync`, { method: 'POST' });
    // The sidebar flags the account too, and leads to Settings.
    await page.locator('.sidebar').getByRole('button', { name: 'Calendar' }).click();
    const staleGroup = page.locator('.account-group', {
      has: page.locator('.account-name', { hasText: 'Stale password' }),
    });
    await staleGroup.getByRole('button', { name: 'Sign in' }).click({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    const banner = page.locator(`.banner[data-account-id="${id}"]`);
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Stale password needs you to sign in again.');
    // A background retry may be running ('syncing'); the banner stays through it.
    await expect
      .poll(() => page.locator(`table.accounts tr[data-account-id="${id}"]`).getAttribute('data-status'), {
        timeout: 30_000,
      })
      .toBe('needs-sign-in');
    // The banner's connection test says it is the sign-in that fails, not the network.
    await banner.getByRole('button', { name: 'Test connection' }).click();
    await banner.locator('.connection-report li.check[data-service="imap"]').waitFor({ timeout: 30_000 });
    expect(await banner.locator('li.check[data-service="imap"]').getAttribute('data-failed-step')).toBe(
      'auth',
    );
    await banner.getByRole('button', { name: 'Sign in again' }).click();
    await page.locator('.toast.error').waitFor({ timeout: 30_000 });
    expect(await banner.count()).toBe(1);
    expect((await app.api(`/accounts/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await expect.poll(() => banner.count()).toBe(0);
    await page.locator('.toast.error').getByRole('button', { name: 'Dismiss' }).click();
  }, 60_000);
});

describe('Settings: preferences', () => {
  it('keeps theme, density and zoom across a reload', async () => {
    await openSettings();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Density').selectOption('compact');
    await page.getByLabel('Zoom').selectOption('125');
    expect(await html('data-theme')).toBe('dark');
    expect(await html('data-density')).toBe('compact');
    expect(await rootFontSize()).toBe('17.5px');
    // The dark palette really applies, whatever the browser's own preference.
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(22, 23, 26)');
    // The desktop shell's native theme follows.
    await expect.poll(() => storedSetting('appearance.theme')).toBe('dark');
    expect(storedSetting('ui.theme')).toBe('dark');

    await page.reload();
    await page.locator('.sidebar').waitFor();
    await expect.poll(() => html('data-theme')).toBe('dark');
    expect(await html('data-density')).toBe('compact');
    expect(await rootFontSize()).toBe('17.5px');
    expect(await background()).toBe('rgb(22, 23, 26)');
    await openSettings();
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    expect(await page.getByLabel('Density').inputValue()).toBe('compact');

    // Light overrides the system too; "system" hands it back to prefers-color-scheme.
    await page.getByLabel('Theme').selectOption('light');
    expect(await html('data-theme')).toBe('light');
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.getByLabel('Theme').selectOption('system');
    expect(await html('data-theme')).toBeNull();
    await expect.poll(() => storedSetting('appearance.theme')).toBe('system');
    await page.reload();
    await page.locator('.sidebar').waitFor();
    await openSettings();
    expect(await page.getByLabel('Theme').inputValue()).toBe('system');
    expect(await html('data-theme')).toBeNull();
  }, 60_000);

  it('saves the desktop shell settings under the keys the shell reads', async () => {
    await openSettings();
    await page.getByLabel('Closing the window keeps Pimlico running in the tray').check();
    await page.getByLabel('Start Pimlico when I log in').check();
    await page.getByLabel('Update feed (updates are off without one)').fill('ftp://nope');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.prefs .form-error', { hasText: 'update feed must be' }).waitFor();
    await page
      .getByLabel('Update feed (updates are off without one)')
      .fill('https://updates.example.com/pimlico/');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.toast', { hasText: 'Update feed saved' }).waitFor();
    expect(await page.locator('.prefs .form-error').count()).toBe(0);
    await page.reload();
    await page.locator('.sidebar').waitFor();
    await openSettings();
    await expect
      .poll(() => page.getByLabel('Closing the window keeps Pimlico running in the tray').isChecked())
      .toBe(true);
    expect(await page.getByLabel('Start Pimlico when I log in').isChecked()).toBe(true);
    expect(await page.getByLabel('Open mailto: links with Pimlico').isChecked()).toBe(false);
    expect(await page.getByLabel('Update feed (updates are off without one)').inputValue()).toBe(
      'https://updates.example.com/pimlico/',
    );
  }, 60_000);
});

describe('Compose-only window', () => {
  it('renders only compose for #compose?mailto=…, filled from the link', async () => {
    const mailto =
      'mailto:carol@pimlico.test?cc=dave@pimlico.test&subject=Hello%20there&body=1+1%3D2%20on%20line%201';
    // Opened the way the app pops a draft out: window.open on its own origin.
    const popupOpened = page.waitForEvent('popup');
    await page.evaluate((hash) => void window.open(hash), `#compose?mailto=${encodeURIComponent(mailto)}`);
    const popup = await popupOpened;
    const dialog = popup.getByRole('dialog', { name: 'Compose' });
    await dialog.waitFor();
    expect(await popup.locator('.sidebar').count()).toBe(0);
    expect(await dialog.locator('.chip', { hasText: 'carol@pimlico.test' }).count()).toBe(1);
    expect(await dialog.locator('.chip', { hasText: 'dave@pimlico.test' }).count()).toBe(1);
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('Hello there');
    expect(await dialog.getByLabel('Message body').inputValue()).toMatch(/^1\+1=2 on line 1/);
    // Closing the message closes the window (the draft is kept).
    const closed = popup.waitForEvent('close');
    await dialog.getByRole('button', { name: 'Close compose' }).click();
    await closed;
    expect(popup.isClosed()).toBe(true);

    // The draft is kept, and #compose?draft=ID reopens it in a window of its own.
    await accountGroup().locator('[data-folder-role="drafts"]').click();
    const draftRow = page.locator('.message-row', { hasText: 'Hello there' });
    await draftRow.waitFor({ timeout: 15_000 });
    const draftId = await draftRow.getAttribute('data-message-id');
    expect(draftId).toBeTruthy();
    const reopened = page.waitForEvent('popup');
    await page.evaluate((hash) => void window.open(hash), `#compose?draft=${draftId}`);
    const draftWindow = await reopened;
    const draftDialog = draftWindow.getByRole('dialog', { name: 'Compose' });
    await draftDialog.waitFor();
    await expect.poll(() => draftDialog.getByLabel('Subject').inputValue()).toBe('Hello there');
    expect(await draftDialog.locator('.chip', { hasText: 'carol@pimlico.test' }).count()).toBe(1);
    expect(await draftDialog.getByLabel('Message body').inputValue()).toMatch(/^1\+1=2 on line 1/);
    await draftWindow.close();
  }, 45_000);
});

describe('Settings: removing an account', () => {
  it('asks first, then removes the account and its folders', async () => {
    await openSettings();
    const row = page.locator('table.accounts tbody tr', { hasText: ACCOUNT_NAME });
    expect(await accountGroup().locator('.nav-item.folder').count()).toBeGreaterThan(0);
    await row.getByRole('button', { name: 'Remove…' }).click();
    const confirm = row.getByRole('group', { name: `Confirm removing ${ACCOUNT_NAME}` });
    await confirm.waitFor();
    // Keeping it changes nothing.
    await confirm.getByRole('button', { name: 'Keep' }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Remove…' }).click();
    await row.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect
      .poll(() => page.locator('table.accounts tbody tr', { hasText: ACCOUNT_NAME }).count())
      .toBe(0);
    await expect.poll(() => accountGroup().count()).toBe(0);
    expect((await accountsOverApi()).map((a) => a.displayName)).not.toContain(ACCOUNT_NAME);
  }, 30_000);
});
