import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app/store';
import { useAutomation } from '../automation/store';
import { call, onEvent } from '../lib/client';
import { DENSITY_CHOICES, THEME_CHOICES, usePrefs, type Density, type Theme } from '../mail/prefs';
import { SHELL_SETTING_KEYS } from '../../shared/shell-settings';


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
            const saved = s[SHELL_SETTING_KEYS.updateFeedUrl];
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
              {THEME_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Density
            <select
              aria-label="Density"
              value={prefs.density}
              onChange={(e) => run(prefs.setPref('density', e.target.value as Density))}
            >
              {DENSITY_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
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

      <ApiSection mode={mode} setSetting={setSetting} />

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
              checked={flag(SHELL_SETTING_KEYS.closeToTray)}
              onChange={(e) => void setSetting(SHELL_SETTING_KEYS.closeToTray, e.target.checked)}
            />
            Closing the window keeps Pimlico running in the tray
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={flag(SHELL_SETTING_KEYS.openAtLogin)}
              onChange={(e) => void setSetting(SHELL_SETTING_KEYS.openAtLogin, e.target.checked)}
            />
            Start Pimlico when I log in
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={flag(SHELL_SETTING_KEYS.defaultMailApp)}
              onChange={(e) => void setSetting(SHELL_SETTING_KEYS.defaultMailApp, e.target.checked)}
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
              void setSetting(SHELL_SETTING_KEYS.updateFeedUrl, value || null).then(() =>
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

type ApiStatus = Awaited<ReturnType<typeof call<'api.status'>>>;

/**
 * The local REST API (the connector's routes): served by headless mode always; by the desktop app
 * only when switched on here, on 127.0.0.1. The token is what scripts send as a Bearer token.
 */
function ApiSection({ mode, setSetting }: { mode: 'electron' | 'headless' | null; setSetting: (key: string, value: unknown) => Promise<void> }) {
  const { reportError, showToast } = useApp();
  const [status, setStatus] = useState<ApiStatus | null>(null);
  const [port, setPort] = useState('');
  const [portError, setPortError] = useState<string | null>(null);
  const portEdited = useRef(false);

  useEffect(() => {
    const load = () =>
      call('api.status', {})
        .then((s) => {
          setStatus(s);
          if (!portEdited.current) setPort(String(s.port));
        })
        .catch(reportError);
    void load();
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('settings')) void load();
    });
  }, [reportError]);

  const copyToken = async () => {
    if (!status) return;
    try {
      await navigator.clipboard.writeText(status.token);
      showToast('API token copied');
    } catch (err) {
      reportError(err);
    }
  };
  const savePort = () => {
    const n = Number(port.trim());
    if (!Number.isInteger(n) || n < 1024 || n > 65535) {
      setPortError('The port must be a whole number from 1024 to 65535');
      return;
    }
    setPortError(null);
    portEdited.current = false;
    void setSetting('api.port', n);
  };

  return (
    <section aria-labelledby="api-heading" className="prefs">
      <h2 id="api-heading">REST API</h2>
      {mode === 'headless' ? (
        <p className="muted">In headless mode the API is always served, at this page&apos;s address.</p>
      ) : (
        <div className="form">
          <label className="check">
            <input
              type="checkbox"
              checked={status?.enabled ?? false}
              onChange={(e) => void setSetting('api.enabled', e.target.checked)}
            />
            Serve the REST API on this computer (127.0.0.1 only)
          </label>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              savePort();
            }}
          >
            <label>
              Port
              <input
                inputMode="numeric"
                value={port}
                onChange={(e) => {
                  portEdited.current = true;
                  setPort(e.target.value);
                }}
              />
            </label>
            <button type="submit">Save port</button>
          </form>
          {portError && (
            <div className="form-error" role="alert">
              {portError}
            </div>
          )}
        </div>
      )}
      {status && (
        <p className="api-state" role="status">
          {status.running && status.url ? `Listening at ${status.url}` : status.error ? status.error : 'Off'}
        </p>
      )}
      <button type="button" disabled={!status} onClick={() => void copyToken()}>
        Copy token
      </button>
    </section>
  );
}
