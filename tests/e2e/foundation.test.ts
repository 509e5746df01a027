import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startHeadless, type HeadlessApp } from '../support/headless';

let app: HeadlessApp;
let browser: Browser;

beforeAll(async () => {
  app = await startHeadless();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('headless mode in a real browser', () => {
  it('answers /health without a token once the core is ready, and everything else only with it', async () => {
    expect((await fetch(new URL('/health', app.url))).status).toBe(200);
    expect((await fetch(new URL('/accounts', app.url))).status).toBe(401);
    expect((await app.api('/accounts')).status).toBe(200);
  });

  it('serves the UI with a strict Content-Security-Policy', async () => {
    const res = await fetch(app.url);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('creates a local contact and a local event through the UI, and finds them again after a reload', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}#token=${app.token}`);
    // The token leaves the address bar at once.
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.getByRole('button', { name: 'Inbox' }).first().waitFor();

    await page.getByRole('button', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const contactForm = page.getByRole('form', { name: 'New contact' });
    await contactForm.locator('input[name="givenName"]').fill('Katherine');
    await contactForm.locator('input[name="surname"]').fill('Johnson');
    await contactForm.locator('input[name="email-0"]').fill('katherine@nasa.example');
    await contactForm.getByRole('button', { name: 'Save contact' }).click();
    await page.getByRole('listbox', { name: 'Contacts' }).getByText('Katherine Johnson').waitFor();

    await page.getByRole('button', { name: 'Calendar' }).click();
    await page.getByRole('button', { name: 'New event' }).click();
    const editor = page.getByRole('dialog', { name: 'New event' });
    await editor.locator('input[name="summary"]').fill('Launch review');
    await editor.getByRole('button', { name: 'Save event' }).click();
    await editor.waitFor({ state: 'detached' });
    await page.getByText('Launch review').first().waitFor();

    await page.reload();
    await page.getByRole('button', { name: 'Calendar' }).click();
    await page.getByText('Launch review').first().waitFor();
    await page.getByRole('button', { name: 'Contacts' }).click();
    await page.getByRole('listbox', { name: 'Contacts' }).getByText('Katherine Johnson').click();
    await page.getByRole('region', { name: 'Contact details' }).getByText('katherine@nasa.example').waitFor();
    expect(errors).toEqual([]);

    // And the same data is really in the store, as the REST API sees it.
    const accounts = (await (await app.api('/accounts')).json()) as { kind: string }[];
    expect(accounts.map((a) => a.kind)).toEqual(['local']);
    await page.close();
  });

  it('keeps the data across a restart of the process', async () => {
    await app.stop();
    app = await startHeadless({ dataDir: app.dataDir, token: app.token });
    const page = await browser.newPage();
    await page.goto(`${app.url}#token=${app.token}`);
    await page.getByRole('button', { name: 'Contacts' }).click();
    await page.getByRole('listbox', { name: 'Contacts' }).getByText('Katherine Johnson').waitFor();
    await page.close();
  });

  it('generates a token file readable only by its owner when no token is given', async () => {
    const own = await startHeadless({ env: { PIMLICO_API_TOKEN: '' }, token: '' });
    try {
      const file = join(own.dataDir, 'api-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      const res = await fetch(new URL('/accounts', own.url), { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(statSync(join(own.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      await own.stop();
    }
  });
});
