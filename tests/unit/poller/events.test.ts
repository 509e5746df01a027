import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { coreWithClock, notifications, TestClock } from './helpers';

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close().catch(() => undefined);
});

const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 19);

function setup(clock: TestClock): { core: Core; calendarId: string; shown: ReturnType<typeof notifications> } {
  const core = coreWithClock(clock);
  cores.push(core);
  const calendarId = core.calendar.calendars()[0]!.id;
  void core.handle('notifications.setSettings', { timeZone: 'UTC' });
  return { core, calendarId, shown: notifications(core) };
}

/** Polls every few minutes from now until `until`, as the background timer does. */
function pollUntil(core: Core, clock: TestClock, until: number, stepMs = 5 * MIN): void {
  while (clock.t < until) {
    core.poller.poll();
    clock.advance(stepMs);
  }
  core.poller.poll();
}

describe('upcoming event notifications', () => {
  it('announces an event created to start in 10 minutes once', () => {
    const clock = new TestClock();
    const { core, calendarId, shown } = setup(clock);
    const start = clock.t + 10 * MIN;
    const { event } = core.calendar.create(calendarId, { summary: 'Stand-up', location: 'Room 4', start: iso(start), end: iso(start + 15 * MIN), timeZone: 'UTC' });
    pollUntil(core, clock, start + 60 * MIN, MIN);
    expect(shown).toEqual([expect.objectContaining({ title: 'Stand-up', target: { kind: 'event', id: event.id, startUtc: start } })]);
    expect(shown[0]!.body).toContain('Room 4');
    expect(core.poller.ledger.list(10)).toEqual([expect.objectContaining({ trigger: 'OnUpcomingEvents', itemId: event.id, decision: 'notified' })]);
  });

  it('waits for the reminder time, and a clock set back does not repeat it', () => {
    const clock = new TestClock();
    const { core, calendarId, shown } = setup(clock);
    const start = clock.t + 3 * 60 * MIN;
    core.calendar.create(calendarId, { summary: 'Dentist', start: iso(start), end: iso(start + 30 * MIN), timeZone: 'UTC', reminderMinutes: 60 });
    pollUntil(core, clock, start - 66 * MIN);
    expect(shown).toHaveLength(0);
    pollUntil(core, clock, start - 50 * MIN);
    expect(shown).toHaveLength(1);
    clock.advance(-2 * 60 * MIN);
    pollUntil(core, clock, start + 10 * MIN);
    expect(shown).toHaveLength(1);
  });

  it('announces each occurrence of a weekly event once', () => {
    const clock = new TestClock(Date.parse('2026-03-02T08:00:00Z'));
    const { core, calendarId, shown } = setup(clock);
    core.calendar.create(calendarId, {
      summary: 'Weekly review',
      start: '2026-03-02T09:00:00',
      end: '2026-03-02T10:00:00',
      timeZone: 'Europe/London',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    });
    pollUntil(core, clock, Date.parse('2026-03-31T00:00:00Z'), 10 * MIN);
    expect(shown.map((n) => n.title)).toEqual(['Weekly review', 'Weekly review', 'Weekly review', 'Weekly review']);
    const keys = core.store.db.prepare("SELECT item_key FROM notification_ledger WHERE trigger = 'OnUpcomingEvents' ORDER BY created_at").all() as { item_key: string }[];
    expect(new Set(keys.map((k) => k.item_key)).size).toBe(4);
  });

  it('announces an all-day event at the configured local hour, and survives a restart without repeating', async () => {
    const clock = new TestClock(Date.parse('2026-03-04T20:00:00Z'));
    const { core, calendarId, shown } = setup(clock);
    await core.handle('notifications.setSettings', { timeZone: 'America/New_York', allDayAt: '08:30' });
    core.calendar.create(calendarId, { summary: 'Conference', start: '2026-03-05', end: '2026-03-06', allDay: true });
    // 08:30 in New York on 5 March is 13:30 UTC.
    pollUntil(core, clock, Date.parse('2026-03-05T13:25:00Z'));
    expect(shown).toHaveLength(0);
    pollUntil(core, clock, Date.parse('2026-03-05T13:35:00Z'));
    expect(shown).toHaveLength(1);
    const dataDir = core.options.dataDir;
    await core.close();
    cores.length = 0;
    const again = coreWithClock(clock, dataDir);
    cores.push(again);
    const later = notifications(again);
    pollUntil(again, clock, Date.parse('2026-03-05T20:00:00Z'));
    expect(later).toHaveLength(0);
  });

  it('records an event that began while Pimlico was asleep as missed instead of announcing it late', () => {
    const clock = new TestClock();
    const { core, calendarId, shown } = setup(clock);
    core.poller.poll();
    const start = clock.t + 30 * MIN;
    const { event } = core.calendar.create(calendarId, { summary: 'Call', start: iso(start), end: iso(start + 30 * MIN), timeZone: 'UTC', reminderMinutes: 5 });
    core.poller.poll();
    clock.advance(2 * 60 * MIN); // the laptop slept through it
    core.poller.poll();
    expect(shown).toHaveLength(0);
    expect(core.poller.ledger.list(10)).toEqual([expect.objectContaining({ itemId: event.id, decision: 'suppressed', reason: 'missed' })]);
  });
});
