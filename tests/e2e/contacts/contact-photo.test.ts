// Editing a contact's photo in Chromium against headless mode with a real CardDAV account on Radicale: the
// chosen PNG is downscaled to at most 256×256 in the page, saved through the task queue, and the card on
// the server (fetched by a separate DAV request) carries PHOTO; removing it and undo reach the server too.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseVCards } from '../../../src/main/core/pim';
import { resetDavUser, resetMailUser } from '../../servers';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { solidPng } from '../../support/png';
import { davResources } from '../../support/dav';
import { imapAccountInput } from '../../integration/imap/support';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;

let app: HeadlessApp;
let browser: Browser;
let page: Page;

const serverCards = () => davResources(servers, alice, 'contacts');
async function serverCard(name: string): Promise<string | undefined> {
  return (await serverCards()).find((t) => t.replace(/\r\n[ \t]/g, '').includes(`FN:${name}`));
}

/** Width and height from a JPEG's start-of-frame segment. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  let at = 2;
  while (at < bytes.length) {
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  throw new Error('no SOF segment in the JPEG');
}

const detail = () => page.getByRole('region', { name: 'Contact details' });

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetDavUser(alice.email, servers);
  app = await startHeadless();
  await app.addAccount(imapAccountInput(servers, alice, { dav: true }), { sync: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${app.url}#token=${app.token}`);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByRole('button', { name: 'Contacts', exact: true, pressed: false }).first().waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('contact photo through the UI, checked on the CardDAV server', () => {
  it('sets a photo from a PNG file: downscaled, stored as PHOTO on the server, shown in the pane', async () => {
    await page.getByRole('complementary', { name: 'Address books and groups' }).getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    await form.locator('input[name="givenName"]').fill('Piet');
    await form.locator('input[name="surname"]').fill('Mondriaan');
    await form.locator('select[name="addressBook"]').selectOption({ label: 'Contacts' });
    await form.getByRole('button', { name: 'Save contact' }).click();
    await detail().getByRole('heading', { name: 'Piet Mondriaan' }).waitFor();
    await expect.poll(async () => (await serverCard('Piet Mondriaan')) !== undefined, { timeout: 20_000 }).toBe(true);

    const png = solidPng(640, 400, [200, 30, 30]);
    await detail().getByLabel('Choose contact photo').setInputFiles({ name: 'piet.png', mimeType: 'image/png', buffer: png });
    await page.getByText('Photo changed').waitFor();
    await expect(detail().getByRole('img', { name: 'Photo of Piet Mondriaan' }).getAttribute('src')).resolves.toMatch(/^data:image\/jpeg;base64,/);

    let card: string | undefined;
    await expect.poll(async () => /^PHOTO/m.test((card = await serverCard('Piet Mondriaan')) ?? ''), { timeout: 20_000, message: 'PHOTO on the server' }).toBe(true);
    // Pimlico writes vCard 3.0 to CardDAV: a binary PHOTO in the 3.0 form.
    expect(card!.replace(/\r\n[ \t]/g, '')).toMatch(/^PHOTO;ENCODING=b;TYPE=JPEG:\/9j\//m);
    const photo = parseVCards(card!)[0]!.data.photo;
    expect(photo && 'base64' in photo ? photo.mediaType : null).toBe('image/jpeg');
    const jpeg = Buffer.from(photo && 'base64' in photo ? photo.base64 : '', 'base64');
    expect(jpegSize(jpeg)).toEqual({ width: 256, height: 160 });
    expect(card).toContain('FN:Piet Mondriaan');
  });

  it('refuses a file over 1 MB before sending it, and a file that only claims to be an image; the photo stays', async () => {
    const big = Buffer.concat([solidPng(8, 8, [0, 0, 0]), Buffer.alloc(1024 * 1024 + 10)]);
    await detail().getByLabel('Choose contact photo').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
    await page.getByText(/huge\.png is 1\.0 MB; choose a photo of at most 1 MB/).waitFor();
    await detail().getByLabel('Choose contact photo').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await page.getByText('notes.png could not be read as an image').waitFor();
    expect(/^PHOTO/m.test((await serverCard('Piet Mondriaan')) ?? '')).toBe(true);
  });

  it('removes the photo on the server; Undo puts it back', async () => {
    await detail().getByRole('button', { name: 'Remove photo' }).click();
    await page.getByText('Photo removed').waitFor();
    await detail().getByText('PM', { exact: true }).waitFor();
    await expect.poll(async () => /^PHOTO/m.test((await serverCard('Piet Mondriaan')) ?? 'PHOTO'), { timeout: 20_000, message: 'PHOTO gone from the server' }).toBe(false);
    expect(await serverCard('Piet Mondriaan')).toContain('N:Mondriaan;Piet');

    await page.getByRole('button', { name: 'Undo (z)' }).click();
    await expect.poll(async () => /^PHOTO/m.test((await serverCard('Piet Mondriaan')) ?? ''), { timeout: 20_000, message: 'PHOTO back on the server' }).toBe(true);
    await detail().getByRole('img', { name: 'Photo of Piet Mondriaan' }).waitFor();
  });
});
