import type { ConnectionCheck } from '../../shared/contract/connection';
import { SERVICE_LABEL, STEP_LABEL, type TestedService } from './account-form';

const STEPS = ['dns', 'tcp', 'tls', 'auth', 'capability'] as const;

export interface ConnectionResult {
  ok: boolean;
  checks: ConnectionCheck[];
}

/**
 * One line per service with every step: passed, failed (the first one that did) or not reached, so
 * the user sees exactly where a connection stops. A self-signed certificate can be trusted by its
 * SHA-256 fingerprint from here.
 */
export function ConnectionReport({
  result,
  trusted,
  onTrust,
  plain = [],
}: {
  result: ConnectionResult;
  /** Services set up without TLS: their TLS step is shown as not used rather than passed. */
  plain?: TestedService[];
  trusted?: Partial<Record<TestedService, string>>;
  onTrust?: (service: TestedService, fingerprint: string) => void;
}) {
  return (
    <div
      className={`connection-report ${result.ok ? 'ok' : 'failed'}`}
      role="status"
      aria-label="Connection test"
    >
      <p className="summary">
        {result.ok
          ? 'Connection test passed: every server answered and accepted the sign-in.'
          : 'Connection test failed.'}
      </p>
      <ul>
        {result.checks.map((c) => {
          const failedAt = c.failedStep ? STEPS.indexOf(c.failedStep) : STEPS.length;
          const canTrust =
            !c.ok &&
            c.failedStep === 'tls' &&
            c.certFingerprint &&
            onTrust &&
            trusted?.[c.service] !== c.certFingerprint;
          return (
            <li
              key={c.service}
              className="check"
              data-service={c.service}
              data-ok={String(c.ok)}
              data-failed-step={c.failedStep ?? ''}
            >
              <div className="check-head">
                <strong>{SERVICE_LABEL[c.service]}</strong>
                <span className={c.ok ? 'ok-mark' : 'fail-mark'}>
                  {c.ok
                    ? 'OK'
                    : `Failed at: ${STEP_LABEL[c.failedStep ?? ''] ?? c.failedStep ?? 'unknown step'}`}
                </span>
              </div>
              <ol className="steps">
                {STEPS.map((s, i) => {
                  const unused = s === 'tls' && plain.includes(c.service) && i !== failedAt;
                  const state = unused
                    ? 'skipped unused'
                    : i < failedAt
                      ? 'passed'
                      : i === failedAt
                        ? 'failed'
                        : 'skipped';
                  const mark = state === 'passed' ? '✓' : state === 'failed' ? '✗' : '–';
                  return (
                    <li key={s} data-step={s} className={state}>
                      {mark} {STEP_LABEL[s]}
                      {unused && ' (not used)'}
                    </li>
                  );
                })}
              </ol>
              {c.message && <div className="check-message">{c.message}</div>}
              {c.ok && c.capabilities.length > 0 && (
                <div className="muted capabilities">{c.capabilities.join(' ')}</div>
              )}
              {c.certFingerprint && (
                <div className="fingerprint">
                  Certificate SHA-256: <code>{c.certFingerprint}</code>
                  {trusted?.[c.service] === c.certFingerprint && <span className="badge">trusted</span>}
                </div>
              )}
              {canTrust && (
                <div className="trust">
                  <span>
                    This server&apos;s certificate is not signed by a known authority. Trust it only if the
                    fingerprint above matches the one your provider or administrator gave you.
                  </span>
                  <button type="button" onClick={() => onTrust(c.service, c.certFingerprint ?? '')}>
                    Trust this certificate
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
