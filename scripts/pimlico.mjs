#!/usr/bin/env node
// `pimlico serve [options]`: headless mode. Other commands may follow; the desktop app is `npm start`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [command, ...rest] = process.argv.slice(2);
if (command !== 'serve') {
  console.error('Usage: pimlico serve [--data-dir DIR] [--port N] [--host ADDR]');
  process.exit(command ? 1 : 0);
}
const serve = join(dirname(fileURLToPath(import.meta.url)), 'serve.mjs');
process.exit(spawnSync(process.execPath, [serve, ...rest], { stdio: 'inherit' }).status ?? 1);
