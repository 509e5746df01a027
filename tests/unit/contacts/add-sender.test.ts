// "Add sender to contacts" files the contact in the address book of the account the mail came from, so it
// syncs to that account's CardDAV/Graph contacts rather than to whichever book happens to sort first.
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { Contact } from '../../../src/shared/types';
import { createTestCore } from '../../support/core';
import { deliver, localInbox } from '../poller/helpers';

let core: Core;
afterEach(async () => core?.close());

describe('add sender to contacts', () => {
  it("adds each sender to the address book of the mail's own account", async () => {
    core = createTestCore();
    const accounts = [
      core.accounts.list().find((a) => a.kind === 'local')!.id,
      core.accounts.create({ kind: 'local', displayName: 'Work', email: 'me@work.test' }).id,
      core.accounts.create({ kind: 'local', displayName: 'Club', email: 'me@club.test' }).id,
    ];
    for (const [i, accountId] of accounts.entries()) {
      const messageId = deliver(core, localInbox(core, accountId), { from: `sender${i}@example.com`, fromName: `Sender ${i}` });
      const { contact, created } = (await core.handle('contacts.addSender', { messageId })) as { contact: Contact; created: boolean };
      expect(created).toBe(true);
      const book = core.store.pim.addressBooks().find((b) => b.id === contact.addressBookId)!;
      expect(book.accountId, `sender ${i}`).toBe(accountId);
    }
  });

  it('finds a sender already known in any account instead of adding a second card', async () => {
    core = createTestCore();
    const work = core.accounts.create({ kind: 'local', displayName: 'Work', email: 'me@work.test' }).id;
    const first = deliver(core, localInbox(core), { from: 'ada@example.com', fromName: 'Ada Lovelace' });
    const added = (await core.handle('contacts.addSender', { messageId: first })) as { contact: Contact };
    const second = deliver(core, localInbox(core, work), { from: 'ADA@example.com', fromName: 'Ada' });
    expect(await core.handle('contacts.addSender', { messageId: second })).toMatchObject({ created: false, contact: { id: added.contact.id } });
  });
});
