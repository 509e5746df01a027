import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, graphFixture, type GraphFixture } from './support';

const DAY = 86_400_000;
function day(offset: number): string {
  return new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
}

describe('Graph provider: calendars and contacts', () => {
  let fx: GraphFixture;
  beforeEach(async () => {
    fx = await graphFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  function calendarId(): string {
    const cal = fx.core.calendar.calendars(fx.accountId).find((c) => c.name === 'Calendar');
    if (!cal) throw new Error('no default calendar');
    return cal.id;
  }

  it('syncs events (single and recurring, in their own time zones) and then only the changes', async () => {
    const { emu, core, accountId } = fx;
    emu.seedEvent(ALICE, {
      subject: 'Dentist',
      start: { dateTime: `${day(2)}T09:00:00`, timeZone: 'Europe/Berlin' },
      end: { dateTime: `${day(2)}T10:00:00`, timeZone: 'Europe/Berlin' },
      location: { displayName: 'Main St 1' },
      isReminderOn: true,
      reminderMinutesBeforeStart: 30,
    });
    emu.seedEvent(ALICE, {
      subject: 'Weekly sync',
      start: { dateTime: `${day(1)}T15:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day(1)}T15:30:00`, timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: [new Date(`${day(1)}T00:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase()] },
        range: { type: 'numbered', startDate: day(1), numberOfOccurrences: 6 },
      },
    });
    await core.sync.syncNow(accountId);
    const cal = calendarId();
    const events = core.store.pim.eventsInCalendar(cal);
    const dentist = events.find((e) => e.summary === 'Dentist')!;
    expect(dentist).toMatchObject({ start: `${day(2)}T09:00:00`, timeZone: 'Europe/Berlin', location: 'Main St 1', reminderMinutes: 30 });
    const series = events.find((e) => e.summary === 'Weekly sync')!;
    expect(series.rrule).toMatch(/FREQ=WEEKLY.*COUNT=6/);
    const occurrences = core.calendar.range(Date.now(), Date.now() + 60 * DAY).filter((o) => o.event.summary.startsWith('Weekly'));
    expect(occurrences).toHaveLength(6);

    // Server-side changes: the dentist moves, a new event appears.
    emu.updateEvent(ALICE, emu.getEvents(ALICE).find((e) => e.subject === 'Dentist')!.id, { start: { dateTime: `${day(3)}T11:00:00`, timeZone: 'Europe/Berlin' }, end: { dateTime: `${day(3)}T12:00:00`, timeZone: 'Europe/Berlin' } });
    emu.seedEvent(ALICE, { subject: 'Lunch', start: { dateTime: `${day(4)}T12:00:00`, timeZone: 'UTC' }, end: { dateTime: `${day(4)}T13:00:00`, timeZone: 'UTC' } });
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    expect(emu.requests.some((r) => r.path.endsWith('/calendarView/delta') && '$deltatoken' in r.query)).toBe(true);
    const after = core.store.pim.eventsInCalendar(cal);
    expect(after.find((e) => e.summary === 'Dentist')?.start).toBe(`${day(3)}T11:00:00`);
    expect(after.filter((e) => e.summary === 'Dentist')).toHaveLength(1);
    expect(after.map((e) => e.summary).sort()).toEqual(['Dentist', 'Lunch', 'Weekly sync']);

    // Deleted on the server.
    emu.deleteEvent(ALICE, emu.getEvents(ALICE).find((e) => e.subject === 'Lunch')!.id);
    await core.sync.syncNow(accountId);
    expect(core.store.pim.eventsInCalendar(cal).map((e) => e.summary).sort()).toEqual(['Dentist', 'Weekly sync']);
  });

  it('creates, changes and deletes events on the server, recurrence and reminders included', async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const { event } = core.calendar.create(calendarId(), {
      summary: 'Planning',
      description: 'Quarterly planning',
      start: `${day(5)}T10:00:00`,
      end: `${day(5)}T11:00:00`,
      timeZone: 'Europe/London',
      rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=4',
      reminderMinutes: 10,
      attendees: [{ name: 'Bob', address: BOB }],
    });
    await core.tasks.run(accountId);
    const remote = emu.getEvents(ALICE).find((e) => e.subject === 'Planning')!;
    expect(remote.recurrence?.pattern).toMatchObject({ type: 'relativeMonthly', daysOfWeek: ['tuesday'], index: 'second' });
    expect(remote.recurrence?.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 4 });
    expect(remote).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 10 });
    expect(remote.attendees.map((a) => a.emailAddress.address)).toEqual([BOB]);
    expect(core.store.pim.event(event.id)?.remoteId).toBe(remote.immutableId);

    core.calendar.update(event.id, { summary: 'Planning (moved)', rrule: null, reminderMinutes: null });
    await core.tasks.run(accountId);
    const patched = emu.getEvents(ALICE).find((e) => e.id === remote.id)!;
    expect(patched.subject).toBe('Planning (moved)');
    expect(patched.recurrence).toBeNull();
    expect(patched.isReminderOn).toBe(false);

    // A sync does not duplicate what we created.
    await core.sync.syncNow(accountId);
    expect(core.store.pim.eventsInCalendar(calendarId()).map((e) => e.summary)).toEqual(['Planning (moved)']);

    const deleted = core.calendar.delete(event.id);
    await core.tasks.run(accountId);
    expect(emu.getEvents(ALICE).filter((e) => e.subject.startsWith('Planning'))).toEqual([]);
    // Undo (z) puts it back on the server.
    core.tasks.undo(deleted.id);
    await core.tasks.run(accountId);
    expect(emu.getEvents(ALICE).map((e) => e.subject)).toEqual(['Planning (moved)']);
    await core.sync.syncNow(accountId);
    expect(core.store.pim.eventsInCalendar(calendarId()).map((e) => e.summary)).toEqual(['Planning (moved)']);
    expect(core.store.tasks.recent(20).filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('responds to an invitation: accept tells the organizer, decline removes it', async () => {
    const { emu, core, accountId } = fx;
    emu.seedEvent(BOB, {
      subject: 'Review',
      start: { dateTime: `${day(2)}T13:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day(2)}T14:00:00`, timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: ALICE, name: 'Alice' }, type: 'required' }],
    });
    emu.seedEvent(BOB, {
      subject: 'Offsite',
      start: { dateTime: `${day(6)}T13:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day(6)}T14:00:00`, timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: ALICE, name: 'Alice' }, type: 'required' }],
    });
    await core.sync.syncNow(accountId);
    const events = core.store.pim.eventsInCalendar(calendarId());
    const review = events.find((e) => e.summary === 'Review')!;
    const offsite = events.find((e) => e.summary === 'Offsite')!;
    expect(review.organizer?.address).toBe(BOB);

    // Through the contract call the UI uses.
    expect(await core.handle('events.respond', { id: review.id, response: 'accept', comment: 'See you' })).toEqual({ ok: true });
    const atOrganizer = emu.getEvents(BOB).find((e) => e.subject === 'Review')!;
    expect(atOrganizer.attendees.find((a) => a.emailAddress.address === ALICE)?.status.response).toBe('accepted');
    expect(emu.sentMail.some((m) => m.from === ALICE || JSON.stringify(m.message).includes('Accepted'))).toBe(true);
    expect(core.store.pim.event(review.id)?.attendees.find((a) => a.address === ALICE)?.status).toBe('accepted');

    await core.handle('events.respond', { id: offsite.id, response: 'decline' });
    expect(emu.getEvents(BOB).find((e) => e.subject === 'Offsite')!.attendees.find((a) => a.emailAddress.address === ALICE)?.status.response).toBe('declined');
    expect(core.store.pim.event(offsite.id)).toBeUndefined();
    await core.sync.syncNow(accountId);
    expect(core.store.pim.eventsInCalendar(calendarId()).map((e) => e.summary)).toEqual(['Review']);
  });

  it('syncs contact folders and contacts by delta, and creates, updates and deletes contacts', async () => {
    const { emu, core, accountId } = fx;
    emu.seedContact(ALICE, {
      givenName: 'Dana',
      surname: 'Scully',
      displayName: 'Dana Scully',
      emailAddresses: [{ address: 'dana@fbi.example', name: 'Dana' }],
      mobilePhone: '+1 555 0100',
      businessAddress: { street: '935 Pennsylvania Ave', city: 'Washington', postalCode: '20535', countryOrRegion: 'USA' },
      companyName: 'FBI',
      birthday: '1964-02-23T00:00:00Z',
    });
    await core.sync.syncNow(accountId);
    const books = core.contacts.addressBooks(accountId);
    expect(books.map((b) => b.name)).toEqual(['Contacts']);
    const dana = core.contacts.list({ addressBookId: books[0]!.id, limit: 10 })[0]!;
    expect(dana).toMatchObject({ displayName: 'Dana Scully', company: 'FBI', birthday: '1964-02-23', emails: [{ address: 'dana@fbi.example' }], phones: [{ type: 'mobile', number: '+1 555 0100' }] });
    expect(dana.addresses[0]).toMatchObject({ type: 'work', locality: 'Washington' });

    // Server-side edit, then local create/update/delete.
    emu.updateContact(ALICE, emu.getContacts(ALICE)[0]!.id, { jobTitle: 'Special Agent' });
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    expect(emu.requests.some((r) => r.path.endsWith('/contacts/delta') && '$deltatoken' in r.query)).toBe(true);
    expect(core.contacts.get(dana.id).jobTitle).toBe('Special Agent');

    const { contact } = core.contacts.create(books[0]!.id, { displayName: 'Fox Mulder', givenName: 'Fox', surname: 'Mulder', emails: [{ type: 'work', address: 'fox@fbi.example' }], phones: [{ type: 'work', number: '+1 555 0199' }] });
    await core.tasks.run(accountId);
    const created = emu.getContacts(ALICE).find((c) => c.displayName === 'Fox Mulder')!;
    expect(created.emailAddresses.map((e) => e.address)).toEqual(['fox@fbi.example']);
    expect(created.businessPhones).toEqual(['+1 555 0199']);
    core.contacts.update(contact.id, { jobTitle: 'Agent' });
    await core.tasks.run(accountId);
    expect(emu.getContacts(ALICE).find((c) => c.id === created.id)?.jobTitle).toBe('Agent');
    await core.sync.syncNow(accountId);
    expect(core.contacts.list({ addressBookId: books[0]!.id, limit: 10 }).map((c) => c.displayName).sort()).toEqual(['Dana Scully', 'Fox Mulder']);

    core.contacts.delete(dana.id);
    await core.tasks.run(accountId);
    expect(emu.getContacts(ALICE).map((c) => c.displayName)).toEqual(['Fox Mulder']);
    emu.deleteContact(ALICE, created.id);
    await core.sync.syncNow(accountId);
    expect(core.contacts.list({ addressBookId: books[0]!.id, limit: 10 })).toEqual([]);
    expect(core.store.tasks.recent(20).filter((t) => t.status === 'failed')).toEqual([]);
  });
  it('maps exceptions and cancelled occurrences of a series made in Outlook', async () => {
    const { emu, core, accountId } = fx;
    const series = emu.seedEvent(ALICE, {
      subject: 'Daily check-in',
      start: { dateTime: `${day(1)}T08:00:00`, timeZone: 'Europe/Paris' },
      end: { dateTime: `${day(1)}T08:15:00`, timeZone: 'Europe/Paris' },
      recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: day(1), numberOfOccurrences: 5 } },
    });
    await core.sync.syncNow(accountId);
    const range = () => core.calendar.range(Date.now(), Date.now() + 10 * DAY).filter((o) => o.event.uid === series.iCalUId);
    expect(range()).toHaveLength(5);

    // In Outlook: the third occurrence gets a new title and time, the fourth is cancelled.
    const res = await fetch(`${emu.baseUrl}/me/events/${series.id}/instances?startDateTime=${day(0)}T00:00:00Z&endDateTime=${day(8)}T00:00:00Z`, {
      headers: { Authorization: 'Bearer token-alice', Prefer: 'IdType="ImmutableId"' },
    });
    const instances = ((await res.json()) as { value: { id: string }[] }).value;
    expect(instances).toHaveLength(5);
    emu.updateEvent(ALICE, instances[2]!.id, { subject: 'Check-in (moved)', start: { dateTime: `${day(3)}T09:00:00`, timeZone: 'Europe/Paris' }, end: { dateTime: `${day(3)}T09:30:00`, timeZone: 'Europe/Paris' } });
    emu.deleteEvent(ALICE, instances[3]!.id);
    await core.sync.syncNow(accountId);

    const after = range();
    expect(after).toHaveLength(4);
    const moved = after.find((o) => o.event.summary === 'Check-in (moved)')!;
    expect(moved.event.start).toBe(`${day(3)}T09:00:00`);
    expect(moved.recurrenceId).toBe(`${day(3)}T08:00:00`);
    const master = core.store.pim.eventsInCalendar(calendarId()).find((e) => e.rrule)!;
    expect(master.exdates).toEqual([`${day(4)}T08:00:00`]);
    expect(after.map((o) => new Date(o.startUtc).toISOString().slice(0, 10))).not.toContain(day(4));
  });
  it('works with an empty default contact folder: the first contact goes to it, then delta takes over', async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const book = core.contacts.addressBooks(accountId)[0]!;
    core.contacts.create(book.id, { displayName: 'First Contact', emails: [{ type: 'home', address: 'first@example.com' }] });
    await core.tasks.run(accountId);
    expect(emu.getContacts(ALICE).map((c) => c.displayName)).toEqual(['First Contact']);
    emu.clearRequests();
    await core.sync.syncNow(accountId);
    await core.sync.syncNow(accountId);
    expect(emu.requests.some((r) => r.path.endsWith('/contacts/delta'))).toBe(true);
    expect(core.contacts.addressBooks(accountId).map((b) => b.id)).toEqual([book.id]);
    expect(core.contacts.list({ addressBookId: book.id, limit: 10 }).map((c) => c.displayName)).toEqual(['First Contact']);
    expect(core.store.tasks.recent(10).filter((t) => t.status === 'failed')).toEqual([]);
  });
  it('changes and cancels single occurrences of a series made in Pimlico (exception, EXDATE) in Outlook', async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const { event } = core.calendar.create(calendarId(), { summary: 'Gym', start: `${day(1)}T07:00:00`, end: `${day(1)}T08:00:00`, timeZone: 'Europe/Madrid', rrule: 'FREQ=DAILY;COUNT=5' });
    await core.tasks.run(accountId);
    const seriesId = core.store.pim.event(event.id)!.remoteId!;
    const instances = async () => {
      const res = await fetch(`${emu.baseUrl}/me/events/${seriesId}/instances?startDateTime=${day(0)}T00:00:00Z&endDateTime=${day(8)}T00:00:00Z`, { headers: { Authorization: 'Bearer token-alice' } });
      return ((await res.json()) as { value: { subject: string; type: string; start: { dateTime: string } }[] }).value;
    };
    expect(await instances()).toHaveLength(5);

    core.calendar.updateOccurrence(event.id, `${day(2)}T07:00:00`, 'one', { summary: 'Gym (short)', end: `${day(2)}T07:30:00` });
    core.calendar.deleteOccurrence(event.id, `${day(4)}T07:00:00`, 'one');
    await core.tasks.run(accountId);
    expect(core.store.tasks.recent(10).filter((t) => t.status === 'failed')).toEqual([]);
    const now = await instances();
    expect(now).toHaveLength(4);
    expect(now.filter((i) => i.type === 'exception').map((i) => i.subject)).toEqual(['Gym (short)']);
    expect(now.map((i) => i.start.dateTime.slice(0, 10))).not.toContain(day(4));

    // And a sync agrees: four occurrences, one of them the exception.
    await core.sync.syncNow(accountId);
    const occ = core.calendar.range(Date.now(), Date.now() + 10 * DAY).filter((o) => o.event.summary.startsWith('Gym'));
    expect(occ.map((o) => o.event.summary).sort()).toEqual(['Gym', 'Gym', 'Gym', 'Gym (short)']);
  });
});

describe('Graph provider: the calendar window moves with time', () => {
  it('starts a new calendarView delta once the window has fallen behind, keeping older events', async () => {
    let offset = 0;
    const fx = await graphFixture({ now: () => Date.now() + offset });
    try {
      const { emu, core, accountId } = fx;
      emu.seedEvent(ALICE, { subject: 'Soon', start: { dateTime: `${day(2)}T10:00:00`, timeZone: 'UTC' }, end: { dateTime: `${day(2)}T11:00:00`, timeZone: 'UTC' } });
      emu.seedEvent(ALICE, { subject: 'Next year', start: { dateTime: `${day(390)}T10:00:00`, timeZone: 'UTC' }, end: { dateTime: `${day(390)}T11:00:00`, timeZone: 'UTC' } });
      await core.sync.syncNow(accountId);
      const summaries = () => core.store.pim.eventsInCalendar(core.calendar.calendars(accountId)[0]!.id).map((e) => e.summary).sort();
      expect(summaries()).toEqual(['Soon']);

      offset = 40 * DAY;
      emu.clearRequests();
      await core.sync.syncNow(accountId);
      const started = emu.requests.filter((r) => r.path.endsWith('/calendarView/delta') && 'startDateTime' in r.query);
      expect(started).toHaveLength(1);
      expect(Date.parse(started[0]!.query['startDateTime']!)).toBeGreaterThan(Date.now() + 9 * DAY);
      expect(summaries()).toEqual(['Next year', 'Soon']);
    } finally {
      await fx.close();
    }
  });
});
