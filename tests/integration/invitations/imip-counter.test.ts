// iTIP COUNTER / DECLINECOUNTER / REFRESH between two real accounts (alice organises, bob attends) on
// Dovecot/Postfix/Radicale, through the core: bob proposes a new time, alice accepts it and the updated
// REQUEST moves bob's copy on his CalDAV server; a REFRESH from bob is answered without alice doing anything;
// a second proposal is declined and bob's calendar stays. What is on Radicale is read with separate requests.
import { createTransport } from 'nodemailer';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import type { InvitationService } from '../../../src/main/core/invitations';
import { twoAccounts } from './two-accounts';
import { davResources } from '../../support/dav';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;

const h = twoAccounts();
const { settle, inbox, delivered, calendarOf } = h;
let core: Core;
let invitations: InvitationService;
beforeAll(() => {
  core = h.core;
  invitations = h.invitations;
});

/** A separate HTTP client: the user's calendar resources as Radicale has them, unfolded. */
const serverCalendar = (u: typeof alice) => davResources(servers, u, 'calendar');
const onServer = async (u: typeof alice, uid: string) => (await serverCalendar(u)).find((t) => t.includes(`UID:${uid}`));

describe('proposing a new time between two accounts on the real servers', () => {
  let aliceEventId: string;
  let uid: string;
  let requestId: string;
  const bobInvitations: string[] = [];

  it('alice invites bob and bob accepts', async () => {
    const { event } = core.calendar.create(calendarOf('alice').id, {
      summary: 'Roadmap',
      start: '2027-03-03T10:00',
      end: '2027-03-03T11:00',
      timeZone: 'Europe/Paris',
      attendees: [{ name: 'Bob', address: bob.email }],
    });
    aliceEventId = event.id;
    uid = event.uid;
    await settle();
    await invitations.send(aliceEventId, 'REQUEST');
    await settle();
    requestId = await delivered('bob', 'Invitation: Roadmap');
    bobInvitations.push(requestId);
    await invitations.respond(requestId, 'accepted');
    await settle();
    expect(await onServer(bob, uid)).toMatch(/DTSTART;TZID=Europe\/Paris:20270303T100000/);
    await delivered('alice', 'Accepted: Roadmap');
  });

  it('bob proposes 14:00; alice sees the proposal with his note', async () => {
    await invitations.proposeTime(requestId, { start: '2027-03-03T14:00', end: '2027-03-03T15:00', timeZone: 'Europe/Paris', comment: 'Morning is taken' });
    await settle();
    // Proposing changes nothing in bob's calendar.
    expect(await onServer(bob, uid)).toMatch(/DTSTART;TZID=Europe\/Paris:20270303T100000/);
    const counterId = await delivered('alice', 'New time proposed: Roadmap');
    const preview = (await invitations.preview(counterId))!;
    expect(preview).toMatchObject({
      method: 'COUNTER',
      start: '2027-03-03T14:00:00',
      existingEventId: aliceEventId,
      counter: { from: { address: bob.email }, state: 'open', currentStartUtc: Date.parse('2027-03-03T09:00:00Z') },
    });
    expect(preview.startUtc).toBe(Date.parse('2027-03-03T13:00:00Z'));

    const accepted = await invitations.acceptCounter(counterId);
    await settle();
    expect(core.store.outbox.get(accepted.outboxId!)?.status).toBe('sent');
    const alices = (await onServer(alice, uid))!;
    expect(alices).toMatch(/DTSTART;TZID=Europe\/Paris:20270303T140000/);
    expect(alices).toMatch(/^SEQUENCE:1\r?$/m);
  });

  it('the updated REQUEST moves bob’s copy on his CalDAV server and keeps his answer', async () => {
    const updateId = await delivered('bob', 'Invitation: Roadmap', bobInvitations);
    bobInvitations.push(updateId);
    // bob had accepted, so the organiser's update was applied when his mail synced.
    await expect.poll(async () => (await onServer(bob, uid)) ?? '', { timeout: 20_000 }).toMatch(/DTSTART;TZID=Europe\/Paris:20270303T140000/);
    const bobs = (await onServer(bob, uid))!;
    expect(bobs).toMatch(/DTEND;TZID=Europe\/Paris:20270303T150000/);
    expect(bobs).toMatch(/^SEQUENCE:1\r?$/m);
    expect(bobs).toMatch(new RegExp(`ATTENDEE[^\\r\\n]*PARTSTAT=ACCEPTED[^\\r\\n]*:mailto:${bob.email.replace('.', '\\.')}`, 'i'));
    expect(core.store.pim.eventsInCalendar(calendarOf('bob').id).find((e) => e.uid === uid)).toMatchObject({ start: '2027-03-03T14:00:00' });
  });

  it('a REFRESH from bob is answered automatically with the current invitation, to him only', async () => {
    // Sent by another client of bob's, through Postfix like any mail.
    const smtp = createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: bob.email, pass: bob.password } });
    const refresh = ['BEGIN:VCALENDAR', 'PRODID:-//Example//Client//EN', 'VERSION:2.0', 'METHOD:REFRESH', 'BEGIN:VEVENT', `UID:${uid}`, `ORGANIZER:mailto:${alice.email}`, `ATTENDEE:mailto:${bob.email}`, 'DTSTAMP:20270120T100000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await smtp.sendMail({ from: bob.email, to: alice.email, subject: 'Refresh: Roadmap', text: 'Please resend', icalEvent: { method: 'REFRESH', content: refresh } });
    smtp.close();
    const refreshId = await delivered('alice', 'Refresh: Roadmap');
    expect((await invitations.preview(refreshId))!).toMatchObject({ method: 'REFRESH', applied: true, refresh: { from: { address: bob.email }, state: 'sent' } });
    const resent = await delivered('bob', 'Invitation: Roadmap', bobInvitations);
    bobInvitations.push(resent);
    expect((await invitations.preview(resent))!).toMatchObject({ method: 'REQUEST', start: '2027-03-03T14:00:00', myStatus: 'accepted' });
  });

  it('a second proposal declined: bob gets DECLINECOUNTER and his calendar stays at 14:00', async () => {
    await invitations.proposeTime(requestId, { start: '2027-03-04T09:00', end: '2027-03-04T10:00', timeZone: 'Europe/Paris' });
    await settle();
    const counterId = await delivered('alice', 'New time proposed: Roadmap', (await inbox('alice')).filter((m) => m.subject === 'New time proposed: Roadmap').map((m) => m.id));
    expect((await invitations.preview(counterId))!.counter?.state).toBe('open');
    await invitations.declineCounter(counterId, 'Thursday is full');
    await settle();
    expect(core.calendar.get(aliceEventId).start).toBe('2027-03-03T14:00:00');
    const declineId = await delivered('bob', 'New time declined: Roadmap');
    expect((await invitations.preview(declineId))!).toMatchObject({ method: 'DECLINECOUNTER', applied: true });
    expect(await onServer(bob, uid)).toMatch(/DTSTART;TZID=Europe\/Paris:20270303T140000/);
  });
});
