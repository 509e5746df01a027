import { BrowserWindow, type WebContents } from 'electron';
import { APP_ORIGIN, isAppOrigin, originOf } from './ipc';

export const APP_URL = `${APP_ORIGIN}/`;
export const ALLOWED_EXTERNAL_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export const MAIN_WINDOW_DEFAULT_SIZE = { width: 1280, height: 820 } as const;

/** Matches the renderer's light and dark backgrounds, so a window never flashes the wrong colour. */
export function windowBackground(dark: boolean): string {
  return dark ? '#101114' : '#ffffff';
}

/**
 * The one main window. Every item of Electron's security checklist that is a window option is
 * written out literally here (and in createComposeWindow) so electronegativity can see it.
 */
export function createMainWindow(preloadPath: string, bounds: WindowBounds | null, dark: boolean): BrowserWindow {
  return new BrowserWindow({
    width: bounds?.width ?? MAIN_WINDOW_DEFAULT_SIZE.width,
    height: bounds?.height ?? MAIN_WINDOW_DEFAULT_SIZE.height,
    x: bounds?.x,
    y: bounds?.y,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Pimlico',
    backgroundColor: windowBackground(dark),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click must not open links in new windows behind our back.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
    },
  });
}

/** A popped-out compose window: the same renderer and the same locked-down options, smaller. */
export function createComposeWindow(preloadPath: string, dark: boolean): BrowserWindow {
  return new BrowserWindow({
    width: 760,
    height: 640,
    minWidth: 480,
    minHeight: 360,
    show: false,
    title: 'New message – Pimlico',
    backgroundColor: windowBackground(dark),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
    },
  });
}

export function isAllowedExternalUrl(url: string): boolean {
  try {
    return ALLOWED_EXTERNAL_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The renderer pops a draft out with `window.open('app://pimlico/#compose…')`; that exact form, and
 * nothing else of ours, becomes a compose window (the same code opens a tab in headless mode).
 */
export function isComposeUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return isAppOrigin(originOf(url)) && u.pathname === '/' && u.search === '' && /^#compose(?:$|[?&/])/.test(u.hash);
  } catch {
    return false;
  }
}

/** Permission requests and checks: only notifications, and only for our own pages. */
export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'notifications' && isAppOrigin(originOf(requestingUrl));
}

/** What an iframe of ours may show: our own pages, or content the page made itself. */
export function isInlineFrameUrl(url: string): boolean {
  if (isAppOrigin(originOf(url))) return true;
  try {
    return ['about:', 'blob:', 'data:'].includes(new URL(url).protocol) && (!url.startsWith('blob:') || isAppOrigin(originOf(url.slice(5))));
  } catch {
    return false;
  }
}

export interface ContentsPolicy {
  /** Hands an allowed link to the system browser or mail program. */
  openExternal(url: string): void;
  /** Opens a compose window for an `app://pimlico/#compose…` URL. */
  openCompose(url: string): void;
}

/**
 * No window ever navigates away from the app or opens a window Electron creates for it: links go to
 * the system browser, and only for http, https and mailto; a compose pop-out is created by us.
 */
export function lockDownContents(contents: WebContents, policy: ContentsPolicy): void {
  contents.on('will-navigate', (event, url) => {
    // Reloads and in-app hash changes stay; anything else is refused and, if allowed, opened outside.
    if (isAppOrigin(originOf(url))) return;
    event.preventDefault();
    if (isAllowedExternalUrl(url)) policy.openExternal(url);
  });
  // A message's HTML lives in an iframe (srcdoc, blob: or data:); it must not load a page from elsewhere.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame || isInlineFrameUrl(event.url)) return;
    event.preventDefault();
    if (isAllowedExternalUrl(event.url)) policy.openExternal(event.url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppOrigin(originOf(url))) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isComposeUrl(url)) policy.openCompose(url);
    else if (isAllowedExternalUrl(url)) policy.openExternal(url);
    return { action: 'deny' };
  });
}
