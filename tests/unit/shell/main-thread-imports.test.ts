import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildApp } from './built-app';

let outDir: string;
beforeAll(() => {
  outDir = buildApp('imports');
}, 180_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Every module the file loads statically, following the bundle's own chunks. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^import\s+(?:[^'"]*\s+from\s+)?["']([^"']+)["']/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) staticImports(resolve(dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('the Electron main thread', () => {
  it('does not load the database or the mail protocol libraries: those run in the core worker', () => {
    const loaded = [...staticImports(join(outDir, 'main/index.js'))];
    for (const heavy of ['better-sqlite3', 'imapflow', 'nodemailer', 'tsdav', 'postal-mime']) {
      expect(loaded, heavy).not.toContain(heavy);
    }
    expect(loaded).toContain('electron');
  });

  it('while the worker entry does load them', () => {
    const worker = readFileSync(join(outDir, 'main/index.js'), 'utf8');
    // The worker file is emitted by electron-vite's ?nodeWorker import; find it and check it reaches the core.
    const workerFile = /["'](\.\/chunks\/core-worker-[^"']+\.js)["']/.exec(worker)?.[1] ?? /new URL\(["'](\.\/[^"']*core-worker[^"']*\.js)["']/.exec(worker)?.[1];
    expect(workerFile, 'worker entry referenced from main').toBeTruthy();
    const loaded = [...staticImports(resolve(outDir, 'main', workerFile!))];
    expect(loaded).toContain('better-sqlite3');
  });
});
