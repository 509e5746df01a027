import { ActionResult, RuleAction, MailRuleFilters, type Rule, type RuleRun } from '../../../shared/contract/automation';
import type { Db } from '../store';
import { bool, int, parseJson } from '../store/json';
import { z } from 'zod';

interface RuleRow {
  id: string;
  name: string;
  enabled: number;
  account_id: string | null;
  trigger: Rule['trigger'];
  filters: string;
  actions: string;
  created_at: number;
  updated_at: number;
}

interface RunRow {
  id: string;
  rule_id: string;
  item_id: string;
  item_key: string;
  status: RuleRun['status'];
  results: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface StoredRun extends RuleRun {
  itemKey: string;
  nextAttemptAt: number;
}

function toRule(r: RuleRow): Rule {
  return {
    id: r.id,
    name: r.name,
    enabled: bool(r.enabled),
    accountId: r.account_id,
    trigger: r.trigger,
    // Parsed again so a damaged row shows as empty rather than breaking the list.
    filters: MailRuleFilters.catch({}).parse(parseJson(r.filters, {})),
    actions: z.array(RuleAction).catch([]).parse(parseJson(r.actions, [])),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRun(r: RunRow): StoredRun {
  return {
    id: r.id,
    ruleId: r.rule_id,
    itemId: r.item_id,
    itemKey: r.item_key,
    status: r.status,
    results: z.array(ActionResult).catch([]).parse(parseJson(r.results, [])),
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class RulesRepo {
  constructor(private readonly db: Db) {}

  list(): Rule[] {
    return (this.db.prepare('SELECT * FROM rules ORDER BY created_at, id').all() as RuleRow[]).map(toRule);
  }

  enabled(): Rule[] {
    return (this.db.prepare('SELECT * FROM rules WHERE enabled = 1 ORDER BY created_at, id').all() as RuleRow[]).map(toRule);
  }

  get(id: string): Rule | undefined {
    const r = this.db.prepare('SELECT * FROM rules WHERE id = ?').get(id) as RuleRow | undefined;
    return r && toRule(r);
  }

  put(rule: Rule): void {
    this.db
      .prepare(
        `INSERT INTO rules (id, name, enabled, account_id, trigger, filters, actions, created_at, updated_at)
         VALUES (@id, @name, @enabled, @accountId, @trigger, @filters, @actions, @createdAt, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, account_id = excluded.account_id,
           trigger = excluded.trigger, filters = excluded.filters, actions = excluded.actions, updated_at = excluded.updated_at`,
      )
      .run({ ...rule, enabled: int(rule.enabled), filters: JSON.stringify(rule.filters), actions: JSON.stringify(rule.actions) });
  }

  remove(id: string): boolean {
    this.db.prepare("DELETE FROM trigger_state WHERE id LIKE ? ESCAPE '\\'").run(`poller:rule:${id.replace(/[%_\\]/g, '\\$&')}:%`);
    return this.db.prepare('DELETE FROM rules WHERE id = ?').run(id).changes > 0;
  }

  /** Forgets where a rule had read to, so enabling it again starts from now rather than replaying the gap. */
  resetWatermarks(id: string): void {
    this.db.prepare("DELETE FROM trigger_state WHERE id LIKE ? ESCAPE '\\'").run(`poller:rule:${id.replace(/[%_\\]/g, '\\$&')}:%`);
  }

  /** A run per (rule, item); a second sight of the same item is ignored. Returns whether it was new. */
  addRun(run: { id: string; ruleId: string; itemId: string; itemKey: string; results: ActionResult[]; now: number }): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO rule_runs (id, rule_id, item_id, item_key, status, results, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
        )
        .run(run.id, run.ruleId, run.itemId, run.itemKey, JSON.stringify(run.results), run.now, run.now).changes > 0
    );
  }

  dueRuns(now: number, limit = 100): StoredRun[] {
    return (
      this.db.prepare("SELECT * FROM rule_runs WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, rowid LIMIT ?").all(now, limit) as RunRow[]
    ).map(toRun);
  }

  nextDueAt(): number | null {
    const r = this.db.prepare("SELECT min(next_attempt_at) AS t FROM rule_runs WHERE status = 'pending'").get() as { t: number | null };
    return r.t;
  }

  updateRun(id: string, patch: { status: RuleRun['status']; results: ActionResult[]; attempts: number; nextAttemptAt: number; lastError: string | null; now: number }): void {
    this.db
      .prepare('UPDATE rule_runs SET status = ?, results = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?')
      .run(patch.status, JSON.stringify(patch.results), patch.attempts, patch.nextAttemptAt, patch.lastError, patch.now, id);
  }

  runs(ruleId: string | undefined, limit: number): StoredRun[] {
    const rows = (
      ruleId
        ? this.db.prepare('SELECT * FROM rule_runs WHERE rule_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(ruleId, limit)
        : this.db.prepare('SELECT * FROM rule_runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit)
    ) as RunRow[];
    return rows.map(toRun);
  }
}
