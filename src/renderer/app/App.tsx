import { lazy, Suspense, useEffect, useState } from 'react';
import { Sidebar } from './Sidebar';
import { useApp } from './store';
import { useMail } from '../mail/store';
import { MailView } from '../mail/MailView';
import { startNotificationBridge } from '../automation/notify-bridge';
import { forgetToken, initTransport, onEvent } from '../lib/client';
import { KeyboardLayer } from '../keyboard/KeyboardLayer';
import { ComposeView, PendingSendBar } from '../compose/ComposeView';
import { useCompose } from '../compose/store';
import { afterQuiet, coalesce } from '../mail/coalesce';
import { composeDraft, composeMailto, composeRouteOf, type ComposeRoute } from './compose-route';
import { startShellCommands } from './shell-commands';
import { keepShellThemeInSync } from './theme-sync';

// Rarely opened views load on demand, so the inbox's script is all a cold start has to parse.
const CalendarView = lazy(() => import('../calendar/CalendarView').then((m) => ({ default: m.CalendarView })));
const ContactsView = lazy(() => import('../contacts/ContactsView').then((m) => ({ default: m.ContactsView })));
const SettingsView = lazy(() => import('../settings/SettingsView').then((m) => ({ default: m.SettingsView })));
const AutomationView = lazy(() => import('../automation/AutomationView').then((m) => ({ default: m.AutomationView })));

export function App() {
  // Read before initTransport, which takes a token out of the fragment.
  const [composeRoute] = useState(() => composeRouteOf(location.hash));
  const [connected] = useState(() => initTransport() !== null);
  if (!connected) return <TokenPrompt />;
  if (composeRoute) return <ComposeOnly route={composeRoute} />;
  return <MainWindow />;
}

function MainWindow() {
  // Only the view: the whole window must not render again for every toast or count change.
  const view = useApp((s) => s.view);
  const refreshAccounts = useApp((s) => s.refreshAccounts);
  const reportError = useApp((s) => s.reportError);

  useEffect(() => {
    void refreshAccounts().catch(reportError);
    void useMail.getState().refresh();
    // Folder counts are a scan of the cache: a burst of changes must not queue one scan each.
    const refreshAccountsSoon = coalesce(() => refreshAccounts().catch(() => undefined));
    // Mail changes come in bursts while triaging: refresh once the burst pauses (see afterQuiet).
    const refreshMailSoon = afterQuiet(
      () => {
        void refreshAccountsSoon();
        void useMail.getState().refresh();
      },
      150,
      1000,
    );
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('mail')) refreshMailSoon();
      else if (p.entities.some((e) => e === 'accounts' || e === 'folders')) void refreshAccountsSoon();
    });
  }, [refreshAccounts, reportError]);

  useEffect(() => startNotificationBridge(), []);
  useEffect(() => startShellCommands(), []);
  useEffect(() => keepShellThemeInSync(), []);

  return (
    <div className="app">
      <Sidebar />
      <main className="content" aria-live="polite">
        {view === 'mail' && <MailView />}
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {view === 'calendar' && <CalendarView />}
          {view === 'contacts' && <ContactsView />}
          {view === 'settings' && <SettingsView />}
          {view === 'automation' && <AutomationView />}
        </Suspense>
      </main>
      <ComposeView />
      <PendingSendBar />
      <KeyboardLayer />
      <ToastBar />
    </div>
  );
}

function ToastBar() {
  const { toast, clearToast, undo } = useApp();
  useEffect(() => {
    if (!toast || toast.error) return;
    const t = setTimeout(clearToast, 8000);
    return () => clearTimeout(t);
  }, [toast, clearToast]);
  if (!toast) return null;
  return (
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
  );
}

/**
 * The pop-out compose window (`#compose?draft=ID` or `#compose?mailto=…`): only compose, closed
 * when the message is sent (after the undo delay) or the draft is closed.
 */
function ComposeOnly({ route }: { route: ComposeRoute }) {
  const { refreshAccounts, reportError } = useApp();
  const open = useCompose((s) => s.open);
  const pending = useCompose((s) => s.pending);
  const [started, setStarted] = useState(false);

  useEffect(() => {
    void refreshAccounts()
      .then(() => (route.draftId ? composeDraft(route.draftId) : composeMailto(route.mailto)))
      .then(() => setStarted(true))
      .catch((err: unknown) => {
        reportError(err);
        setStarted(true);
      })
      .finally(() => (document.title = 'New message · Pimlico'));
  }, [route, refreshAccounts, reportError]);

  useEffect(() => {
    if (started && !open && !pending) window.close();
  }, [started, open, pending]);

  return (
    <div className="compose-only">
      <ComposeView />
      <PendingSendBar />
      <KeyboardLayer />
      <ToastBar />
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
