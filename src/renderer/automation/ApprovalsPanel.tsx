import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallResponse } from '../../shared/contract';
import { useApp } from '../app/store';
import { call, onEvent } from '../lib/client';

type Approval = CallResponse<'approvals.list'>[number];

/** Compose mode for SendApprovalMail / SendMailWithOptions. */
function NewApproval({ onSent }: { onSent(): void }) {
  const { accounts, reportError, showToast } = useApp();
  const senders = accounts.filter((a) => a.email);
  const [form, setForm] = useState({ accountId: senders[0]?.id ?? '', kind: 'approval' as 'approval' | 'options', to: '', subject: '', body: '', options: 'Approve, Reject', notificationUrl: '' });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await call('approvals.send', { ...form, accountId: form.accountId || undefined, notificationUrl: form.notificationUrl.trim() || null });
      showToast(`Sent "${form.subject}": waiting for an answer`);
      onSent();
    } catch (err) {
      reportError(err);
    }
  };
  return (
    <form className="card form rule-editor" aria-label="New approval mail" onSubmit={(e) => void submit(e)}>
      <label>
        From{' '}
        <select value={form.accountId} onChange={set('accountId')}>
          {senders.map((a) => (
            <option key={a.id} value={a.id}>
              {a.displayName} &lt;{a.email}&gt;
            </option>
          ))}
        </select>
      </label>
      <label>
        Kind{' '}
        <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as 'approval' | 'options', options: e.target.value === 'approval' ? 'Approve, Reject' : form.options })}>
          <option value="approval">Approval</option>
          <option value="options">Options</option>
        </select>
      </label>
      <label>
        To <input value={form.to} onChange={set('to')} required placeholder="someone@example.com" />
      </label>
      <label>
        Subject <input value={form.subject} onChange={set('subject')} required />
      </label>
      <label>
        Message <textarea value={form.body} onChange={set('body')} />
      </label>
      <label>
        Options (comma-separated) <input value={form.options} onChange={set('options')} required />
      </label>
      <label>
        Tell this URL the answer (optional) <input value={form.notificationUrl} onChange={set('notificationUrl')} placeholder="http://127.0.0.1:8080/answer" />
      </label>
      <button type="submit" className="primary" disabled={senders.length === 0}>
        Send
      </button>
    </form>
  );
}

/** Approval and options mails sent, with who answered what (and answers that did not count). */
export function ApprovalsPanel() {
  const [composing, setComposing] = useState(false);
  return (
    <div className="automation-panel">
      {composing ? (
        <NewApproval onSent={() => setComposing(false)} />
      ) : (
        <button type="button" className="primary" onClick={() => setComposing(true)}>
          New approval mail
        </button>
      )}
      <ApprovalList />
    </div>
  );
}

function ApprovalList() {
  const { reportError } = useApp();
  const [items, setItems] = useState<Approval[]>([]);
  const load = useCallback(async () => setItems(await call('approvals.list', {})), []);
  useEffect(() => {
    void load().catch(reportError);
    const a = onEvent('notification', (n) => {
      if (n.target?.kind === 'approval') void load().catch(() => undefined);
    });
    const b = onEvent('store.changed', (p) => {
      if (p.entities.includes('outbox')) void load().catch(() => undefined);
    });
    return () => {
      a();
      b();
    };
  }, [load, reportError]);
  if (items.length === 0) return <p className="muted">No approval or options mail sent yet. Send one here or with POST /approvalmail/$subscriptions.</p>;
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
