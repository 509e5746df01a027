import { useState, type FormEvent } from 'react';
import { useApp } from '../app/store';
import { call } from '../lib/client';
import {
  EMPTY_GRAPH_FORM,
  EMPTY_IMAP_FORM,
  graphAccountFrom,
  imapAccountFrom,
  plainServices,
  withSecurity,
  type GraphFormFields,
  type ImapFormFields,
  type Security,
} from './account-form';
import { ConnectionReport, type ConnectionResult } from './ConnectionReport';
import { MicrosoftSignIn } from './MicrosoftSignIn';

type Kind = 'imap' | 'graph' | 'local';

export function AddAccount({ onDone }: { onDone: () => void }) {
  const [kind, setKind] = useState<Kind>('imap');
  return (
    <section className="card add-account" aria-label="Add account">
      <h3>Add account</h3>
      <div className="segmented" role="radiogroup" aria-label="Account type">
        {(
          [
            ['imap', 'IMAP/SMTP (any provider)'],
            ['graph', 'Outlook.com / Microsoft 365'],
            ['local', 'Local (no server)'],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className={kind === k ? 'active' : ''}>
            <input
              type="radio"
              name="account-kind"
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
            />
            {label}
          </label>
        ))}
      </div>
      {kind === 'imap' && <ImapAccountForm onDone={onDone} />}
      {kind === 'graph' && <GraphAccountForm onDone={onDone} />}
      {kind === 'local' && <LocalAccountForm onDone={onDone} />}
    </section>
  );
}

function plainServicesOf(f: ImapFormFields) {
  try {
    return plainServices(imapAccountFrom(f));
  } catch {
    return [];
  }
}

function SecuritySelect({
  value,
  onChange,
  label,
}: {
  value: Security;
  onChange: (s: Security) => void;
  label: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as Security)}>
        <option value="tls">SSL/TLS</option>
        <option value="starttls">STARTTLS</option>
        <option value="none">None (unencrypted)</option>
      </select>
    </label>
  );
}

function ImapAccountForm({ onDone }: { onDone: () => void }) {
  const { refreshAccounts, showToast } = useApp();
  const [f, setF] = useState<ImapFormFields>(EMPTY_IMAP_FORM);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [result, setResult] = useState<ConnectionResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  type TextField = Exclude<keyof ImapFormFields, 'trusted' | 'imapSecurity' | 'smtpSecurity'>;
  const bind = (k: TextField) => ({
    value: f[k],
    onChange: (e: { target: { value: string } }) => {
      setF({ ...f, [k]: e.target.value });
      setResult(null);
    },
  });

  /** Host, security and port of the IMAP or SMTP server; only the incoming server is required. */
  const serverFieldset = (proto: 'imap' | 'smtp', legend: string) => {
    const name = proto.toUpperCase();
    return (
      <fieldset>
        <legend>{legend}</legend>
        <label>
          {name} server
          <input required={proto === 'imap'} {...bind(`${proto}Host`)} placeholder={`${proto}.example.com`} />
        </label>
        <SecuritySelect
          label={`${name} security`}
          value={f[`${proto}Security`]}
          onChange={(s) => (setF(withSecurity(f, proto, s)), setResult(null))}
        />
        <label>
          {name} port
          <input inputMode="numeric" {...bind(`${proto}Port`)} />
        </label>
      </fieldset>
    );
  };

  const test = async (fields: ImapFormFields) => {
    setError(null);
    setResult(null);
    setBusy('test');
    try {
      setResult(await call('accounts.testConnection', { account: imapAccountFrom(fields) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy('save');
    try {
      const account = imapAccountFrom(f);
      await call('accounts.create', account);
      await refreshAccounts();
      showToast(`Added ${account.displayName}; the first sync has started`);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form className="form account-form" onSubmit={(e) => void submit(e)} aria-label="Add IMAP account">
      <label>
        Name
        <input {...bind('displayName')} placeholder="Work" />
      </label>
      <label>
        Email
        <input type="email" required autoComplete="email" {...bind('email')} />
      </label>
      <label>
        User name (if not the email)
        <input autoComplete="username" {...bind('user')} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="current-password" {...bind('password')} />
      </label>
      {serverFieldset('imap', 'Incoming mail (IMAP)')}
      {serverFieldset('smtp', 'Outgoing mail (SMTP)')}
      <fieldset>
        <legend>Calendars and contacts (optional)</legend>
        <label>
          CalDAV URL
          <input type="url" {...bind('caldavUrl')} placeholder="https://dav.example.com/" />
        </label>
        <label>
          CardDAV URL
          <input type="url" {...bind('carddavUrl')} placeholder="https://dav.example.com/" />
        </label>
      </fieldset>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {result && (
        <ConnectionReport
          result={result}
          plain={plainServicesOf(f)}
          trusted={f.trusted}
          onTrust={(service, fingerprint) => {
            const next = { ...f, trusted: { ...f.trusted, [service]: fingerprint } };
            setF(next);
            void test(next);
          }}
        />
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void test(f)}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'save' ? 'Adding…' : 'Add account'}
        </button>
      </div>
    </form>
  );
}

function GraphAccountForm({ onDone }: { onDone: () => void }) {
  const { refreshAccounts, showToast } = useApp();
  const [f, setF] = useState<GraphFormFields>(EMPTY_GRAPH_FORM);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bind = (k: Exclude<keyof GraphFormFields, 'auth'>) => ({
    value: f[k],
    onChange: (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value }),
  });
  const browserSignIn = f.auth !== 'tokenCommand';
  // After adding an account that signs in with Microsoft, the form turns into its sign-in step.
  const [created, setCreated] = useState<{ id: string; displayName: string; settings: Record<string, unknown> } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const account = graphAccountFrom(f);
      const { id } = await call('accounts.create', account);
      await refreshAccounts();
      if (browserSignIn) {
        setCreated({ id, displayName: account.displayName, settings: { auth: account.auth } });
        return;
      }
      showToast(`Added ${account.displayName}; the first sync has started`);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <div className="form account-form" aria-label="Sign in to the Outlook account">
        <p>
          Added {created.displayName}. It shows “needs sign-in” until you sign in with Microsoft.
        </p>
        <MicrosoftSignIn account={created} onSignedIn={onDone} />
        <div className="actions">
          <button type="button" onClick={onDone}>
            Later
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="form account-form" onSubmit={(e) => void submit(e)} aria-label="Add Outlook account">
      <label>
        Name
        <input {...bind('displayName')} placeholder="Outlook" />
      </label>
      <label>
        Email
        <input type="email" required {...bind('email')} />
      </label>
      <label>
        How Pimlico gets access
        <select
          value={f.auth}
          onChange={(e) => setF({ ...f, auth: e.target.value as GraphFormFields['auth'] })}
        >
          <option value="interactive">Sign in with Microsoft in the browser</option>
          <option value="deviceCode">Sign in with a code (device code)</option>
          <option value="tokenCommand">A command that prints an access token</option>
        </select>
      </label>
      {browserSignIn && (
        <>
          <label>
            Application (client) id
            <input {...bind('clientId')} placeholder="00000000-0000-0000-0000-000000000000" />
          </label>
          <p className="muted hint">
            {f.clientId.trim()
              ? 'After adding, the account waits in “needs sign-in” until Microsoft sign-in completes.'
              : 'Microsoft sign-in needs an application (client) id from your own app registration (the README explains how to register one). Without it Pimlico cannot sign in, so the account cannot be added this way.'}
          </p>
        </>
      )}
      {browserSignIn && (
        <label>
          Sign-in authority (optional)
          <input type="url" {...bind('authority')} placeholder="https://login.microsoftonline.com/common" />
        </label>
      )}
      {!browserSignIn && (
        <label>
          Token command
          <input {...bind('tokenCommand')} placeholder="oauth2token outlook" />
        </label>
      )}
      <label>
        Graph address
        <input type="url" {...bind('graphBaseUrl')} />
      </label>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || (browserSignIn && !f.clientId.trim())}>
          Add account
        </button>
      </div>
    </form>
  );
}

function LocalAccountForm({ onDone }: { onDone: () => void }) {
  const { refreshAccounts } = useApp();
  const [displayName, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="form account-form"
      aria-label="Add local account"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        void call('accounts.create', { kind: 'local', displayName: displayName.trim() || 'Local', email: '' })
          .then(refreshAccounts)
          .then(onDone, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }}
    >
      <p className="muted hint">Folders, a calendar and an address book kept only on this computer.</p>
      <label>
        Name
        <input value={displayName} onChange={(e) => setName(e.target.value)} placeholder="Local" />
      </label>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Add account
        </button>
      </div>
    </form>
  );
}
