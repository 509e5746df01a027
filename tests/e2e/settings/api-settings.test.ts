import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';

/**
 * Settings → REST API in headless mode (always served there): the address it listens at, and
 * "Copy token" puts the token that the API accepts on the clipboard.
 */
let app: HeadlessApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startHeadless();
  browser = await launchChromium();
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  page = await context.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.sidebar').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('Settings: REST API', () => {
  it('shows where the API listens and copies a token the API accepts', async () => {
    await page.locator('.sidebar').getByRole('button', { name: 'Settings' }).click();
    const section = page.locator('section[aria-labelledby="api-heading"]');
    await section.waitFor();
    expect(await section.textContent()).toContain('always served');
    const origin = new URL(app.url).origin;
    await expect.poll(() => section.locator('.api-state').textContent()).toBe(`Listening at ${origin}/`);

    await section.getByRole('button', { name: 'Copy token' }).click();
    await page.locator('.toast', { hasText: 'API token copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(app.token);
    const res = await fetch(`${origin}/accounts`, { headers: { authorization: `Bearer ${copied}` } });
    expect(res.status).toBe(200);
    expect((await fetch(`${origin}/accounts`)).status).toBe(401);
  }, 60_000);
});
