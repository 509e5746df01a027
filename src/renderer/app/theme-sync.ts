import { call } from '../lib/client';
import { usePrefs } from '../mail/prefs';
import { SHELL_SETTING_KEYS } from '../../shared/shell-settings';

/**
 * The UI's theme (ui.theme, set from Settings or the mail settings dialog) is mirrored into the
 * shell's appearance.theme, so the window frame and the page never disagree. Writes only on change.
 */
export function keepShellThemeInSync(): () => void {
  let shellTheme: unknown;
  let known = false;
  const sync = (theme: string) => {
    if (!known || theme === shellTheme) return;
    shellTheme = theme;
    void call('settings.set', { key: SHELL_SETTING_KEYS.theme, value: theme }).catch(() => undefined);
  };
  let loaded = false;
  void call('settings.get', {})
    .then((s) => {
      shellTheme = s[SHELL_SETTING_KEYS.theme] ?? 'system';
      known = true;
      // Only once the UI's own preference is loaded; before that the store holds its default.
      if (loaded) sync(usePrefs.getState().theme);
    })
    .catch(() => undefined);
  return usePrefs.subscribe((s, prev) => {
    if (s.theme === prev.theme) return;
    loaded = true;
    sync(s.theme);
  });
}
