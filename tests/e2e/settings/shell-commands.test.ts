import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { imapAccountInput, user } from '../../integration/imap/support';

/**
 * The desktop shell's `shell.command` push events (menu, tray, mailto:) handled by the renderer.
 * Electron cannot run here, so the events are put on the page's real WebSocket to the headless core,
 * in the exact frame shape the core pushes events in; everything else on that socket is the real core.
 */
const servers = inject('servers');
const alice = user(servers, 'alice');

let app: HeadlessApp;
let browser: Browser;
let page: Page;
let socket: WebSocketRoute | null = null;

function push(payload: unknown) {
  if (!socket) throw new Error('the page has no WebSocket yet');
  socket.send(JSON.stringify({ event: 'shell.command', payload }));
}

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  app = await startHeadless();
  const created = await app.api('/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...imapAccountInput(servers, alice), displayName: 'Alice (shell)' }),
  });
  expect(created.status).toBe(201);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.routeWebSocket(/\/api\/ws$/, (ws) => {
    ws.connectToServer();
    socket = ws;
  });
  await page.goto(`${app.url}#token=${app.token}`);
  // Accounts listed means the page's WebSocket is up (and routed).
  await page.locator('.sidebar .account-name', { hasText: 'Alice (shell)' }).waitFor();
  expect(socket).not.toBeNull();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('shell.command in the renderer', () => {
  it('view switches the view', async () => {
    push({ command: 'view', view: 'settings' });
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    push({ command: 'view', view: 'calendar' });
    await page.locator('.calendar-view').waitFor();
    expect(await page.locator('.sidebar .nav-item.active').textContent()).toBe('Calendar');
    push({ command: 'view', view: 'mail' });
    await page.locator('.mail-view').waitFor();
  });

  it('compose opens compose, empty or filled from a mailto: link', async () => {
    push({ command: 'compose', mailto: null });
    const dialog = page.getByRole('dialog', { name: 'Compose' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Close compose' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    push({ command: 'compose', mailto: 'mailto:erin@pimlico.test?subject=From%20a%20link' });
    await dialog.waitFor();
    expect(await dialog.locator('.chip', { hasText: 'erin@pimlico.test' }).count()).toBe(1);
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('From a link');
    // Closing keeps a draft of what came from the link; nothing is sent.
    await dialog.getByRole('button', { name: 'Close compose' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  }, 30_000);

  it('sync syncs every account with a server and reports it', async () => {
    push({ command: 'sync' });
    await page
      .locator('.toast', { hasText: /^Synced 1 account: \d+ new messages?/ })
      .waitFor({ timeout: 30_000 });
    const group = page.locator('.account-group', {
      has: page.locator('.account-name', { hasText: 'Alice (shell)' }),
    });
    await group.locator('[data-folder-role="inbox"]').waitFor({ timeout: 15_000 });
  }, 45_000);
});
