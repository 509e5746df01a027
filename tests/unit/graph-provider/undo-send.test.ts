// Undo send on a Graph account: a sync during the hold must not hand the message to Exchange, or z
// could no longer take it back (it would sit in Outlook's Outbox and go out anyway).
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, graphFixture, type GraphFixture } from './support';

const HOLD_MS = 5_000; // the shortest undo-send delay the settings allow

describe('Graph provider: undo send', () => {
  let fx: GraphFixture;
  let clock = Date.now();
  afterEach(async () => {
    await fx.close();
  });

  it('keeps a message held for undo in Pimlico’s outbox through a sync, so cancelling it sends nothing', async () => {
    clock = Date.now();
    fx = await graphFixture({ now: () => clock });
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    // What compose.send does with undoSeconds: the entry is due when the hold ends.
    const { outboxId } = await core.mail.send({ accountId, to: [{ name: 'Bob', address: BOB }], subject: 'Oops', bodyText: 'not yet', sendAt: clock + HOLD_MS });
    await core.sync.syncNow(accountId);
    expect(core.store.outbox.get(outboxId)?.status).toBe('queued');
    expect(emu.getMessages(ALICE, 'outbox')).toEqual([]);
    expect(emu.sentMail).toEqual([]);
    // z: the hold is cancelled, and nothing ever goes out, even long after.
    core.store.outbox.setStatus(outboxId, 'cancelled');
    clock += HOLD_MS + 1_000;
    await core.sync.syncNow(accountId);
    expect(emu.runDeferredSends(new Date(Date.now() + 3_600_000))).toBe(0);
    expect(emu.sentMail).toEqual([]);
    expect(emu.getMessages(BOB, 'inbox')).toEqual([]);
  });

  it('sends a held message once its hold has passed', async () => {
    clock = Date.now();
    fx = await graphFixture({ now: () => clock });
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const { outboxId } = await core.mail.send({ accountId, to: [{ name: 'Bob', address: BOB }], subject: 'On its way', bodyText: 'after the hold', sendAt: clock + HOLD_MS });
    await core.sync.syncNow(accountId);
    expect(emu.getMessages(BOB, 'inbox')).toEqual([]);
    clock += HOLD_MS + 1_000;
    await core.outbox.run(accountId);
    expect(core.store.outbox.get(outboxId)?.status).toBe('sent');
    expect(emu.getMessages(BOB, 'inbox').map((m) => m.subject)).toEqual(['On its way']);
    expect(emu.getMessages(ALICE, 'sentitems').map((m) => m.subject)).toEqual(['On its way']);
  });
});
