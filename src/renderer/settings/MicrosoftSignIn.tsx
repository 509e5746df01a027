import { useEffect, useState } from 'react';
import type { PushEventPayload } from '../../shared/contract';
import type { Account } from '../../shared/types';
import { useApp } from '../app/store';
import { call, onEvent } from '../lib/client';

type DeviceCode = PushEventPayload<'accounts.deviceCode'>;

/**
 * "Sign in with Microsoft": the core opens the system browser (desktop app) or, in headless mode or
 * for a device-code account, pushes a code that is shown here until the sign-in completes or expires.
 */
export function MicrosoftSignIn({ account, autoStart = false, onSignedIn }: { account: Pick<Account, 'id' | 'displayName' | 'settings'>; autoStart?: boolean; onSignedIn?: () => void }) {
  const { refreshAccounts, showToast } = useApp();
  const [waiting, setWaiting] = useState(false);
  const [code, setCode] = useState<DeviceCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState(false);

  useEffect(() => onEvent('accounts.deviceCode', (p) => p.accountId === account.id && setCode(p)), [account.id]);

  const signIn = async () => {
    setWaiting(true);
    setError(null);
    setCode(null);
    try {
      const wantsCode = (account.settings['auth'] as { type?: string } | undefined)?.type === 'deviceCode';
      const { username } = await call('accounts.signIn', { id: account.id, ...(wantsCode ? { mode: 'deviceCode' as const } : {}) });
      showToast(`${account.displayName}: signed in as ${username}`);
      onSignedIn?.();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setWaiting(false);
      setCode(null);
      void refreshAccounts().catch(() => undefined);
    }
  };

  useEffect(() => {
    if (autoStart && !started) {
      setStarted(true);
      void signIn();
    }
    // signIn is recreated each render; starting once is what matters here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoStart, started]);

  return (
    <div className="microsoft-sign-in" aria-label="Microsoft sign-in">
      <button type="button" className="primary" disabled={waiting} onClick={() => void signIn()}>
        {waiting ? 'Waiting for Microsoft…' : 'Sign in with Microsoft'}
      </button>
      {waiting && !code && <p className="muted">Finish signing in in your browser.</p>}
      {code && (
        <div className="device-code" role="status">
          <p>
            Open <a href={code.verificationUri} target="_blank" rel="noreferrer">{code.verificationUri}</a> on any
            device and enter the code <code className="user-code">{code.userCode}</code>
          </p>
          <p className="muted">The code is valid until {new Date(code.expiresAt).toLocaleTimeString()}.</p>
        </div>
      )}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
