/**
 * The settings the desktop shell reads (src/main/shell-settings.ts) and the settings screen writes. The
 * theme key drives the native theme (window frame, menus), kept in step with the UI's own theme.
 */
export const SHELL_SETTING_KEYS = {
  closeToTray: 'shell.closeToTray',
  openAtLogin: 'shell.openAtLogin',
  defaultMailApp: 'shell.defaultMailApp',
  theme: 'appearance.theme',
  updateFeedUrl: 'updates.feedUrl',
} as const;
