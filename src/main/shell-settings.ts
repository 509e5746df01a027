import { z } from 'zod';
import { SHELL_SETTING_KEYS } from '../shared/shell-settings';

/**
 * The shell's own settings, kept with the user's other settings in the core (settings.get/set), so
 * the Settings view can offer them. Anything missing or malformed falls back to the default.
 */
export const ShellSettings = z.object({
  /** Closing the main window keeps Pimlico running in the tray. */
  closeToTray: z.boolean().catch(false),
  /** Start Pimlico (hidden, in the tray) when the user logs in. */
  openAtLogin: z.boolean().catch(false),
  /** Ask the OS to make Pimlico the program for mailto: links. */
  defaultMailApp: z.boolean().catch(false),
  /** Light, dark, or follow the system (the default); the renderer follows via prefers-color-scheme. */
  theme: z.enum(['system', 'light', 'dark']).catch('system'),
  /** A generic electron-updater feed; updates are off without one. */
  updateFeedUrl: z.string().nullable().catch(null),
});
export type ShellSettings = z.infer<typeof ShellSettings>;

export function readShellSettings(all: Record<string, unknown>): ShellSettings {
  return ShellSettings.parse({
    closeToTray: all[SHELL_SETTING_KEYS.closeToTray],
    openAtLogin: all[SHELL_SETTING_KEYS.openAtLogin],
    defaultMailApp: all[SHELL_SETTING_KEYS.defaultMailApp],
    theme: all[SHELL_SETTING_KEYS.theme],
    updateFeedUrl: all[SHELL_SETTING_KEYS.updateFeedUrl] ?? null,
  });
}
