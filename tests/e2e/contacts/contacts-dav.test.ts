// The contacts view in Chromium against headless mode with a real CardDAV account on Radicale. Changes made
// through the UI are checked on the server with a separate DAV request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseVCards } from '../../../src/main/core/pim';
import { resetDavUser, resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { davResources } from '../../support/dav';
import { imapAccountInput } from '../../integration/imap/support';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const fixtures = join(import.meta.dirname, '../../fixtures/vcf');

let app: HeadlessApp;
let browser: Browser;
let page: Page;

const serverCards = () => davResources(servers, alice, 'contacts');
const cardWith = async (pattern: RegExp) => (await serverCards()).find((t) => pattern.test(t));
async function onServer(pattern: RegExp, what: string): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(async () => (found = await cardWith(pattern)) !== undefined, { timeout: 20_000, message: what })
    .toBe(true);
  return found!;
}

const detail = () => page.getByRole('region', { name: 'Contact details' });
const list = () => page.getByRole('listbox', { name: 'Contacts' });

async function importFile(file: string) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import .vcf' }).click();
  await (await chooser).setFiles(join(fixtures, file));
}

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetDavUser(alice.email, servers);
  app = await startHeadless();
  await app.addAccount(imapAccountInput(servers, alice, { dav: true }), { sync: true });
  browser = await launchChromium();
  page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  await page.goto(`${app.url}#token=${app.token}`);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByRole('button', { name: 'Contacts', exact: true, pressed: false }).first().waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('contacts through the UI, checked on the CardDAV server', () => {
  it('creates a contact in the CardDAV address book', async () => {
    // The account's address book is called "Contacts"; pick it so new contacts go there.
    await page
      .getByRole('complementary', { name: 'Address books and groups' })
      .getByRole('button', { name: 'Contacts', exact: true })
      .click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    await form.locator('input[name="givenName"]').fill('Zoë');
    await form.locator('input[name="surname"]').fill('Quinn');
    await form.locator('input[name="email-0"]').fill('zoe@example.com');
    await form.getByRole('button', { name: 'Add phone' }).click();
    await form.locator('input[name="phone-0"]').fill('+1 555 0100');
    await form.locator('input[name="company"]').fill('Quinn & Co');
    await form.locator('select[name="addressBook"]').selectOption({ label: 'Contacts' });
    await form.getByRole('button', { name: 'Save contact' }).click();
    await detail().getByRole('heading', { name: 'Zoë Quinn' }).waitFor();
    const card = await onServer(/FN:Zoë Quinn/, 'Zoë on the server');
    expect(card).toMatch(/EMAIL[^:]*:zoe@example\.com/);
    expect(card).toMatch(/TEL[^:]*:\+1 555 0100/);
    expect(card).toContain('ORG:Quinn & Co');
  });

  it('finds her as you type, under her letter', async () => {
    await page.getByRole('button', { name: 'All contacts' }).click();
    await page.getByLabel('Search contacts').fill('qui');
    await expect
      .poll(async () => list().getByRole('option').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('Zoë Quinn')]);
    await expect(list().getByRole('heading').allTextContents()).resolves.toEqual(['Z']);
    await page.getByLabel('Search contacts').fill('');
  });

  it('edits her: a second email, a title, an address and a birthday', async () => {
    await list()
      .getByRole('option', { name: /Zoë Quinn/ })
      .click();
    await detail().getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit contact' });
    await form.getByRole('button', { name: 'Add email' }).click();
    await form.locator('input[name="email-1"]').fill('zoe.quinn@work.example');
    await form.locator('input[name="jobTitle"]').fill('Architect');
    await form.getByRole('button', { name: 'Add address' }).click();
    await form.getByLabel('Street').fill('1 Main St');
    await form.getByLabel('City').fill('Springfield');
    await form.locator('input[name="birthday"]').fill('1990-04-01');
    await form.getByRole('button', { name: 'Save contact' }).click();
    await detail().getByText('Architect, Quinn & Co').waitFor();
    const card = await onServer(/TITLE:Architect/, 'edit on the server');
    expect(card).toContain('zoe.quinn@work.example');
    expect(card).toMatch(/ADR[^:]*:;;1 Main St;Springfield;/);
    expect(card).toMatch(/BDAY[^:]*:1990-?04-?01/);
  });

  it('deletes her; Undo brings her back on the server', async () => {
    await detail().getByRole('button', { name: 'Delete' }).click();
    await expect.poll(async () => cardWith(/FN:Zoë Quinn/), { timeout: 20_000 }).toBeUndefined();
    await page.getByRole('button', { name: 'Undo (z)' }).click();
    await onServer(/FN:Zoë Quinn/, 'restored by undo');
  });
});

describe('.vcf import with duplicates, groups, and export unchanged', () => {
  it('imports cards from another application into the Local book; groups appear and compose to a group', async () => {
    await page.getByRole('button', { name: 'Local contacts' }).click();
    await importFile('import/evolution-v3-many.vcf');
    await page.getByText('Imported 2 new contacts').waitFor();
    const groups = page.getByRole('list', { name: 'Groups' });
    await groups.getByRole('button', { name: /^Book club/ }).click();
    await expect.poll(async () => list().getByRole('option').count(), { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'Write to Book club' }).click();
    const compose = page.getByRole('dialog', { name: 'Compose' });
    await compose.waitFor();
    await expect
      .poll(
        async () =>
          compose.locator('.chip').evaluateAll((els) => els.map((e) => e.getAttribute('title')).sort()),
        { timeout: 10_000 },
      )
      .toEqual(['carol@example.org', 'dan@example.net']);
    await page.keyboard.press('Escape');
    await compose.waitFor({ state: 'detached' });
  });

  it('a duplicate asks first; merging adds the new phone and note to the existing contact', async () => {
    await page.getByRole('button', { name: 'Local contacts' }).click();
    await importFile('import/duplicate-carol-v3.vcf');
    const dialog = page.getByRole('dialog', { name: 'Possible duplicates' });
    await dialog.getByText('same email').waitFor();
    await dialog.getByLabel('What to do with Carol Jones').selectOption('merge');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/merged 1/).waitFor();
    await list()
      .getByRole('option', { name: /Carol Jones/ })
      .click();
    await detail().getByText('+44 20 7946 0000').waitFor();
    await expect(detail().textContent()).resolves.toContain('Met at the conference');
    await expect(
      list()
        .getByRole('option', { name: /Carol Jones/ })
        .count(),
    ).resolves.toBe(1);
    await expect(
      detail().getByRole('img', { name: 'Photo of Carol Jones' }).getAttribute('src'),
    ).resolves.toMatch(/^data:image\/png;base64,/);
  });

  it('exports the book: what Pimlico did not edit is exactly as it came in', async () => {
    await page.getByRole('button', { name: 'Local contacts' }).click();
    const download = page.waitForEvent('download');
    await page
      .getByRole('complementary', { name: 'Address books and groups' })
      .getByRole('button', { name: 'Export .vcf' })
      .click();
    const exported = parseVCards(readFileSync(await (await download).path(), 'utf8'));
    const original = parseVCards(readFileSync(join(fixtures, 'import/evolution-v3-many.vcf'), 'utf8'));
    const dan = original.find((c) => c.data.uid === 'evo-2')!;
    expect(exported.find((c) => c.data.uid === 'evo-2')?.original).toBe(dan.original);
    const carol = exported.find((c) => c.data.uid === 'evo-1')!.original;
    // Carol was merged: her new phone and note are in, and her photo and X- fields are still there.
    expect(carol).toContain('X-EVOLUTION-FILE-AS:Jones\\, Carol');
    expect(carol).toContain('PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo');
    expect(carol).toMatch(/TEL[^:]*:\+44 20 7946 0000/);
  });
});
