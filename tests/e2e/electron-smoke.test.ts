// The desktop app as users get it: Electron launching the built app (`npx electron-vite build`
// first), showing the inbox from app://, and turning new mail into an OS notification. Electron's
// binary cannot be downloaded everywhere; where it is missing this test is reported as skipped.
import { describe, expect, inject, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { resetMailUser } from '../servers';

const require = createRequire(import.meta.url);

/** The Electron binary, if this machine has one. */
function electronBinary(): string | null {
  try {
    const path = require('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
if (!binary) console.log('Electron smoke test: SKIPPED (no Electron binary on this machine)');

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

describe('Electron smoke test', () => {
  it.skipIf(!binary)('launches the app, shows the inbox and shows new mail as an OS notification', async () => {
    const servers = inject('servers');
    const alice = servers.users.find((u) => u.email.startsWith('alice@'))!;
    const bob = servers.users.find((u) => u.email.startsWith('bob@'))!;
    await resetMailUser(alice.email, servers);

    const { _electron } = await import('playwright-core');
    const app = await _electron.launch({
      executablePath: binary!,
      args: [resolve(import.meta.dirname, '../..'), '--no-sandbox'],
      env: { ...process.env, PIMLICO_DATA_DIR: mkdtempSync(join(tmpdir(), 'pimlico-electron-')) },
    });
    try {
      const window = await app.firstWindow();
      await window.getByRole('button', { name: 'Inbox' }).first().waitFor({ timeout: 30_000 });
      expect(window.url()).toMatch(/^app:\/\/pimlico\//);

      // Isolated and sandboxed: the page sees neither Node nor Electron, only the preload's calls.
      const globals = await window.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        bridge: Object.keys((globalThis as { pimlico?: object }).pimlico ?? {}),
      }));
      expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['calls', 'events'] });

      // Record the OS notifications the main process shows.
      await app.evaluate(({ Notification }) => {
        const shown: string[] = [];
        (globalThis as { shownNotifications?: string[] }).shownNotifications = shown;
        const show = Notification.prototype.show;
        Notification.prototype.show = function (this: Electron.Notification) {
          shown.push(`${this.title}|${this.body}`);
          return show.call(this);
        };
      });

      const call = (name: string, request: unknown) =>
        window.evaluate(
          ([n, r]) => (globalThis as unknown as { pimlico: { calls: Record<string, (r: unknown) => Promise<Envelope>> } }).pimlico.calls[n as string]!(r),
          [name, request] as const,
        );
      const created = await call('accounts.create', {
        kind: 'imap',
        displayName: 'Alice',
        email: alice.email,
        imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: alice.email, password: alice.password },
      });
      expect(created.ok).toBe(true);
      const accountId = (created as { result: { id: string } }).result.id;
      expect(await call('accounts.sync', { id: accountId })).toMatchObject({ ok: true });

      const subject = `Smoke ${Date.now()}`;
      await nodemailer
        .createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, auth: { user: bob.email, pass: bob.password } })
        .sendMail({ from: bob.email, to: alice.email, subject, text: 'Hello from the smoke test' });

      await expect
        .poll(
          async () => {
            await call('accounts.sync', { id: accountId });
            return app.evaluate(() => (globalThis as { shownNotifications?: string[] }).shownNotifications ?? []);
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toEqual(expect.arrayContaining([expect.stringContaining(subject)]));
    } finally {
      await app.close();
    }
  });
});
