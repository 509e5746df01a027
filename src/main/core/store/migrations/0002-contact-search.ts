import type { Migration } from './types';

// Search-as-you-type over contacts (compose autocomplete, contacts list), prefix queries on names and emails.
export const contactSearch: Migration = {
  version: 2,
  name: 'contact-search',
  up: (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE contacts_fts USING fts5 (
        name, emails, company,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );
      CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
        INSERT INTO contacts_fts (rowid, name, emails, company) VALUES (
          new.rowid, new.display_name || ' ' || new.given_name || ' ' || new.surname,
          coalesce((SELECT group_concat(replace(replace(value ->> 'address', '@', ' '), '.', ' ') || ' ' || (value ->> 'address'), ' ') FROM json_each(new.emails_json)), ''),
          new.company);
      END;
      CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
        DELETE FROM contacts_fts WHERE rowid = old.rowid;
      END;
      CREATE TRIGGER contacts_fts_update AFTER UPDATE OF display_name, given_name, surname, emails_json, company ON contacts BEGIN
        DELETE FROM contacts_fts WHERE rowid = old.rowid;
        INSERT INTO contacts_fts (rowid, name, emails, company) VALUES (
          new.rowid, new.display_name || ' ' || new.given_name || ' ' || new.surname,
          coalesce((SELECT group_concat(replace(replace(value ->> 'address', '@', ' '), '.', ' ') || ' ' || (value ->> 'address'), ' ') FROM json_each(new.emails_json)), ''),
          new.company);
      END;
      -- Index what migration 1 already held.
      INSERT INTO contacts_fts (rowid, name, emails, company)
        SELECT rowid, display_name || ' ' || given_name || ' ' || surname,
          coalesce((SELECT group_concat(replace(replace(value ->> 'address', '@', ' '), '.', ' ') || ' ' || (value ->> 'address'), ' ') FROM json_each(emails_json)), ''),
          company FROM contacts;
    `);
  },
};
