import { RuleInput, type ActionResult, type Rule, type RuleFilters, type RuleRun } from '../../../shared/contract/automation';
import type { Importance, MessageDetail } from '../../../shared/types';
import type { Core } from '../core';
import { changedSince, type PollerState } from '../poller/state';
import type { NotificationPayload } from '../poller/poller';
import { backoffMs } from '../tasks/queue';
import {
  changedEvents,
  MAX_BATCH,
  newEmails,
  occurrenceKey,
  startSeqTrigger,
  startUpcomingTrigger,
  upcomingEvents,
  type SeqWatermark,
  type UpcomingWatermark,
} from '../triggers';
import { badRequest, errorMessage, notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';
import { applyAction, isLocalUrl, MAIL_ONLY_ACTIONS, type RuleItem } from './actions';
import { RulesRepo, type StoredRun } from './repo';

const MAX_ATTEMPTS = 6;

const splitAddresses = (v: string | undefined) =>
  (v ?? '')
    .split(/[;,]/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

const IMPORTANCE: Record<string, Importance | 'any'> = { Any: 'any', High: 'high', Normal: 'normal', Low: 'low' };

/** User rules: a connector trigger with its filters plus actions, run by the poller, with a history. */
export class RulesService {
  readonly repo: RulesRepo;
  private running: Promise<void> | null = null;

  constructor(
    private readonly core: Core,
    private readonly state: PollerState,
    private readonly emit: (n: NotificationPayload) => void,
  ) {
    this.repo = new RulesRepo(core.store.db);
  }

  list(): Rule[] {
    return this.repo.list();
  }

  get(id: string): Rule {
    const r = this.repo.get(id);
    if (!r) throw notFound('Rule', id);
    return r;
  }

  /** Checks what the schema cannot: folders and calendars exist, actions fit the trigger, webhooks stay local. */
  private validate(input: RuleInput): Rule {
    const rule = RuleInput.parse(input);
    const store = this.core.store;
    if (rule.accountId && !store.accounts.get(rule.accountId)) throw notFound('Account', rule.accountId);
    const mail = rule.trigger === 'OnNewEmail';
    for (const a of rule.actions) {
      if (!mail && MAIL_ONLY_ACTIONS.has(a.type)) throw badRequest(`The action '${a.type}' only works with the OnNewEmail trigger`);
      if (a.type === 'webhook' && !isLocalUrl(a.url)) throw badRequest(`A rule's webhook must be on this machine (localhost), not ${a.url}`);
      if (a.type === 'move') {
        const folder = store.mail.getFolder(a.folderId);
        if (!folder) throw notFound('Folder', a.folderId);
        // A move only makes sense within one account: the rule watches the folder's account.
        if (rule.accountId && rule.accountId !== folder.accountId) throw badRequest('The move target belongs to another account than the rule');
        rule.accountId = folder.accountId;
      }
    }
    if (rule.filters.calendarId && !store.pim.calendar(rule.filters.calendarId)) throw notFound('Calendar', rule.filters.calendarId);
    if (mail && rule.filters.folderPath && rule.accountId && !this.mailFolder(rule.accountId, rule.filters.folderPath)) {
      throw badRequest(`The account has no folder '${rule.filters.folderPath}'`);
    }
    return { ...rule, id: '', createdAt: 0, updatedAt: 0 };
  }

  create(input: RuleInput): Rule {
    const now = this.core.now();
    const rule = { ...this.validate(input), id: newId('rule'), createdAt: now, updatedAt: now };
    this.core.store.transaction(() => {
      this.repo.put(rule);
      // Watching starts now, not at the next poll: nothing that arrives in between is missed.
      if (rule.enabled) this.collectRule(rule, now);
    });
    this.core.events.emit('store.changed', { entities: ['settings'] });
    return rule;
  }

  update(id: string, patch: Partial<RuleInput>): Rule {
    const current = this.get(id);
    const { id: _id, createdAt, updatedAt: _u, ...rest } = current;
    const next = { ...this.validate({ ...rest, ...patch }), id, createdAt, updatedAt: this.core.now() };
    this.core.store.transaction(() => {
      // Enabling (again) starts from now: a rule never replays what arrived while it was off.
      if (next.enabled && !current.enabled) {
        this.repo.resetWatermarks(id);
        this.state.forget(`rule:${id}:`);
      }
      this.repo.put(next);
      if (next.enabled) this.collectRule(next, next.updatedAt);
    });
    this.core.events.emit('store.changed', { entities: ['settings'] });
    return next;
  }

  delete(id: string): void {
    if (!this.repo.remove(id)) throw notFound('Rule', id);
    this.state.forget(`rule:${id}:`);
    this.core.events.emit('store.changed', { entities: ['settings'] });
  }

  /** The folder a rule watches in one account: "Inbox" (the default) means the inbox whatever its name. */
  private mailFolder(accountId: string, path: string | undefined): string | undefined {
    const wanted = (path ?? 'Inbox').trim();
    if (wanted.toLowerCase() === 'inbox') return this.core.store.mail.folderByRole(accountId, 'inbox')?.id;
    const row = this.core.store.db
      .prepare('SELECT id FROM folders WHERE account_id = ? AND (path = ? OR lower(path) = lower(?) OR lower(name) = lower(?)) ORDER BY path = ? DESC LIMIT 1')
      .get(accountId, wanted, wanted, wanted, wanted) as { id: string } | undefined;
    return row?.id;
  }

  private accountsOf(rule: Pick<Rule, 'accountId'>): string[] {
    return rule.accountId ? [rule.accountId] : this.core.store.accounts.list().map((a) => a.id);
  }

  private calendarsOf(rule: Pick<Rule, 'accountId' | 'filters'>): string[] {
    if (rule.filters.calendarId) return [rule.filters.calendarId];
    return this.accountsOf(rule).flatMap((a) => this.core.store.pim.calendars(a).map((c) => c.id));
  }

  /**
   * Runs every enabled rule's trigger since its watermark and records a pending run per new item.
   * When the change log has not moved (`changed` false) only the time-based trigger can fire.
   */
  collect(now: number, changed = true): void {
    const rules = this.repo.enabled().filter((r) => changed || r.trigger === 'OnUpcomingEvents');
    if (rules.length === 0) return;
    const store = this.core.store;
    for (const rule of rules) {
      try {
        store.transaction(() => this.collectRule(rule, now));
      } catch (err) {
        this.state.reset();
        this.core.log.warn('rule trigger failed', { rule: rule.id, error: errorMessage(err) });
      }
    }
  }

  private addRun(rule: Rule, itemId: string, itemKey: string, now: number): void {
    const results: ActionResult[] = rule.actions.map((a) => ({ type: a.type, status: 'pending', error: null, ref: null }));
    this.repo.addRun({ id: newId('run'), ruleId: rule.id, itemId, itemKey, results, now });
  }

  private collectRule(rule: Rule, now: number): void {
    const store = this.core.store;
    const f = rule.filters;
    if (rule.trigger === 'OnNewEmail') {
      for (const accountId of this.accountsOf(rule)) {
        const folderId = this.mailFolder(accountId, f.folderPath);
        if (!folderId) continue;
        const key = `rule:${rule.id}:${folderId}`;
        let wm = this.state.get<SeqWatermark>(key);
        if (!wm) {
          this.state.set(key, rule.trigger, startSeqTrigger(store), now);
          continue;
        }
        if (!changedSince(store.db, 'message', folderId, wm.seq)) continue;
        for (;;) {
          const step = newEmails(
            store,
            {
              folderId,
              to: splitAddresses(f.to),
              from: splitAddresses(f.from),
              importance: IMPORTANCE[f.importance ?? 'Any'] ?? 'any',
              onlyWithAttachment: f.fetchOnlyWithAttachment ?? false,
              subjectFilter: f.subjectFilter?.trim() || null,
            },
            wm,
          );
          for (const m of step.items) this.addRun(rule, m.id, m.messageIdHeader ?? m.id, now);
          wm = step.watermark;
          if (step.items.length < MAX_BATCH) break;
        }
        this.state.set(key, rule.trigger, wm, now);
      }
      return;
    }
    for (const calendarId of this.calendarsOf(rule)) {
      const key = `rule:${rule.id}:${calendarId}`;
      if (rule.trigger === 'OnUpcomingEvents') {
        const wm = this.state.get<UpcomingWatermark>(key) ?? startUpcomingTrigger(now);
        const step = upcomingEvents(this.core.calendar, { calendarId, lookAheadMinutes: f.lookAheadTimeInMinutes ?? 15 }, wm, now);
        for (const o of step.items) this.addRun(rule, o.eventId, occurrenceKey(o), now);
        this.state.set(key, rule.trigger, step.watermark, now);
        continue;
      }
      let wm = this.state.get<SeqWatermark>(key);
      if (!wm) {
        this.state.set(key, rule.trigger, startSeqTrigger(store), now);
        continue;
      }
      if (!changedSince(store.db, 'event', calendarId, wm.seq)) continue;
      const change = rule.trigger === 'OnNewItems' ? 'created' : 'modified';
      for (;;) {
        const step = changedEvents(store, { containerId: calendarId, change, odata: {} }, wm);
        // An update is a new firing each time it changes: key by the version.
        for (const e of step.items) this.addRun(rule, e.id, change === 'created' ? e.id : `${e.id}@${e.updatedAt}`, now);
        const moved = step.watermark.seq !== wm.seq;
        wm = step.watermark;
        if (!moved || step.items.length === 0) break;
      }
      this.state.set(key, rule.trigger, wm, now);
    }
  }

  private itemOf(run: StoredRun): RuleItem | null {
    const message = this.core.store.mail.detail(run.itemId);
    if (message) return { kind: 'message', message };
    const event = this.core.store.pim.event(run.itemId);
    if (!event) return null;
    const at = Number(run.itemKey.slice(run.itemKey.lastIndexOf('@') + 1));
    const occurrence = Number.isFinite(at) && run.itemKey.includes('@') ? { eventId: event.id, calendarId: event.calendarId, recurrenceId: null, startUtc: at, endUtc: at + (event.endUtc - event.startUtc), event } : null;
    return { kind: 'event', event, occurrence };
  }

  /** Applies the actions of due runs, in order, each once; failures are retried and then reported. */
  runDue(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.drain().finally(() => (this.running = null));
    return this.running;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = this.repo.dueRuns(this.core.now());
      if (due.length === 0) return;
      for (const run of due) await this.execute(run);
    }
  }

  private async execute(run: StoredRun): Promise<void> {
    const rule = this.repo.get(run.ruleId);
    const now = () => this.core.now();
    const item = this.itemOf(run);
    const results = run.results.map((r) => ({ ...r }));
    if (!rule || !item) {
      const error = !rule ? 'The rule was deleted' : 'The item is no longer in the cache';
      for (const r of results) if (r.status === 'pending') Object.assign(r, { status: 'failed', error });
      this.repo.updateRun(run.id, { status: 'failed', results, attempts: run.attempts + 1, nextAttemptAt: 0, lastError: error, now: now() });
      return;
    }
    let retry: string | null = null;
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      const action = rule.actions[i];
      if (result.status !== 'pending') continue;
      if (!action || action.type !== result.type) {
        Object.assign(result, { status: 'failed', error: 'The rule changed after this run began' });
        continue;
      }
      try {
        const ref = await applyAction(this.core, rule, action, item, (title, body) =>
          this.notify(rule, item, title, body),
        );
        Object.assign(result, { status: 'done', ref, error: null });
      } catch (err) {
        if (err instanceof PimlicoError || run.attempts + 1 >= MAX_ATTEMPTS) {
          Object.assign(result, { status: 'failed', error: errorMessage(err) });
        } else {
          // Later actions wait: they may depend on this one (reply after move, and so on).
          result.error = errorMessage(err);
          retry = errorMessage(err);
          break;
        }
      }
    }
    const failed = results.filter((r) => r.status === 'failed');
    const status: RuleRun['status'] = retry ? 'pending' : failed.length ? 'failed' : 'done';
    const attempts = run.attempts + 1;
    this.repo.updateRun(run.id, {
      status,
      results,
      attempts,
      nextAttemptAt: retry ? now() + backoffMs(attempts) : 0,
      lastError: retry ?? failed[0]?.error ?? null,
      now: now(),
    });
    if (status === 'failed') {
      // Reported, never silently half-applied: the user sees which actions ran and which did not.
      const done = results.filter((r) => r.status === 'done').map((r) => r.type);
      this.emit({
        id: `rule-failed:${run.id}`,
        title: `Rule "${rule.name}" failed`,
        body: `${failed.map((f) => `${f.type}: ${f.error ?? 'failed'}`).join('; ')}${done.length ? ` (done: ${done.join(', ')})` : ''}`.slice(0, 300),
        target: item.kind === 'message' ? { kind: 'message', id: item.message.id } : { kind: 'event', id: item.event.id },
      });
    }
    this.core.events.emit('store.changed', { entities: ['settings'] });
  }

  private notify(rule: Rule, item: RuleItem, title: string, body: string): void {
    const itemId = item.kind === 'message' ? item.message.id : item.event.id;
    const id = this.core.poller.ledger.record(
      { trigger: `Rule:${rule.name}`, accountId: rule.accountId, itemId, itemKey: `${rule.id}:${itemId}`, decision: 'notified', reason: null, title, body },
      this.core.now(),
    );
    this.emit({ id, title, body, target: item.kind === 'message' ? { kind: 'message', id: itemId } : { kind: 'event', id: itemId } });
  }

  /** Run history; an action whose queued task later failed on the server shows as failed. */
  runs(ruleId: string | undefined, limit: number): RuleRun[] {
    const taskStatus = this.core.store.db.prepare('SELECT status, last_error FROM tasks WHERE id = ?');
    return this.repo.runs(ruleId, limit).map(({ itemKey: _k, nextAttemptAt: _n, ...run }) => ({
      ...run,
      results: run.results.map((r) => {
        if (r.status !== 'done' || !r.ref?.startsWith('task_')) return r;
        const t = taskStatus.get(r.ref) as { status: string; last_error: string | null } | undefined;
        return t?.status === 'failed' ? { ...r, status: 'failed' as const, error: t.last_error ?? 'The server refused it' } : r;
      }),
    }));
  }

  /** What the rule would have matched in the cache, newest first, without running anything. */
  test(input: RuleInput, limit: number): { matched: number; items: { itemId: string; title: string; detail: string; time: number }[] } {
    const rule = this.validate(input);
    const f: RuleFilters = rule.filters;
    const db = this.core.store.db;
    if (rule.trigger === 'OnNewEmail') {
      const folders = this.accountsOf(rule)
        .map((a) => this.mailFolder(a, f.folderPath))
        .filter((x): x is string => !!x);
      const from = splitAddresses(f.from);
      const to = splitAddresses(f.to);
      const importance = IMPORTANCE[f.importance ?? 'Any'] ?? 'any';
      const where = `m.folder_id IN (SELECT value FROM json_each(@folders))
        AND (@from = '[]' OR lower(m.from_address) IN (SELECT value FROM json_each(@from)))
        AND (@to = '[]' OR EXISTS (SELECT 1 FROM json_each(m.to_json) t WHERE lower(t.value ->> 'address') IN (SELECT value FROM json_each(@to)))
             OR EXISTS (SELECT 1 FROM json_each(m.cc_json) t WHERE lower(t.value ->> 'address') IN (SELECT value FROM json_each(@to))))
        AND (@importance = 'any' OR m.importance = @importance)
        AND (@attachments = 0 OR m.has_attachments = 1)
        AND (@subject IS NULL OR instr(lower(m.subject), lower(@subject)) > 0)`;
      const args = {
        folders: JSON.stringify(folders),
        from: JSON.stringify(from),
        to: JSON.stringify(to),
        importance,
        attachments: f.fetchOnlyWithAttachment ? 1 : 0,
        subject: f.subjectFilter?.trim() || null,
      };
      const matched = (db.prepare(`SELECT count(*) AS n FROM messages m WHERE ${where}`).get(args) as { n: number }).n;
      const rows = db
        .prepare(`SELECT m.id, m.subject, m.from_name, m.from_address, m.date FROM messages m WHERE ${where} ORDER BY m.date DESC LIMIT @limit`)
        .all({ ...args, limit }) as { id: string; subject: string; from_name: string; from_address: string; date: number }[];
      return { matched, items: rows.map((r) => ({ itemId: r.id, title: r.subject || '(no subject)', detail: r.from_name || r.from_address, time: r.date })) };
    }
    const calendars = this.calendarsOf(rule);
    const now = this.core.now();
    if (rule.trigger === 'OnUpcomingEvents') {
      const occ = this.core.calendar.range(now, now + (f.lookAheadTimeInMinutes ?? 15) * 60_000 + 1, calendars);
      return { matched: occ.length, items: occ.slice(0, limit).map((o) => ({ itemId: o.eventId, title: o.event.summary, detail: o.event.location, time: o.startUtc })) };
    }
    const rows = db
      .prepare(
        `SELECT id, summary, location, start_utc, ${rule.trigger === 'OnNewItems' ? 'created_at' : 'updated_at'} AS t FROM events
         WHERE calendar_id IN (SELECT value FROM json_each(?)) ORDER BY t DESC`,
      )
      .all(JSON.stringify(calendars)) as { id: string; summary: string; location: string; start_utc: number; t: number }[];
    return { matched: rows.length, items: rows.slice(0, limit).map((r) => ({ itemId: r.id, title: r.summary, detail: r.location, time: r.t })) };
  }
}

export type { MessageDetail };
