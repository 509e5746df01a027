import type { PushEventPayload } from '../../../shared/contract';
import type { NotificationSettings } from '../../../shared/contract/automation';
import type { Account, MessageDetail, Occurrence } from '../../../shared/types';
import type { Core } from '../core';
import type { Disposable } from '../events';
import { LedgerRepo } from '../notifications/ledger';
import { effectiveTimeZone, inQuietHours, readNotificationSettings } from '../notifications/settings';
import { zonedWallClockToUtc } from '../pim';
import { currentSeq, MAX_BATCH, newEmails, occurrenceKey, type SeqWatermark } from '../triggers';
import { errorMessage } from '../util/errors';
import { changedSince, PollerState } from './state';
import { ApprovalsService } from '../approvals/service';
import { RulesService } from '../rules/service';
import { InvitationAutoApply } from '../invitations/background';
import { invitationsFor } from '../handlers/pim';

export type NotificationPayload = PushEventPayload<'notification'>;

/** A watched folder's position in the change log, and when watching began (older mail is never announced). */
interface MailWatermark extends SeqWatermark {
  since: number;
}

interface UpcomingPlan {
  computedAt: number;
  /** Next time something becomes due; until then (and without calendar changes) a poll does nothing. */
  nextCheckAt: number;
  /** Change-log position the plan saw; a calendar change after it makes a new plan. */
  scannedSeq: number;
  settingsKey: string;
}

export interface PollResult {
  mail: number;
  events: number;
  notified: number;
}

const DAY = 86_400_000;
/** How often time-based work (reminders, retries) runs without a sync. */
const TICK_MS = 30_000;

/**
 * The background trigger poller: after each sync (and on a timer for reminders) it runs the
 * connector's triggers over the cache, decides for every new item whether to notify, records each
 * decision in the ledger, feeds the user's rules and resolves approval replies.
 */
export class Poller implements Disposable {
  readonly ledger: LedgerRepo;
  readonly state: PollerState;
  readonly rules: RulesService;
  readonly approvals: ApprovalsService;
  /** iMIP replies, updates and cancellations applied as mail syncs, without opening the message. */
  readonly invitations: InvitationAutoApply;
  private timer: NodeJS.Timeout | null = null;
  private plan: UpcomingPlan | null = null;
  /** The change log's position after the last poll: when it has not moved, no trigger over it can have fired. */
  private lastSeq = -1;
  private disposed = false;

  constructor(private readonly core: Core) {
    this.ledger = new LedgerRepo(core.store.db);
    this.state = new PollerState(core.store.db);
    this.rules = new RulesService(core, this.state, (n) => this.emit(n));
    this.approvals = new ApprovalsService(core, this.ledger, (n) => this.emit(n));
    this.invitations = new InvitationAutoApply(core.store.db, () => invitationsFor(core), core.log.child('invitations'), core.now);
    const previous = core.sync.onSynced;
    core.sync.onSynced = (accountId, result) => {
      previous?.(accountId, result);
      this.safePoll();
    };
    // Watching starts now: what is already in the cache is old news.
    this.core.store.transaction(() => {
      for (const account of this.core.store.accounts.list()) this.mailFolders(account, readNotificationSettings(core.store), true);
    });
  }

  /** Time-based work: reminders come due without any sync; failed rule actions and webhooks are retried. */
  start(): void {
    if (this.timer || this.disposed) return;
    this.timer = setInterval(() => this.safePoll(), TICK_MS);
    this.timer.unref();
    this.safePoll();
  }

  private safePoll(): void {
    if (this.disposed) return;
    try {
      this.poll();
    } catch (err) {
      this.core.log.error('poll failed', { error: errorMessage(err) });
    }
  }

  /** One poll cycle over every account. Synchronous over SQLite; actions and deliveries run after it. */
  poll(): PollResult {
    const now = this.core.now();
    const settings = readNotificationSettings(this.core.store);
    let mail: { count: number; notifications: NotificationPayload[] };
    let events: { count: number; notifications: NotificationPayload[] };
    const seq = currentSeq(this.core.store.db);
    const changed = seq !== this.lastSeq;
    try {
      if (changed) mail = this.pollMail(settings, now);
      else {
        // Nothing was written since the last poll; only accounts that just finished their first sync need a starting point.
        this.core.store.transaction(() => {
          for (const account of this.core.store.accounts.list()) this.mailFolders(account, settings, true);
        });
        mail = { count: 0, notifications: [] };
      }
      events = this.pollUpcoming(settings, now);
    } catch (err) {
      // The transaction rolled back: cached watermarks may be ahead of what was committed.
      this.state.reset();
      throw err;
    }
    this.rules.collect(now, changed);
    if (changed) this.invitations.collect();
    this.lastSeq = seq;
    const notifications = [...mail.notifications, ...events.notifications];
    for (const n of notifications) this.emit(n);
    void this.rules.runDue().catch((err: unknown) => this.core.log.error('rule actions failed', { error: errorMessage(err) }));
    void this.approvals.deliverDue().catch((err: unknown) => this.core.log.error('approval delivery failed', { error: errorMessage(err) }));
    void this.invitations.run().catch((err: unknown) => this.core.log.error('applying invitations failed', { error: errorMessage(err) }));
    return { mail: mail.count, events: events.count, notified: notifications.length };
  }

  /** Waits for the rule actions and NotificationUrl posts the last polls started. */
  async idle(): Promise<void> {
    await this.rules.idle();
    await this.approvals.idle();
    await this.invitations.idle();
  }

  emit(n: NotificationPayload): void {
    this.core.events.emit('notification', n);
  }

  // ------------------------------------------------------------------ mail

  /** Inboxes plus folders the user asked for, with their watermarks (created on first sight). */
  private mailFolders(account: Account, settings: NotificationSettings, baselineOnly: boolean): { id: string; wm: MailWatermark }[] {
    const now = this.core.now();
    const extra = settings.extraFolderIds;
    const rows = this.core.store.db
      .prepare(`SELECT id FROM folders WHERE account_id = ? AND (role = 'inbox' OR id IN (SELECT value FROM json_each(?)))`)
      .all(account.id, JSON.stringify(extra)) as { id: string }[];
    const out: { id: string; wm: MailWatermark }[] = [];
    for (const { id } of rows) {
      const wm = this.state.get<MailWatermark>(`mail:${id}`);
      if (wm) {
        out.push({ id, wm });
        continue;
      }
      if (account.kind === 'local') {
        // A Local account's mail only ever arrives after it was created: everything in the log is news.
        this.state.set(`mail:${id}`, 'OnNewEmail', { seq: 0, since: account.createdAt }, now);
        if (!baselineOnly) out.push({ id, wm: { seq: 0, since: account.createdAt } });
        continue;
      }
      // A first sync fills the cache with old mail: start watching once it is over.
      const settled = account.lastSyncAt !== null && account.status !== 'syncing';
      if (settled) this.state.set(`mail:${id}`, 'OnNewEmail', { seq: currentSeq(this.core.store.db), since: now }, now);
    }
    return baselineOnly ? [] : out;
  }

  private pollMail(settings: NotificationSettings, now: number): { count: number; notifications: NotificationPayload[] } {
    const store = this.core.store;
    return store.transaction(() => {
      const accounts = store.accounts.list();
      const self = new Set(accounts.map((a) => a.email.toLowerCase()).filter(Boolean));
      const toAnnounce: { m: MessageDetail; ledgerId: string }[] = [];
      const notifications: NotificationPayload[] = [];
      let count = 0;
      for (const account of accounts) {
        for (const folder of this.mailFolders(account, settings, false)) {
          let wm: SeqWatermark = { seq: folder.wm.seq };
          if (!changedSince(store.db, 'message', folder.id, wm.seq)) continue;
          for (;;) {
            const step = newEmails(store, { folderId: folder.id, to: [], from: [], importance: 'any', onlyWithAttachment: false, subjectFilter: null }, wm);
            for (const m of step.items) {
              count++;
              // Backfill of old mail (a first sync that continues later) is not news.
              if (m.date < folder.wm.since - DAY) continue;
              notifications.push(...this.approvals.consider(m, account, now));
              const key = `${m.accountId}:${m.messageIdHeader ?? m.id}`;
              const reason = this.mailSuppression(m, account, folder.id, key, settings, self, now);
              const title = m.from?.name || m.from?.address || '(unknown sender)';
              const ledgerId = this.ledger.record(
                { trigger: 'OnNewEmail', accountId: m.accountId, itemId: m.id, itemKey: key, decision: reason ? 'suppressed' : 'notified', reason, title, body: m.subject },
                now,
              );
              if (!reason) toAnnounce.push({ m, ledgerId });
            }
            wm = step.watermark;
            if (step.items.length < MAX_BATCH) break;
          }
          this.state.set(`mail:${folder.id}`, 'OnNewEmail', { seq: wm.seq, since: folder.wm.since }, now);
        }
      }
      if (toAnnounce.length > settings.groupThreshold) {
        // Many at once (a morning's mail after sleep): one summary instead of a storm.
        store.db
          .prepare(`UPDATE notification_ledger SET reason = 'grouped' WHERE id IN (SELECT value FROM json_each(?))`)
          .run(JSON.stringify(toAnnounce.map((a) => a.ledgerId)));
        const senders = [...new Set(toAnnounce.map(({ m }) => m.from?.name || m.from?.address || '?'))];
        notifications.push({
          id: `mail-summary:${toAnnounce[0]!.ledgerId}`,
          title: `${toAnnounce.length} new messages`,
          body: `From ${senders.slice(0, 4).join(', ')}${senders.length > 4 ? ` and ${senders.length - 4} more` : ''}`,
          target: null,
        });
      } else {
        for (const { m, ledgerId } of toAnnounce) {
          notifications.push({
            id: ledgerId,
            title: m.from?.name || m.from?.address || '(unknown sender)',
            body: `${m.subject || '(no subject)'}\n${m.snippet}`.slice(0, 300),
            target: { kind: 'message', id: m.id },
          });
        }
      }
      return { count, notifications };
    });
  }

  /** Why a new message is not announced, or null to announce it. The order is the order a user would ask in. */
  private mailSuppression(
    m: MessageDetail,
    account: Account,
    folderId: string,
    key: string,
    settings: NotificationSettings,
    self: Set<string>,
    now: number,
  ): string | null {
    if (this.ledger.has('OnNewEmail', key)) return 'duplicate';
    if (!settings.enabled) return 'disabled';
    if (settings.mutedAccountIds.includes(account.id)) return 'muted-account';
    if (settings.mutedFolderIds.includes(folderId)) return 'muted-folder';
    if (m.from && self.has(m.from.address.toLowerCase())) return 'sent-by-me';
    if (m.isRead) return 'already-read';
    if (settings.pausedUntil !== null && settings.pausedUntil > now) return 'paused';
    if (inQuietHours(settings, now)) return 'quiet-hours';
    return null;
  }

  // ------------------------------------------------------------------ upcoming events

  /** True when a calendar item changed since the plan was made (a range scan over the change log's newest rows). */
  private eventsChangedSince(seq: number): boolean {
    return this.core.store.db.prepare("SELECT 1 FROM change_log WHERE seq > ? AND entity = 'event' LIMIT 1").get(seq) !== undefined;
  }

  /** When an occurrence is announced: its reminder, else the default look-ahead; all-day ones at a set local hour. */
  private fireAt(o: Occurrence, settings: NotificationSettings): { fireAt: number; lateAt: number } {
    if (o.event.allDay) {
      const day = new Date(o.startUtc).toISOString().slice(0, 10);
      const zone = effectiveTimeZone(settings);
      const at = Date.parse(zonedWallClockToUtc(`${day}T${settings.allDayAt}:00`, zone));
      const lead = (o.event.reminderMinutes ?? 0) * 60_000;
      const nextDay = new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
      return { fireAt: at - lead, lateAt: Date.parse(zonedWallClockToUtc(`${nextDay}T00:00:00`, zone)) };
    }
    return { fireAt: o.startUtc - (o.event.reminderMinutes ?? settings.eventLookAheadMinutes) * 60_000, lateAt: o.startUtc };
  }

  private pollUpcoming(settings: NotificationSettings, now: number): { count: number; notifications: NotificationPayload[] } {
    const settingsKey = `${settings.eventLookAheadMinutes}|${settings.allDayAt}|${settings.timeZone}`;
    const plan = this.plan;
    const seq = currentSeq(this.core.store.db);
    // Nothing changed and nothing is due yet: the common case costs two indexed lookups.
    if (plan && plan.settingsKey === settingsKey && now >= plan.computedAt && now < plan.nextCheckAt) {
      if (!this.eventsChangedSince(plan.scannedSeq)) {
        plan.scannedSeq = seq;
        return { count: 0, notifications: [] };
      }
    }
    const store = this.core.store;
    const last = this.state.get<{ lastCheck: number }>('upcoming')?.lastCheck ?? now;
    // After sleep or a clock change look back to the last check (at most a week); never look back past now on a clock that went back.
    const from = Math.max(Math.min(last, now), now - 7 * DAY);
    const maxReminder = (store.db.prepare('SELECT max(reminder_minutes) AS r FROM events').get() as { r: number | null }).r ?? 0;
    const lead = Math.max(maxReminder, settings.eventLookAheadMinutes) * 60_000;
    const horizon = now + lead + 2 * DAY;
    const occurrences = this.core.calendar.range(from - DAY, horizon);
    const muted = new Set(settings.mutedAccountIds);
    let nextCheckAt = now + DAY;
    const notifications: NotificationPayload[] = [];
    let count = 0;
    store.transaction(() => {
      for (const o of occurrences) {
        if ((o.event as { status?: string }).status === 'cancelled') continue;
        const { fireAt, lateAt } = this.fireAt(o, settings);
        const key = occurrenceKey(o);
        if (fireAt > now) {
          nextCheckAt = Math.min(nextCheckAt, fireAt);
          continue;
        }
        if (this.ledger.has('OnUpcomingEvents', key)) continue;
        const title = o.event.summary || '(untitled event)';
        const when = o.event.allDay ? 'All day' : new Intl.DateTimeFormat('en-GB', { timeZone: effectiveTimeZone(settings), hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(o.startUtc);
        const body = o.event.location ? `${when} · ${o.event.location}` : when;
        let reason: string | null = null;
        if (now >= lateAt) {
          // It began while Pimlico was not looking (asleep, closed): say so once, only if it began since the last check.
          if (lateAt < from) continue;
          reason = 'missed';
        } else if (!settings.enabled) reason = 'disabled';
        else if (muted.has(o.event.accountId)) reason = 'muted-account';
        else if (settings.pausedUntil !== null && settings.pausedUntil > now) reason = 'paused';
        else if (inQuietHours(settings, now)) reason = 'quiet-hours';
        count++;
        const id = this.ledger.record(
          { trigger: 'OnUpcomingEvents', accountId: o.event.accountId, itemId: o.eventId, itemKey: key, decision: reason ? 'suppressed' : 'notified', reason, title, body },
          now,
        );
        if (!reason) notifications.push({ id, title, body, target: { kind: 'event', id: o.eventId, startUtc: o.startUtc } });
      }
      this.state.set('upcoming', 'OnUpcomingEvents', { lastCheck: now }, now);
    });
    this.plan = { computedAt: now, nextCheckAt: Math.min(nextCheckAt, horizon - lead - DAY), scannedSeq: seq, settingsKey };
    return { count, notifications };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
