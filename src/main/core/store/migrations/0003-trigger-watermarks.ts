import type { Migration } from './types';

// What the polling triggers need beyond trigger_state (migration 1): a change log with a sequence
// number that never goes back or gets reused (AUTOINCREMENT), filled by SQLite triggers so every
// writer (sync, task queue, import) is covered, and the subscriptions of options/approval mail.
// Every statement is IF NOT EXISTS: the trigger module also applies this to a database that was
// opened before the migration was registered.
export const triggerWatermarks: Migration = {
  version: 3,
  name: 'trigger-watermarks',
  up: (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS change_log (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        entity       TEXT NOT NULL CHECK (entity IN ('message', 'event', 'contact')),
        op           TEXT NOT NULL CHECK (op IN ('created', 'updated')),
        item_id      TEXT NOT NULL,
        -- folder, calendar or address book the item was in when it changed
        container_id TEXT NOT NULL,
        at           INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS change_log_container ON change_log (entity, container_id, seq);

      CREATE TRIGGER IF NOT EXISTS change_log_message_created AFTER INSERT ON messages BEGIN
        INSERT INTO change_log (entity, op, item_id, container_id, at)
        VALUES ('message', 'created', new.id, new.folder_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;
      CREATE TRIGGER IF NOT EXISTS change_log_event_created AFTER INSERT ON events BEGIN
        INSERT INTO change_log (entity, op, item_id, container_id, at)
        VALUES ('event', 'created', new.id, new.calendar_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;
      -- Only a real modification (a new updated_at, or a move) counts; a sync rewriting the same row does not.
      CREATE TRIGGER IF NOT EXISTS change_log_event_updated AFTER UPDATE ON events
      WHEN new.updated_at IS NOT old.updated_at OR new.calendar_id IS NOT old.calendar_id BEGIN
        INSERT INTO change_log (entity, op, item_id, container_id, at)
        VALUES ('event', 'updated', new.id, new.calendar_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;
      CREATE TRIGGER IF NOT EXISTS change_log_contact_created AFTER INSERT ON contacts BEGIN
        INSERT INTO change_log (entity, op, item_id, container_id, at)
        VALUES ('contact', 'created', new.id, new.address_book_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;
      CREATE TRIGGER IF NOT EXISTS change_log_contact_updated AFTER UPDATE ON contacts
      WHEN new.updated_at IS NOT old.updated_at OR new.address_book_id IS NOT old.address_book_id BEGIN
        INSERT INTO change_log (entity, op, item_id, container_id, at)
        VALUES ('contact', 'updated', new.id, new.address_book_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;

      -- Options/approval mail sent through the connector; the poller resolves them from replies.
      CREATE TABLE IF NOT EXISTS mail_subscriptions (
        id                TEXT PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('options', 'approval')),
        account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        notification_url  TEXT,
        recipients_json   TEXT NOT NULL DEFAULT '[]',
        subject           TEXT NOT NULL DEFAULT '',
        options_json      TEXT NOT NULL DEFAULT '[]',
        message_json      TEXT NOT NULL DEFAULT '{}',
        outbox_id         TEXT,
        message_id_header TEXT,
        status            TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'answered', 'cancelled')),
        selected_option   TEXT,
        created_at        INTEGER NOT NULL,
        resolved_at       INTEGER
      );
      CREATE INDEX IF NOT EXISTS mail_subscriptions_waiting ON mail_subscriptions (status, account_id);
      CREATE INDEX IF NOT EXISTS mail_subscriptions_msgid ON mail_subscriptions (message_id_header);
    `);
  },
};
