import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { changedEvents, CHANGE_LOG_RETENTION_MS, currentSeq, pruneChangeLog, newEmails, startSeqTrigger, TriggerStateRepo, canonicalJson, type NewEmailQuery } from '../../../src/main/core/triggers';
import { createTestCore } from '../../support/core';
import { deliver } from './support';

// The trigger module on its own, as the background poller uses it: evaluate over the cache since a
// watermark, get the new items and the next watermark.

let core: Core;
let accountId: string;
let inbox: string;
let calendar: string;

beforeAll(() => {
  core = createTestCore();
  accountId = core.accounts.resolve().id;
  inbox = core.store.mail.folderByPath(accountId, 'Inbox')!.id;
  calendar = core.calendar.calendars(accountId)[0]!.id;
});
afterAll(() => core.close());

const anyMail = (): NewEmailQuery => ({ folderId: inbox, to: [], from: [], importance: 'any', onlyWithAttachment: false, subjectFilter: null });

describe('newEmails', () => {
  it('caps a batch and resumes exactly after its last item, so nothing is skipped or repeated', () => {
    let wm = startSeqTrigger(core.store);
    for (let i = 0; i < 7; i++) deliver(core, accountId, 'Inbox', { subject: `m${i}` });
    const seen: string[] = [];
    for (let round = 0; round < 5; round++) {
      const step = newEmails(core.store, anyMail(), wm, 3);
      seen.push(...step.items.map((m) => m.subject));
      wm = step.watermark;
      if (step.items.length === 0) break;
    }
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(wm.seq).toBe(currentSeq(core.store.db));
  });

  it('moves the watermark past messages that do not match, and forgets deleted ones', () => {
    const wm = startSeqTrigger(core.store);
    deliver(core, accountId, 'Archive', { subject: 'elsewhere' });
    const gone = deliver(core, accountId, 'Inbox', { subject: 'gone' });
    core.store.mail.remove([gone]);
    const step = newEmails(core.store, anyMail(), wm);
    expect(step.items).toEqual([]);
    expect(step.watermark.seq).toBeGreaterThan(wm.seq);
  });
});

describe('change log', () => {
  it('records a real modification once and ignores a sync rewriting the same row', () => {
    const wm = startSeqTrigger(core.store);
    const { event } = core.calendar.create(calendar, { summary: 'e', start: '2026-01-01T10:00:00', end: '2026-01-01T11:00:00' });
    const created = changedEvents(core.store, { containerId: calendar, change: 'modified', odata: {} }, wm);
    expect(created.items.map((e) => e.id)).toEqual([event.id]);
    // What a sync does with an unchanged event: the same row again (a new etag, same updated_at).
    core.store.pim.upsertEvent({ ...core.store.pim.event(event.id)!, etag: '"v2"' });
    const after = changedEvents(core.store, { containerId: calendar, change: 'modified', odata: {} }, created.watermark);
    expect(after.items).toEqual([]);
    core.calendar.update(event.id, { summary: 'changed' });
    const changed = changedEvents(core.store, { containerId: calendar, change: 'modified', odata: {} }, after.watermark);
    expect(changed.items.map((e) => e.summary)).toEqual(['changed']);
    expect(changedEvents(core.store, { containerId: calendar, change: 'created', odata: {} }, after.watermark).items).toEqual([]);
  });
});

describe('TriggerStateRepo', () => {
  it('keeps immutable states and prunes only API states nobody used for 30 days', () => {
    const repo = new TriggerStateRepo(core.store.db);
    const t0 = Date.UTC(2026, 0, 1);
    const id = repo.create('x', canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] }), { seq: 5 }, t0);
    expect(repo.get<{ seq: number }>(id, t0)).toMatchObject({ trigger: 'x', params: '{"a":[2,{"c":2,"d":1}],"b":1}', watermark: { seq: 5 } });
    core.store.db.prepare("INSERT INTO trigger_state (id, trigger, created_at, updated_at) VALUES ('poller:mail', 'p', 0, 0)").run();
    expect(repo.prune(t0 + 29 * 86_400_000)).toBe(0);
    expect(repo.prune(t0 + 31 * 86_400_000)).toBe(1);
    expect(repo.get(id, t0)).toBeUndefined();
    expect(core.store.db.prepare("SELECT id FROM trigger_state WHERE id = 'poller:mail'").get()).toBeDefined();
  });
});

describe('pruneChangeLog', () => {
  it('drops entries past the retention but never the newest, so sequence numbers keep growing', () => {
    const db = core.store.db;
    deliver(core, accountId, 'Inbox', { subject: 'a' });
    deliver(core, accountId, 'Inbox', { subject: 'b' });
    const before = currentSeq(db);
    const future = Date.now() + CHANGE_LOG_RETENTION_MS + 60_000;
    expect(pruneChangeLog(db, future)).toBeGreaterThan(0);
    expect((db.prepare('SELECT count(*) AS n FROM change_log').get() as { n: number }).n).toBe(1);
    const wm = { seq: currentSeq(db) };
    expect(wm.seq).toBe(before);
    deliver(core, accountId, 'Inbox', { subject: 'after prune' });
    expect(currentSeq(db)).toBe(before + 1);
    expect(newEmails(core.store, anyMail(), wm).items.map((m) => m.subject)).toEqual(['after prune']);
  });
});
