import { useEffect, useState } from 'react';
import type { Account, SyncResult } from '../../shared/types';
import { useApp } from '../app/store';
import { call, onEvent } from '../lib/client';
import { plainServices, type TestedService } from './account-form';
import { MicrosoftSignIn } from './MicrosoftSignIn';
import { AddAccount } from './AddAccount';
import { ConnectionReport, type ConnectionResult } from './ConnectionReport';

const KIND_LABEL: Record<Account['kind'], string> = {
  imap: 'IMAP/SMTP',
  graph: 'Outlook.com / Microsoft 365',
  local: 'Local',
};
const STATUS_LABEL: Record<Account['status'], string> = {
  ok: 'OK',
  syncing: 'Syncing…',
  error: 'Error',
  offline: 'Offline',
  'needs-sign-in': 'Needs sign-in',
};

export function syncSummary(r: SyncResult): string {
  const parts = [`${r.messagesAdded} new`, `${r.messagesUpdated} updated`, `${r.messagesRemoved} removed`];
  if (r.events) parts.push(`${r.events} events`);
  if (r.contacts) parts.push(`${r.contacts} contacts`);
  return `${r.folders} folders, ${parts.join(', ')} in ${(r.durationMs / 1000).toFixed(1)} s`;
}

type Progress = Record<string, { phase: string; done: number; total: number }>;

export function AccountsPanel() {
  const { accounts } = useApp();
  const [adding, setAdding] = useState(false);
  const [progress, setProgress] = useState<Progress>({});
  useEffect(
    () =>
      onEvent('sync.progress', (p) =>
        setProgress((all) => ({ ...all, [p.accountId]: { phase: p.phase, done: p.done, total: p.total } })),
      ),
    [],
  );
  // A background sync retry briefly turns 'needs-sign-in' into 'syncing'; the banner (and a
  // connection report in it) stays until the account is actually fine again. Derived while rendering
  // from the previous list, React's pattern for state that follows props.
  const [signIn, setSignIn] = useState<{ from: Account[] | null; ids: ReadonlySet<string> }>({
    from: null,
    ids: new Set(),
  });
  let signInIds = signIn.ids;
  if (signIn.from !== accounts) {
    const next = new Set<string>();
    for (const a of accounts) {
      if (a.status === 'needs-sign-in' || (a.status === 'syncing' && signIn.ids.has(a.id))) next.add(a.id);
    }
    signInIds = next;
    setSignIn({ from: accounts, ids: next });
  }
  const needSignIn = accounts.filter((a) => signInIds.has(a.id));
  return (
    <section aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">Accounts</h2>
      {needSignIn.map((a) => (
        <SignInBanner key={a.id} account={a} />
      ))}
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
            <AccountRow key={a.id} account={a} progress={progress[a.id]} />
          ))}
        </tbody>
      </table>
      {adding ? (
        <AddAccount onDone={() => setAdding(false)} />
      ) : (
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add account…
        </button>
      )}
    </section>
  );
}

/** An account whose credentials were refused says so plainly, with the way back in. */
function SignInBanner({ account }: { account: Account }) {
  const { reportError, showToast, refreshAccounts } = useApp();
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<ConnectionResult | null>(null);
  const [password, setPassword] = useState('');
  const trusted = trustedFingerprints(account.settings);
  const testNow = async () => {
    setBusy(true);
    try {
      setTest(await call('accounts.testConnection', { accountId: account.id }));
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const retry = async () => {
    setBusy(true);
    try {
      const r = await call('accounts.sync', { id: account.id });
      showToast(`${account.displayName}: ${syncSummary(r)}`);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
      void refreshAccounts().catch(() => undefined);
    }
  };
  // The IMAP password is the one the sync refused; SMTP and DAV keep theirs unless changed elsewhere.
  const savePassword = async () => {
    if (!password) return;
    setBusy(true);
    try {
      await call('accounts.update', { id: account.id, imap: { password } });
      setPassword('');
      const r = await call('accounts.sync', { id: account.id });
      showToast(`${account.displayName}: signed in. ${syncSummary(r)}`);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
      void refreshAccounts().catch(() => undefined);
    }
  };
  const trust = async (service: TestedService, fingerprint: string) => {
    setBusy(true);
    try {
      await call('accounts.update', { id: account.id, [service]: { trustedCertFingerprint: fingerprint } });
      setTest(await call('accounts.testConnection', { accountId: account.id }));
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const how =
    account.kind === 'graph'
      ? account.settings['auth'] && (account.settings['auth'] as { type?: string }).type === 'tokenCommand'
        ? 'Check that the token command prints a valid access token, then try again.'
        : 'Sign in with Microsoft again.'
      : 'The server refused the saved password. Type the current one to sign in again.';
  return (
    <div className="banner warning" role="alert" data-account-id={account.id}>
      <div>
        <strong>{account.displayName} needs you to sign in again.</strong>{' '}
        {account.lastError && <span className="muted">{account.lastError}</span>}
        <div>{how}</div>
        {account.kind === 'imap' && (
          <form
            className="sign-in-password"
            onSubmit={(e) => {
              e.preventDefault();
              void savePassword();
            }}
          >
            <label>
              Password for {String((account.settings['imap'] as { user?: string } | undefined)?.user ?? account.email)}
              <input
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy || !password}>
              Save and sign in
            </button>
          </form>
        )}
        {account.kind === 'graph' && (account.settings['auth'] as { type?: string } | undefined)?.type !== 'tokenCommand' && (
          <MicrosoftSignIn account={account} />
        )}
        {test && (
          <ConnectionReport
            result={test}
            plain={plainServices(account.settings)}
            trusted={trusted}
            onTrust={(service, fingerprint) => void trust(service, fingerprint)}
          />
        )}
      </div>
      <div className="banner-actions">
        {account.kind === 'imap' && (
          <button type="button" disabled={busy} onClick={() => void testNow()}>
            Test connection
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => void retry()}>
          {busy ? 'Signing in…' : 'Sign in again'}
        </button>
      </div>
    </div>
  );
}

/** The fingerprints already trusted per service, so the report marks them and offers no second trust. */
function trustedFingerprints(settings: Record<string, unknown>): Partial<Record<TestedService, string>> {
  const out: Partial<Record<TestedService, string>> = {};
  for (const service of ['imap', 'smtp', 'caldav', 'carddav'] as const) {
    const fp = (settings[service] as { trustedCertFingerprint?: unknown } | undefined)?.trustedCertFingerprint;
    if (typeof fp === 'string') out[service] = fp;
  }
  return out;
}

function AccountRow({ account: a, progress }: { account: Account; progress?: Progress[string] }) {
  const { refreshAccounts, reportError } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const [lastResult, setLastResult] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<ConnectionResult | null>(null);

  const syncNow = async () => {
    setSyncing(true);
    setLastResult(null);
    try {
      setLastResult(syncSummary(await call('accounts.sync', { id: a.id })));
    } catch (err) {
      reportError(err);
    } finally {
      setSyncing(false);
      void refreshAccounts().catch(() => undefined);
    }
  };
  const testNow = async () => {
    setTesting(true);
    setTest(null);
    try {
      setTest(await call('accounts.testConnection', { accountId: a.id }));
    } catch (err) {
      reportError(err);
    } finally {
      setTesting(false);
    }
  };

  // A server whose certificate changed (or a self-signed one): trust it by fingerprint, then test again.
  const trust = async (service: TestedService, fingerprint: string) => {
    setTesting(true);
    try {
      await call('accounts.update', { id: a.id, [service]: { trustedCertFingerprint: fingerprint } });
      setTest(await call('accounts.testConnection', { accountId: a.id }));
    } catch (err) {
      reportError(err);
    } finally {
      setTesting(false);
      void refreshAccounts().catch(() => undefined);
    }
  };

  return (
    <>
      <tr data-account-id={a.id} data-status={a.status}>
        <td>
          {a.displayName} {a.isDefault && <span className="badge">default</span>}
        </td>
        <td>{KIND_LABEL[a.kind]}</td>
        <td>{a.email}</td>
        <td className={`status status-${a.status}`}>
          <span className="status-label">{syncing ? STATUS_LABEL.syncing : STATUS_LABEL[a.status]}</span>
          {a.lastSyncAt && (
            <div className="muted small">Last sync {new Date(a.lastSyncAt).toLocaleString()}</div>
          )}
          {a.lastError && a.status !== 'ok' && <div className="last-error small">{a.lastError}</div>}
          {progress && progress.total > 0 && (syncing || a.status === 'syncing') && (
            <div className="muted small sync-progress">
              {progress.phase.replace(/^mail:/, '')}: {progress.done} of {progress.total}
            </div>
          )}
          {lastResult && <div className="sync-result small">{lastResult}</div>}
        </td>
        <td className="actions">
          {a.kind !== 'local' && (
            <button type="button" disabled={syncing} onClick={() => void syncNow()}>
              Sync now
            </button>
          )}
          {a.kind === 'imap' && (
            <button type="button" disabled={testing} onClick={() => void testNow()}>
              {testing ? 'Testing…' : 'Test connection'}
            </button>
          )}
          {!a.isDefault && (
            <button
              type="button"
              onClick={() =>
                void call('accounts.setDefault', { id: a.id }).then(refreshAccounts, reportError)
              }
            >
              Make default
            </button>
          )}
          {confirming ? (
            <span className="confirm" role="group" aria-label={`Confirm removing ${a.displayName}`}>
              <span>Remove {a.displayName} and its cached mail, events and contacts from this computer?</span>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirming(false);
                  void call('accounts.remove', { id: a.id }).then(refreshAccounts, reportError);
                }}
              >
                Remove
              </button>
              <button type="button" onClick={() => setConfirming(false)} autoFocus>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Remove…
            </button>
          )}
        </td>
      </tr>
      {test && (
        <tr className="test-row">
          <td colSpan={5}>
            <ConnectionReport
              result={test}
              plain={plainServices(a.settings)}
              trusted={trustedFingerprints(a.settings)}
              onTrust={(service, fingerprint) => void trust(service, fingerprint)}
            />
          </td>
        </tr>
      )}
    </>
  );
}
