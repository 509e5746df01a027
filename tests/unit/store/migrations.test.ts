import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, schemaVersion, migrate } from '../../../src/main/core/store';
import { migrations } from '../../../src/main/core/store/migrations';
import { tempDir } from '../../support/core';

describe('SQLite store migrations', () => {
  it('creates a WAL database at the latest version with every table', () => {
    const db = openDatabase(join(tempDir(), 'p.sqlite3'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(migrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['accounts', 'folders', 'messages', 'messages_fts', 'attachments', 'blobs', 'calendars', 'events', 'address_books', 'contacts', 'outbox', 'tasks', 'trigger_state', 'settings', 'secrets']) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('upgrades a database made by migration 1 without losing data, indexing what it held', () => {
    const file = join(tempDir(), 'old.sqlite3');
    const v1 = openDatabase(file, { targetVersion: 1 });
    expect(schemaVersion(v1)).toBe(1);
    v1.prepare("INSERT INTO accounts (id, kind, display_name, created_at) VALUES ('a1', 'local', 'Local', 1)").run();
    v1.prepare("INSERT INTO address_books (id, account_id, name) VALUES ('b1', 'a1', 'Book')").run();
    v1.prepare(
      `INSERT INTO contacts (id, address_book_id, account_id, uid, display_name, emails_json, created_at, updated_at)
       VALUES ('c1', 'b1', 'a1', 'u1', 'Ada Lovelace', '[{"type":"work","address":"ada@analytical.example"}]', 1, 1)`,
    ).run();
    // Migration 1 has no contact search index yet.
    expect(v1.prepare("SELECT name FROM sqlite_master WHERE name = 'contacts_fts'").get()).toBeUndefined();
    v1.close();

    const upgraded = openDatabase(file);
    expect(schemaVersion(upgraded)).toBe(migrations.length);
    const hits = upgraded
      .prepare("SELECT c.display_name FROM contacts c WHERE c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH 'analyt*')")
      .all();
    expect(hits).toEqual([{ display_name: 'Ada Lovelace' }]);
    upgraded.close();
  });

  it('refuses to open a database from a newer Pimlico', () => {
    const file = join(tempDir(), 'future.sqlite3');
    const db = openDatabase(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Pimlico/);
  });

  it('rolls back a failing migration completely', () => {
    const file = join(tempDir(), 'fail.sqlite3');
    const db = openDatabase(file, { targetVersion: 1 });
    const broken = [
      ...migrations.slice(0, 1),
      { version: 2, name: 'broken', up: (d: typeof db) => d.exec('CREATE TABLE half_done (x); SELECT * FROM no_such_table;') },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });
});
