import { useState } from 'react';
import { useApp } from '../app/store';
import { useMail } from './store';
import { DENSITY_CHOICES, THEME_CHOICES, type Density, type Theme, usePrefs } from './prefs';
import { clampUndoSendSeconds, UNDO_SEND_SECONDS } from '../../shared/undo-send';

/** Mail preferences in one dialog: signatures per account, undo send delay, look and privacy. */
export function MailSettings() {
  const open = usePrefs((s) => s.dialogOpen);
  // Mounted only while open, so the form starts from the settings as they are now.
  return open ? <MailSettingsDialog /> : null;
}

function MailSettingsDialog() {
  const p = usePrefs();
  const accounts = useApp((s) => s.accounts);
  const [signatures, setSignatures] = useState(p.signatures);
  const [undoSeconds, setUndoSeconds] = useState(p.undoSendSeconds);
  const close = () => p.setDialogOpen(false);
  return (
    <div className="modal-backdrop" onMouseDown={close}>
      <form
        className="shortcut-overlay form mail-settings"
        role="dialog"
        aria-modal="true"
        aria-label="Mail settings"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            close();
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          void (async () => {
            await p.setPref('signatures', signatures);
            await p.setPref('undoSendSeconds', clampUndoSendSeconds(undoSeconds));
            useApp.getState().showToast('Mail settings saved');
            close();
          })().catch(useApp.getState().reportError);
        }}
      >
        <header className="overlay-head">
          <h2>Mail settings</h2>
          <button type="button" aria-label="Close" onClick={close}>
            ×
          </button>
        </header>
        <label>
          Undo send delay ({UNDO_SEND_SECONDS.min} to {UNDO_SEND_SECONDS.max} seconds)
          <input type="number" min={UNDO_SEND_SECONDS.min} max={UNDO_SEND_SECONDS.max} value={undoSeconds} onChange={(e) => setUndoSeconds(Number(e.target.value))} />
        </label>
        {accounts.map((a) => (
          <label key={a.id}>
            Signature for {a.displayName}
            {a.email ? ` <${a.email}>` : ''}
            <textarea rows={3} value={signatures[a.id] ?? ''} onChange={(e) => setSignatures({ ...signatures, [a.id]: e.target.value })} />
          </label>
        ))}
        <label>
          Theme
          <select value={p.theme} onChange={(e) => void p.setPref('theme', e.target.value as Theme)}>
            {THEME_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Density
          <select value={p.density} onChange={(e) => void p.setPref('density', e.target.value as Density)}>
            {DENSITY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Zoom ({p.zoom}%)
          <input type="range" min={50} max={200} step={10} value={p.zoom} onChange={(e) => void p.setPref('zoom', Number(e.target.value))} />
        </label>
        <label className="threads-toggle">
          <input type="checkbox" checked={p.threads} onChange={(e) => void useMail.getState().setThreads(e.target.checked)} /> Group messages into conversations
        </label>
        {p.remoteSenders.length > 0 && (
          <fieldset>
            <legend>Senders whose remote content loads</legend>
            <ul className="plain-list">
              {p.remoteSenders.map((s) => (
                <li key={s}>
                  {s}{' '}
                  <button type="button" aria-label={`Stop loading remote content from ${s}`} onClick={() => void p.setPref('remoteSenders', p.remoteSenders.filter((x) => x !== s))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </div>
  );
}
