import type { Migration } from './types';

/**
 * Lookups the Graph provider makes for every item of a delta page: a message by its Graph id
 * anywhere in the account (ImmutableId follows it across folders), events and contacts by Graph id,
 * and the messages whose body is still to be fetched.
 */
export const graphLookups: Migration = {
  version: 4,
  name: 'graph-lookups',
  up: (db) => {
    db.exec(`
      CREATE INDEX messages_account_remote ON messages (account_id, remote_id) WHERE remote_id IS NOT NULL;
      CREATE INDEX messages_body_pending ON messages (account_id, date) WHERE body_state = 'headers-only';
      CREATE INDEX events_remote ON events (calendar_id, remote_id) WHERE remote_id IS NOT NULL;
      CREATE INDEX contacts_remote ON contacts (address_book_id, remote_id) WHERE remote_id IS NOT NULL;
    `);
  },
};
