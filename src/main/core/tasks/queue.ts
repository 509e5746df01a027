import type { TaskInfo } from '../../../shared/types';
import type { CoreEvents } from '../events';
import type { Store, StoredTask } from '../store';
import { taskInfo } from '../store';
import { PimlicoError, errorMessage, notFound } from '../util/errors';
import { newId } from '../util/ids';
import type { Logger } from '../util/log';
import { RetryableError, type AccountProvider } from '../providers/types';
import { type UndoStep } from './kinds';
import { taskKinds } from './registry';
import { KeyedRunner } from '../util/keyed-runner';

const MAX_ATTEMPTS = 8;

/** Exponential backoff with jitter, capped at 10 minutes. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(600_000, 2_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/**
 * Every user action becomes a persisted task: its local effect is applied and recorded in one
 * transaction (the UI sees it at once, offline or not), and its remote effect is applied in order
 * by the account's provider, retried across failures and restarts.
 */
export class TaskQueue {
  private readonly runner = new KeyedRunner((accountId) => this.drain(accountId));

  constructor(
    private readonly store: Store,
    private readonly events: CoreEvents,
    private readonly providerFor: (accountId: string) => AccountProvider | undefined,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  enqueue(accountId: string, kind: string, payload: unknown): TaskInfo {
    const def = taskKinds[kind];
    if (!def) throw new PimlicoError('Internal', `Unknown task kind ${kind}`);
    const parsed = def.schema.parse(payload);
    const id = newId('task');
    this.store.transaction(() => {
      const undo = def.applyLocal(this.store, parsed as never);
      this.store.tasks.insert({ id, accountId, kind, payload: parsed, undo: undo.length ? undo : null, now: this.now() });
    });
    this.events.emit('store.changed', { entities: [...def.entities, 'tasks'], accountId });
    void this.run(accountId);
    const task = this.store.tasks.get(id);
    if (!task) throw new PimlicoError('Internal', 'Task vanished after insert');
    return taskInfo(task);
  }

  /** Queues the inverse of a task. The original loses its undo, so pressing z twice does not flip back. */
  undo(taskId: string): TaskInfo {
    const task = this.store.tasks.get(taskId);
    if (!task) throw notFound('Task', taskId);
    const steps = (task.undo as UndoStep[] | null) ?? [];
    if (steps.length === 0) throw new PimlicoError('BadRequest', `Task ${taskId} cannot be undone`);
    this.store.tasks.clearUndo(taskId);
    let last: TaskInfo | undefined;
    for (const step of steps) last = this.enqueue(task.accountId, step.kind, step.payload);
    if (!last) throw new PimlicoError('Internal', 'Undo produced no task');
    return { ...last, undoable: false };
  }

  /** Runs the account's due tasks in order; a call during a run gets one more run after it. Returns how many were applied. */
  run(accountId: string): Promise<number> {
    return this.runner.run(accountId);
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  private async drain(accountId: string): Promise<number> {
    const provider = this.providerFor(accountId);
    if (!provider) return 0;
    let applied = 0;
    for (const task of this.store.tasks.due(accountId, this.now())) {
      const ok = await this.applyOne(provider, task);
      if (ok) applied++;
      else break; // keep order: later tasks may depend on this one
    }
    if (applied) this.events.emit('store.changed', { entities: ['tasks', 'mail', 'events', 'contacts'], accountId });
    return applied;
  }

  private async applyOne(provider: AccountProvider, task: StoredTask): Promise<boolean> {
    this.store.tasks.setStatus(task.id, 'running', this.now());
    try {
      await provider.applyTask(task);
      this.store.tasks.setStatus(task.id, 'done', this.now());
      return true;
    } catch (err) {
      const attempts = task.attempts + 1;
      const retryable = err instanceof RetryableError || !(err instanceof PimlicoError);
      if (retryable && attempts < MAX_ATTEMPTS) {
        const delay = err instanceof RetryableError && err.retryAfterMs ? err.retryAfterMs : backoffMs(attempts);
        this.log.warn('task will be retried', { task: task.id, kind: task.kind, attempts, error: errorMessage(err) });
        this.store.tasks.setStatus(task.id, 'pending', this.now(), errorMessage(err), this.now() + delay);
        return false;
      }
      // Failed for good: reported, never silently half-applied. The local effect stays visible with the error.
      this.log.error('task failed', { task: task.id, kind: task.kind, error: errorMessage(err) });
      this.store.tasks.setStatus(task.id, 'failed', this.now(), errorMessage(err));
      this.events.emit('store.changed', { entities: ['tasks'], accountId: task.accountId });
      return true;
    }
  }
}
