import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { appendOnServer, imapAccountInput, serverSession, user } from '../../integration/imap/support';

/**
 * Fixing a saved account's credentials from Settings, in Chromium against headless mode and the real
 * Dovecot: a refused password typed again in the sign-in banner, a changed server certificate trusted
 * by its fingerprint. Both end with a sync that brings the server's mail in.
 */
const servers = inject('servers');
const alice = user(servers, 'alice');
const SUBJECT = `Sign-in e2e ${Date.now()}`;

let app: HeadlessApp;
let browser: Browser;
let page: Page;

interface AccountJson {
  id: string;
  status: string;
  settings: Record<string, { trustedCertFingerprint?: string; password?: string } | undefined>;
}

async function createAccount(body: unknown): Promise<string> {
  const res = await app.api('/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function accountOverApi(id: string): Promise<AccountJson> {
  const res = await app.api('/accounts');
  const body = (await res.json()) as AccountJson[] | { value: AccountJson[] };
  const list = Array.isArray(body) ? body : body.value;
  const found = list.find((a) => a.id === id);
  if (!found) throw new Error(`account ${id} is gone`);
  return found;
}

async function openSettings() {
  await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
}

const row = (id: string) => page.locator(`table.accounts tr[data-account-id="${id}"]`);

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  const imap = await serverSession(servers, alice);
  try {
    await appendOnServer(imap, 'INBOX', { subject: SUBJECT, to: alice.email });
  } finally {
    await imap.logout();
  }
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

describe('Settings: signing a saved account in again', () => {
  it('an IMAP account whose password was refused signs in with the password typed in the banner, and syncs', async () => {
    const id = await createAccount({ ...imapAccountInput(servers, alice, { imap: { password: 'wrong-password' } }), displayName: 'Alice (wrong password)' });
    await app.api(`/accounts/${id}/sync`, { method: 'POST' });
    await openSettings();
    const banner = page.locator(`.banner[data-account-id="${id}"]`);
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Type the current one to sign in again');
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 30_000 }).toBe('needs-sign-in');

    const save = banner.getByRole('button', { name: 'Save and sign in' });
    expect(await save.isDisabled()).toBe(true);
    await banner.getByLabel(`Password for ${alice.email}`).fill(alice.password);
    await save.click();

    const toast = page.locator('.toast', { hasText: 'Alice (wrong password)' });
    await toast.waitFor({ timeout: 60_000 });
    expect(await toast.textContent()).toContain('Alice (wrong password): signed in.');
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    await expect.poll(() => banner.count()).toBe(0);
    // A background cycle (restarted with the new password) may be running: it ends 'ok' too.
    await expect.poll(async () => (await accountOverApi(id)).status, { timeout: 30_000 }).toBe('ok');
    // The password went to the secrets, never into the settings the API shows.
    expect(JSON.stringify((await accountOverApi(id)).settings)).not.toContain(alice.password);

    const group = page.locator('.account-group', { has: page.locator('.account-name', { hasText: 'Alice (wrong password)' }) });
    await group.locator('[data-folder-role="inbox"]').click({ timeout: 15_000 });
    await page.locator('.message-row', { hasText: SUBJECT }).waitFor({ timeout: 15_000 });

    expect((await app.api(`/accounts/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
  }, 90_000);

  it('a server whose certificate no longer matches the trusted one is trusted again from the connection test, then syncs', async () => {
    // The connection test shows SHA-256 as lowercase hex, which is also what gets stored.
    const actual = new X509Certificate(readFileSync(servers.imap.caCertPath)).fingerprint256.replace(/:/g, '').toLowerCase();
    const stale = [...actual].reverse().join('');
    const id = await createAccount({
      ...imapAccountInput(servers, alice, { imap: { port: servers.imap.tlsPort, security: 'tls', trustedCertFingerprint: stale } }),
      displayName: 'Alice (new certificate)',
    });
    await app.api(`/accounts/${id}/sync`, { method: 'POST' });
    await openSettings();
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 30_000 }).toBe('error');

    await row(id).getByRole('button', { name: 'Test connection' }).click();
    const imapCheck = page.locator('.test-row .connection-report li.check[data-service="imap"]');
    await imapCheck.waitFor({ timeout: 30_000 });
    expect(await imapCheck.getAttribute('data-failed-step')).toBe('tls');
    expect(await imapCheck.locator('.fingerprint code').textContent()).toBe(actual);
    await imapCheck.getByRole('button', { name: 'Trust this certificate' }).click();

    await expect.poll(() => imapCheck.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect((await accountOverApi(id)).settings['imap']?.trustedCertFingerprint).toBe(actual);

    await row(id).getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
    const group = page.locator('.account-group', { has: page.locator('.account-name', { hasText: 'Alice (new certificate)' }) });
    await group.locator('[data-folder-role="inbox"]').click({ timeout: 15_000 });
    await page.locator('.message-row', { hasText: SUBJECT }).waitFor({ timeout: 15_000 });

    expect((await app.api(`/accounts/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
  }, 90_000);
});
