// The Electron composition root: a thin shell around the core (windows, tray, notifications,
// keychain, IPC). Everything else lives in ./core and runs the same in headless mode.
import { app, BrowserWindow, ipcMain, Menu, nativeTheme, net, Notification, protocol, session, shell, Tray, nativeImage } from 'electron';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Core } from './core/core';
import { RENDERER_CSP } from './core/api/server';
import { defaultDataDir } from './core/config';
import { consoleLogger } from './core/util/log';
import { forwardEvents, registerIpc } from './ipc';
import { SafeStorageSecretBox } from './secret-box';
import { isAllowedExternalUrl, lockDownContents, mainWindowOptions } from './window';

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const here = dirname(fileURLToPath(import.meta.url));
const log = consoleLogger('shell');
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let core: Core | null = null;

function openExternal(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
}

/** Serves the built renderer from app://pimlico/ with the CSP, never from file://. */
function registerAppProtocol(rendererDir: string): void {
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const full = normalize(join(rendererDir, rel));
    if (url.host !== 'pimlico' || !full.startsWith(normalize(rendererDir) + sep)) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(full).toString()).then((res) => {
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', RENDERER_CSP);
      return new Response(res.body, { status: res.status, headers });
    });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(join(here, '../preload/index.cjs')));
  lockDownContents(win.webContents, openExternal);
  win.once('ready-to-show', () => win.show());
  void win.loadURL('app://pimlico/');
  return win;
}

function updateTray(): void {
  if (!tray || !core) return;
  const unread = core.store.mail.unreadInboxCount();
  tray.setToolTip(unread ? `Pimlico: ${unread} unread` : 'Pimlico');
  if (process.platform !== 'win32') app.setBadgeCount(unread);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  await app.whenReady();
  // Deny every permission but notifications.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'notifications'));
  registerAppProtocol(join(here, '../renderer'));

  core = new Core({ dataDir: process.env.PIMLICO_DATA_DIR ?? defaultDataDir(), secretBox: new SafeStorageSecretBox(), mode: 'electron', version: app.getVersion(), log });
  registerIpc(ipcMain, core);
  forwardEvents(core, () => mainWindow?.webContents ?? null);
  core.events.on((name, payload) => {
    if (name === 'store.changed') updateTray();
    if (name === 'notification' && Notification.isSupported()) {
      const p = payload as { title: string; body: string };
      new Notification({ title: p.title, body: p.body }).show();
    }
  });
  core.start();

  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = null));
  tray = new Tray(nativeImage.createFromPath(join(here, '../../resources/icon.png')));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Pimlico', click: () => (mainWindow ? mainWindow.show() : (mainWindow = createWindow())) },
      { type: 'separator' },
      { label: 'Quit', role: 'quit' },
    ]),
  );
  updateTray();
  nativeTheme.on('updated', () => mainWindow?.webContents.send('pimlico:theme', nativeTheme.shouldUseDarkColors));

  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void core?.close();
  });
}

main().catch((err: unknown) => {
  log.error('startup failed', { error: String(err) });
  app.exit(1);
});
