import type { SyncResult } from '../../../shared/types';
import type { AccountsService } from '../accounts/service';
import type { OutboxWorker } from '../mail/outbox';
import type { AccountProvider } from '../providers/types';
import type { TaskQueue } from '../tasks/queue';
import { backoffMs } from '../tasks/queue';
import type { Disposable } from '../events';
import type { Logger } from '../util/log';

/**
 * One sync cycle per account: push queued local changes first (so the server sees the user's
 * actions before we read it back), pull remote changes, then send due mail. Cycles of one account
 * never overlap; a background timer repeats them with backoff after failures.
 */
export class SyncEngine implements Disposable {
  private readonly inFlight = new Map<string, Promise<SyncResult>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly watchers = new Map<string, Disposable>();
  private disposed = false;
  /** Called after every successful cycle (the trigger poller listens here). */
  onSynced: ((accountId: string, result: SyncResult) => void) | null = null;

  constructor(
    private readonly accounts: AccountsService,
    private readonly providerFor: (accountId: string) => AccountProvider | undefined,
    private readonly tasks: TaskQueue,
    private readonly outbox: OutboxWorker,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {}

  /** Resolves when the account's running cycle (if any) has ended, whatever its outcome. */
  async settled(accountId: string): Promise<void> {
    await this.inFlight.get(accountId)?.catch(() => undefined);
  }

  syncNow(accountId: string): Promise<SyncResult> {
    const existing = this.inFlight.get(accountId);
    if (existing) return existing;
    const p = this.cycle(accountId).finally(() => this.inFlight.delete(accountId));
    this.inFlight.set(accountId, p);
    return p;
  }

  private async cycle(accountId: string): Promise<SyncResult> {
    const account = this.accounts.get(accountId);
    const provider = this.providerFor(accountId);
    const started = Date.now();
    const result: SyncResult = {
      accountId,
      folders: 0,
      messagesAdded: 0,
      messagesUpdated: 0,
      messagesRemoved: 0,
      events: 0,
      contacts: 0,
      tasksApplied: 0,
      durationMs: 0,
    };
    if (!provider) return result;
    if (account.kind !== 'local') this.accounts.markSyncing(accountId);
    try {
      result.tasksApplied += await this.tasks.run(accountId);
      Object.assign(result, await provider.sync());
      result.tasksApplied += await this.tasks.run(accountId);
      await this.outbox.run(accountId);
      result.durationMs = Date.now() - started;
      this.failures.delete(accountId);
      this.accounts.markSynced(accountId);
      this.onSynced?.(accountId, result);
      return result;
    } catch (err) {
      this.failures.set(accountId, (this.failures.get(accountId) ?? 0) + 1);
      this.accounts.markSynced(accountId, err);
      throw err;
    }
  }

  /** Keeps an account in sync in the background: a timer, plus push where the provider offers it. */
  start(accountId: string): void {
    if (this.disposed || this.timers.has(accountId)) return;
    const provider = this.providerFor(accountId);
    if (provider?.watch && !this.watchers.has(accountId)) {
      this.watchers.set(accountId, provider.watch(() => void this.syncNow(accountId).catch(() => undefined)));
    }
    const schedule = (delay: number) => {
      const t = setTimeout(() => {
        this.syncNow(accountId)
          .then(() => schedule(this.intervalMs))
          .catch((err: unknown) => {
            const n = this.failures.get(accountId) ?? 1;
            this.log.warn('background sync failed', { accountId, failures: n, error: String(err) });
            schedule(Math.max(this.intervalMs, backoffMs(n)));
          });
      }, delay);
      t.unref();
      this.timers.set(accountId, t);
    };
    schedule(0);
  }

  stop(accountId: string): void {
    const t = this.timers.get(accountId);
    if (t) clearTimeout(t);
    this.timers.delete(accountId);
    this.watchers.get(accountId)?.dispose();
    this.watchers.delete(accountId);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight.values()]);
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys(), ...this.watchers.keys()]) this.stop(id);
  }
}
