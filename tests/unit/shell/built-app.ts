import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../../..');

/**
 * Builds the app with electron-vite (main, preload, renderer) into a fresh folder inside the
 * project, so the bundles resolve node_modules as the app does. Returns the folder (like out/).
 */
export function buildApp(name: string): string {
  const outDir = join(root, '.cache', `shell-test-${name}-${process.pid}`);
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir], { cwd: root, stdio: 'pipe' });
  return outDir;
}
