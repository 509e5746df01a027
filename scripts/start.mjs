#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is available, otherwise headless mode in the browser.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run([join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']) !== 0) process.exit(1);

let electron = null;
try {
  const path = require('electron');
  if (typeof path === 'string' && existsSync(path)) electron = path;
} catch {
  // Electron 45 fetches its binary on first use; where that cannot happen we fall back below.
}
if (!electron) {
  const install = spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'inherit' });
  if (install.status === 0) {
    try {
      const path = require('electron');
      if (typeof path === 'string' && existsSync(path)) electron = path;
    } catch {
      electron = null;
    }
  }
}
if (electron) {
  process.exit(spawnSync(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1);
}
console.log('Electron is not available on this machine: starting headless mode instead (open the printed URL).');
process.exit(run([join(root, 'out/main/serve.js'), ...process.argv.slice(2)]));
