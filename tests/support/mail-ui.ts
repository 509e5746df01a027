import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { HeadlessApp } from './headless';

/**
 * Opens the newest message with this subject from All inboxes, syncing the account until it has
 * arrived (delivery through Postfix is asynchronous).
 */
export async function openDelivered(page: Page, app: HeadlessApp, accountId: string, subject: string): Promise<void> {
  await page.getByRole('button', { name: /All inboxes/ }).click();
  const row = page.locator('.message-row', { hasText: subject });
  await expect
    .poll(
      async () => {
        expect((await app.api(`/accounts/${accountId}/sync`, { method: 'POST' })).status).toBe(200);
        return row.count();
      },
      { timeout: 30_000, message: `${subject} delivered` },
    )
    .toBeGreaterThan(0);
  await row.first().click();
}
