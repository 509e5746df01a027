import { call, onEvent } from '../lib/client';
import { composeMailto } from './compose-route';
import { useApp } from './store';

/** Runs one sync cycle on every account with a server and reports the totals. */
export async function syncAllAccounts(): Promise<void> {
  const app = useApp.getState();
  const remote = app.accounts.filter((a) => a.kind !== 'local');
  if (!remote.length) {
    app.showToast('No account with a server to sync');
    return;
  }
  app.showToast(`Syncing ${remote.length} account${remote.length > 1 ? 's' : ''}…`);
  const results = await Promise.allSettled(remote.map((a) => call('accounts.sync', { id: a.id })));
  const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = remote.filter((_, i) => results[i]?.status === 'rejected').map((a) => a.displayName);
  const added = done.reduce((n, r) => n + r.messagesAdded, 0);
  const text = `Synced ${done.length} account${done.length === 1 ? '' : 's'}: ${added} new message${added === 1 ? '' : 's'}`;
  app.showToast(
    failed.length ? `${text}; failed: ${failed.join(', ')}` : text,
    failed.length ? { error: true } : undefined,
  );
  await app.refreshAccounts().catch(() => undefined);
}

/**
 * The desktop shell's menu, tray and mailto: commands. `open` is handled by the notification bridge
 * (src/renderer/automation/notify-bridge.ts); the rest here.
 */
export function startShellCommands(): () => void {
  return onEvent('shell.command', (cmd) => {
    const app = useApp.getState();
    if (cmd.command === 'compose') void composeMailto(cmd.mailto).catch(app.reportError);
    else if (cmd.command === 'view') app.setView(cmd.view);
    else if (cmd.command === 'sync') void syncAllAccounts().catch(app.reportError);
  });
}
