import type { Migration } from './types';

// The first schema: every table the app needs from day one. Times are INTEGER epoch milliseconds,
// lists are JSON text, booleans are 0/1.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up: (db) => {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE accounts (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL CHECK (kind IN ('local', 'imap', 'graph')),
        display_name TEXT NOT NULL,
        email        TEXT NOT NULL DEFAULT '',
        settings     TEXT NOT NULL DEFAULT '{}',
        is_default   INTEGER NOT NULL DEFAULT 0,
        status       TEXT NOT NULL DEFAULT 'ok',
        last_error   TEXT,
        last_sync_at INTEGER,
        sync_state   TEXT NOT NULL DEFAULT '{}',
        created_at   INTEGER NOT NULL
      );

      -- Secrets are stored encrypted by the shell's keychain (safeStorage) or the headless key file.
      CREATE TABLE secrets (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        PRIMARY KEY (account_id, name)
      );

      CREATE TABLE folders (
        id             TEXT PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        path           TEXT NOT NULL,
        name           TEXT NOT NULL,
        role           TEXT NOT NULL DEFAULT 'custom',
        parent_id      TEXT,
        delimiter      TEXT,
        remote_id      TEXT,
        uidvalidity    INTEGER,
        uidnext        INTEGER,
        highest_modseq TEXT,
        sync_token     TEXT,
        last_synced_at INTEGER,
        UNIQUE (account_id, path)
      );
      CREATE INDEX folders_role ON folders (role, account_id);

      CREATE TABLE messages (
        id                TEXT PRIMARY KEY,
        account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        folder_id         TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        -- Where the message is on the server as last known; folder_id is where the user sees it.
        -- They differ while a move is waiting in the task queue.
        remote_folder_id  TEXT,
        remote_id         TEXT,
        message_id_header TEXT,
        thread_id         TEXT NOT NULL,
        in_reply_to       TEXT,
        refs              TEXT NOT NULL DEFAULT '[]',
        subject           TEXT NOT NULL DEFAULT '',
        from_name         TEXT NOT NULL DEFAULT '',
        from_address      TEXT NOT NULL DEFAULT '',
        to_json           TEXT NOT NULL DEFAULT '[]',
        cc_json           TEXT NOT NULL DEFAULT '[]',
        bcc_json          TEXT NOT NULL DEFAULT '[]',
        reply_to_json     TEXT NOT NULL DEFAULT '[]',
        date              INTEGER NOT NULL,
        snippet           TEXT NOT NULL DEFAULT '',
        body_text         TEXT NOT NULL DEFAULT '',
        body_html         TEXT,
        body_state        TEXT NOT NULL DEFAULT 'complete',
        headers_json      TEXT NOT NULL DEFAULT '{}',
        is_read           INTEGER NOT NULL DEFAULT 0,
        is_flagged        INTEGER NOT NULL DEFAULT 0,
        is_answered       INTEGER NOT NULL DEFAULT 0,
        is_draft          INTEGER NOT NULL DEFAULT 0,
        has_attachments   INTEGER NOT NULL DEFAULT 0,
        importance        TEXT NOT NULL DEFAULT 'normal',
        size              INTEGER NOT NULL DEFAULT 0,
        modseq            TEXT,
        created_at        INTEGER NOT NULL
      );
      CREATE INDEX messages_folder_date ON messages (folder_id, date DESC, id);
      CREATE INDEX messages_thread ON messages (thread_id, date);
      CREATE INDEX messages_msgid ON messages (account_id, message_id_header);
      CREATE UNIQUE INDEX messages_remote ON messages (remote_folder_id, remote_id) WHERE remote_id IS NOT NULL;
      CREATE INDEX messages_created ON messages (account_id, created_at);

      -- Contentless: the text lives in messages; the index only maps tokens to rowids.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, sender, recipients, body,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (
          new.rowid, new.subject, new.from_name || ' ' || new.from_address,
          coalesce((SELECT group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'address', ''), ' ')
             FROM json_each(new.to_json)), '') || ' ' ||
          coalesce((SELECT group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'address', ''), ' ')
             FROM json_each(new.cc_json)), ''),
          new.body_text);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, from_name, from_address, to_json, cc_json, body_text ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
        INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (
          new.rowid, new.subject, new.from_name || ' ' || new.from_address,
          coalesce((SELECT group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'address', ''), ' ')
             FROM json_each(new.to_json)), '') || ' ' ||
          coalesce((SELECT group_concat(coalesce(value ->> 'name', '') || ' ' || coalesce(value ->> 'address', ''), ' ')
             FROM json_each(new.cc_json)), ''),
          new.body_text);
      END;

      -- Attachment bytes are stored once per content hash, however many messages carry them.
      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        size   INTEGER NOT NULL,
        data   BLOB
      );
      CREATE TABLE attachments (
        id           TEXT PRIMARY KEY,
        message_id   TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        part_id      TEXT,
        filename     TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size         INTEGER NOT NULL,
        content_id   TEXT,
        inline       INTEGER NOT NULL DEFAULT 0,
        blob_sha256  TEXT
      );
      CREATE INDEX attachments_message ON attachments (message_id);
      CREATE INDEX attachments_blob ON attachments (blob_sha256);

      CREATE TABLE calendars (
        id          TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        remote_id   TEXT,
        name        TEXT NOT NULL,
        color       TEXT NOT NULL DEFAULT '#3b82f6',
        read_only   INTEGER NOT NULL DEFAULT 0,
        visible     INTEGER NOT NULL DEFAULT 1,
        sync_token  TEXT,
        ctag        TEXT,
        sort_order  INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE events (
        id               TEXT PRIMARY KEY,
        calendar_id      TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
        account_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        uid              TEXT NOT NULL,
        remote_id        TEXT,
        etag             TEXT,
        ical             TEXT,
        summary          TEXT NOT NULL DEFAULT '',
        description      TEXT NOT NULL DEFAULT '',
        location         TEXT NOT NULL DEFAULT '',
        start_local      TEXT NOT NULL,
        end_local        TEXT NOT NULL,
        time_zone        TEXT NOT NULL DEFAULT 'UTC',
        all_day          INTEGER NOT NULL DEFAULT 0,
        rrule            TEXT,
        exdates_json     TEXT NOT NULL DEFAULT '[]',
        recurrence_id    TEXT,
        status           TEXT NOT NULL DEFAULT 'confirmed',
        show_as          TEXT NOT NULL DEFAULT 'busy',
        importance       TEXT NOT NULL DEFAULT 'normal',
        reminder_minutes INTEGER,
        organizer_json   TEXT,
        attendees_json   TEXT NOT NULL DEFAULT '[]',
        categories_json  TEXT NOT NULL DEFAULT '[]',
        start_utc        INTEGER NOT NULL,
        -- For a recurring series, the end of its last occurrence (or far future when unbounded).
        end_utc          INTEGER NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      );
      CREATE INDEX events_range ON events (calendar_id, start_utc, end_utc);
      CREATE INDEX events_uid ON events (calendar_id, uid);
      CREATE INDEX events_created ON events (calendar_id, created_at);
      CREATE INDEX events_updated ON events (calendar_id, updated_at);

      CREATE TABLE address_books (
        id          TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        remote_id   TEXT,
        name        TEXT NOT NULL,
        read_only   INTEGER NOT NULL DEFAULT 0,
        sync_token  TEXT,
        ctag        TEXT
      );

      CREATE TABLE contacts (
        id              TEXT PRIMARY KEY,
        address_book_id TEXT NOT NULL REFERENCES address_books(id) ON DELETE CASCADE,
        account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        uid             TEXT NOT NULL,
        remote_id       TEXT,
        etag            TEXT,
        vcard           TEXT,
        kind            TEXT NOT NULL DEFAULT 'individual',
        display_name    TEXT NOT NULL DEFAULT '',
        given_name      TEXT NOT NULL DEFAULT '',
        surname         TEXT NOT NULL DEFAULT '',
        emails_json     TEXT NOT NULL DEFAULT '[]',
        phones_json     TEXT NOT NULL DEFAULT '[]',
        addresses_json  TEXT NOT NULL DEFAULT '[]',
        company         TEXT NOT NULL DEFAULT '',
        job_title       TEXT NOT NULL DEFAULT '',
        birthday        TEXT,
        notes           TEXT NOT NULL DEFAULT '',
        categories_json TEXT NOT NULL DEFAULT '[]',
        members_json    TEXT NOT NULL DEFAULT '[]',
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX contacts_book_name ON contacts (address_book_id, display_name);
      CREATE INDEX contacts_updated ON contacts (address_book_id, updated_at);

      -- Every user action is a persisted task: applied locally at once, then remotely, with undo.
      CREATE TABLE tasks (
        id              TEXT PRIMARY KEY,
        account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        undo            TEXT,
        status          TEXT NOT NULL DEFAULT 'pending',
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX tasks_pending ON tasks (status, next_attempt_at);

      CREATE TABLE outbox (
        id                TEXT PRIMARY KEY,
        account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        status            TEXT NOT NULL DEFAULT 'queued',
        raw               BLOB NOT NULL,
        envelope_json     TEXT NOT NULL,
        message_id_header TEXT NOT NULL,
        subject           TEXT NOT NULL DEFAULT '',
        to_json           TEXT NOT NULL DEFAULT '[]',
        draft_id          TEXT,
        send_at           INTEGER,
        attempts          INTEGER NOT NULL DEFAULT 0,
        last_error        TEXT,
        next_attempt_at   INTEGER NOT NULL DEFAULT 0,
        created_at        INTEGER NOT NULL,
        sent_at           INTEGER
      );
      CREATE INDEX outbox_status ON outbox (status, next_attempt_at);

      -- Watermarks of the polling triggers (REST API and background poller).
      CREATE TABLE trigger_state (
        id         TEXT PRIMARY KEY,
        trigger    TEXT NOT NULL,
        params     TEXT NOT NULL DEFAULT '{}',
        watermark  TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
  },
};
