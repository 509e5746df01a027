/// <reference types="electron-vite/node" />
// The Electron composition root: a thin shell around the core, which runs in a worker thread. The
// shell owns windows, the app:// protocol, IPC with sender checks, tray, notifications, menus, the
// keychain, updates and crash reporting; everything else is in ./core and runs the same headless.
import { app, type BrowserWindow, crashReporter, ipcMain, Menu, nativeImage, nativeTheme, Notification, screen, session, shell, type WebContents } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import createCoreWorker from './core-worker?nodeWorker';
import { defaultDataDir } from './core/config';
import { errorMessage } from './core/util/errors';
import { CoreHost } from './core-host';
import type { CoreWorkerData } from './core-worker';
import { electronLogger, FaultReporter } from './crash';
import { registerIpc, sendEvent, trustDevRenderer, type CallEnvelope } from './ipc';
import { HIDDEN_ARG, setOpenAtLogin } from './login-item';
import { appMenuTemplate, type AppView } from './menu';
import { Notifier, PAUSE_MS, type NotificationTarget } from './notifications';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { answerSecretRequest } from './secret-bridge';
import { SafeStorageSecretBox, WeakStorageConsent } from './secret-box';
import { readShellSettings, type ShellSettings } from './shell-settings';
import { mailtoFromArgv, registerMailtoHandler } from './single-instance';
import { TrayController } from './tray';
import { startUpdater, updateFeedUrl, type RunningUpdater } from './updater';
import { APP_URL, createComposeWindow, createMainWindow, isAllowedExternalUrl, isPermissionAllowed, lockDownContents, windowBackground } from './window';
import { loadWindowState, trackWindowState } from './window-state';
import type { PushEventPayload } from '../shared/contract';

registerAppScheme();
// Native crashes leave a minidump in the app's crashDumps folder; nothing is uploaded anywhere.
crashReporter.start({ uploadToServer: false });

const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');
// resources/ is packed into the ASAR next to out/, so this path holds in development and when packaged.
const resourcesDir = join(here, '../../resources');
const log = electronLogger('pimlico');
// `npm run dev`: electron-vite's dev server (hot reload). A packaged app always loads app://pimlico/.
const devRendererUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
if (devRendererUrl) trustDevRenderer(devRendererUrl);
const rendererUrl = devRendererUrl ?? APP_URL;

class Shell {
  private host: CoreHost | null = null;
  private mainWindow: BrowserWindow | null = null;
  private readonly composeWindows = new Set<BrowserWindow>();
  private tray: TrayController | null = null;
  private settings: ShellSettings = readShellSettings({});
  private updater: RunningUpdater | null = null;
  private quitting = false;
  private coreClosed = false;
  private unreadTimer: NodeJS.Timeout | undefined;
  private readonly dataDir = process.env.PIMLICO_DATA_DIR ?? defaultDataDir();
  private readonly secretBox = new SafeStorageSecretBox(new WeakStorageConsent(join(app.getPath('userData'), 'weak-secret-storage.json'), () => this.mainWindow));
  private readonly faults = new FaultReporter(log.child('faults'), () => this.restartCore());
  private readonly notifier = new Notifier((target) => this.openTarget(target));

  /** IPC handlers stay registered across core restarts; they always reach the current core. */
  private readonly core = {
    call: (name: string, payload: unknown): Promise<CallEnvelope> =>
      this.host ? this.host.call(name, payload) : Promise.resolve({ ok: false, error: { code: 'Offline', message: 'Pimlico is starting' } }),
  };

  async start(): Promise<void> {
    this.faults.installProcessHandlers();
    await app.whenReady();
    this.lockDownSession();
    handleAppProtocol(rendererDir);
    registerIpc(ipcMain, this.core);
    this.startCore();
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(this.menuActions())));
    this.tray = this.createTray();
    nativeTheme.on('updated', () => this.windows().forEach((w) => w.setBackgroundColor(windowBackground(nativeTheme.shouldUseDarkColors))));

    // Started at login: stay in the tray, unless there is no tray to come back from.
    if (!process.argv.includes(HIDDEN_ARG) || !this.tray) this.showMain();
    const mailto = mailtoFromArgv(process.argv);
    if (mailto) this.openCompose(mailto);

    app.on('second-instance', (_event, argv) => {
      const link = mailtoFromArgv(argv);
      if (link) this.openCompose(link);
      else this.showMain();
    });
    // macOS hands mailto: links over as an event, not on the command line.
    app.on('open-url', (event, url) => {
      event.preventDefault();
      const link = mailtoFromArgv([url]);
      if (link) this.openCompose(link);
    });
    app.on('activate', () => this.showMain());
    app.on('window-all-closed', () => {
      if (this.settings.closeToTray && this.tray) return;
      if (process.platform !== 'darwin') app.quit();
    });
    app.on('before-quit', (event) => {
      this.quitting = true;
      if (this.coreClosed) return;
      // Let the core finish its queued work and close the database before the process ends.
      event.preventDefault();
      this.coreClosed = true;
      this.updater?.stop();
      void (this.host?.close() ?? Promise.resolve()).finally(() => app.quit());
    });
  }

  /** Every webContents, whatever created it, gets the navigation policy; permissions: notifications only. */
  private lockDownSession(): void {
    const policy = { openExternal: (url: string) => this.openExternal(url), openCompose: (url: string) => this.openComposeUrl(url) };
    app.on('web-contents-created', (_event, contents) => lockDownContents(contents, policy));
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl)));
    session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
    // The renderer loads nothing from the network or the disk: remote content in mail stays blocked even if CSP were bypassed.
    if (devRendererUrl) return;
    session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] }, (_details, callback) => callback({ cancel: true }));
  }

  private startCore(): void {
    const workerData: CoreWorkerData = {
      dataDir: this.dataDir,
      version: app.getVersion(),
      secretBackend: this.secretBox.backend,
      logLevel: process.env.PIMLICO_LOG_LEVEL === 'debug' ? 'debug' : 'info',
    };
    const host = new CoreHost(createCoreWorker({ workerData, name: 'pimlico-core' }), {
      log,
      onSecretRequest: (request) => void answerSecretRequest(request, (op, input) => this.secretBox.perform(op, input)),
      // Microsoft sign-in in the system browser; CoreHost passes only https URLs, the core only its authority's.
      onOpenExternal: (url) => void shell.openExternal(url).catch((err: unknown) => log.warn('could not open the browser for sign-in', { error: String(err) })),
    });
    this.host = host;
    host.onFault((fault) => void this.faults.report(fault));
    host.onEvent((name, payload) => {
      sendEvent(this.contents(), name, payload);
      if (name === 'notification') this.notifier.show(payload as PushEventPayload<'notification'>);
      if (name === 'store.changed') {
        const entities = (payload as PushEventPayload<'store.changed'>).entities;
        if (entities.includes('mail') || entities.includes('folders') || entities.includes('accounts')) this.refreshUnreadSoon();
        if (entities.includes('settings')) void this.loadSettings();
      }
    });
    void host.ready.then(
      () => {
        void this.loadSettings();
        this.refreshUnreadSoon();
      },
      (err: unknown) => log.error('the core did not start', { error: errorMessage(err) }),
    );
  }

  private restartCore(): void {
    const old = this.host;
    this.host = null;
    void (old?.close(2_000) ?? Promise.resolve()).finally(() => {
      this.startCore();
      this.mainWindow?.webContents.reload();
    });
  }

  private async loadSettings(): Promise<void> {
    const answer = await this.core.call('settings.get', {});
    if (!answer.ok) return;
    const before = this.settings;
    this.settings = readShellSettings(answer.result as Record<string, unknown>);
    if (before.openAtLogin !== this.settings.openAtLogin) {
      try {
        setOpenAtLogin(app, this.settings.openAtLogin, process.platform, process.execPath);
      } catch (err) {
        log.warn('could not change start at login', { error: errorMessage(err) });
      }
    }
    nativeTheme.themeSource = this.settings.theme;
    if (this.settings.defaultMailApp && !before.defaultMailApp) registerMailtoHandler(app, process.execPath, app.getAppPath());
    const feed = updateFeedUrl(this.settings.updateFeedUrl);
    if (feed && !this.updater && app.isPackaged) {
      this.updater = await startUpdater(feed, log.child('updater'), (version) => this.notifyUpdate(version)).catch((err: unknown) => {
        log.warn('updates are unavailable', { error: errorMessage(err) });
        return null;
      });
    }
  }

  private refreshUnreadSoon(): void {
    clearTimeout(this.unreadTimer);
    this.unreadTimer = setTimeout(() => void this.refreshUnread(), 250);
  }

  private async refreshUnread(): Promise<void> {
    const answer = await this.core.call('app.info', {});
    if (!answer.ok) return;
    const unread = (answer.result as { unreadInboxCount: number }).unreadInboxCount;
    this.tray?.setUnread(unread);
    if (process.platform === 'win32') {
      this.mainWindow?.setOverlayIcon(unread > 0 ? nativeImage.createFromPath(join(resourcesDir, 'badge.png')) : null, unread > 0 ? `${unread} unread` : '');
    } else {
      app.setBadgeCount(unread);
    }
  }

  private createTray(): TrayController | null {
    try {
      const size = process.platform === 'win32' ? 16 : 22;
      const icon = nativeImage.createFromPath(join(resourcesDir, 'icon.png')).resize({ width: size, height: size });
      const tray = new TrayController(
        icon,
        {
          open: () => this.showMain(),
          compose: () => this.command({ command: 'compose', mailto: null }),
          pauseNotifications: () => {
            this.notifier.pauseForAnHour();
            // The core pauses too, so its ledger records why notifications were held back.
            void this.core.call('notifications.pause', { minutes: 60 });
            this.tray?.render();
            setTimeout(() => this.tray?.render(), PAUSE_MS + 1000).unref();
          },
          resumeNotifications: () => {
            this.notifier.resume();
            void this.core.call('notifications.pause', { minutes: 0 });
            this.tray?.render();
          },
          quit: () => app.quit(),
        },
        () => this.notifier.paused,
      );
      return tray;
    } catch (err) {
      // Some Linux desktops have no tray; the app works without one (and then never closes to it).
      log.warn('no system tray', { error: errorMessage(err) });
      return null;
    }
  }

  private menuActions() {
    return {
      compose: () => this.command({ command: 'compose', mailto: null }),
      sync: () => this.command({ command: 'sync' }),
      showView: (view: AppView) => this.command({ command: 'view', view }),
    };
  }

  private showMain(): BrowserWindow {
    let win = this.mainWindow;
    if (!win || win.isDestroyed()) {
      win = this.createMain();
      this.mainWindow = win;
    } else {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
    return win;
  }

  private createMain(): BrowserWindow {
    const stateFile = join(app.getPath('userData'), 'window-state.json');
    const saved = loadWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
    const win = createMainWindow(preloadPath, saved?.bounds ?? null, nativeTheme.shouldUseDarkColors);
    trackWindowState(win, stateFile);
    this.guardRenderer(win);
    win.once('ready-to-show', () => {
      if (saved?.maximized) win.maximize();
      win.show();
    });
    win.on('close', (event) => {
      if (!this.quitting && this.settings.closeToTray && this.tray) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => {
      if (this.mainWindow === win) this.mainWindow = null;
    });
    void win.loadURL(rendererUrl);
    return win;
  }

  /** A renderer that crashed or hangs is logged and reloaded, never left as a blank window. */
  private guardRenderer(win: BrowserWindow): void {
    win.webContents.on('render-process-gone', (_event, details) => {
      log.error('renderer gone', { reason: details.reason, exitCode: details.exitCode });
      if (details.reason !== 'clean-exit' && !win.isDestroyed()) win.webContents.reload();
    });
    win.webContents.on('did-fail-load', (_event, code, description, url) => log.error('page failed to load', { code, description, url }));
    win.on('unresponsive', () => log.warn('window unresponsive'));
  }

  private openComposeUrl(url: string): void {
    const win = createComposeWindow(preloadPath, nativeTheme.shouldUseDarkColors);
    this.composeWindows.add(win);
    this.guardRenderer(win);
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => this.composeWindows.delete(win));
    void win.loadURL(url);
  }

  /** mailto: links open a compose window of their own, as mail programs do. */
  private openCompose(mailto: string): void {
    this.openComposeUrl(`${rendererUrl}#compose?mailto=${encodeURIComponent(mailto)}`);
  }

  private openExternal(url: string): void {
    if (!isAllowedExternalUrl(url)) return;
    const mailto = mailtoFromArgv([url]);
    if (mailto) this.openCompose(mailto);
    else void shell.openExternal(url);
  }

  private openTarget(target: NotificationTarget | null): void {
    this.showMain();
    if (target) this.command({ command: 'open', target });
  }

  /** Asks the main window's UI to do something (menu, tray, notification click). */
  private command(payload: PushEventPayload<'shell.command'>): void {
    const win = this.showMain();
    const send = () => sendEvent([win.webContents], 'shell.command', payload);
    if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
    else send();
  }

  private notifyUpdate(version: string): void {
    if (!Notification.isSupported()) return;
    new Notification({ title: 'Pimlico update ready', body: `Version ${version} installs when you quit Pimlico.` }).show();
  }

  private windows(): BrowserWindow[] {
    return [this.mainWindow, ...this.composeWindows].filter((w): w is BrowserWindow => !!w && !w.isDestroyed());
  }

  private contents(): WebContents[] {
    return this.windows().map((w) => w.webContents);
  }
}

// One instance: a second launch hands its arguments (a mailto: link) to the first and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  new Shell().start().catch((err: unknown) => {
    log.error('startup failed', { error: errorMessage(err) });
    app.exit(1);
  });
}
