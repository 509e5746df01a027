import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Electron binary, if this machine has one. Electron 45 downloads it on first use, which these
 * machines cannot do, so look for it without asking the package (that would start a download).
 */
function electronBinary(): string | null {
  if (process.env.ELECTRON_PATH && existsSync(process.env.ELECTRON_PATH)) return process.env.ELECTRON_PATH;
  const pkgDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary) console.log('Electron smoke test: SKIPPED (no Electron binary on this machine)');

describe('Electron smoke test', () => {
  it.skipIf(!binary)('launches the app and shows the inbox', async () => {
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
    } finally {
      await app.close();
    }
  });
});
