import type { CoreEvents } from '../events';
import type { Store } from '../store';
import { SendError, type AccountProvider } from '../providers/types';
import { backoffMs } from '../tasks/queue';
import { errorMessage } from '../util/errors';
import { KeyedRunner } from '../util/keyed-runner';
import type { Logger } from '../util/log';

const MAX_ATTEMPTS = 10;

/**
 * Sends queued mail. A message is never lost (the outbox row outlives any crash) and never sent twice:
 * a failure before the server accepted the body is retried; one after, or a crash mid-send, is marked
 * 'uncertain' and shown to the user instead of being resent.
 */
export class OutboxWorker {
  private readonly runner = new KeyedRunner((accountId) => this.drain(accountId));

  constructor(
    private readonly store: Store,
    private readonly events: CoreEvents,
    private readonly providerFor: (accountId: string) => AccountProvider | undefined,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    const recovered = store.outbox.recoverInterrupted(now());
    if (recovered) log.warn('sends interrupted by a previous stop are marked uncertain', { count: recovered });
  }

  /** Sends the account's due mail; a call during a run (a message queued meanwhile) gets one more run after it. */
  run(accountId: string): Promise<number> {
    return this.runner.run(accountId);
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  private async drain(accountId: string): Promise<number> {
    const provider = this.providerFor(accountId);
    if (!provider?.canSend) return 0;
    let sent = 0;
    for (const entry of this.store.outbox.due(accountId, this.now())) {
      if (!this.store.outbox.claim(entry.id)) continue;
      this.events.emit('store.changed', { entities: ['outbox'], accountId });
      try {
        await provider.send(entry);
        this.store.outbox.setStatus(entry.id, 'sent', { sentAt: this.now(), countAttempt: true });
        sent++;
      } catch (err) {
        this.recordFailure(entry.id, entry.attempts + 1, err);
      }
      this.events.emit('store.changed', { entities: ['outbox', 'mail'], accountId });
    }
    return sent;
  }

  private recordFailure(id: string, attempts: number, err: unknown): void {
    const message = errorMessage(err);
    if (err instanceof SendError && err.phase === 'after-accept') {
      this.log.error('send outcome unknown; not retrying to avoid a duplicate', { outbox: id, error: message });
      this.store.outbox.setStatus(id, 'uncertain', { error: message, countAttempt: true });
    } else if ((err instanceof SendError && err.permanent) || attempts >= MAX_ATTEMPTS) {
      this.log.error('send failed', { outbox: id, error: message });
      this.store.outbox.setStatus(id, 'failed', { error: message, countAttempt: true });
    } else {
      this.log.warn('send will be retried', { outbox: id, attempts, error: message });
      this.store.outbox.setStatus(id, 'queued', { error: message, nextAttemptAt: this.now() + backoffMs(attempts), countAttempt: true });
    }
  }
}
