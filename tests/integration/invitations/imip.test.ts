// iMIP between two real accounts (alice organises, bob attends) on Dovecot/Postfix/Radicale, through the core:
// REQUEST sent from an event, preview with that day's conflicts, answer, organiser's update and cancellation
// applied to the attendee's copy. Mail travels over SMTP and IMAP; every calendar write goes to CalDAV.
import { beforeAll, describe, expect, it, inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { InvitationService } from '../../../src/main/core/invitations';
import { twoAccounts } from './two-accounts';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;

const h = twoAccounts();
const { ids, settle, inbox, delivered, calendarOf } = h;
let core: Core;
let invitations: InvitationService;
beforeAll(() => {
  core = h.core;
  invitations = h.invitations;
});

describe('iMIP between two accounts on the real servers', () => {
  let aliceEventId: string;
  let requestId: string;

  it('a new event with an attendee goes out as a METHOD:REQUEST with alice as organiser', async () => {
    // Bob already has something at that time: the preview must show the conflict.
    core.calendar.create(calendarOf('bob').id, {
      summary: 'Dentist',
      start: '2027-02-10T12:30',
      end: '2027-02-10T13:30',
      timeZone: 'Europe/Paris',
    });
    const { event } = core.calendar.create(calendarOf('alice').id, {
      summary: 'Planning',
      location: 'Room 1',
      start: '2027-02-10T12:00',
      end: '2027-02-10T13:00',
      timeZone: 'Europe/Paris',
      attendees: [{ name: 'Bob', address: bob.email }],
    });
    aliceEventId = event.id;
    expect(event.organizer).toEqual({ name: 'alice', address: alice.email });
    await settle();
    const sent = await invitations.send(aliceEventId, 'REQUEST');
    expect(sent.outboxId).toBeTruthy();
    await settle();
    expect(core.store.outbox.get(sent.outboxId!)?.status).toBe('sent');
    requestId = await delivered('bob', 'Invitation: Planning');
  });

  it('bob sees the invitation with the conflict that day, and answers tentative', async () => {
    const preview = (await invitations.preview(requestId))!;
    expect(preview).toMatchObject({
      method: 'REQUEST',
      summary: 'Planning',
      location: 'Room 1',
      me: bob.email,
      myStatus: 'needs-action',
      existingEventId: null,
    });
    expect(preview.organizer?.address).toBe(alice.email);
    expect(preview.dayEvents.filter((e) => e.overlaps).map((e) => e.summary)).toEqual(['Dentist']);
    const res = await invitations.respond(requestId, 'tentative');
    await settle();
    const mine = core.calendar.get(res.eventId);
    expect(mine.calendarId).toBe(calendarOf('bob').id);
    expect(mine.attendees.find((a) => a.address === bob.email)?.status).toBe('tentative');
    expect(mine.showAs).toBe('tentative');
    expect(mine.remoteId).toBeTruthy();
    // Alice's own copy is untouched by bob's answer until the REPLY arrives.
    expect(core.calendar.get(aliceEventId).attendees[0]?.status).toBe('needs-action');
  });

  it('the REPLY updates alice’s event', async () => {
    const replyId = await delivered('alice', 'Tentative: Planning');
    const preview = (await invitations.preview(replyId))!;
    // Applied in the background when alice's mail synced; opening it applies nothing twice.
    expect(preview).toMatchObject({ method: 'REPLY', applied: true, existingEventId: aliceEventId });
    expect(await invitations.apply(replyId)).toEqual({ applied: false, eventId: aliceEventId });
    await settle();
    expect(core.calendar.get(aliceEventId).attendees.find((a) => a.address === bob.email)?.status).toBe(
      'tentative',
    );
    expect((await invitations.preview(replyId))!.applied).toBe(true);
  });

  it('an update from the organiser moves bob’s copy and keeps his answer', async () => {
    core.calendar.update(aliceEventId, {
      start: '2027-02-10T15:00',
      end: '2027-02-10T16:00',
      location: 'Room 9',
    });
    await settle();
    await invitations.send(aliceEventId, 'REQUEST');
    await settle();
    const updateId = await delivered('bob', 'Invitation: Planning').then(async (first) => {
      // The first invitation is still there: wait for the second one.
      let id = first;
      await expect
        .poll(
          async () => {
            await core.sync.syncNow(ids.bob!);
            const all = (await inbox('bob')).filter((m) => m.subject === 'Invitation: Planning');
            id = all.find((m) => m.id !== requestId)?.id ?? first;
            return all.length;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(2);
      return id;
    });
    await settle();
    expect(await invitations.apply(updateId)).toMatchObject({ applied: true });
    await settle();
    const bobs = core.store.pim.eventsInCalendar(calendarOf('bob').id).find((e) => e.summary === 'Planning')!;
    expect(bobs).toMatchObject({ start: '2027-02-10T15:00:00', location: 'Room 9' });
    expect(bobs.attendees.find((a) => a.address === bob.email)?.status).toBe('tentative');
  });

  it('a cancellation removes the event from bob’s calendar', async () => {
    await invitations.send(aliceEventId, 'CANCEL');
    await settle();
    const cancelId = await delivered('bob', 'Cancelled: Planning');
    expect((await invitations.preview(cancelId))!).toMatchObject({ method: 'CANCEL', applied: true });
    expect(await invitations.apply(cancelId)).toMatchObject({ applied: false });
    await settle();
    expect(core.store.pim.eventsInCalendar(calendarOf('bob').id).map((e) => e.summary)).toEqual(['Dentist']);
    expect((await invitations.preview(cancelId))!.applied).toBe(true);
  });
});
