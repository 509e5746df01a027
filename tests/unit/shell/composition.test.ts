// The built main process (out/main/index.js, exactly as packaged) run in plain Node with Electron's
// module replaced by tests/unit/shell/fixtures/fake-electron.cjs: the composition root wires the real
// core worker, IPC, protocol, permissions, windows, tray, menus and quit. The scenario itself is in
// fixtures/run-main.mjs and reports what happened as JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { callNames, IPC_CALL_PREFIX } from '../../../src/shared/contract';
import { RENDERER_CSP } from '../../../src/shared/csp';
import { tempDir } from '../../support/core';
import { buildApp, root } from './built-app';

interface Scenario {
  mainWindow: { url: string; webPreferences: Record<string, unknown> };
  ipcChannels: string[];
  ipcListeners: string[];
  privilegedSchemes: unknown[];
  appInfo: { ok: boolean; result: { mode: string; version: string; dataDir: string } };
  forbidden: unknown[];
  badPayload: { ok: boolean; error: { code: string } };
  created: { ok: boolean };
  accounts: { ok: boolean; result: { kind: string; settings: Record<string, unknown> }[] };
  page: { status: number; csp: string; body: string };
  permissions: Record<string, boolean>;
  blockedUrls: string[];
  windowOpen: unknown[];
  openedExternally: string[];
  windows: { url: string; title: string; sandbox: boolean }[];
  closeToTray: { prevented: boolean; visible: boolean };
  tray: { tooltip: string; menu: string[] };
  menu: string[];
  afterQuit: { quitCalls: number; call: { ok: boolean; error: { code: string } } };
  dialogs: unknown[];
  crashReporter: unknown;
}

let outDir: string;
let result: Scenario;
let dataDir: string;

beforeAll(async () => {
  outDir = buildApp('composition');
  const userData = tempDir();
  dataDir = join(userData, 'data');
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'tests/unit/shell/fixtures/run-main.mjs'), join(outDir, 'main/index.js')], {
    cwd: root,
    env: { ...process.env, FAKE_ELECTRON_USER_DATA: userData, PIMLICO_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: '' },
    timeout: 90_000,
    maxBuffer: 20 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the scenario did not finish:\n${stdout.slice(-3000)}`);
  result = JSON.parse(line.slice('RESULT '.length)) as Scenario;
}, 180_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the built Electron main process', () => {
  it('loads the renderer from app://pimlico/ in a sandboxed, isolated window', () => {
    expect(result.mainWindow.url).toBe('app://pimlico/');
    expect(result.mainWindow.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false });
    expect(result.mainWindow.webPreferences.preload).toBe(join(outDir, 'preload/index.cjs'));
    expect(result.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serves the built page with the strict CSP', () => {
    expect(result.page.status).toBe(200);
    expect(result.page.body).toContain('<title>Pimlico</title>');
    expect(result.page.csp).toBe(RENDERER_CSP);
  });

  it('registers one checked IPC handler per contract call and no other IPC channel', () => {
    expect([...result.ipcChannels].sort()).toEqual(callNames.map((n) => IPC_CALL_PREFIX + n).sort());
    // electron-log's unchecked renderer-logging channel is closed.
    expect(result.ipcListeners).toEqual([]);
  });

  it('answers through the core in its worker, and refuses other origins, subframes and bad payloads', () => {
    expect(result.appInfo).toMatchObject({ ok: true, result: { mode: 'electron', version: '0.0.0-test', dataDir } });
    expect(result.forbidden).toEqual([
      { ok: false, error: { code: 'Forbidden', message: 'Untrusted sender' } },
      { ok: false, error: { code: 'Forbidden', message: 'Untrusted sender' } },
    ]);
    expect(result.badPayload).toMatchObject({ ok: false, error: { code: 'BadRequest' } });
  });

  it('stores an account’s password through the keychain bridge, never in its settings', () => {
    expect(result.created.ok).toBe(true);
    const imap = result.accounts.result.find((a) => a.kind === 'imap')!;
    expect(JSON.stringify(imap.settings)).not.toContain('hunter2');
  });

  it('grants notifications only, and blocks every network and file request from the renderer', () => {
    expect(result.permissions).toEqual({ notifications: true, media: false, geolocation: false });
    expect(result.blockedUrls).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*']);
  });

  it('denies new windows, opens https links outside, pops compose out and takes mailto: from a second launch', () => {
    expect(result.windowOpen).toEqual([{ action: 'deny' }, { action: 'deny' }, { action: 'deny' }]);
    expect(result.openedExternally).toEqual(['https://example.com/']);
    expect(result.windows).toEqual([
      { url: 'app://pimlico/', title: 'Pimlico', sandbox: true },
      { url: 'app://pimlico/#compose?draft=1', title: 'New message – Pimlico', sandbox: true },
      { url: 'app://pimlico/#compose?mailto=mailto%3Abob%40example.com%3Fsubject%3DHi', title: 'New message – Pimlico', sandbox: true },
    ]);
  });

  it('closes to the tray once the user chose it, with tray and native menus in place', () => {
    expect(result.closeToTray).toEqual({ prevented: true, visible: false });
    expect(result.tray.menu).toEqual(['Open Pimlico', 'New Message', 'separator', 'Pause Notifications for an Hour', 'separator', 'Quit Pimlico']);
    expect(result.menu).toEqual(['&File', '&Edit', '&View', '&Window']);
  });

  it('closes the core before quitting, with no error dialog on the way', () => {
    expect(result.afterQuit.quitCalls).toBe(2);
    expect(result.afterQuit.call).toMatchObject({ ok: false, error: { code: 'Internal' } });
    expect(result.dialogs).toEqual([]);
  });

  it('keeps native crash dumps locally and uploads nothing', () => {
    expect(result.crashReporter).toEqual({ uploadToServer: false });
  });
});
