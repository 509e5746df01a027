import { useShallow } from 'zustand/react/shallow';
import type { Folder } from '../../shared/types';
import { useApp, type View } from './store';
import { useMail } from '../mail/store';

const ROLE_LABEL: Record<string, string> = { inbox: 'Inbox', drafts: 'Drafts', sent: 'Sent', archive: 'Archive', trash: 'Trash', junk: 'Junk', outbox: 'Outbox' };

export function Sidebar() {
  const { view, setView, accounts, folders, unreadInboxCount } = useApp(
    useShallow((s) => ({ view: s.view, setView: s.setView, accounts: s.accounts, folders: s.folders, unreadInboxCount: s.unreadInboxCount })),
  );
  // The source only: every key press changes the mail store, and the sidebar need not follow.
  const source = useMail((s) => s.source);
  const selectSource = useMail((s) => s.selectSource);
  const isActive = (f: Folder) => view === 'mail' && 'folderId' in source && source.folderId === f.id;
  const goMail = (s: Parameters<typeof selectSource>[0]) => {
    setView('mail');
    void selectSource(s);
  };
  const nav = (v: View, label: string) => (
    <button type="button" className={`nav-item${view === v ? ' active' : ''}`} aria-current={view === v ? 'page' : undefined} onClick={() => setView(v)}>
      {label}
    </button>
  );
  return (
    <nav className="sidebar" aria-label="Sidebar">
      <div className="brand">Pimlico</div>
      <button
        type="button"
        className={`nav-item${view === 'mail' && 'role' in source && source.role === 'inbox' ? ' active' : ''}`}
        onClick={() => goMail({ role: 'inbox' })}
      >
        All inboxes {unreadInboxCount > 0 && <span className="count">{unreadInboxCount}</span>}
      </button>
      {accounts.map((a) => (
        <div key={a.id} className="account-group">
          <div className="account-name" title={a.email}>
            {a.displayName}
            {a.status === 'error' && <span className="error-dot" title={a.lastError ?? 'Error'} aria-label="Sync error" />}
            {a.status === 'needs-sign-in' && (
              <button type="button" className="sign-in-needed" title={a.lastError ?? 'Sign in again'} onClick={() => setView('settings')}>
                Sign in
              </button>
            )}
          </div>
          {folders
            .filter((f) => f.accountId === a.id)
            .map((f) => (
              <button
                type="button"
                key={f.id}
                className={`nav-item folder${isActive(f) ? ' active' : ''}`}
                data-folder-role={f.role}
                onClick={() => goMail({ folderId: f.id })}
              >
                {ROLE_LABEL[f.role] ?? f.name}
                {f.unreadCount > 0 && f.role !== 'sent' && f.role !== 'drafts' && <span className="count">{f.unreadCount}</span>}
              </button>
            ))}
        </div>
      ))}
      <div className="nav-section">
        {nav('calendar', 'Calendar')}
        {nav('contacts', 'Contacts')}
        {nav('automation', 'Automation')}
        {nav('settings', 'Settings')}
      </div>
    </nav>
  );
}
