import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { CalendarEvent, Occurrence } from '../../../src/shared/types';
import { createTestCore } from '../../support/core';
import { settleAndClose } from './settle';

let core: Core;
let calendarId: string;
const call = <T>(name: string, req: unknown) => core.handle(name, req) as Promise<T>;
const range = (from: string, to: string) => call<Occurrence[]>('events.range', { fromUtc: Date.parse(from), toUtc: Date.parse(to) });

beforeEach(async () => {
  core = createTestCore();
  const cals = await call<{ id: string }[]>('calendars.list', {});
  calendarId = cals[0]!.id;
});
afterEach(async () => settleAndClose(core));

async function weeklySeries(extra: Record<string, unknown> = {}) {
  return call<CalendarEvent>('events.create', {
    calendarId,
    event: { summary: 'Standup', start: '2026-03-02T09:00', end: '2026-03-02T09:30', timeZone: 'America/New_York', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6', ...extra },
  });
}

describe('editing recurring events by scope', () => {
  it('one occurrence becomes a RECURRENCE-ID override with the same UID; the others keep their time across the DST change', async () => {
    const series = await weeklySeries();
    const moved = await call<CalendarEvent>('events.updateOccurrence', {
      id: series.id,
      recurrenceId: '2026-03-16T09:00:00',
      scope: 'one',
      patch: { start: '2026-03-16T11:00', end: '2026-03-16T12:00', summary: 'Standup (moved)' },
    });
    expect(moved.uid).toBe(series.uid);
    expect(moved.recurrenceId).toBe('2026-03-16T09:00:00');
    const occ = await range('2026-03-01T00:00:00Z', '2026-04-30T00:00:00Z');
    expect(occ).toHaveLength(6);
    // 9:00 New York is 14:00Z before 8 March and 13:00Z after it.
    expect(new Date(occ[0]!.startUtc).toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(new Date(occ[1]!.startUtc).toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(occ[2]!.event.summary).toBe('Standup (moved)');
    expect(new Date(occ[2]!.startUtc).toISOString()).toBe('2026-03-16T15:00:00.000Z');
    expect(occ[2]!.eventId).toBe(moved.id);
    // Editing the same slot again updates the override instead of adding a second one.
    await call('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-16T09:00:00', scope: 'one', patch: { location: 'Room 2' } });
    expect(core.store.pim.eventsByUid(calendarId, series.uid)).toHaveLength(2);
  });

  it('this and following splits the series with UNTIL, keeping the remaining COUNT', async () => {
    const series = await weeklySeries();
    const tail = await call<CalendarEvent>('events.updateOccurrence', {
      id: series.id,
      recurrenceId: '2026-03-23T09:00:00',
      scope: 'following',
      patch: { start: '2026-03-23T10:00', end: '2026-03-23T10:30' },
    });
    const head = await call<CalendarEvent>('events.get', { id: series.id });
    expect(head.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;UNTIL=20260323T125959Z');
    expect(tail.uid).not.toBe(series.uid);
    expect(tail.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=3');
    const occ = await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');
    expect(occ.map((o) => new Date(o.startUtc).toISOString().slice(0, 16))).toEqual([
      '2026-03-02T14:00',
      '2026-03-09T13:00',
      '2026-03-16T13:00',
      '2026-03-23T14:00',
      '2026-03-30T14:00',
      '2026-04-06T14:00',
    ]);
  });

  it('the whole series moves by the amount one occurrence was moved', async () => {
    const series = await weeklySeries();
    await call('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-16T09:00:00', scope: 'all', patch: { start: '2026-03-17T08:00', end: '2026-03-17T08:30' } });
    const master = await call<CalendarEvent>('events.get', { id: series.id });
    expect(master.start).toBe('2026-03-03T08:00:00');
    expect(master.end).toBe('2026-03-03T08:30:00');
  });

  it('deleting one occurrence adds an EXDATE; this and following ends the series; all removes it with its overrides', async () => {
    const series = await weeklySeries();
    await call('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-09T09:00:00', scope: 'one' });
    expect((await call<CalendarEvent>('events.get', { id: series.id })).exdates).toEqual(['2026-03-09T09:00:00']);
    expect(await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z')).toHaveLength(5);

    const override = await call<CalendarEvent>('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-16T09:00:00', scope: 'one', patch: { summary: 'x' } });
    // Deleting an overridden slot removes the override and excludes the slot.
    await call('events.deleteOccurrence', { id: override.id, recurrenceId: '2026-03-16T09:00:00', scope: 'one' });
    expect(await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z')).toHaveLength(4);

    await call('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-30T09:00:00', scope: 'following' });
    expect(await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z')).toHaveLength(2);

    await call('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-02T09:00:00', scope: 'all' });
    expect(await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z')).toHaveLength(0);
    expect(core.store.pim.eventsByUid(calendarId, series.uid)).toHaveLength(0);
  });

  it('all-day series split with a DATE UNTIL; hidden calendars drop out of the range', async () => {
    const series = await call<CalendarEvent>('events.create', {
      calendarId,
      event: { summary: 'Holiday', start: '2026-01-01', end: '2026-01-02', allDay: true, rrule: 'FREQ=MONTHLY;BYMONTHDAY=1' },
    });
    await call('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-04-01', scope: 'following' });
    expect((await call<CalendarEvent>('events.get', { id: series.id })).rrule).toBe('FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20260331');
    expect(await range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toHaveLength(3);
    await call('calendars.update', { id: calendarId, visible: false });
    expect(await range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toHaveLength(0);
  });

  it('undo restores a deleted occurrence', async () => {
    const series = await weeklySeries();
    const { taskId } = await call<{ taskId: string }>('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-09T09:00:00', scope: 'one' });
    await call('tasks.undo', { id: taskId });
    expect(await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z')).toHaveLength(6);
  });
});

describe('COUNT across a split', () => {
  it('excluded slots still count: the new series gets what is left of the COUNT', async () => {
    const series = await call<CalendarEvent>('events.create', {
      calendarId,
      event: { summary: 'S', start: '2026-03-02T09:00', end: '2026-03-02T09:30', timeZone: 'Australia/Sydney', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6' },
    });
    await call('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-16T09:00:00', scope: 'one' });
    const tail = await call<CalendarEvent>('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-23T09:00:00', scope: 'following', patch: { summary: 'S2' } });
    expect(tail.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=3');
    const occ = await range('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');
    expect(occ.map((o) => o.event.summary)).toEqual(['S', 'S', 'S2', 'S2', 'S2']);
  });
});

describe('times from forms', () => {
  it('HH:mm from a datetime-local field is stored with seconds, as iCalendar needs', async () => {
    const e = await call<CalendarEvent>('events.create', { calendarId, event: { summary: 'x', start: '2026-05-01T10:00', end: '2026-05-01T11:00', timeZone: 'Europe/Berlin' } });
    expect([e.start, e.end]).toEqual(['2026-05-01T10:00:00', '2026-05-01T11:00:00']);
    const moved = await call<CalendarEvent>('events.update', { id: e.id, patch: { start: '2026-05-01T12:30', end: '2026-05-01T13:00' } });
    expect(moved.start).toBe('2026-05-01T12:30:00');
    expect(moved.summary).toBe('x');
  });
});

describe('this and following from an editor', () => {
  it('the unchanged rule sent back by the form still gets the rest of the COUNT', async () => {
    const series = await weeklySeries();
    const tail = await call<CalendarEvent>('events.updateOccurrence', {
      id: series.id,
      recurrenceId: '2026-03-23T09:00',
      scope: 'following',
      patch: { summary: 'v2', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6' },
    });
    expect(tail.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=3');
  });
});

describe('undo offered only when one undo restores everything', () => {
  it('a series change can be undone; a new override or a split cannot (their undo would lose or keep part of it)', async () => {
    const series = await weeklySeries();
    const all = await call<{ taskId?: string }>('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-02T09:00', scope: 'all', patch: { location: 'A' } });
    expect(all.taskId).toBeDefined();
    const one = await call<{ taskId?: string }>('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-09T09:00', scope: 'one', patch: { location: 'B' } });
    expect(one.taskId).toBeUndefined();
    const split = await call<{ taskId?: string }>('events.updateOccurrence', { id: series.id, recurrenceId: '2026-03-23T09:00', scope: 'following', patch: { location: 'C' } });
    expect(split.taskId).toBeUndefined();
    const delOverride = await call<{ taskId?: string }>('events.deleteOccurrence', { id: series.id, recurrenceId: '2026-03-09T09:00', scope: 'one' });
    expect(delOverride.taskId).toBeUndefined();
  });
});
