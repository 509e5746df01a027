import type { Migration } from './types';

// Lookups measured slow at 100,000 messages (bench/ui): unread counts per folder read every row,
// threading looked up replies by In-Reply-To without an index, and the search box's is:/has: filters
// read whole rows (bodies included) to test one flag.
export const mailLookups: Migration = {
  version: 6,
  name: 'mail-lookups',
  up: (db) => {
    db.exec(`
      CREATE INDEX messages_folder_unread ON messages (folder_id, is_read);
      CREATE INDEX messages_in_reply_to ON messages (account_id, in_reply_to) WHERE in_reply_to IS NOT NULL;
      -- Newest first with the flags beside the date: filter-only searches and their counts stay in the index.
      CREATE INDEX messages_date_flags ON messages (date DESC, is_read, is_flagged, has_attachments, folder_id);
    `);
  },
};
