import type { Migration } from './types';

// The background poller's own tables: the notification ledger (every decision and why), user rules with
// their run history, and the answers to approval/options mail. The poller reads what changed from
// change_log (migration 3) and keeps its watermarks in trigger_state (migration 1) under ids starting
// with "poller:", advanced in the same transaction that records its decisions.
export const automation: Migration = {
  version: 5,
  name: 'automation',
  up: (db) => {
    db.exec(`
      CREATE TABLE notification_ledger (
        id         TEXT PRIMARY KEY,
        trigger    TEXT NOT NULL,
        account_id TEXT,
        item_id    TEXT NOT NULL,
        -- What makes two firings "the same": a message id header, an occurrence start, a response id.
        item_key   TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('notified', 'suppressed')),
        reason     TEXT,
        title      TEXT NOT NULL DEFAULT '',
        body       TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
      );
      CREATE INDEX notification_ledger_key ON notification_ledger (trigger, item_key);
      CREATE INDEX notification_ledger_time ON notification_ledger (created_at DESC);

      CREATE TABLE rules (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        enabled    INTEGER NOT NULL DEFAULT 0,
        account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
        trigger    TEXT NOT NULL,
        filters    TEXT NOT NULL DEFAULT '{}',
        actions    TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- One row per (rule, item): the actions' outcomes, retried until done or given up, never hidden.
      CREATE TABLE rule_runs (
        id              TEXT PRIMARY KEY,
        rule_id         TEXT NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
        item_id         TEXT NOT NULL,
        item_key        TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        results         TEXT NOT NULL DEFAULT '[]',
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        UNIQUE (rule_id, item_key)
      );
      CREATE INDEX rule_runs_due ON rule_runs (status, next_attempt_at);
      CREATE INDEX rule_runs_rule ON rule_runs (rule_id, created_at DESC);

      -- Every reply seen for an approval/options subscription; only the first matching one resolves it.
      CREATE TABLE approval_responses (
        id                TEXT PRIMARY KEY,
        subscription_id   TEXT NOT NULL,
        message_id        TEXT NOT NULL,
        responder         TEXT NOT NULL DEFAULT '',
        selected_option   TEXT,
        outcome           TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'no-match')),
        subject           TEXT NOT NULL DEFAULT '',
        delivery_status   TEXT NOT NULL DEFAULT 'none' CHECK (delivery_status IN ('none', 'pending', 'delivered', 'failed')),
        delivery_attempts INTEGER NOT NULL DEFAULT 0,
        next_delivery_at  INTEGER NOT NULL DEFAULT 0,
        delivery_error    TEXT,
        created_at        INTEGER NOT NULL,
        UNIQUE (message_id)
      );
      CREATE UNIQUE INDEX approval_responses_first ON approval_responses (subscription_id) WHERE outcome = 'accepted';
      CREATE INDEX approval_responses_delivery ON approval_responses (delivery_status, next_delivery_at);
    `);
  },
};
