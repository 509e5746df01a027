import { useCallback, useEffect, useState } from 'react';
import type { CallRequest, CallResponse } from '../../shared/contract';
import { useApp } from '../app/store';
import { call } from '../lib/client';

type Rule = CallResponse<'rules.list'>[number];
type RuleInput = CallRequest<'rules.create'>;
type Action = RuleInput['actions'][number];
type Run = CallResponse<'rules.runs'>[number];
type TestResult = CallResponse<'rules.test'>;

const TRIGGERS: { value: RuleInput['trigger']; label: string }[] = [
  { value: 'OnNewEmail', label: 'A new email arrives' },
  { value: 'OnUpcomingEvents', label: 'An event is starting soon' },
  { value: 'OnNewItems', label: 'A calendar item is created' },
  { value: 'OnUpdatedItems', label: 'A calendar item is changed' },
];

const ACTION_LABEL: Record<Action['type'], string> = {
  notify: 'Notify me',
  markRead: 'Mark as read',
  flag: 'Flag',
  move: 'Move to folder',
  forward: 'Forward to',
  replyTemplate: 'Reply with template',
  addSenderToContacts: 'Add sender to contacts',
  createEventFromInvitation: 'Add invitation to calendar',
  webhook: 'Call local webhook',
};
const MAIL_ONLY = new Set<Action['type']>(['markRead', 'flag', 'move', 'forward', 'replyTemplate', 'addSenderToContacts', 'createEventFromInvitation']);

const blank = (): RuleInput => ({ name: '', enabled: false, accountId: null, trigger: 'OnNewEmail', filters: {}, actions: [{ type: 'notify' }] });

function defaultAction(type: Action['type'], folderId: string): Action {
  switch (type) {
    case 'move':
      return { type, folderId };
    case 'forward':
      return { type, to: '', comment: '' };
    case 'replyTemplate':
      return { type, body: 'Thanks, {{senderName}}: I will get back to you soon.' };
    case 'webhook':
      return { type, url: 'http://127.0.0.1:8080/' };
    default:
      return { type } as Action;
  }
}

function ActionEditor({ action, onChange, onRemove }: { action: Action; onChange(a: Action): void; onRemove(): void }) {
  const { folders } = useApp();
  return (
    <li className="rule-action">
      <span>{ACTION_LABEL[action.type]}</span>
      {action.type === 'move' && (
        <select aria-label="Target folder" value={action.folderId} onChange={(e) => onChange({ ...action, folderId: e.target.value })}>
          {folders.map((f) => (
            <option key={f.id} value={f.id}>
              {f.path}
            </option>
          ))}
        </select>
      )}
      {action.type === 'forward' && <input aria-label="Forward to" value={action.to} onChange={(e) => onChange({ ...action, to: e.target.value })} placeholder="someone@example.com" />}
      {action.type === 'replyTemplate' && <textarea aria-label="Reply template" value={action.body} onChange={(e) => onChange({ ...action, body: e.target.value })} />}
      {action.type === 'webhook' && <input aria-label="Webhook URL" value={action.url} onChange={(e) => onChange({ ...action, url: e.target.value })} />}
      <button type="button" aria-label={`Remove ${ACTION_LABEL[action.type]}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}

function RuleEditor({ initial, id, onDone }: { initial: RuleInput; id: string | null; onDone(): void }) {
  const { accounts, folders, reportError, showToast } = useApp();
  const [rule, setRule] = useState<RuleInput>(initial);
  const [test, setTest] = useState<TestResult | null>(null);
  const filters = rule.filters ?? {};
  const mail = rule.trigger === 'OnNewEmail';
  const setFilter = (k: keyof NonNullable<RuleInput['filters']>, v: unknown) => setRule({ ...rule, filters: { ...filters, [k]: v === '' ? undefined : v } });
  const run = async (what: 'test' | 'save') => {
    try {
      if (what === 'test') setTest(await call('rules.test', { rule, limit: 20 }));
      else {
        if (id) await call('rules.update', { id, patch: rule });
        else await call('rules.create', rule);
        showToast('Rule saved');
        onDone();
      }
    } catch (err) {
      reportError(err);
    }
  };
  return (
    <form className="card form rule-editor" aria-label="Rule editor" onSubmit={(e) => (e.preventDefault(), void run('save'))}>
      <label>
        Name <input value={rule.name} required onChange={(e) => setRule({ ...rule, name: e.target.value })} />
      </label>
      <label>
        When{' '}
        <select value={rule.trigger} onChange={(e) => setRule({ ...rule, trigger: e.target.value as RuleInput['trigger'], actions: [{ type: 'notify' }] })}>
          {TRIGGERS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        In{' '}
        <select value={rule.accountId ?? ''} onChange={(e) => setRule({ ...rule, accountId: e.target.value || null })}>
          <option value="">every account</option>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.displayName}
            </option>
          ))}
        </select>
      </label>
      {mail ? (
        <fieldset>
          <legend>Only messages</legend>
          <label>
            in folder <input value={filters.folderPath ?? ''} placeholder="Inbox" onChange={(e) => setFilter('folderPath', e.target.value)} />
          </label>
          <label>
            from <input value={filters.from ?? ''} placeholder="any sender" onChange={(e) => setFilter('from', e.target.value)} />
          </label>
          <label>
            to <input value={filters.to ?? ''} placeholder="any recipient" onChange={(e) => setFilter('to', e.target.value)} />
          </label>
          <label>
            with subject containing <input value={filters.subjectFilter ?? ''} onChange={(e) => setFilter('subjectFilter', e.target.value)} />
          </label>
          <label>
            importance{' '}
            <select value={filters.importance ?? 'Any'} onChange={(e) => setFilter('importance', e.target.value)}>
              {['Any', 'High', 'Normal', 'Low'].map((i) => (
                <option key={i}>{i}</option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={filters.fetchOnlyWithAttachment ?? false} onChange={(e) => setFilter('fetchOnlyWithAttachment', e.target.checked)} /> with attachments only
          </label>
        </fieldset>
      ) : (
        rule.trigger === 'OnUpcomingEvents' && (
          <label>
            Minutes ahead{' '}
            <input type="number" min={0} value={filters.lookAheadTimeInMinutes ?? 15} onChange={(e) => setFilter('lookAheadTimeInMinutes', Number(e.target.value))} />
          </label>
        )
      )}
      <fieldset>
        <legend>Then</legend>
        <ul className="rule-actions">
          {rule.actions.map((a, i) => (
            <ActionEditor
              key={i}
              action={a}
              onChange={(next) => setRule({ ...rule, actions: rule.actions.map((x, j) => (j === i ? next : x)) })}
              onRemove={() => setRule({ ...rule, actions: rule.actions.filter((_, j) => j !== i) })}
            />
          ))}
        </ul>
        <select
          aria-label="Add an action"
          value=""
          onChange={(e) => e.target.value && setRule({ ...rule, actions: [...rule.actions, defaultAction(e.target.value as Action['type'], folders[0]?.id ?? '')] })}
        >
          <option value="">Add an action…</option>
          {(Object.keys(ACTION_LABEL) as Action['type'][])
            .filter((t) => mail || !MAIL_ONLY.has(t))
            .map((t) => (
              <option key={t} value={t}>
                {ACTION_LABEL[t]}
              </option>
            ))}
        </select>
      </fieldset>
      <label>
        <input type="checkbox" checked={rule.enabled ?? false} onChange={(e) => setRule({ ...rule, enabled: e.target.checked })} /> Enabled
      </label>
      <div className="buttons">
        <button type="button" onClick={() => void run('test')}>
          Test against the cache
        </button>
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {test && (
        <div className="rule-test" role="status">
          <p>
            This rule would have matched <strong>{test.matched}</strong> {mail ? 'messages' : 'items'}
            {test.matched > test.items.length ? ` (showing ${test.items.length})` : ''}.
          </p>
          <ul>
            {test.items.map((i) => (
              <li key={i.itemId}>
                {i.title} <span className="muted">{i.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}

/** Rules: the connector's triggers turned into the user's own flows, with a run history. */
export function RulesPanel() {
  const { reportError } = useApp();
  const [rules, setRules] = useState<Rule[]>([]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [editing, setEditing] = useState<{ id: string | null; rule: RuleInput } | null>(null);
  const load = useCallback(async () => {
    const [r, h] = await Promise.all([call('rules.list', {}), call('rules.runs', { limit: 100 })]);
    setRules(r);
    setRuns(h);
  }, []);
  useEffect(() => void load().catch(reportError), [load, reportError]);
  if (editing) return <RuleEditor initial={editing.rule} id={editing.id} onDone={() => (setEditing(null), void load().catch(reportError))} />;
  return (
    <div className="automation-panel">
      <button type="button" className="primary" onClick={() => setEditing({ id: null, rule: blank() })}>
        New rule
      </button>
      <ul className="rules" aria-label="Rules">
        {rules.map((r) => {
          const history = runs.filter((x) => x.ruleId === r.id);
          return (
            <li key={r.id} className="card rule" data-rule-id={r.id}>
              <strong>{r.name}</strong> <span className="muted">{TRIGGERS.find((t) => t.value === r.trigger)?.label}</span>{' '}
              <label>
                <input type="checkbox" checked={r.enabled} onChange={(e) => void call('rules.update', { id: r.id, patch: { enabled: e.target.checked } }).then(load, reportError)} />{' '}
                Enabled
              </label>{' '}
              <button type="button" onClick={() => setEditing({ id: r.id, rule: { name: r.name, enabled: r.enabled, accountId: r.accountId, trigger: r.trigger, filters: r.filters, actions: r.actions } })}>
                Edit
              </button>{' '}
              <button type="button" onClick={() => void call('rules.delete', { id: r.id }).then(load, reportError)}>
                Delete
              </button>
              <div className="muted">{r.actions.map((a) => ACTION_LABEL[a.type]).join(', ')}</div>
              {history.length > 0 && (
                <details>
                  <summary>
                    {history.length} run{history.length === 1 ? '' : 's'}
                    {history.some((h) => h.status === 'failed') ? ', some failed' : ''}
                  </summary>
                  <ul>
                    {history.map((h) => (
                      <li key={h.id} data-status={h.status}>
                        {new Date(h.createdAt).toLocaleString()}: {h.status}
                        {h.results.map((x, i) => (
                          <span key={i} className={x.status === 'failed' ? 'error-text' : 'muted'}>
                            {' '}
                            · {ACTION_LABEL[x.type as Action['type']] ?? x.type} {x.status}
                            {x.error ? ` (${x.error})` : ''}
                          </span>
                        ))}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          );
        })}
      </ul>
      {rules.length === 0 && <p className="muted">No rules yet. A rule watches new mail or your calendar and acts for you.</p>}
    </div>
  );
}
