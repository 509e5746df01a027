import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-fake'));

import { BrowserWindow, FakeWebContents } from './electron-fake';
import {
  createComposeWindow,
  createMainWindow,
  isAllowedExternalUrl,
  isComposeUrl,
  isInlineFrameUrl,
  isPermissionAllowed,
  lockDownContents,
} from '../../../src/main/window';
import type { WebContents } from 'electron';

const secureWebPreferences = {
  preload: '/app/out/preload/index.cjs',
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
};

describe('window options', () => {
  beforeEach(() => BrowserWindow.created.splice(0));

  it('creates the main window with exactly the secure options, at the remembered bounds', () => {
    createMainWindow('/app/out/preload/index.cjs', { x: 40, y: 50, width: 1000, height: 700 }, true);
    expect(BrowserWindow.created).toHaveLength(1);
    expect(BrowserWindow.created[0]!.options).toStrictEqual({
      width: 1000,
      height: 700,
      x: 40,
      y: 50,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Pimlico',
      backgroundColor: '#101114',
      webPreferences: secureWebPreferences,
    });
  });

  it('uses the default size, no position and the light background without saved bounds', () => {
    createMainWindow('/app/out/preload/index.cjs', null, false);
    const o = BrowserWindow.created[0]!.options;
    expect(o).toMatchObject({ width: 1280, height: 820, x: undefined, y: undefined, backgroundColor: '#ffffff' });
    expect(o.webPreferences).toStrictEqual(secureWebPreferences);
  });

  it('gives a popped-out compose window the same locked-down preferences', () => {
    createComposeWindow('/app/out/preload/index.cjs', true);
    expect(BrowserWindow.created[0]!.options).toStrictEqual({
      width: 760,
      height: 640,
      minWidth: 480,
      minHeight: 360,
      show: false,
      title: 'New message – Pimlico',
      backgroundColor: '#101114',
      webPreferences: secureWebPreferences,
    });
  });
});

describe('allowed external schemes', () => {
  it.each([
    ['https://example.com/a?b=c', true],
    ['http://example.com/', true],
    ['mailto:bob@example.com?subject=Hi', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['app://pimlico/', false],
    ['smb://server/share', false],
    ['ms-msdt:/id PCWDiagnostic', false],
    ['data:text/html,<script>1</script>', false],
    ['vbscript:msgbox', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url)).toBe(allowed);
  });
});

describe('navigation and window-open handlers', () => {
  let contents: FakeWebContents;
  let opened: string[];
  let composed: string[];

  beforeEach(() => {
    contents = new FakeWebContents();
    opened = [];
    composed = [];
    lockDownContents(contents as unknown as WebContents, { openExternal: (u) => opened.push(u), openCompose: (u) => composed.push(u) });
  });

  it('keeps navigation inside the app and refuses everything else, opening only allowed links outside', () => {
    expect(contents.fire('will-navigate', 'app://pimlico/#mail')).toBe(false);
    expect(contents.fire('will-navigate', 'https://example.com/phish')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(contents.fire('will-navigate', 'app://pimlico.evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'app://evil/')).toBe(true);
    expect(opened).toEqual(['https://example.com/phish']);
  });

  it('refuses redirects away from the app and every <webview>', () => {
    expect(contents.fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(contents.fire('will-redirect', 'app://pimlico/index.html')).toBe(false);
    expect(contents.fire('will-attach-webview', {}, {})).toBe(true);
    expect(opened).toEqual([]);
  });

  it('lets a message frame show inline content but never load a page from elsewhere', () => {
    expect(contents.fireFrameNavigate('about:srcdoc', false)).toBe(false);
    expect(contents.fireFrameNavigate('blob:app://pimlico/4b1d-uuid', false)).toBe(false);
    expect(contents.fireFrameNavigate('https://tracker.example/pixel', false)).toBe(true);
    expect(contents.fireFrameNavigate('blob:https://evil.example/uuid', false)).toBe(true);
    expect(contents.fireFrameNavigate('file:///home/me/.ssh/id_rsa', false)).toBe(true);
    expect(opened).toEqual(['https://tracker.example/pixel']);
  });

  it('denies every new window: links go to the system browser, a compose pop-out becomes our own window', () => {
    const open = contents.windowOpenHandler!;
    expect(open({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'mailto:bob@example.com' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://pimlico/#compose?draft=d1' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://pimlico/settings' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://evil/#compose' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/', 'mailto:bob@example.com']);
    expect(composed).toEqual(['app://pimlico/#compose?draft=d1']);
  });
});

describe('compose URLs, frame URLs and permissions', () => {
  it('recognises only the exact compose form', () => {
    expect(isComposeUrl('app://pimlico/#compose')).toBe(true);
    expect(isComposeUrl('app://pimlico/#compose?mailto=mailto%3Abob%40example.com')).toBe(true);
    expect(isComposeUrl('app://pimlico/#composer')).toBe(false);
    expect(isComposeUrl('app://pimlico/x#compose')).toBe(false);
    expect(isComposeUrl('app://pimlico/?a=1#compose')).toBe(false);
    expect(isComposeUrl('https://pimlico/#compose')).toBe(false);
  });

  it('treats only our own or self-made frame content as inline', () => {
    expect(isInlineFrameUrl('data:text/html,hi')).toBe(true);
    expect(isInlineFrameUrl('app://pimlico/frame.html')).toBe(true);
    expect(isInlineFrameUrl('http://example.com')).toBe(false);
  });

  it('grants notifications to our pages and denies every other permission', () => {
    expect(isPermissionAllowed('notifications', 'app://pimlico/')).toBe(true);
    expect(isPermissionAllowed('notifications', 'app://pimlico')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'hid', 'serial', 'usb']) {
      expect(isPermissionAllowed(p, 'app://pimlico/')).toBe(false);
    }
    expect(isPermissionAllowed('notifications', 'https://example.com/')).toBe(false);
    expect(isPermissionAllowed('notifications', 'file:///tmp/x.html')).toBe(false);
  });
});
