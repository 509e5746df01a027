import type { Logger } from './core/util/log';

export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * The update feed, if one is configured (setting `updates.feedUrl`, or PIMLICO_UPDATE_FEED for
 * managed installs). Updates are off otherwise. Only https: an update is code we will run.
 */
export function updateFeedUrl(setting: unknown, env: NodeJS.ProcessEnv = process.env): string | null {
  const raw = typeof setting === 'string' && setting.trim() ? setting.trim() : env.PIMLICO_UPDATE_FEED?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && !url.username && !url.password ? url.toString() : null;
  } catch {
    return null;
  }
}

export interface RunningUpdater {
  stop(): void;
}

/**
 * Checks a generic electron-updater feed (latest.yml, latest-mac.yml, latest-linux.yml next to the
 * installers) now and every six hours, downloads in the background and installs on quit.
 * electron-updater is loaded only when a feed is configured.
 */
export async function startUpdater(feedUrl: string, log: Logger, onDownloaded: (version: string) => void): Promise<RunningUpdater> {
  const { default: electronUpdater } = await import('electron-updater');
  const updater = electronUpdater.autoUpdater;
  updater.logger = { info: (m: unknown) => log.info(String(m)), warn: (m: unknown) => log.warn(String(m)), error: (m: unknown) => log.error(String(m)), debug: (m: string) => log.debug(m) };
  updater.setFeedURL({ provider: 'generic', url: feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.allowDowngrade = false;
  updater.on('update-downloaded', (info) => onDownloaded(info.version));
  updater.on('error', (err) => log.warn('update check failed', { error: err.message }));
  const check = () => void updater.checkForUpdates().catch((err: unknown) => log.warn('update check failed', { error: String(err) }));
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
