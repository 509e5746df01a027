import { AccountsPanel } from './AccountsPanel';
import { PreferencesPanel } from './PreferencesPanel';

/** Accounts first (what most people come here for), then preferences kept in the core's settings. */
export function SettingsView() {
  return (
    <div className="settings-view">
      <AccountsPanel />
      <PreferencesPanel />
    </div>
  );
}
