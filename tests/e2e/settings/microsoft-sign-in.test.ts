import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startFakeAuthority, type FakeAuthority } from '../../support/fake-authority';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { startGraphEmulator, type GraphEmulator } from '../../graph/emulator';

/**
 * "Sign in with Microsoft" from the needs-sign-in banner in headless mode (device code), in
 * Chromium: the code comes from the account's sign-in authority (a loopback https fake of the
 * Microsoft identity platform, trusted by the app process), the tokens it issues are used by the
 * next sync against the Graph emulator. Without a client id the button says why it cannot sign in.
 */
const EMAIL = 'erin@contoso.test';
const TOKEN = 'token-erin-sign-in';
const CLIENT_ID = '99999999-8888-7777-6666-555555555555';

let emu: GraphEmulator;
let authority: FakeAuthority;
let app: HeadlessApp;
let browser: Browser;
let page: Page;

async function createAccount(body: unknown): Promise<string> {
  const res = await app.api('/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const row = (id: string) => page.locator(`table.accounts tr[data-account-id="${id}"]`);

beforeAll(async () => {
  emu = await startGraphEmulator();
  emu.addUser(EMAIL, TOKEN, { displayName: 'Erin' });
  emu.seedMessage(EMAIL, 'inbox', { subject: 'Signed in at last', from: 'Carol <carol@example.com>', body: 'Graph body.', receivedDateTime: new Date(Date.UTC(2026, 1, 1, 9)) });
  authority = await startFakeAuthority({ username: EMAIL, clientId: CLIENT_ID, accessToken: TOKEN }, { deviceCodeApproved: false });
  app = await startHeadless({ env: { NODE_EXTRA_CA_CERTS: authority.certPath } });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.sidebar').waitFor();
  await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await authority?.close();
  await emu?.close();
});

describe('Settings: Sign in with Microsoft (headless, device code)', () => {
  it('without a client id, the banner says sign-in needs one and nothing is asked of the authority', async () => {
    const id = await createAccount({ kind: 'graph', displayName: 'No client id', email: EMAIL, graphBaseUrl: emu.baseUrl, authority: authority.authority, auth: { type: 'deviceCode' } });
    await app.api(`/accounts/${id}/sync`, { method: 'POST' });
    const banner = page.locator(`.banner[data-account-id="${id}"]`);
    await banner.waitFor({ timeout: 15_000 });
    await banner.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await banner.locator('.microsoft-sign-in .form-error').waitFor({ timeout: 15_000 });
    expect(await banner.locator('.microsoft-sign-in .form-error').textContent()).toContain('application (client) id');
    expect(authority.requests).toHaveLength(0);
    expect(await row(id).getAttribute('data-status')).toBe('needs-sign-in');
    expect((await app.api(`/accounts/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
  }, 60_000);

  it('shows the device code from the configured authority while waiting, signs in when it is entered, and syncs', async () => {
    const id = await createAccount({ kind: 'graph', displayName: 'Erin (Outlook)', email: EMAIL, graphBaseUrl: emu.baseUrl, clientId: CLIENT_ID, authority: authority.authority, auth: { type: 'deviceCode' } });
    await app.api(`/accounts/${id}/sync`, { method: 'POST' });
    const banner = page.locator(`.banner[data-account-id="${id}"]`);
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 15_000 }).toBe('needs-sign-in');

    await banner.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    const code = banner.locator('.device-code');
    await code.waitFor({ timeout: 15_000 });
    expect(await code.locator('.user-code').textContent()).toBe('PIML-1234');
    expect(await code.getByRole('link').getAttribute('href')).toBe(`${authority.origin}/devicelogin`);
    expect(await banner.getByRole('button', { name: 'Waiting for Microsoft…' }).isDisabled()).toBe(true);
    const deviceRequest = authority.requests.find((r) => r.path === '/common/oauth2/v2.0/devicecode');
    expect(deviceRequest?.form.get('client_id')).toBe(CLIENT_ID);

    authority.approveDeviceCode();
    await page.locator('.toast', { hasText: `Erin (Outlook): signed in as ${EMAIL}` }).waitFor({ timeout: 30_000 });
    await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(0);

    await row(id).getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => row(id).getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
    const group = page.locator('.account-group', { has: page.locator('.account-name', { hasText: 'Erin (Outlook)' }) });
    await group.locator('[data-folder-role="inbox"]').click({ timeout: 15_000 });
    await page.locator('.message-row', { hasText: 'Signed in at last' }).waitFor({ timeout: 15_000 });
  }, 90_000);

  it('the Outlook form adds the account, then signs it in with Microsoft in the same place', async () => {
    await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add account…' }).click();
    await page.getByRole('radio', { name: 'Outlook.com / Microsoft 365' }).check();
    const f = page.getByRole('form', { name: 'Add Outlook account' });
    await f.getByLabel('Name', { exact: true }).fill('Erin (form)');
    await f.getByLabel('Email', { exact: true }).fill(EMAIL);
    await f.getByLabel('How Pimlico gets access').selectOption('deviceCode');
    await f.getByLabel('Application (client) id').fill(CLIENT_ID);
    await f.getByLabel('Sign-in authority (optional)').fill(authority.authority);
    await f.getByLabel('Graph address').fill(emu.baseUrl);
    await f.getByRole('button', { name: 'Add account' }).click();

    const step = page.getByLabel('Sign in to the Outlook account');
    await step.waitFor();
    const before = authority.requests.filter((r) => r.path.endsWith('/devicecode')).length;
    await step.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await step.locator('.device-code .user-code').waitFor({ timeout: 15_000 });
    expect(await step.locator('.device-code .user-code').textContent()).toBe('PIML-1234');
    expect(authority.requests.filter((r) => r.path.endsWith('/devicecode'))).toHaveLength(before + 1);

    authority.approveDeviceCode();
    await page.locator('.toast', { hasText: `Erin (form): signed in as ${EMAIL}` }).waitFor({ timeout: 30_000 });
    await expect.poll(() => step.count()).toBe(0);
    const r = page.locator('table.accounts tbody tr', { hasText: 'Erin (form)' });
    await r.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => r.getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
  }, 90_000);
});
