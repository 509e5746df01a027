import { useState, type FormEvent } from 'react';
import { useApp } from '../app/store';
import { call } from '../lib/client';

export function SettingsView() {
  const { accounts, refreshAccounts, reportError, showToast } = useApp();
  const [adding, setAdding] = useState(false);

  const syncNow = async (id: string) => {
    try {
      const r = await call('accounts.sync', { id });
      showToast(`Synced: ${r.messagesAdded} new, ${r.messagesUpdated} updated, ${r.messagesRemoved} removed`);
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <div className="settings-view">
      <h2>Accounts</h2>
      <table className="accounts" aria-label="Accounts">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Address</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id} data-account-id={a.id}>
              <td>
                {a.displayName} {a.isDefault && <span className="badge">default</span>}
              </td>
              <td>{a.kind === 'imap' ? 'IMAP/SMTP' : a.kind === 'graph' ? 'Outlook.com' : 'Local'}</td>
              <td>{a.email}</td>
              <td title={a.lastError ?? ''}>{a.status}</td>
              <td className="actions">
                {a.kind !== 'local' && (
                  <button type="button" onClick={() => void syncNow(a.id)}>
                    Sync now
                  </button>
                )}
                {!a.isDefault && (
                  <button type="button" onClick={() => void call('accounts.setDefault', { id: a.id }).then(refreshAccounts, reportError)}>
                    Make default
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => {
                    if (confirm(`Remove ${a.displayName}? Its cached mail, events and contacts are deleted from this computer.`)) {
                      void call('accounts.remove', { id: a.id }).then(refreshAccounts, reportError);
                    }
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {adding ? <AddImapAccount onDone={() => setAdding(false)} /> : <button type="button" onClick={() => setAdding(true)}>Add IMAP/SMTP account…</button>}
    </div>
  );
}

function AddImapAccount({ onDone }: { onDone: () => void }) {
  const { refreshAccounts, reportError } = useApp();
  const [f, setF] = useState({ displayName: '', email: '', imapHost: '', imapPort: '993', smtpHost: '', smtpPort: '465', user: '', password: '', davUrl: '' });
  const bind = (k: keyof typeof f) => ({ value: f[k], onChange: (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value }) });
  const security = (port: string) => (port === '993' || port === '465' ? 'tls' : port === '143' || port === '587' ? 'starttls' : 'tls');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const user = f.user || f.email;
      await call('accounts.create', {
        kind: 'imap',
        displayName: f.displayName || f.email,
        email: f.email,
        imap: { host: f.imapHost, port: Number(f.imapPort), security: security(f.imapPort), user, password: f.password },
        smtp: f.smtpHost ? { host: f.smtpHost, port: Number(f.smtpPort), security: security(f.smtpPort), user, password: f.password } : undefined,
        caldav: f.davUrl ? { url: f.davUrl, user, password: f.password } : undefined,
        carddav: f.davUrl ? { url: f.davUrl, user, password: f.password } : undefined,
      });
      await refreshAccounts();
      onDone();
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Add IMAP account">
      <label>Name<input {...bind('displayName')} /></label>
      <label>Email<input type="email" required {...bind('email')} /></label>
      <label>IMAP server<input required {...bind('imapHost')} /></label>
      <label>IMAP port<input inputMode="numeric" {...bind('imapPort')} /></label>
      <label>SMTP server<input {...bind('smtpHost')} /></label>
      <label>SMTP port<input inputMode="numeric" {...bind('smtpPort')} /></label>
      <label>User name (if not the email)<input {...bind('user')} /></label>
      <label>Password<input type="password" autoComplete="current-password" {...bind('password')} /></label>
      <label>CalDAV/CardDAV URL (optional)<input type="url" {...bind('davUrl')} /></label>
      <div className="actions">
        <button type="button" onClick={onDone}>Cancel</button>
        <button type="submit" className="primary">Add account</button>
      </div>
    </form>
  );
}
