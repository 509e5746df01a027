import { useEffect, useState } from 'react';
import { Sidebar } from './Sidebar';
import { useApp } from './store';
import { useMail } from '../mail/store';
import { MailView } from '../mail/MailView';
import { CalendarView } from '../calendar/CalendarView';
import { ContactsView } from '../contacts/ContactsView';
import { SettingsView } from '../settings/SettingsView';
import { AutomationView } from '../automation/AutomationView';
import { startNotificationBridge } from '../automation/notify-bridge';
import { forgetToken, initTransport, onEvent } from '../lib/client';
import { KeyboardLayer } from '../keyboard/KeyboardLayer';
import { ComposeView, PendingSendBar } from '../compose/ComposeView';

export function App() {
  const [connected] = useState(() => initTransport() !== null);
  const { view, toast, clearToast, undo, refreshAccounts, reportError } = useApp();

  useEffect(() => {
    if (!connected) return;
    void refreshAccounts().catch(reportError);
    void useMail.getState().refresh();
    return onEvent('store.changed', (p) => {
      if (p.entities.some((e) => e === 'accounts' || e === 'folders' || e === 'mail')) void refreshAccounts().catch(() => undefined);
      if (p.entities.includes('mail')) void useMail.getState().refresh();
    });
  }, [connected, refreshAccounts, reportError]);

  useEffect(() => (connected ? startNotificationBridge() : undefined), [connected]);

  useEffect(() => {
    if (!toast || toast.error) return;
    const t = setTimeout(clearToast, 8000);
    return () => clearTimeout(t);
  }, [toast, clearToast]);

  if (!connected) return <TokenPrompt />;
  return (
    <div className="app">
      <Sidebar />
      <main className="content" aria-live="polite">
        {view === 'mail' && <MailView />}
        {view === 'calendar' && <CalendarView />}
        {view === 'contacts' && <ContactsView />}
        {view === 'settings' && <SettingsView />}
        {view === 'automation' && <AutomationView />}
      </main>
      <ComposeView />
      <PendingSendBar />
      <KeyboardLayer />
      {toast && (
        <div className={`toast${toast.error ? ' error' : ''}`} role={toast.error ? 'alert' : 'status'}>
          <span>{toast.text}</span>
          {toast.undoTaskId && (
            <button type="button" onClick={() => void undo(toast.undoTaskId)}>
              Undo (z)
            </button>
          )}
          <button type="button" aria-label="Dismiss" onClick={clearToast}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}

function TokenPrompt() {
  const [token, setToken] = useState('');
  return (
    <form
      className="token-prompt card form"
      onSubmit={(e) => {
        e.preventDefault();
        forgetToken();
        location.hash = `token=${encodeURIComponent(token.trim())}`;
        location.reload();
      }}
    >
      <h1>Pimlico</h1>
      <p>Paste the API token printed by <code>pimlico serve</code> (also in the data folder&apos;s api-token file).</p>
      <label>
        Token
        <input value={token} onChange={(e) => setToken(e.target.value)} autoFocus required />
      </label>
      <button type="submit" className="primary">
        Connect
      </button>
    </form>
  );
}
