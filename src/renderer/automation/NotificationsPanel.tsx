import { useCallback, useEffect, useState } from 'react';
import type { CallResponse } from '../../shared/contract';
import { useApp } from '../app/store';
import { call, onEvent } from '../lib/client';

type Settings = CallResponse<'notifications.getSettings'>;
type Entry = CallResponse<'notifications.ledger'>[number];

const REASON_TEXT: Record<string, string> = {
  'already-read': 'already read elsewhere',
  'sent-by-me': 'sent by you',
  'muted-folder': 'folder muted',
  'muted-account': 'account muted',
  'quiet-hours': 'quiet hours',
  paused: 'notifications paused',
  disabled: 'notifications off',
  duplicate: 'already announced',
  missed: 'began while Pimlico was not running',
  grouped: 'in a summary',
  'no-match': 'answer matched no option',
};

/** Notification settings and the ledger: every decision, so "why was I not told?" has an answer. */
export function NotificationsPanel() {
  const { accounts, folders, reportError } = useApp();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [ledger, setLedger] = useState<Entry[]>([]);
  /** When the settings were read: "paused" is judged against it, not against a clock read while rendering. */
  const [loadedAt, setLoadedAt] = useState(0);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));

  const load = useCallback(async () => {
    const [s, l] = await Promise.all([call('notifications.getSettings', {}), call('notifications.ledger', { limit: 200 })]);
    setSettings(s);
    setLedger(l);
    setLoadedAt(Date.now());
  }, []);
  useEffect(() => {
    void load().catch(reportError);
    const a = onEvent('notification', () => void load().catch(() => undefined));
    const b = onEvent('store.changed', (p) => {
      if (p.entities.includes('settings') || p.entities.includes('mail')) void load().catch(() => undefined);
    });
    return () => {
      a();
      b();
    };
  }, [load, reportError]);

  const save = async (patch: Partial<Settings>) => {
    try {
      setSettings(await call('notifications.setSettings', patch));
      setLoadedAt(Date.now());
    } catch (err) {
      reportError(err);
    }
  };
  if (!settings) return <p className="muted">Loading…</p>;
  const paused = settings.pausedUntil !== null && settings.pausedUntil > loadedAt;
  const inboxes = folders.filter((f) => f.role === 'inbox');
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...new Set([...list, id])] : list.filter((x) => x !== id));

  return (
    <div className="automation-panel">
      <section className="card form" aria-label="Notification settings">
        <label>
          <input type="checkbox" checked={settings.enabled} onChange={(e) => void save({ enabled: e.target.checked })} /> Show notifications
        </label>
        {!window.pimlico && permission !== 'granted' && permission !== 'unsupported' && (
          <button type="button" className="primary" onClick={() => void Notification.requestPermission().then(setPermission)}>
            Allow notifications in this browser
          </button>
        )}
        <div>
          {paused ? (
            <>
              Paused until {new Date(settings.pausedUntil!).toLocaleTimeString()}{' '}
              <button type="button" onClick={() => void call('notifications.pause', { minutes: 0 }).then(load, reportError)}>
                Resume
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void call('notifications.pause', { minutes: 60 }).then(load, reportError)}>
              Pause for an hour
            </button>
          )}
        </div>
        <fieldset>
          <legend>Do not disturb</legend>
          <label>
            <input type="checkbox" checked={settings.quietHours.enabled} onChange={(e) => void save({ quietHours: { ...settings.quietHours, enabled: e.target.checked } })} /> Quiet
            hours from
          </label>{' '}
          <input aria-label="Quiet hours start" type="time" value={settings.quietHours.start} onChange={(e) => void save({ quietHours: { ...settings.quietHours, start: e.target.value } })} /> to{' '}
          <input aria-label="Quiet hours end" type="time" value={settings.quietHours.end} onChange={(e) => void save({ quietHours: { ...settings.quietHours, end: e.target.value } })} />
        </fieldset>
        <fieldset>
          <legend>Events</legend>
          <label>
            Announce events without a reminder{' '}
            <input type="number" min={0} max={10080} value={settings.eventLookAheadMinutes} onChange={(e) => void save({ eventLookAheadMinutes: Number(e.target.value) })} /> minutes
            before
          </label>{' '}
          <label>
            All-day events at <input type="time" value={settings.allDayAt} onChange={(e) => void save({ allDayAt: e.target.value })} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Accounts and inboxes</legend>
          {accounts.map((a) => (
            <div key={a.id}>
              <label>
                <input
                  type="checkbox"
                  checked={!settings.mutedAccountIds.includes(a.id)}
                  onChange={(e) => void save({ mutedAccountIds: toggle(settings.mutedAccountIds, a.id, !e.target.checked) })}
                />{' '}
                {a.displayName}
              </label>
              {inboxes
                .filter((f) => f.accountId === a.id)
                .map((f) => (
                  <label key={f.id} className="indent">
                    <input
                      type="checkbox"
                      checked={!settings.mutedFolderIds.includes(f.id)}
                      onChange={(e) => void save({ mutedFolderIds: toggle(settings.mutedFolderIds, f.id, !e.target.checked) })}
                    />{' '}
                    {f.name}
                  </label>
                ))}
              {folders
                .filter((f) => f.accountId === a.id && f.role === 'custom')
                .map((f) => (
                  <label key={f.id} className="indent">
                    <input
                      type="checkbox"
                      checked={settings.extraFolderIds.includes(f.id)}
                      onChange={(e) => void save({ extraFolderIds: toggle(settings.extraFolderIds, f.id, e.target.checked) })}
                    />{' '}
                    {f.path} <span className="muted">(filtered mail)</span>
                  </label>
                ))}
            </div>
          ))}
        </fieldset>
      </section>
      <h3>What was announced, and what was not</h3>
      <table className="ledger" aria-label="Notification ledger">
        <thead>
          <tr>
            <th>Time</th>
            <th>Trigger</th>
            <th>Item</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {ledger.map((e) => (
            <tr key={e.id} data-decision={e.decision}>
              <td>{new Date(e.createdAt).toLocaleString()}</td>
              <td>{e.trigger}</td>
              <td>
                <strong>{e.title}</strong> <span className="muted">{e.body}</span>
              </td>
              <td>
                {e.decision === 'notified' ? 'Notified' : 'Not notified'}
                {e.reason && <span className="muted"> ({REASON_TEXT[e.reason] ?? e.reason})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {ledger.length === 0 && <p className="muted">Nothing yet: new mail and upcoming events will show here.</p>}
    </div>
  );
}
