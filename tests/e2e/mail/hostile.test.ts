import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';
import { seedLocalMailbox } from './seed';

const CORPUS = resolve(import.meta.dirname, '../../fixtures/hostile');

let beacon: Server;
let beaconUrl: string;
const beaconHits: string[] = [];
let app: HeadlessApp;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const consoleMessages: string[] = [];
let files: string[];

beforeAll(async () => {
  // A loopback listener every remote URL in the corpus points at: it must never hear from us.
  beacon = createServer((req, res) => {
    beaconHits.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((r) => beacon.listen(0, '127.0.0.1', r));
  beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
  files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.html'))
    .sort();
  const messages = files.map((f, i) => ({
    subject: `Hostile ${f}`,
    bodyHtml: readFileSync(join(CORPUS, f), 'utf8').replaceAll('{{BEACON}}', beaconUrl),
    bodyText: 'hostile',
    // Oldest first in the corpus order, so j walks them from the top of the list in reverse.
    date: Date.UTC(2026, 0, 1) + i * 60_000,
    from: { name: 'Mallory', address: 'mallory@evil.example' },
  }));
  messages.push({
    subject: 'Plain text with links',
    bodyHtml: null as unknown as string,
    bodyText: `See https://example.com/page?a=1&b=<2> and mailto:bob@example.com\njavascript:alert(1) stays text.\n\nOn Mon, Alice wrote:\n> quoted line one\n> ${beaconUrl}/quoted-link`,
    date: Date.UTC(2026, 0, 2),
    from: { name: 'Alice', address: 'alice@example.com' },
  });
  const dataDir = await seedLocalMailbox(messages);
  app = await startHeadless({ dataDir });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${app.url}#token=${app.token}`);
  await page.locator('.message-row').nth(5).waitFor();
  // From here on, the page has loaded everything it needs: any request is one a message caused.
  page.on('console', (m) => consoleMessages.push(`${m.text()} ${m.location().url}`));
  page.on('request', (r: Request) => {
    if (!r.url().startsWith(`${app.url}api/ws`)) requests.push(`${r.resourceType()} ${r.url()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((r) => beacon?.close(r));
});

/** Reads what the sandboxed frame was given and reports anything that could run or load. */
async function frameAudit(p: Page) {
  return p.evaluate((beaconHost) => {
    const frame = document.querySelector<HTMLIFrameElement>('iframe.message-body');
    if (!frame) return { error: 'no frame' };
    const doc = new DOMParser().parseFromString(frame.srcdoc, 'text/html');
    const body = doc.body;
    const dangerous = [...body.querySelectorAll('script, iframe, frame, object, embed, form, input, button, meta, base, link, style, svg, math, audio, video, source, template')].map((e) => e.tagName);
    const handlers: string[] = [];
    const remote: string[] = [];
    const badLinks: string[] = [];
    for (const el of body.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) handlers.push(`${el.tagName}.${attr.name}`);
        if (attr.value.includes(beaconHost) && attr.name !== 'href') remote.push(`${el.tagName}.${attr.name}`);
      }
      const href = el.getAttribute('href');
      if (href !== null && !/^(https?:|mailto:)/i.test(href.trim())) badLinks.push(href);
    }
    const head = [...doc.head.querySelectorAll('meta')].map((m) => `${m.httpEquiv}=${m.content}`);
    return {
      dangerous,
      handlers,
      remote,
      badLinks,
      head,
      sandbox: frame.getAttribute('sandbox'),
      text: body.textContent ?? '',
      html: body.innerHTML,
    };
  }, new URL(beaconUrl).host);
}

describe('hostile HTML mail renders with no script run and no network request', () => {
  it('walks the whole corpus from the keyboard, auditing each frame', async () => {
    const total = files.length + 1;
    const seen = new Set<string>();
    for (let i = 0; i < total; i++) {
      await page.keyboard.press('j');
      const subject = page.locator('.reading-pane .message-subject');
      await expect.poll(async () => (await subject.textContent()) ?? '').not.toBe('');
      const title = (await subject.textContent())!;
      await expect.poll(async () => seen.has(title)).toBe(false);
      seen.add(title);
      // Let the frame load completely, then hover over it: handlers that survived would fire now.
      await page.frameLocator('iframe.message-body').locator('body').waitFor({ state: 'attached' });
      const box = await page.locator('iframe.message-body').boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + 20);
      const audit = await frameAudit(page);
      expect(audit, title).toMatchObject({ dangerous: [], handlers: [], remote: [], badLinks: [], sandbox: 'allow-popups allow-popups-to-escape-sandbox' });
      // The frame's own policy: nothing but inline styles and local images.
      expect(audit.head!.join(' ')).toContain("default-src 'none'");
      expect(audit.head!.join(' ')).toContain('img-src data: cid:;');
      if (/remote-images|tracking-pixel|css-tricks/.test(title)) {
        await page.getByRole('status', { name: 'Remote content blocked' }).waitFor();
      }
      if (title === 'Plain text with links') {
        expect(audit.html).toContain('<a href="https://example.com/page?a=1&amp;b=" target="_blank" rel="noopener noreferrer">');
        expect(audit.html).toContain('href="mailto:bob@example.com"');
        expect(audit.text).toContain('javascript:alert(1) stays text.');
        // Quoted text is folded behind a summary that opens without any script.
        expect(audit.html).toMatch(/<details class="quoted"><summary>[^<]*<\/summary><blockquote>On Mon, Alice wrote:/);
      }
    }
    expect(seen.size).toBe(total);
    expect(await page.title()).not.toBe('pwned');
    expect(beaconHits).toEqual([]);
    expect(requests).toEqual([]);
    expect(consoleMessages.filter((m) => !/Content Security Policy|Refused to/i.test(m))).toEqual([]);
  }, 120_000);

  it('loads remote content only after the user allows it, for that message or that sender', async () => {
    await page.locator('.message-row', { hasText: 'Hostile 10-tracking-pixel.html' }).click();
    const bar = page.getByRole('status', { name: 'Remote content blocked' });
    await bar.waitFor();
    expect((await frameAudit(page)).remote).toEqual([]);
    await bar.getByRole('button', { name: 'Load for this message' }).click();
    await bar.waitFor({ state: 'detached' });
    const allowed = await frameAudit(page);
    expect(allowed.remote).toContain('IMG.src');
    // And the image really loads now: the beacon hears the tracking pixel, once allowed and not before.
    await expect.poll(() => beaconHits.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(allowed.head!.join(' ')).toContain('img-src data: cid: https: http:');
    // Another message of the same sender is still blocked until the sender is allowed.
    await page.locator('.message-row', { hasText: 'Hostile 09-remote-images.html' }).click();
    await bar.waitFor();
    await bar.getByRole('button', { name: /Always load from mallory@evil.example/ }).click();
    await bar.waitFor({ state: 'detached' });
    // Scripts and handlers stay out whatever the user allowed.
    const afterAllow = await frameAudit(page);
    expect(afterAllow).toMatchObject({ dangerous: [], handlers: [] });
    expect(afterAllow.remote).toEqual(expect.arrayContaining(['IMG.src']));
  }, 60_000);
});
