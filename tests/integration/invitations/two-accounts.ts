// Two real accounts in one core, alice (organiser) and bob (attendee), each with IMAP, SMTP and CalDAV
// on the test servers, for the iMIP tests: mail travels through Postfix and Dovecot, events go to Radicale.
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { invitationsFor } from '../../../src/main/core/handlers/pim';
import type { InvitationService } from '../../../src/main/core/invitations';
import { resetDavUser, resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import { imapAccountInput, user } from '../imap/support';

export type Who = 'alice' | 'bob';

export interface TwoAccounts {
  readonly core: Core;
  readonly invitations: InvitationService;
  /** Account ids by name, filled before the first test. */
  readonly ids: Record<Who, string>;
  /** Lets the task queue, outbox and poller finish what a step started. */
  settle(): Promise<void>;
  inbox(name: Who): Promise<{ id: string; subject: string }[]>;
  /** Syncs the account until a new message with this subject (not one of `seen`) is in its inbox. */
  delivered(name: Who, subject: string, seen?: string[]): Promise<string>;
  calendarOf(name: Who): { id: string; name: string };
}

/** Registers the set-up (users reset, both accounts added and synced once) and tear-down of a test file. */
export function twoAccounts(): TwoAccounts {
  const servers = inject('servers');
  const ids = {} as Record<Who, string>;
  let core: Core | undefined;
  let invitations: InvitationService | undefined;
  const live = () => {
    if (!core) throw new Error('the accounts are set up in beforeAll');
    return core;
  };
  const h: TwoAccounts = {
    get core() {
      return live();
    },
    get invitations() {
      if (!invitations) throw new Error('the accounts are set up in beforeAll');
      return invitations;
    },
    ids,
    async settle() {
      for (let i = 0; i < 3; i++) {
        await live().tasks.idle();
        await live().outbox.idle();
        await live().poller.idle();
        await new Promise((r) => setImmediate(r));
      }
    },
    async inbox(name) {
      const folder = live().store.mail.listFolders(ids[name]).find((f) => f.role === 'inbox')!;
      const page = (await live().handle('mail.list', { folderId: folder.id, limit: 100 })) as { items: { id: string; subject: string }[] };
      return page.items;
    },
    async delivered(name, subject, seen = []) {
      let id: string | undefined;
      await expect
        .poll(
          async () => {
            await live().sync.syncNow(ids[name]);
            id = (await h.inbox(name)).find((m) => m.subject === subject && !seen.includes(m.id))?.id;
            return id !== undefined;
          },
          { timeout: 30_000, interval: 500, message: `${subject} delivered to ${name}` },
        )
        .toBe(true);
      // The sync ran the poller, which applies replies, updates and cancellations in the background.
      await h.settle();
      return id!;
    },
    calendarOf: (name) => live().store.pim.calendars(ids[name]).find((c) => !c.readOnly)!,
  };
  beforeAll(async () => {
    for (const name of ['alice', 'bob'] as const) {
      const u = user(servers, name);
      await resetMailUser(u.email, servers);
      await resetDavUser(u.email, servers);
    }
    core = createTestCore();
    for (const name of ['alice', 'bob'] as const) {
      ids[name] = core.accounts.create({ ...imapAccountInput(servers, user(servers, name), { dav: true }), displayName: name }).id;
    }
    await core.sync.syncNow(ids.alice);
    await core.sync.syncNow(ids.bob);
    invitations = invitationsFor(core);
  }, 60_000);
  afterAll(async () => {
    if (!core) return;
    await h.settle();
    await core.close();
  });
  return h;
}
