import './automation.css';
import { ApprovalsPanel } from './ApprovalsPanel';
import { NotificationsPanel } from './NotificationsPanel';
import { RulesPanel } from './RulesPanel';
import { useAutomation, type AutomationTab } from './store';

const TABS: { id: AutomationTab; label: string }[] = [
  { id: 'notifications', label: 'Notifications' },
  { id: 'rules', label: 'Rules' },
  { id: 'approvals', label: 'Approvals' },
];

/** Notifications (settings and ledger), rules and approvals: what the background poller does for the user. */
export function AutomationView() {
  const { tab, setTab } = useAutomation();
  return (
    <div className="automation-view">
      <div role="tablist" aria-label="Automation" className="tabs">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : undefined} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)?.label}>
        {tab === 'notifications' && <NotificationsPanel />}
        {tab === 'rules' && <RulesPanel />}
        {tab === 'approvals' && <ApprovalsPanel />}
      </div>
    </div>
  );
}
