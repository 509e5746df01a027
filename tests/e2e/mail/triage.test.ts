import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { appendOnServer, eventually, imapAccountInput, listServer, serverSession, user } from '../../integration/imap/support';
import { seedLocalMailbox } from './seed';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');
const UNDO_SECONDS = 5;

let app: HeadlessApp;
let browser: Browser;
let page: Page;
let bobServer: ImapFlow;
let aliceServer: ImapFlow;
const messageIds: Record<string, string> = {};

const subjects = (list: { subject: string | undefined }[]) => list.map((m) => m.subject ?? '').sort();
const onServer = async (path: string, subject: string) => (await listServer(bobServer, path)).find((m) => m.subject === subject);
const paneSubject = () => page.locator('.reading-pane h2.message-subject');
async function paneShows(subject: string) {
  await expect.poll(async () => (await paneSubject().textContent()) ?? '', { timeout: 10_000 }).toBe(subject);
}

beforeAll(async () => {
  await resetMailUser(bob.email, servers);
  await resetMailUser(alice.email, servers);
  bobServer = await serverSession(servers, bob);
  aliceServer = await serverSession(servers, alice);
  await bobServer.mailboxCreate('Projects');
  for (let i = 1; i <= 6; i++) {
    messageIds[`Triage ${i}`] = `<triage-${i}-${Date.now()}@pimlico.test>`;
    await appendOnServer(bobServer, 'INBOX', {
      subject: `Triage ${i}`,
      from: `Alice <${alice.email}>`,
      to: bob.email,
      body: `Message number ${i}.`,
      messageId: messageIds[`Triage ${i}`],
      date: new Date(Date.UTC(2026, 1, i, 9)),
    });
  }
  // A profile where undo send holds mail for the shortest allowed delay.
  const dataDir = await seedLocalMailbox([], 0, undefined, { 'compose.undoSendSeconds': UNDO_SECONDS });
  app = await startHeadless({ dataDir });
  const created = await app.api('/accounts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...imapAccountInput(servers, bob), displayName: 'Bob' }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const synced = await app.api(`/accounts/${id}/sync`, { method: 'POST' });
  expect(synced.status).toBe(200);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.message-row', { hasText: 'Triage 1' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await bobServer?.logout();
  await aliceServer?.logout();
});

describe('a whole triage session from the keyboard, checked on the IMAP server', () => {
  it('opens and reads the newest message with j: it is marked \\Seen on the server', async () => {
    await page.keyboard.press('j');
    await paneShows('Triage 6');
    await page.frameLocator('iframe.message-body').getByText('Message number 6.').waitFor();
    await eventually(async () => (await onServer('INBOX', 'Triage 6'))?.flags.has('\\Seen'), 'Triage 6 seen on the server');
  });

  it('archives with e, opens the next message at once, and z brings it back', async () => {
    await page.keyboard.press('e');
    await paneShows('Triage 5');
    await eventually(async () => (await onServer('Archive', 'Triage 6')) && !(await onServer('INBOX', 'Triage 6')), 'Triage 6 in Archive');
    await page.keyboard.press('z');
    await paneShows('Triage 6');
    await eventually(async () => (await onServer('INBOX', 'Triage 6')) && !(await onServer('Archive', 'Triage 6')), 'Triage 6 back in INBOX');
    expect(await page.locator('.message-row', { hasText: 'Triage 6' }).count()).toBe(1);
  });

  it('deletes with #: the message goes to Trash on the server', async () => {
    await page.keyboard.press('j');
    await paneShows('Triage 5');
    await page.keyboard.press('#');
    await paneShows('Triage 4');
    await eventually(async () => (await onServer('Trash', 'Triage 5')) && !(await onServer('INBOX', 'Triage 5')), 'Triage 5 in Trash');
  });

  it('flags with s', async () => {
    await page.keyboard.press('s');
    await expect.poll(() => page.locator('.message-row.selected .flag').count()).toBe(1);
    await eventually(async () => (await onServer('INBOX', 'Triage 4'))?.flags.has('\\Flagged'), 'Triage 4 flagged on the server');
  });

  it('moves with v and a type-to-filter folder picker', async () => {
    await page.keyboard.press('v');
    const picker = page.getByRole('dialog', { name: 'Move to folder' });
    await picker.waitFor();
    await page.keyboard.type('proj');
    await expect.poll(() => picker.getByRole('option').allTextContents()).toEqual(['Projects']);
    await page.keyboard.press('Enter');
    await paneShows('Triage 3');
    await eventually(async () => (await onServer('Projects', 'Triage 4')) && !(await onServer('INBOX', 'Triage 4')), 'Triage 4 in Projects');
    expect((await onServer('Projects', 'Triage 4'))!.flags.has('\\Flagged')).toBe(true);
  });

  it('marks unread with shift+u after reading', async () => {
    await eventually(async () => (await onServer('INBOX', 'Triage 3'))?.flags.has('\\Seen'), 'Triage 3 seen');
    await page.keyboard.press('Shift+U');
    await eventually(async () => (await onServer('INBOX', 'Triage 3'))?.flags.has('\\Seen') === false, 'Triage 3 unseen again');
    await page.keyboard.press('Shift+I');
    await eventually(async () => (await onServer('INBOX', 'Triage 3'))?.flags.has('\\Seen'), 'Triage 3 seen again');
  });

  it('selects two with x and archives both, then z restores both', async () => {
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await paneShows('Triage 2');
    await page.keyboard.press('x');
    await expect.poll(() => page.locator('.message-row.checked').count()).toBe(2);
    await page.keyboard.press('e');
    await eventually(async () => {
      const archive = subjects(await listServer(bobServer, 'Archive'));
      return archive.includes('Triage 2') && archive.includes('Triage 3');
    }, 'both in Archive');
    await expect.poll(() => page.locator('.message-row', { hasText: /Triage [23]/ }).count()).toBe(0);
    await page.keyboard.press('z');
    await eventually(async () => {
      const inbox = subjects(await listServer(bobServer, 'INBOX'));
      return inbox.includes('Triage 2') && inbox.includes('Triage 3');
    }, 'both back in INBOX');
    expect(subjects(await listServer(bobServer, 'INBOX'))).toEqual(['Triage 1', 'Triage 2', 'Triage 3', 'Triage 6']);
  });

  it('replies with r and Ctrl+Enter: the reply reaches the sender, threaded, after the undo delay', async () => {
    await page.locator('.message-list').focus();
    await page.keyboard.press('Escape');
    await page.locator('.message-row', { hasText: 'Triage 1' }).click();
    await paneShows('Triage 1');
    await page.keyboard.press('r');
    const compose = page.getByRole('dialog', { name: 'Compose' });
    await compose.waitFor();
    await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe('Re: Triage 1');
    await expect.poll(() => compose.locator('.chip').allTextContents()).toEqual([expect.stringContaining('Alice')]);
    await page.keyboard.type('Thanks, see you then.');
    await page.keyboard.press('Control+Enter');
    await compose.waitFor({ state: 'detached' });
    await page.locator('.pending-send', { hasText: 'Sending in' }).waitFor();
    const reply = await eventually(
      async () => (await listServer(aliceServer, 'INBOX', true)).find((m) => m.subject === 'Re: Triage 1'),
      'the reply in Alice’s inbox',
      30_000,
    );
    const raw = reply.source!.toString('utf8');
    expect(raw).toMatch(new RegExp(`In-Reply-To: ${messageIds['Triage 1']!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(raw).toContain('Thanks, see you then.');
    expect(raw).toContain('> Message number 1.');
    await eventually(async () => (await onServer('INBOX', 'Triage 1'))?.flags.has('\\Answered') || (await onServer('Sent', 'Re: Triage 1')), 'the reply recorded on Bob’s server');
  });

  it('undoes a send with z: the message comes back as a draft and is never delivered', async () => {
    await paneShows('Triage 1');
    await page.locator('.message-list').focus();
    await page.keyboard.press('a');
    const compose = page.getByRole('dialog', { name: 'Compose' });
    await compose.waitFor();
    await page.keyboard.type('On second thoughts...');
    await page.keyboard.press('Control+Enter');
    await compose.waitFor({ state: 'detached' });
    await page.locator('.pending-send').waitFor();
    const heldUntil = Date.now() + UNDO_SECONDS * 1000;
    await page.keyboard.press('z');
    await compose.waitFor();
    await expect.poll(() => compose.getByLabel('Message body').inputValue()).toContain('On second thoughts...');
    await page.keyboard.press('Escape');
    await compose.waitFor({ state: 'detached' });
    // Past the hold, and a few seconds more for a delivery that should not happen.
    await new Promise((r) => setTimeout(r, Math.max(0, heldUntil - Date.now()) + 4000));
    const replies = (await listServer(aliceServer, 'INBOX')).filter((m) => m.subject === 'Re: Triage 1');
    expect(replies).toHaveLength(1);
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await page.locator('.message-row', { hasText: 'Re: Triage 1' }).waitFor();
  }, 60_000);
});
