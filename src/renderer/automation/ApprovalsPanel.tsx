import { useCallback, useEffect, useState } from 'react';
import type { CallResponse } from '../../shared/contract';
import { useApp } from '../app/store';
import { call, onEvent } from '../lib/client';

type Approval = CallResponse<'approvals.list'>[number];

/** Approval and options mails sent, with who answered what (and answers that did not count). */
export function ApprovalsPanel() {
  const { reportError } = useApp();
  const [items, setItems] = useState<Approval[]>([]);
  const load = useCallback(async () => setItems(await call('approvals.list', {})), []);
  useEffect(() => {
    void load().catch(reportError);
    return onEvent('notification', (n) => {
      if (n.target?.kind === 'approval') void load().catch(() => undefined);
    });
  }, [load, reportError]);
  if (items.length === 0) return <p className="muted">No approval or options mail sent yet. Send one with POST /approvalmail/$subscriptions.</p>;
  return (
    <table className="approvals" aria-label="Approvals">
      <thead>
        <tr>
          <th>Subject</th>
          <th>To</th>
          <th>Options</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {items.map((a) => (
          <tr key={a.id} data-approval-id={a.id} data-state={a.status}>
            <td>
              {a.subject} <span className="muted">({a.kind})</span>
            </td>
            <td>{a.to}</td>
            <td>{a.options.join(' · ')}</td>
            <td>
              {a.status === 'resolved' ? (
                <>
                  <strong>{a.selectedOption}</strong> by {a.respondedBy}
                  {a.respondedAt !== null && <span className="muted"> at {new Date(a.respondedAt).toLocaleString()}</span>}
                </>
              ) : (
                'Waiting for an answer'
              )}
              {a.responses
                .filter((r) => r.outcome !== 'accepted')
                .map((r) => (
                  <div key={r.id} className="muted">
                    {r.responder}: {r.outcome === 'duplicate' ? `later answer "${r.selectedOption}" ignored` : 'reply matched no option'}
                  </div>
                ))}
              {a.responses.some((r) => r.deliveryStatus === 'failed') && <div className="error-text">NotificationUrl could not be reached</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
