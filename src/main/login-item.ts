import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Started by the OS at login: open to the tray, not in the user's face. */
export const HIDDEN_ARG = '--hidden';

export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export function linuxAutostartFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'pimlico.desktop');
}

/** Quotes one Exec= argument the way the Desktop Entry spec wants. */
function desktopExecArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/**
 * Start at login, optional and off by default. Windows and macOS have an API for it; on Linux it is
 * an XDG autostart entry (the AppImage's own path when run from one).
 */
export function setOpenAtLogin(app: LoginItemApp, enabled: boolean, platform: NodeJS.Platform, execPath: string, env: NodeJS.ProcessEnv = process.env): void {
  if (platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] });
    return;
  }
  const file = linuxAutostartFile(env);
  if (!enabled) {
    if (existsSync(file)) rmSync(file);
    return;
  }
  const exec = env.APPIMAGE ?? execPath;
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(
    file,
    ['[Desktop Entry]', 'Type=Application', 'Name=Pimlico', `Exec=${desktopExecArg(exec)} ${HIDDEN_ARG}`, 'X-GNOME-Autostart-enabled=true', ''].join('\n'),
  );
}
