import { call } from '../lib/client';
import { usePrefs } from '../mail/prefs';

/** The desktop shell's setting for its native theme (window frame, menus, dialogs). */
const SHELL_THEME_KEY = 'appearance.theme';

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
    void call('settings.set', { key: SHELL_THEME_KEY, value: theme }).catch(() => undefined);
  };
  let loaded = false;
  void call('settings.get', {})
    .then((s) => {
      shellTheme = s[SHELL_THEME_KEY] ?? 'system';
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
