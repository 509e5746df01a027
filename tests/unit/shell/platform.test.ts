import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactText } from '../../../src/main/redact-text';
import { HIDDEN_ARG, linuxAutostartFile, setOpenAtLogin } from '../../../src/main/login-item';
import { readShellSettings } from '../../../src/main/shell-settings';
import { mailtoFromArgv, registerMailtoHandler } from '../../../src/main/single-instance';
import { updateFeedUrl } from '../../../src/main/updater';
import { tempDir } from '../../support/core';

describe('mailto: links from a second launch', () => {
  it('finds the link among the arguments the OS passed', () => {
    expect(mailtoFromArgv(['/opt/Pimlico/pimlico', '--no-sandbox', 'mailto:bob@example.com?subject=Hi%20there'])).toBe('mailto:bob@example.com?subject=Hi%20there');
    expect(mailtoFromArgv(['C:\\Pimlico\\Pimlico.exe', 'MAILTO:Bob@Example.com'])).toBe('mailto:Bob@Example.com');
    expect(mailtoFromArgv(['pimlico', '--hidden'])).toBeNull();
    expect(mailtoFromArgv(['pimlico', 'https://example.com'])).toBeNull();
    expect(mailtoFromArgv([`mailto:${'a'.repeat(9000)}@example.com`])).toBeNull();
  });

  it('registers as the mailto: handler with the app path in development, plainly when packaged', () => {
    const seen: unknown[][] = [];
    const fake = (isPackaged: boolean) => ({
      isPackaged,
      isDefaultProtocolClient: () => false,
      setAsDefaultProtocolClient: (...args: unknown[]) => (seen.push(args), true),
    });
    expect(registerMailtoHandler(fake(false), '/usr/bin/electron', '/src/pimlico')).toBe(true);
    expect(registerMailtoHandler(fake(true), '/opt/Pimlico/pimlico', '/opt/Pimlico/resources/app.asar')).toBe(true);
    expect(seen).toEqual([['mailto', '/usr/bin/electron', ['/src/pimlico']], ['mailto']]);
  });
});

describe('update feed', () => {
  it('is off unless configured, and only over https', () => {
    expect(updateFeedUrl(undefined, {})).toBeNull();
    expect(updateFeedUrl('', {})).toBeNull();
    expect(updateFeedUrl('https://updates.example.com/pimlico', {})).toBe('https://updates.example.com/pimlico');
    expect(updateFeedUrl(null, { PIMLICO_UPDATE_FEED: 'https://corp.example/pimlico/' })).toBe('https://corp.example/pimlico/');
    expect(updateFeedUrl('http://updates.example.com/', {})).toBeNull();
    expect(updateFeedUrl('file:///tmp/feed', {})).toBeNull();
    expect(updateFeedUrl('https://user:pw@updates.example.com/', {})).toBeNull();
    expect(updateFeedUrl('not a url', {})).toBeNull();
  });
});

describe('shell settings', () => {
  it('reads the shell’s keys from the user settings, with safe defaults for anything odd', () => {
    expect(readShellSettings({})).toEqual({ closeToTray: false, openAtLogin: false, defaultMailApp: false, theme: 'system', updateFeedUrl: null });
    expect(
      readShellSettings({ 'shell.closeToTray': true, 'shell.openAtLogin': 'yes', 'appearance.theme': 'dark', 'updates.feedUrl': 'https://u.example/' }),
    ).toEqual({
      closeToTray: true,
      openAtLogin: false,
      defaultMailApp: false,
      theme: 'dark',
      updateFeedUrl: 'https://u.example/',
    });
    expect(readShellSettings({ 'appearance.theme': 'purple' }).theme).toBe('system');
  });
});

describe('start at login', () => {
  it('uses the OS login items on Windows and macOS, starting hidden', () => {
    const set: unknown[] = [];
    setOpenAtLogin({ setLoginItemSettings: (s) => set.push(s) }, true, 'win32', 'C:\\Pimlico\\Pimlico.exe');
    expect(set).toEqual([{ openAtLogin: true, openAsHidden: true, args: [HIDDEN_ARG] }]);
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    const env = { XDG_CONFIG_HOME: tempDir(), APPIMAGE: '/home/me/Apps/Pimlico 1.0.AppImage' };
    const app = { setLoginItemSettings: () => expect.unreachable() };
    setOpenAtLogin(app, true, 'linux', '/tmp/.mount_x/pimlico', env);
    const file = linuxAutostartFile(env);
    expect(file).toBe(join(env.XDG_CONFIG_HOME, 'autostart', 'pimlico.desktop'));
    expect(readFileSync(file, 'utf8')).toContain('Exec="/home/me/Apps/Pimlico 1.0.AppImage" --hidden');
    setOpenAtLogin(app, false, 'linux', '/tmp/.mount_x/pimlico', env);
    expect(existsSync(file)).toBe(false);
  });
});

describe('secrets stripped from error text', () => {
  it('removes bearer tokens, URL credentials and password assignments', () => {
    const text = 'GET https://me:hunter2@imap.example.com failed; Authorization: Bearer eyJhbGciOi.abc-def; password=s3cr3t token: "t0k3n"';
    const clean = redactText(text);
    for (const secret of ['hunter2', 'eyJhbGciOi', 's3cr3t', 't0k3n']) expect(clean).not.toContain(secret);
    expect(clean).toContain('imap.example.com');
  });
});
