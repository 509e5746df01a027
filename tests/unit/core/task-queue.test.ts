import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { RetryableError, type AccountProvider, type ProviderContext } from '../../../src/main/core/providers/types';
import type { StoredTask } from '../../../src/main/core/store';
import { PimlicoError } from '../../../src/main/core/util/errors';
import { createTestCore } from '../../support/core';

let core: Core;
afterEach(async () => core?.close());

/** A Local account whose remote side is slow and scripted, to watch the queue's ordering and retries. */
function scriptedProvider(applied: string[], script: (task: StoredTask) => Promise<void> | void) {
  return (_ctx: ProviderContext): AccountProvider => ({
    canSend: false,
    sync: async () => ({}),
    applyTask: async (task) => {
      await new Promise((r) => setTimeout(r, 15));
      await script(task);
      applied.push((task.payload as { items: { id: string }[] }).items[0]!.id);
    },
    send: async () => undefined,
    close: async () => undefined,
  });
}

function seed(c: Core, n: number): string[] {
  const account = c.accounts.list()[0]!;
  const inbox = c.store.mail.folderByRole(account.id, 'inbox')!;
  return Array.from({ length: n }, (_, i) =>
    c.store.mail.insertMessage(
      { accountId: account.id, folderId: inbox.id, remoteId: null, messageIdHeader: `<q${i}@x>`, inReplyTo: null, references: [], subject: `m${i}`, from: null, to: [], cc: [], bcc: [], replyTo: [], date: i, snippet: '', bodyText: '', bodyHtml: null, isRead: false, isFlagged: false, importance: 'normal', size: 1, attachments: [] },
      Date.now(),
    ),
  );
}

describe('the task queue', () => {
  it('applies remote effects in the order the user acted, and idle() waits for tasks queued during a run', async () => {
    const applied: string[] = [];
    core = createTestCore({ providers: { local: scriptedProvider(applied, () => undefined) } });
    const ids = seed(core, 5);
    for (const id of ids) core.mail.setFlags([id], { read: true });
    await core.tasks.idle();
    expect(applied).toEqual(ids);
    expect(core.store.tasks.recent(10).map((t) => t.status)).toEqual(Array(5).fill('done'));
  });

  it('retries a retryable failure later, keeping later tasks behind it, and fails a permanent one with its reason', async () => {
    const applied: string[] = [];
    let now = 1_000_000;
    let calls = 0;
    core = createTestCore({
      now: () => now,
      providers: {
        local: scriptedProvider(applied, (task) => {
          calls++;
          const id = (task.payload as { items: { id: string }[] }).items[0]!.id;
          if (id === ids[0] && calls === 1) throw new RetryableError('server busy', 60_000);
          if (id === ids[2]) throw new PimlicoError('Forbidden', 'the server refused this change');
        }),
      },
    });
    const ids = seed(core, 3);
    for (const id of ids) core.mail.setFlags([id], { flagged: true });
    await core.tasks.idle();
    // The first task waits a minute; the ones after it wait with it, so order is kept.
    expect(applied).toEqual([]);
    const first = core.store.tasks.recent(10).reverse()[0]!;
    expect(first).toMatchObject({ status: 'pending', lastError: 'server busy', attempts: 1 });
    // The local effect is already visible to the user meanwhile.
    expect(core.store.mail.summary(ids[0]!)!.isFlagged).toBe(true);
    now += 61_000;
    await core.tasks.run(first.accountId);
    await core.tasks.idle();
    expect(applied).toEqual([ids[0], ids[1]]);
    const statuses = core.store.tasks.recent(10).reverse().map((t) => [t.status, t.lastError]);
    expect(statuses).toEqual([
      ['done', null],
      ['done', null],
      ['failed', 'the server refused this change'],
    ]);
  });
});

describe('the outbox', () => {
  it('sends a message queued while an earlier send is in flight, without waiting for another trigger', async () => {
    const sent: string[] = [];
    core = createTestCore({
      providers: {
        local: (): AccountProvider => ({
          canSend: true,
          sync: async () => ({}),
          applyTask: async () => undefined,
          send: async (entry) => {
            await new Promise((r) => setTimeout(r, 30));
            sent.push(entry.subject);
          },
          close: async () => undefined,
        }),
      },
    });
    const accountId = core.accounts.list()[0]!.id;
    const to = [{ name: '', address: 'bob@example.com' }];
    const first = core.handle('mail.send', { accountId, to, subject: 'first', bodyText: '1' });
    await first;
    // The first drain is sending now; this one arrives during it.
    await core.handle('mail.send', { accountId, to, subject: 'second', bodyText: '2' });
    await core.outbox.idle();
    expect(sent).toEqual(['first', 'second']);
    expect(core.store.outbox.list().map((o) => o.status)).toEqual(['sent', 'sent']);
  });
});
