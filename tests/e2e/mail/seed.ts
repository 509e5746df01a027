import type { Core } from '../../../src/main/core/core';
import type { NewMessage } from '../../../src/main/core/store';
import { createTestCore, tempDir } from '../../support/core';

export type SeedMessage = Partial<NewMessage> & { subject: string; role?: 'inbox' | 'archive' | 'trash' | 'sent' | 'drafts' };

/**
 * Prepares a data folder for headless mode the way the app would have left it: a real Core creates
 * the schema and the Local account, then messages go straight into its store. Returns the folder.
 */
export async function seedLocalMailbox(
  messages: SeedMessage[] | ((i: number) => SeedMessage),
  count = 0,
  dataDir = tempDir('pimlico-seed-'),
  settings: Record<string, unknown> = {},
  prepare?: (core: Core, localAccountId: string) => void,
): Promise<string> {
  const core = createTestCore({ dataDir });
  try {
    for (const [key, value] of Object.entries(settings)) core.store.settings.set(key, value);
    const account = core.accounts.list().find((a) => a.kind === 'local')!;
    const folders = new Map(core.store.mail.listFolders(account.id).map((f) => [f.role, f.id]));
    prepare?.(core, account.id);
    const list = typeof messages === 'function' ? null : messages;
    const n = list ? list.length : count;
    core.store.transaction(() => {
      for (let i = 0; i < n; i++) {
        const m = list ? list[i]! : (messages as (i: number) => SeedMessage)(i);
        const { role, ...rest } = m;
        core.store.mail.insertMessage(
          {
            accountId: account.id,
            folderId: folders.get(role ?? 'inbox')!,
            remoteId: null,
            messageIdHeader: null,
            inReplyTo: null,
            references: [],
            from: { name: 'Alice Example', address: 'alice@example.com' },
            to: [{ name: 'Me', address: 'me@example.com' }],
            cc: [],
            bcc: [],
            replyTo: [],
            date: Date.UTC(2026, 0, 1) + i * 60_000,
            snippet: '',
            bodyText: '',
            bodyHtml: null,
            isRead: false,
            isFlagged: false,
            importance: 'normal',
            size: 1000,
            attachments: [],
            ...rest,
          },
          Date.now(),
        );
      }
    });
    return dataDir;
  } finally {
    await core.close();
  }
}
