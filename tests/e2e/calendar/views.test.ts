// The calendar views and keyboard in Chromium against headless mode, on the built-in Local calendar (no server):
// day, work-week, week, month and agenda; today and the now line; visibility and colour switches; all-day and
// multi-day events; an event in another time zone; the monthly-by-weekday rule as exported.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { startHeadless, type HeadlessApp } from '../../support/headless';

let app: HeadlessApp;
let browser: Browser;
let page: Page;

const today = new Date().toISOString().slice(0, 10);
const plusDays = (n: number) =>
  new Date(Date.parse(`${today}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const c = (d: string) => d.replace(/-/g, '');
const events = () => page.locator('[data-testid="event"]');
const titled = (t: string) => page.locator('[data-testid="event"]', { hasText: t });

beforeAll(async () => {
  app = await startHeadless();
  browser = await launchChromium();
  // UTC and 24-hour times, so the times shown can be compared as text.
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  await page.goto(`${app.url}#token=${app.token}`);
  await page.getByRole('button', { name: 'Calendar', exact: true }).click();
  const file = join(mkdtempSync(join(tmpdir(), 'pimlico-ics-')), 'week.ics');
  writeFileSync(
    file,
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//EN',
      'BEGIN:VEVENT',
      'UID:timed-today',
      'DTSTAMP:20260101T000000Z',
      `DTSTART:${c(today)}T100000Z`,
      `DTEND:${c(today)}T110000Z`,
      'SUMMARY:Morning review',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:allday-today',
      'DTSTAMP:20260101T000000Z',
      `DTSTART;VALUE=DATE:${c(today)}`,
      `DTEND;VALUE=DATE:${c(plusDays(1))}`,
      'SUMMARY:Holiday',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:multi-day',
      'DTSTAMP:20260101T000000Z',
      `DTSTART;VALUE=DATE:${c(today)}`,
      `DTEND;VALUE=DATE:${c(plusDays(3))}`,
      'SUMMARY:Conference',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  );
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import .ics into Local calendar' }).click();
  await (await chooser).setFiles(file);
  await page.getByText('Imported 3 new and 0 updated events into Local calendar').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('calendar views and keyboard', () => {
  it('week view: today marked with the now line; timed, all-day and multi-day events where they belong', async () => {
    await titled('Morning review').waitFor();
    await expect(page.locator('.tg-day.today .now-line').count()).resolves.toBe(1);
    await expect(page.locator('.tg-day.today').getByText('Morning review').count()).resolves.toBe(1);
    const allDay = page.getByRole('row', { name: 'All-day events' });
    await expect(allDay.locator(`[data-day="${today}"]`).getByText('Holiday').count()).resolves.toBe(1);
    await expect(allDay.getByText('Conference').count()).resolves.toBeGreaterThanOrEqual(1);
  });

  it('d, x, w, m and a switch views; n/p and j/k move; t comes back', async () => {
    await page.keyboard.press('d');
    await expect(page.locator('.tg-day').count()).resolves.toBe(1);
    await page.keyboard.press('x');
    await expect(page.locator('.tg-day').count()).resolves.toBe(5);
    await page.keyboard.press('w');
    await expect(page.locator('.tg-day').count()).resolves.toBe(7);
    await page.keyboard.press('m');
    await expect(page.locator('.mg-cell').count()).resolves.toBe(42);
    // The three-day conference fills three day cells.
    await expect
      .poll(async () => page.locator('.mg-cell', { has: page.getByText('Conference') }).count(), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(3);
    const title = await page.getByTestId('cal-title').textContent();
    await page.keyboard.press('n');
    await expect
      .poll(async () => page.getByTestId('cal-title').textContent(), { timeout: 10_000 })
      .not.toBe(title);
    await page.keyboard.press('k');
    await expect
      .poll(async () => page.getByTestId('cal-title').textContent(), { timeout: 10_000 })
      .toBe(title);
    await page.keyboard.press('j');
    await page.keyboard.press('t');
    await expect
      .poll(async () => page.getByTestId('cal-title').textContent(), { timeout: 10_000 })
      .toBe(title);
    await page.keyboard.press('a');
    const agenda = page.getByRole('list', { name: 'Agenda' });
    await agenda.getByText('Morning review').waitFor();
    await expect(agenda.getByRole('listitem').first().textContent()).resolves.toContain('Holiday');
  });

  it('the visibility switch hides a calendar; its colour is used for its events', async () => {
    await page.keyboard.press('w');
    await titled('Morning review').waitFor();
    await page.getByLabel('Show Local calendar').uncheck();
    await expect.poll(async () => events().count(), { timeout: 10_000 }).toBe(0);
    await page.getByLabel('Show Local calendar').check();
    await titled('Morning review').waitFor();
    await page.getByLabel('Colour of Local calendar').fill('#ff0000');
    await expect
      .poll(async () => titled('Morning review').evaluate((el) => getComputedStyle(el).borderLeftColor), {
        timeout: 10_000,
      })
      .toBe('rgb(255, 0, 0)');
  });

  it('an event in another zone is shown at the user’s time; a monthly rule by weekday is exported as such', async () => {
    await page.keyboard.press('c');
    const editor = page.getByRole('dialog', { name: 'New event' });
    await editor.locator('input[name="summary"]').fill('Tokyo call');
    await editor.locator('input[name="start"]').fill(`${plusDays(1)}T09:00`);
    await editor.locator('input[name="end"]').fill(`${plusDays(1)}T10:00`);
    await editor.locator('input[name="timeZone"]').fill('Asia/Tokyo');
    await editor.locator('select[name="freq"]').selectOption('MONTHLY');
    await editor.locator('select[name="monthlyBy"]').selectOption('weekday');
    await editor.locator('select[name="ends"]').selectOption('count');
    await editor.locator('input[name="count"]').fill('3');
    await editor.getByRole('button', { name: 'Save event' }).click();
    await editor.waitFor({ state: 'detached' });
    await page.keyboard.press('a');
    // 09:00 in Tokyo is midnight UTC, the page's zone.
    await expect
      .poll(
        async () =>
          page
            .getByRole('list', { name: 'Agenda' })
            .getByRole('button', { name: /Tokyo call/ })
            .allTextContents(),
        { timeout: 10_000 },
      )
      .toEqual(expect.arrayContaining([expect.stringMatching(/^00:00/)]));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export Local calendar as .ics' }).click();
    const text = readFileSync(await (await download).path(), 'utf8').replace(/\r\n[ \t]/g, '');
    const weekday = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][
      new Date(`${plusDays(1)}T12:00:00Z`).getUTCDay()
    ]!;
    const day = Number(plusDays(1).slice(8, 10));
    const nth =
      day + 7 >
      new Date(Date.UTC(Number(plusDays(1).slice(0, 4)), Number(plusDays(1).slice(5, 7)), 0)).getUTCDate()
        ? -1
        : Math.ceil(day / 7);
    expect(text).toContain(`RRULE:FREQ=MONTHLY;BYDAY=${nth}${weekday};COUNT=3`);
    expect(text).toContain(`DTSTART;TZID=Asia/Tokyo:${c(plusDays(1))}T090000`);
  });
});

describe('one event as a file', () => {
  it('the editor exports the event alone', async () => {
    await page.getByRole('list', { name: 'Agenda' }).getByRole('button', { name: /Tokyo call/ }).first().dblclick();
    const editor = page.getByRole('dialog', { name: 'Edit event' });
    const download = page.waitForEvent('download');
    await editor.getByRole('button', { name: 'Export .ics' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Tokyo call.ics');
    const text = readFileSync(await file.path(), 'utf8');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(text).toContain('SUMMARY:Tokyo call');
    await editor.getByRole('button', { name: 'Cancel' }).click();
  });
});
