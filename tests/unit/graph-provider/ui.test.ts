// The UI on a Graph account, in headless mode in Debian's Chromium: the built app (`node
// out/main/serve.js`, run `npx electron-vite build` first) talks to the Graph emulator running here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { startGraphEmulator, type GraphEmulator } from '../../graph/emulator';
import { ALICE, ALICE_TOKEN } from './support';

let emu: GraphEmulator;
let app: HeadlessApp;
let browser: Browser;
let page: Page;

const remote = (subject: string) => emu.getMessages(ALICE, 'inbox').find((m) => m.subject === subject);
const paneSubject = () => page.locator('.reading-pane h2.message-subject');

beforeAll(async () => {
  emu = await startGraphEmulator();
  emu.addUser(ALICE, ALICE_TOKEN, { displayName: 'Alice' });
  for (let i = 1; i <= 3; i++) {
    emu.seedMessage(ALICE, 'inbox', { subject: `Outlook ${i}`, from: 'Carol <carol@example.com>', body: `Graph message number ${i}.`, receivedDateTime: new Date(Date.UTC(2026, 1, i, 9)) });
  }
  app = await startHeadless();
  const created = await app.api('/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'graph', displayName: 'Alice (Outlook)', email: ALICE, graphBaseUrl: emu.baseUrl, auth: { type: 'tokenCommand', command: `printf ${ALICE_TOKEN}` } }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const synced = await app.api(`/accounts/${id}/sync`, { method: 'POST' });
  expect(synced.status).toBe(200);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.message-row', { hasText: 'Outlook 1' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await emu?.close();
});

describe('the UI on a Graph account, checked in the emulator', () => {
  it('reads the newest message with j: it is marked read in Outlook', async () => {
    await page.keyboard.press('j');
    await expect.poll(async () => (await paneSubject().textContent()) ?? '', { timeout: 10_000 }).toBe('Outlook 3');
    await page.frameLocator('iframe.message-body').getByText('Graph message number 3.').waitFor();
    await expect.poll(() => remote('Outlook 3')?.isRead, { timeout: 10_000 }).toBe(true);
  });

  it('flags with s and deletes with #: both reach Outlook', async () => {
    await page.keyboard.press('s');
    await expect.poll(() => remote('Outlook 3')?.flag.flagStatus, { timeout: 10_000 }).toBe('flagged');
    await page.keyboard.press('#');
    await expect.poll(() => emu.getMessages(ALICE, 'deleteditems').map((m) => m.subject), { timeout: 10_000 }).toEqual(['Outlook 3']);
    expect(remote('Outlook 3')).toBeUndefined();
    expect(emu.stats.maxConcurrentSeen).toBeLessThanOrEqual(4);
  });
});
