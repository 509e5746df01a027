// iTIP messages applied when mail syncs, not only when the user opens them: the poller calls collect()
// after each sync, and run() applies what it found (see InvitationService.applyFromSync for what is safe).
import type { Db } from '../store';
import { currentSeq } from '../triggers';
import { errorMessage } from '../util/errors';
import type { Logger } from '../util/log';
import type { InvitationService } from './index';

interface QueuedMessage {
  id: string;
  attempts: number;
  nextAt: number;
}

/** Change-log position already looked at, and the messages still to apply (kept across restarts). */
interface ItipWatermark {
  seq: number;
  queue: QueuedMessage[];
}

const STATE_ID = 'poller:itip';
/** An attachment that cannot be fetched (offline) is retried a few times, then left to the reading pane. */
const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 30_000;

export class InvitationAutoApply {
  private running: Promise<void> | null = null;
  /** Queue length as last written, so a poll with nothing queued costs no read. */
  private queued = 0;

  constructor(
    private readonly db: Db,
    private readonly invitations: () => InvitationService,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    // Watching starts when the profile first runs this: calendar mail already in the cache is old news.
    const wm = this.read();
    if (!wm) this.write({ seq: currentSeq(db), queue: [] });
    else this.queued = wm.queue.length;
  }

  private read(): ItipWatermark | undefined {
    const row = this.db.prepare('SELECT watermark FROM trigger_state WHERE id = ?').get(STATE_ID) as { watermark: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.watermark) as ItipWatermark;
    } catch {
      return undefined;
    }
  }

  private write(wm: ItipWatermark): void {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO trigger_state (id, trigger, params, watermark, created_at, updated_at) VALUES (?, 'itip.apply', '{}', ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`,
      )
      .run(STATE_ID, JSON.stringify(wm), now, now);
    this.queued = wm.queue.length;
  }

  /** Queues new messages that carry a calendar part. Synchronous over SQLite; cheap when nothing changed. */
  collect(): number {
    const wm = this.read() ?? { seq: currentSeq(this.db), queue: [] };
    const upTo = currentSeq(this.db);
    if (upTo === wm.seq) return 0;
    const rows = this.db
      .prepare(
        `SELECT c.item_id AS id FROM (
           SELECT item_id, min(seq) AS s FROM change_log WHERE entity = 'message' AND op = 'created' AND seq > ? AND seq <= ? GROUP BY item_id
         ) c
         WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = c.item_id
           AND (lower(a.content_type) IN ('text/calendar', 'application/ics') OR lower(a.filename) LIKE '%.ics'))
         ORDER BY c.s`,
      )
      .all(wm.seq, upTo) as { id: string }[];
    const known = new Set(wm.queue.map((q) => q.id));
    const added = rows.filter((r) => !known.has(r.id)).map((r) => ({ id: r.id, attempts: 0, nextAt: 0 }));
    this.write({ seq: upTo, queue: [...wm.queue, ...added] });
    return added.length;
  }

  /** Applies the queued messages that are due, one run at a time. */
  run(): Promise<void> {
    if (this.queued === 0 && !this.running) return Promise.resolve();
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const now = this.now();
    const due = (this.read()?.queue ?? []).filter((q) => q.nextAt <= now);
    for (const item of due) {
      let done = true;
      try {
        const out = await this.invitations().applyFromSync(item.id);
        if (out.applied) this.log.info('invitation applied in the background', { messageId: item.id });
      } catch (err) {
        done = item.attempts + 1 >= MAX_ATTEMPTS;
        this.log.warn('invitation not applied in the background', { messageId: item.id, error: errorMessage(err), willRetry: !done });
      }
      const wm = this.read();
      if (!wm) return;
      wm.queue = done
        ? wm.queue.filter((q) => q.id !== item.id)
        : wm.queue.map((q) => (q.id === item.id ? { ...q, attempts: q.attempts + 1, nextAt: this.now() + RETRY_BASE_MS * 2 ** q.attempts } : q));
      this.write(wm);
    }
  }
}
