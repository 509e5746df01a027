import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { coreWithClock, deliver, localInbox, notifications, TestClock } from './helpers';

const cores: Core[] = [];
const track = (c: Core) => (cores.push(c), c);
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close().catch(() => undefined);
});

describe('new mail notifications and the ledger', () => {
  it('records exactly one decision per new message, with the reason a user would ask for', async () => {
    const clock = new TestClock();
    const core = track(coreWithClock(clock));
    const shown = notifications(core);
    const inbox = localInbox(core);
    const me = core.accounts.create({ kind: 'local', displayName: 'Me', email: 'me@pimlico.test' });
    const unread = deliver(core, inbox, { from: 'carol@example.com', fromName: 'Carol', subject: 'Lunch?', body: 'Are you free at noon?' });
    const read = deliver(core, inbox, { subject: 'Seen on phone', isRead: true });
    const mine = deliver(core, inbox, { from: 'me@pimlico.test', subject: 'Note to self' });
    core.poller.poll();
    core.poller.poll();

    const ledger = core.poller.ledger.list(100);
    expect(ledger).toHaveLength(3);
    const by = (id: string) => ledger.filter((e) => e.itemId === id);
    expect(by(unread)).toEqual([expect.objectContaining({ trigger: 'OnNewEmail', decision: 'notified', reason: null, title: 'Carol' })]);
    expect(by(read)).toEqual([expect.objectContaining({ decision: 'suppressed', reason: 'already-read' })]);
    expect(by(mine)).toEqual([expect.objectContaining({ decision: 'suppressed', reason: 'sent-by-me' })]);
    expect(shown).toEqual([{ id: by(unread)[0]!.id, title: 'Carol', body: 'Lunch?\nAre you free at noon?', target: { kind: 'message', id: unread } }]);
    expect(me.id).toBeTruthy();
  });

  it('suppresses muted folders, quiet hours and a paused tray, and says so', async () => {
    const clock = new TestClock(Date.parse('2026-03-02T23:30:00Z'));
    const core = track(coreWithClock(clock));
    const shown = notifications(core);
    const inbox = localInbox(core);
    await core.handle('notifications.setSettings', { timeZone: 'UTC', quietHours: { enabled: true, start: '22:00', end: '07:00' } });
    const night = deliver(core, inbox, { subject: 'Late' });
    core.poller.poll();
    clock.t = Date.parse('2026-03-03T08:00:00Z');
    await core.handle('notifications.pause', { minutes: 60 });
    const paused = deliver(core, inbox, { subject: 'While paused' });
    core.poller.poll();
    await core.handle('notifications.pause', { minutes: 0 });
    await core.handle('notifications.setSettings', { mutedFolderIds: [inbox.folderId] });
    const muted = deliver(core, inbox, { subject: 'Muted' });
    core.poller.poll();
    const reasons = Object.fromEntries(core.poller.ledger.list(10).map((e) => [e.itemId, e.reason]));
    expect(reasons).toEqual({ [night]: 'quiet-hours', [paused]: 'paused', [muted]: 'muted-folder' });
    expect(shown).toHaveLength(0);
  });

  it('groups many messages that arrive at once into one summary', () => {
    const clock = new TestClock();
    const core = track(coreWithClock(clock));
    const shown = notifications(core);
    const inbox = localInbox(core);
    for (let i = 0; i < 6; i++) deliver(core, inbox, { fromName: `Sender ${i}`, subject: `News ${i}` });
    core.poller.poll();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: '6 new messages', target: null });
    const ledger = core.poller.ledger.list(100);
    expect(ledger).toHaveLength(6);
    expect(ledger.every((e) => e.decision === 'notified' && e.reason === 'grouped')).toBe(true);
  });

  it('neither loses nor repeats a message across a restart between two deliveries', async () => {
    const clock = new TestClock();
    const first = coreWithClock(clock);
    const dataDir = first.options.dataDir;
    const inbox = localInbox(first);
    const a = deliver(first, inbox, { subject: 'Before restart' });
    first.poller.poll();
    // Delivered by a sync that finished just before the app quit, never polled.
    const b = deliver(first, inbox, { subject: 'Arrived while quitting' });
    await first.close();
    clock.advance(3_600_000);
    const second = track(coreWithClock(clock, dataDir));
    const shown = notifications(second);
    const c = deliver(second, localInbox(second), { subject: 'After restart' });
    second.poller.poll();
    second.poller.poll();
    const ledger = second.poller.ledger.list(100);
    expect(ledger.map((e) => e.itemId).sort()).toEqual([a, b, c].sort());
    expect(shown.map((n) => n.target?.id).sort()).toEqual([b, c].sort());
  });

  it('records a second copy of the same message as a duplicate instead of announcing it twice', () => {
    const clock = new TestClock();
    const core = track(coreWithClock(clock));
    const shown = notifications(core);
    const inbox = localInbox(core);
    deliver(core, inbox, { subject: 'Once', messageId: '<same@example.com>' });
    core.poller.poll();
    const copy = deliver(core, inbox, { subject: 'Once', messageId: '<same@example.com>' });
    core.poller.poll();
    expect(core.poller.ledger.list(10).find((e) => e.itemId === copy)).toMatchObject({ decision: 'suppressed', reason: 'duplicate' });
    expect(shown).toHaveLength(1);
  });

  it('does not announce old mail that a sync backfills after watching began', () => {
    const clock = new TestClock();
    const first = track(coreWithClock(clock));
    const before = first.store.db.prepare('SELECT count(*) AS n FROM notification_ledger').get() as { n: number };
    expect(before.n).toBe(0);
    const old = deliver(first, localInbox(first), { subject: 'Old mail', date: clock.t - 10 * 86_400_000 });
    first.poller.poll();
    expect(first.poller.ledger.list(10).map((e) => e.itemId)).not.toContain(old);
    const fresh = deliver(first, localInbox(first), { subject: 'New mail' });
    first.poller.poll();
    expect(first.poller.ledger.list(10).map((e) => e.itemId)).toEqual([fresh]);
  });
});
