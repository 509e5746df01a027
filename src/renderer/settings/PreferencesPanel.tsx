import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app/store';
import { useAutomation } from '../automation/store';
import { call, onEvent } from '../lib/client';
import { usePrefs, type Density, type Theme } from '../mail/prefs';

/** The desktop shell reads these keys (src/main/shell-settings.ts); the theme key drives the native theme. */
export const SHELL_KEYS = {
  closeToTray: 'shell.closeToTray',
  openAtLogin: 'shell.openAtLogin',
  defaultMailApp: 'shell.defaultMailApp',
  theme: 'appearance.theme',
  updateFeedUrl: 'updates.feedUrl',
} as const;

const ZOOM_STEPS = [80, 90, 100, 110, 125, 150, 175, 200];

export function PreferencesPanel() {
  const { reportError, showToast, setView, accounts } = useApp();
  const prefs = usePrefs();
  const [settings, setSettings] = useState<Record<string, unknown> | null>(null);
  const [mode, setMode] = useState<'electron' | 'headless' | null>(null);
  const [feedUrl, setFeedUrl] = useState('');
  const [feedError, setFeedError] = useState<string | null>(null);
  // A settings reload (another toggle saved) must not overwrite an address being typed.
  const feedEdited = useRef(false);

  useEffect(() => {
    const load = () =>
      call('settings.get', {})
        .then((s) => {
          setSettings(s);
          if (!feedEdited.current) {
            const saved = s[SHELL_KEYS.updateFeedUrl];
            setFeedUrl(typeof saved === 'string' ? saved : '');
          }
        })
        .catch(reportError);
    void load();
    void call('app.info', {}).then((i) => setMode(i.mode), reportError);
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('settings')) void load();
    });
  }, [reportError]);

  const setSetting = async (key: string, value: unknown) => {
    setSettings((s) => ({ ...s, [key]: value }));
    try {
      await call('settings.set', { key, value });
    } catch (err) {
      reportError(err);
    }
  };
  // The shell's appearance.theme follows ui.theme (app/theme-sync.ts), so one write is enough.
  const setTheme = (theme: Theme) => void prefs.setPref('theme', theme).catch(reportError);
  const run = (p: Promise<void>) => void p.catch(reportError);
  const flag = (key: string) => settings?.[key] === true;

  return (
    <>
      <section aria-labelledby="appearance-heading" className="prefs">
        <h2 id="appearance-heading">Appearance</h2>
        <div className="form">
          <label>
            Theme
            <select
              aria-label="Theme"
              value={prefs.theme}
              onChange={(e) => setTheme(e.target.value as Theme)}
            >
              <option value="system">Follow the system</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <label>
            Density
            <select
              aria-label="Density"
              value={prefs.density}
              onChange={(e) => run(prefs.setPref('density', e.target.value as Density))}
            >
              <option value="comfortable">Comfortable</option>
              <option value="compact">Compact</option>
            </select>
          </label>
          <label>
            Zoom
            <select
              aria-label="Zoom"
              value={String(prefs.zoom)}
              onChange={(e) => run(prefs.setPref('zoom', Number(e.target.value)))}
            >
              {[...new Set([...ZOOM_STEPS, prefs.zoom])]
                .sort((a, b) => a - b)
                .map((z) => (
                  <option key={z} value={z}>
                    {z}%
                  </option>
                ))}
            </select>
          </label>
        </div>
      </section>

      <section aria-labelledby="mail-prefs-heading" className="prefs">
        <h2 id="mail-prefs-heading">Writing mail</h2>
        <p>
          Undo send holds each message for {prefs.undoSendSeconds} seconds.{' '}
          {accounts.filter((a) => prefs.signatures[a.id]).length} of {accounts.length} accounts have a
          signature.{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              // The mail view owns the dialog (signatures, undo send delay, remote content).
              setView('mail');
              prefs.setDialogOpen(true);
            }}
          >
            Open mail settings
          </button>
        </p>
      </section>

      <section aria-labelledby="notifications-heading" className="prefs">
        <h2 id="notifications-heading">Notifications</h2>
        <p>
          Quiet hours, and which accounts and folders notify you, are set with the notification ledger in
          Automation.{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              useAutomation.getState().setTab('notifications');
              setView('automation');
            }}
          >
            Open notification settings
          </button>
        </p>
      </section>

      <section aria-labelledby="desktop-heading" className="prefs">
        <h2 id="desktop-heading">Desktop app</h2>
        {mode === 'headless' && (
          <p className="muted">
            These apply to the installed desktop app; in a browser they are saved for it.
          </p>
        )}
        <div className="form">
          <label className="check">
            <input
              type="checkbox"
              checked={flag(SHELL_KEYS.closeToTray)}
              onChange={(e) => void setSetting(SHELL_KEYS.closeToTray, e.target.checked)}
            />
            Closing the window keeps Pimlico running in the tray
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={flag(SHELL_KEYS.openAtLogin)}
              onChange={(e) => void setSetting(SHELL_KEYS.openAtLogin, e.target.checked)}
            />
            Start Pimlico when I log in
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={flag(SHELL_KEYS.defaultMailApp)}
              onChange={(e) => void setSetting(SHELL_KEYS.defaultMailApp, e.target.checked)}
            />
            Open mailto: links with Pimlico
          </label>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const value = feedUrl.trim();
              setFeedError(null);
              if (value) {
                try {
                  const u = new URL(value);
                  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
                } catch {
                  setFeedError('The update feed must be an https:// address');
                  return;
                }
              }
              feedEdited.current = false;
              void setSetting(SHELL_KEYS.updateFeedUrl, value || null).then(() =>
                showToast(value ? 'Update feed saved' : 'Updates turned off'),
              );
            }}
          >
            <label>
              Update feed (updates are off without one)
              <input
                type="url"
                value={feedUrl}
                onChange={(e) => {
                  feedEdited.current = true;
                  setFeedUrl(e.target.value);
                }}
                placeholder="https://updates.example.com/pimlico/"
              />
            </label>
            <button type="submit">Save</button>
          </form>
          {feedError && (
            <div className="form-error" role="alert">
              {feedError}
            </div>
          )}
        </div>
      </section>
    </>
  );
}
