// iMIP applied in the background as mail syncs, with two separate Pimlicos (alice organises, bob attends)
// on Dovecot/Postfix/Radicale: nobody opens a message. Bob's answer reaches alice's event and her CalDAV
// server; an older REPLY arriving later does not override a newer one; the organiser's update and
// cancellation reach bob's accepted copy.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Core } from '../../../src/main/core/core';
import { invitationsFor } from '../../../src/main/core/handlers/pim';
import { resetDavUser, resetMailUser } from '../../servers';
import { createTestCore, tempDir } from '../../support/core';
import { davResources } from '../../support/dav';

const servers = inject('servers');
const alice = servers.users.find((u) => u.email.startsWith('alice'))!;
const bob = servers.users.find((u) => u.email.startsWith('bob'))!;

interface Pimlico {
  core: Core;
  accountId: string;
}

function openPimlico(u: typeof alice, name: string): Pimlico {
  const core = createTestCore({ dataDir: tempDir(`pimlico-imip-bg-${name}-`) });
  const dav = { url: servers.dav.url, user: u.email, password: u.password };
  const accountId = core.accounts.create({
    kind: 'imap',
    displayName: name,
    email: u.email,
    imap: { host: servers.imap.host, port: servers.imap.port, security: 'none', user: u.email, password: u.password },
    smtp: { host: servers.smtp.host, port: servers.smtp.port, security: 'none', user: u.email, password: u.password },
    caldav: dav,
    carddav: dav,
  }).id;
  return { core, accountId };
}

let a: Pimlico;
let b: Pimlico;

async function settle(p: Pimlico) {
  for (let i = 0; i < 3; i++) {
    await p.core.tasks.idle();
    await p.core.outbox.idle();
    await p.core.poller.idle();
    await new Promise((r) => setImmediate(r));
  }
}

/** Syncs (which runs the poller, as the background sync does) until `count` messages with this subject arrived. */
async function delivered(p: Pimlico, subject: string, count = 1): Promise<string[]> {
  let ids: string[] = [];
  await expect
    .poll(
      async () => {
        await p.core.sync.syncNow(p.accountId);
        ids = (p.core.store.db.prepare('SELECT id FROM messages WHERE account_id = ? AND subject = ? ORDER BY date, id').all(p.accountId, subject) as { id: string }[]).map((r) => r.id);
        return ids.length;
      },
      { timeout: 30_000, interval: 500, message: `${subject} delivered` },
    )
    .toBe(count);
  await settle(p);
  return ids;
}

const calendarOf = (p: Pimlico) => p.core.store.pim.calendars(p.accountId).find((c) => !c.readOnly)!;
const statusOf = (p: Pimlico, eventId: string, who: string) => p.core.calendar.get(eventId).attendees.find((x) => x.address === who)?.status;

/** What alice's CalDAV server holds, read by a separate HTTP client (unfolded). */
const serverCalendar = (u: typeof alice) => davResources(servers, u, 'calendar');

/** A REPLY as another client would send it, with the SEQUENCE and DTSTAMP given. */
async function sendReply(uid: string, partstat: string, sequence: number, dtstamp: string, subject: string) {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Other client//EN',
    'METHOD:REPLY',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${dtstamp}`,
    `SEQUENCE:${sequence}`,
    'DTSTART:20270310T100000Z',
    'DTEND:20270310T110000Z',
    'SUMMARY:Review',
    `ORGANIZER:mailto:${alice.email}`,
    `ATTENDEE;PARTSTAT=${partstat}:mailto:${bob.email}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const transport = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: bob.email, pass: bob.password } });
  await transport.sendMail({ from: bob.email, to: alice.email, subject, text: partstat, icalEvent: { method: 'REPLY', content: ics } });
  transport.close();
}

beforeAll(async () => {
  for (const u of [alice, bob]) {
    await resetMailUser(u.email, servers);
    await resetDavUser(u.email, servers);
  }
  a = openPimlico(alice, 'alice');
  b = openPimlico(bob, 'bob');
  await a.core.sync.syncNow(a.accountId);
  await b.core.sync.syncNow(b.accountId);
}, 60_000);

afterAll(async () => {
  for (const p of [a, b]) {
    if (!p) continue;
    await settle(p);
    await p.core.close();
  }
});

describe('iMIP applied in the background when mail syncs', () => {
  let aliceEventId: string;
  let bobEventId: string;

  it("bob accepts; alice's Pimlico syncs without opening the REPLY and her event and CalDAV server say ACCEPTED", async () => {
    const { event } = a.core.calendar.create(calendarOf(a).id, {
      summary: 'Quarterly review',
      start: '2027-03-10T10:00',
      end: '2027-03-10T11:00',
      timeZone: 'Europe/Berlin',
      attendees: [{ name: 'Bob', address: bob.email }],
    });
    aliceEventId = event.id;
    await settle(a);
    await invitationsFor(a.core).send(aliceEventId, 'REQUEST');
    await settle(a);

    const [requestId] = await delivered(b, 'Invitation: Quarterly review');
    // A REQUEST for an event bob has not answered is never applied for him.
    expect(b.core.store.pim.eventsInCalendar(calendarOf(b).id)).toEqual([]);
    const answer = (await b.core.handle('invitations.respond', { messageId: requestId!, status: 'accepted' })) as { eventId: string };
    bobEventId = answer.eventId;
    await settle(b);

    expect(statusOf(a, aliceEventId, bob.email)).toBe('needs-action');
    const [replyId] = await delivered(a, 'Accepted: Quarterly review');
    expect(statusOf(a, aliceEventId, bob.email)).toBe('accepted');
    // Nothing was opened: the message is still unread.
    expect(a.core.store.mail.detail(replyId!)!.isRead).toBe(false);
    const onServer = (await serverCalendar(alice)).find((t) => t.includes('SUMMARY:Quarterly review'));
    expect(onServer).toMatch(new RegExp(`ATTENDEE[^\\r\\n]*PARTSTAT=ACCEPTED[^\\r\\n]*:mailto:${bob.email}`, 'i'));
    // Applying again (the reading pane opening it) changes nothing.
    expect(await invitationsFor(a.core).apply(replyId!)).toEqual({ applied: false, eventId: aliceEventId });
  });

  it('a later REPLY with a higher SEQUENCE wins; an older one arriving afterwards is ignored', async () => {
    const uid = a.core.calendar.get(aliceEventId).uid;
    await sendReply(uid, 'DECLINED', 1, '20270101T120000Z', 'Declined (newer)');
    await delivered(a, 'Declined (newer)');
    expect(statusOf(a, aliceEventId, bob.email)).toBe('declined');
    await sendReply(uid, 'TENTATIVE', 0, '20270101T130000Z', 'Tentative (older sequence)');
    await delivered(a, 'Tentative (older sequence)');
    expect(statusOf(a, aliceEventId, bob.email)).toBe('declined');
    await sendReply(uid, 'ACCEPTED', 1, '20270101T140000Z', 'Accepted (same sequence, later stamp)');
    await delivered(a, 'Accepted (same sequence, later stamp)');
    expect(statusOf(a, aliceEventId, bob.email)).toBe('accepted');
    await settle(a);
    expect((await serverCalendar(alice)).find((t) => t.includes('SUMMARY:Quarterly review'))).toMatch(/PARTSTAT=ACCEPTED/);
  });

  it("the organiser's update reaches bob's accepted copy, keeping his answer; the cancellation removes it", async () => {
    a.core.calendar.update(aliceEventId, { start: '2027-03-10T14:00', end: '2027-03-10T15:00', location: 'Room 4' });
    await settle(a);
    await invitationsFor(a.core).send(aliceEventId, 'REQUEST');
    await settle(a);
    await delivered(b, 'Invitation: Quarterly review', 2);
    const updated = b.core.calendar.get(bobEventId);
    expect(updated).toMatchObject({ start: '2027-03-10T14:00:00', location: 'Room 4' });
    expect(statusOf(b, bobEventId, bob.email)).toBe('accepted');

    await invitationsFor(a.core).send(aliceEventId, 'CANCEL');
    await settle(a);
    await delivered(b, 'Cancelled: Quarterly review');
    expect(b.core.store.pim.eventsInCalendar(calendarOf(b).id).map((e) => e.summary)).toEqual([]);
    expect((await serverCalendar(bob)).filter((t) => t.includes('SUMMARY:Quarterly review'))).toEqual([]);
  });
});
