// The keyboard triage session, written once and run against each kind of account: a real IMAP
// server (triage.test.ts) and the Microsoft Graph emulator (triage-graph.test.ts). Every effect is
// checked on the server side by the backend, not in the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { seedLocalMailbox } from './seed';
import { eventually } from '../../support/eventually';

export { eventually };

/** Folders the scenarios look at, by what they are for; each backend maps them to its own names. */
export type TriageFolder = 'inbox' | 'archive' | 'trash' | 'projects' | 'sent';

export interface ServerState {
  seen: boolean;
  flagged: boolean;
  /** Whether the server records that the message was replied to (IMAP \Answered). */
  answered: boolean;
}

/** The reply as it reached the sender's own mailbox. */
export interface ReceivedReply {
  /** The Message-ID the reply says it answers (In-Reply-To). */
  inReplyTo: string | undefined;
  /** Its text, as the sender's client would show it. */
  text: string;
}

/**
 * One kind of mailbox, seen from outside the app. The account user (Bob) has six messages
 * 'Triage 1'..'Triage 6' from Alice in the inbox, dated 1..6 February 2026 (so 6 is the newest), and a
 * user folder 'Projects'.
 */
export interface TriageBackend {
  /** Names the server in test titles, e.g. 'the IMAP server'. */
  readonly serverName: string;
  /** Resets the server and seeds the six messages and 'Projects'. */
  seed(): Promise<void>;
  /** The body of POST /accounts that adds Bob's account to the app. */
  accountInput(): Record<string, unknown>;
  /** The Message-ID header of a seeded message. */
  messageId(subject: string): string;
  /** A message in one of Bob's folders on the server, or undefined when it is not there. */
  onServer(folder: TriageFolder, subject: string): Promise<ServerState | undefined>;
  /** The subjects in one of Bob's folders on the server, sorted. */
  list(folder: TriageFolder): Promise<string[]>;
  /** The replies with this subject that reached Alice's inbox. */
  receivedReplies(subject: string): Promise<ReceivedReply[]>;
  /** Checks that only the backend knows of (e.g. Graph's concurrency limit), after all scenarios. */
  finalChecks?(): void;
  close(): Promise<void>;
}

/** Long enough for the sync the undo scenario runs during the hold, even on a busy machine. */
export const UNDO_SECONDS = 10;


export function triageScenarios(backend: TriageBackend): void {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;
  let accountId = '';

  const onServer = (folder: TriageFolder, subject: string) => backend.onServer(folder, subject);
  const paneSubject = () => page.locator('.reading-pane h2.message-subject');
  async function paneShows(subject: string) {
    await expect.poll(async () => (await paneSubject().textContent()) ?? '', { timeout: 15_000 }).toBe(subject);
  }

  beforeAll(async () => {
    await backend.seed();
    // A profile where undo send holds mail for a short delay.
    const dataDir = await seedLocalMailbox([], 0, undefined, { 'compose.undoSendSeconds': UNDO_SECONDS });
    app = await startHeadless({ dataDir });
    const created = await app.api('/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(backend.accountInput()),
    });
    expect(created.status).toBe(201);
    accountId = ((await created.json()) as { id: string }).id;
    const synced = await app.api(`/accounts/${accountId}/sync`, { method: 'POST' });
    expect(synced.status).toBe(200);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${app.url}#token=${app.token}`);
    await page.locator('.message-row', { hasText: 'Triage 1' }).waitFor({ timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await backend.close();
  });

  describe(`a whole triage session from the keyboard, checked on ${backend.serverName}`, () => {
    it('opens and reads the newest message with j: it is marked read on the server', async () => {
      await page.keyboard.press('j');
      await paneShows('Triage 6');
      await page.frameLocator('iframe.message-body').getByText('Message number 6.').waitFor();
      await eventually(async () => (await onServer('inbox', 'Triage 6'))?.seen, 'Triage 6 read on the server');
    });

    it('archives with e, opens the next message at once, and z brings it back', async () => {
      await page.keyboard.press('e');
      await paneShows('Triage 5');
      await eventually(async () => (await onServer('archive', 'Triage 6')) && !(await onServer('inbox', 'Triage 6')), 'Triage 6 in the archive');
      await page.keyboard.press('z');
      await paneShows('Triage 6');
      await eventually(async () => (await onServer('inbox', 'Triage 6')) && !(await onServer('archive', 'Triage 6')), 'Triage 6 back in the inbox');
      expect(await page.locator('.message-row', { hasText: 'Triage 6' }).count()).toBe(1);
    });

    it('deletes with #: the message goes to the trash on the server', async () => {
      await page.keyboard.press('j');
      await paneShows('Triage 5');
      await page.keyboard.press('#');
      await paneShows('Triage 4');
      await eventually(async () => (await onServer('trash', 'Triage 5')) && !(await onServer('inbox', 'Triage 5')), 'Triage 5 in the trash');
    });

    it('flags with s', async () => {
      await page.keyboard.press('s');
      await expect.poll(() => page.locator('.message-row.selected .flag').count()).toBe(1);
      await eventually(async () => (await onServer('inbox', 'Triage 4'))?.flagged, 'Triage 4 flagged on the server');
    });

    it('moves with v and a type-to-filter folder picker', async () => {
      await page.keyboard.press('v');
      const picker = page.getByRole('dialog', { name: 'Move to folder' });
      await picker.waitFor();
      await page.keyboard.type('proj');
      await expect.poll(() => picker.getByRole('option').allTextContents()).toEqual(['Projects']);
      await page.keyboard.press('Enter');
      await paneShows('Triage 3');
      await eventually(async () => (await onServer('projects', 'Triage 4')) && !(await onServer('inbox', 'Triage 4')), 'Triage 4 in Projects');
      expect((await onServer('projects', 'Triage 4'))!.flagged).toBe(true);
    });

    it('marks unread with shift+u after reading, and read again with shift+i', async () => {
      await eventually(async () => (await onServer('inbox', 'Triage 3'))?.seen, 'Triage 3 read');
      await page.keyboard.press('Shift+U');
      await eventually(async () => (await onServer('inbox', 'Triage 3'))?.seen === false, 'Triage 3 unread again');
      await page.keyboard.press('Shift+I');
      await eventually(async () => (await onServer('inbox', 'Triage 3'))?.seen, 'Triage 3 read again');
    });

    it('selects two with x and archives both, then z restores both', async () => {
      await page.keyboard.press('x');
      await page.keyboard.press('j');
      await paneShows('Triage 2');
      await page.keyboard.press('x');
      await expect.poll(() => page.locator('.message-row.checked').count()).toBe(2);
      await page.keyboard.press('e');
      await eventually(async () => {
        const archive = await backend.list('archive');
        return archive.includes('Triage 2') && archive.includes('Triage 3');
      }, 'both in the archive');
      await expect.poll(() => page.locator('.message-row', { hasText: /Triage [23]/ }).count()).toBe(0);
      await page.keyboard.press('z');
      await eventually(async () => {
        const inbox = await backend.list('inbox');
        return inbox.includes('Triage 2') && inbox.includes('Triage 3');
      }, 'both back in the inbox');
      expect(await backend.list('inbox')).toEqual(['Triage 1', 'Triage 2', 'Triage 3', 'Triage 6']);
      expect(await backend.list('archive')).toEqual([]);
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
      const [reply] = await eventually(async () => {
        const replies = await backend.receivedReplies('Re: Triage 1');
        return replies.length > 0 && replies;
      }, 'the reply in Alice’s inbox', 45_000);
      expect(reply!.inReplyTo).toBe(backend.messageId('Triage 1'));
      expect(reply!.text).toContain('Thanks, see you then.');
      expect(reply!.text).toContain('> Message number 1.');
      await eventually(async () => (await onServer('inbox', 'Triage 1'))?.answered || (await onServer('sent', 'Re: Triage 1')), 'the reply recorded on Bob’s server');
    }, 90_000);

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
      // A sync during the hold (the background one, or asked for) must not send it either.
      expect((await app.api(`/accounts/${accountId}/sync`, { method: 'POST' })).status).toBe(200);
      expect(Date.now()).toBeLessThan(heldUntil);
      await page.keyboard.press('z');
      await compose.waitFor();
      await expect.poll(() => compose.getByLabel('Message body').inputValue()).toContain('On second thoughts...');
      await page.keyboard.press('Escape');
      await compose.waitFor({ state: 'detached' });
      // Past the hold, and a few seconds more for a delivery that should not happen.
      await new Promise((r) => setTimeout(r, Math.max(0, heldUntil - Date.now()) + 4000));
      expect(await backend.receivedReplies('Re: Triage 1')).toHaveLength(1);
      await page.keyboard.press('g');
      await page.keyboard.press('d');
      await page.locator('.message-row', { hasText: 'Re: Triage 1' }).waitFor();
      backend.finalChecks?.();
    }, 90_000);
  });
}
