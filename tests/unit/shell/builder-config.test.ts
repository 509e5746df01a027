// The installers cannot be built here (electron-builder needs Electron's binaries), so the
// configuration is checked instead: valid against electron-builder's own schema, the right files
// in, native modules outside the ASAR, every platform's target, fuses, icons and no update feed.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const minimatch = require('minimatch') as (path: string, pattern: string, options?: { dot?: boolean }) => boolean;

const root = resolve(import.meta.dirname, '../../..');
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string; mimeTypes: string[] };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; entitlements: string };
  protocols: { schemes: string[] }[];
  directories: { buildResources: string };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string>; devDependencies: Record<string, string>; build?: unknown };

/** electron-builder's rule: patterns in order, a later `!pattern` takes a file out again. */
function packed(path: string, patterns: string[]): boolean {
  let included = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) included = false;
    } else if (minimatch(path, p, { dot: true })) included = true;
  }
  return included;
}

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('electron-builder configuration', () => {
  it('is valid against the schema electron-builder ships', () => {
    const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator is live: a misspelt option is caught.
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
    // One source of configuration only.
    expect(pkg.build).toBeUndefined();
  });

  it('packs the built app and its icons, and nothing of the sources or tests', () => {
    for (const file of ['out/main/index.js', 'out/main/serve.js', 'out/main/chunks/core-worker-Ab12.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index-Ab12.js', 'resources/icon.png', 'resources/badge.png', 'package.json']) {
      expect(packed(file, config.files), file).toBe(true);
    }
    for (const file of ['src/main/index.ts', 'tests/unit/shell/window.test.ts', 'bench/run.ts', 'out/renderer/assets/index-Ab12.js.map', '.cache/x', 'electron-builder.yml']) {
      expect(packed(file, config.files), file).toBe(false);
    }
    expect(packed(pkg.main.replace(/^\.\//, ''), config.files)).toBe(true);
  });

  it('keeps better-sqlite3 and every native module outside the ASAR', () => {
    expect(config.asar).not.toBe(false);
    for (const file of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/lib/database.js', 'node_modules/better-sqlite3/package.json', 'node_modules/some-other/prebuilds/linux-x64/addon.node']) {
      expect(config.asarUnpack.some((p) => minimatch(file, p, { dot: true })), file).toBe(true);
    }
    expect(config.asarUnpack.some((p) => minimatch('node_modules/zod/index.js', p, { dot: true }))).toBe(false);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg on macOS, through `npm run dist`', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
  });

  it('has icons of at least 512 px in resources/, and the macOS entitlements', () => {
    expect(config.directories.buildResources).toBe('resources');
    for (const icon of new Set([config.linux.icon, config.win.icon, config.mac.icon])) {
      expect(icon.startsWith('resources/')).toBe(true);
      const { width, height } = pngSize(join(root, icon));
      expect(width).toBeGreaterThanOrEqual(512);
      expect(height).toBe(width);
    }
    expect(existsSync(join(root, config.mac.entitlements))).toBe(true);
  });

  it('sets the fuses: no RunAsNode, encrypted cookies, ASAR integrity, app only from the ASAR', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('declares the mailto: handler, bakes in no update feed, and uses a current Electron', () => {
    expect(config.protocols.flatMap((p) => p.schemes)).toContain('mailto');
    expect(config.linux.mimeTypes).toContain('x-scheme-handler/mailto');
    expect(config.publish).toBeNull();
    const electronMajor = Number(/(\d+)/.exec(pkg.devDependencies.electron ?? '')?.[1]);
    expect(electronMajor).toBeGreaterThanOrEqual(45);
  });
});
