// The reading pane's option buttons in Chromium against headless mode with a real IMAP account: a mail that
// carries only the X-Pimlico-Options header (no mailto: buttons in its body) still gets real buttons, and
// choosing one sends the tokenised reply through Postfix.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { formatOptionsHeader, OPTIONS_HEADER } from '../../../src/main/core/approvals/format';
import { resetMailUser } from '../../servers';
import { serverSession, user } from '../../integration/imap/support';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { imapAccountInput } from '../../integration/imap/support';
import { openDelivered } from '../../support/mail-ui';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');

let app: HeadlessApp;
let browser: Browser;
let page: Page;
let accountId: string;

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetMailUser(bob.email, servers);
  app = await startHeadless();
  accountId = await app.addAccount(imapAccountInput(servers, bob));
  const header = formatOptionsHeader({ subscriptionId: 'sub_header_only', replyTo: alice.email, subject: 'Ship the release?', options: ['Ship it', 'Hold'] });
  const transport = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: alice.email, pass: alice.password } });
  await transport.sendMail({ from: alice.email, to: bob.email, subject: 'Ship the release?', text: 'Please decide.', headers: { [OPTIONS_HEADER]: header } });
  transport.close();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${app.url}#token=${app.token}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('option buttons in the reading pane', () => {
  it('come from the X-Pimlico-Options header alone, and answer with the tokenised reply', async () => {
    await openDelivered(page, app, accountId, 'Ship the release?');
    const group = page.getByRole('group', { name: 'Answer options' });
    await expect.poll(async () => group.getByRole('button').allTextContents(), { timeout: 10_000 }).toEqual(['Ship it', 'Hold']);
    await expect(group.textContent()).resolves.toContain(`${alice.email} asks you to choose`);
    await group.getByRole('button', { name: 'Ship it' }).click();
    await expect.poll(async () => group.textContent(), { timeout: 10_000 }).toContain('You answered "Ship it"');

    // The answer reaches alice's mailbox with the token the poller resolves.
    const session = await serverSession(servers, alice);
    try {
      await expect
        .poll(
          async () => {
            const lock = await session.getMailboxLock('INBOX');
            try {
              const subjects: string[] = [];
              for await (const m of session.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
              return subjects;
            } catch {
              return [];
            } finally {
              lock.release();
            }
          },
          { timeout: 30_000, message: 'answer delivered to alice' },
        )
        .toContain('Ship it: Ship the release? [pimlico:sub_header_only:1]');
    } finally {
      await session.logout().catch(() => undefined);
    }
  });
});
