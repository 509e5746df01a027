import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { coreWithClock, deliver, listener, localInbox, notifications, TestClock } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

function setup(): { core: Core; clock: TestClock; inbox: { accountId: string; folderId: string }; archive: string } {
  const clock = new TestClock();
  const core = coreWithClock(clock);
  cleanups.push(() => core.close());
  const inbox = localInbox(core);
  const archive = core.store.mail.folderByRole(inbox.accountId, 'archive')!.id;
  return { core, clock, inbox, archive };
}

async function hook(status = 200) {
  const l = await listener(status);
  cleanups.push(l.close);
  return l;
}

describe('rules', () => {
  it('can be tried against the cache before it is enabled', async () => {
    const { core, inbox } = setup();
    for (const s of ['Invoice 1', 'Your invoice', 'INVOICE overdue', 'Lunch', 'Hello']) deliver(core, inbox, { subject: s, from: 'billing@shop.test' });
    deliver(core, inbox, { subject: 'invoice from elsewhere', from: 'other@example.com' });
    const result = await core.handle('rules.test', {
      rule: { name: 'Invoices', trigger: 'OnNewEmail', filters: { subjectFilter: 'invoice', from: 'billing@shop.test' }, actions: [{ type: 'markRead' }] },
    });
    expect(result).toMatchObject({ matched: 3 });
    expect((result as { items: { title: string }[] }).items.map((i) => i.title).sort()).toEqual(['INVOICE overdue', 'Invoice 1', 'Your invoice']);
    expect(core.poller.rules.runs(undefined, 10)).toHaveLength(0);
  });

  it('runs its actions on matching new mail through the task queue, once, with a run history', async () => {
    const { core, inbox, archive } = setup();
    const webhook = await hook();
    const rule = core.poller.rules.create({
      name: 'File invoices',
      enabled: true,
      trigger: 'OnNewEmail',
      filters: { subjectFilter: 'invoice' },
      actions: [{ type: 'markRead' }, { type: 'move', folderId: archive }, { type: 'webhook', url: webhook.url }],
    });
    const match = deliver(core, inbox, { subject: 'Invoice #42', from: 'billing@shop.test' });
    const other = deliver(core, inbox, { subject: 'Lunch?' });
    core.poller.poll();
    await core.poller.idle();
    core.poller.poll();
    await core.poller.idle();
    const moved = core.store.mail.summary(match)!;
    expect(moved).toMatchObject({ folderId: archive, isRead: true });
    expect(core.store.mail.summary(other)).toMatchObject({ folderId: inbox.folderId, isRead: false });
    const runs = core.poller.rules.runs(rule.id, 10);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ itemId: match, status: 'done' });
    expect(runs[0]!.results.map((r) => [r.type, r.status])).toEqual([
      ['markRead', 'done'],
      ['move', 'done'],
      ['webhook', 'done'],
    ]);
    expect(runs[0]!.results[1]!.ref).toMatch(/^task_/);
    expect(webhook.bodies).toEqual([expect.objectContaining({ Rule: 'File invoices', Id: match, Subject: 'Invoice #42', From: 'billing@shop.test' })]);
  });

  it('retries a failing action, keeps later ones waiting, and reports it when it gives up', async () => {
    const { core, clock, inbox } = setup();
    const shown = notifications(core);
    const webhook = await hook(503);
    core.poller.rules.create({ name: 'Ping', enabled: true, trigger: 'OnNewEmail', filters: {}, actions: [{ type: 'flag' }, { type: 'webhook', url: webhook.url }, { type: 'markRead' }] });
    const id = deliver(core, inbox, { subject: 'Anything' });
    core.poller.poll();
    await core.poller.idle();
    let [run] = core.poller.rules.runs(undefined, 1);
    expect(run).toMatchObject({ status: 'pending', attempts: 1, lastError: 'The webhook answered 503' });
    expect(run!.results.map((r) => r.status)).toEqual(['done', 'pending', 'pending']);
    expect(core.store.mail.summary(id)).toMatchObject({ isFlagged: true, isRead: false });
    for (let i = 0; i < 10; i++) {
      clock.advance(15 * 60_000);
      core.poller.poll();
      await core.poller.idle();
    }
    [run] = core.poller.rules.runs(undefined, 1);
    expect(run).toMatchObject({ status: 'failed', attempts: 6 });
    expect(run!.results.map((r) => r.status)).toEqual(['done', 'failed', 'done']);
    expect(shown.filter((n) => n.title === 'Rule "Ping" failed')).toHaveLength(1);
    expect(shown.find((n) => n.title === 'Rule "Ping" failed')!.body).toContain('webhook: The webhook answered 503');
    expect(webhook.bodies).toHaveLength(0);
  });

  it('does not replay mail that arrived while it was disabled', async () => {
    const { core, inbox } = setup();
    const rule = core.poller.rules.create({ name: 'Flag all', enabled: true, trigger: 'OnNewEmail', filters: {}, actions: [{ type: 'flag' }] });
    core.poller.rules.update(rule.id, { enabled: false });
    const whileOff = deliver(core, inbox, { subject: 'While off' });
    core.poller.poll();
    core.poller.rules.update(rule.id, { enabled: true });
    const afterOn = deliver(core, inbox, { subject: 'After on' });
    core.poller.poll();
    await core.poller.idle();
    expect(core.poller.rules.runs(rule.id, 10).map((r) => r.itemId)).toEqual([afterOn]);
    expect(core.store.mail.summary(whileOff)!.isFlagged).toBe(false);
  });

  it('calls a webhook for new calendar items', async () => {
    const { core } = setup();
    const webhook = await hook();
    const calendarId = core.calendar.calendars()[0]!.id;
    core.poller.rules.create({ name: 'New events', enabled: true, trigger: 'OnNewItems', filters: { calendarId }, actions: [{ type: 'webhook', url: webhook.url }] });
    const { event } = core.calendar.create(calendarId, { summary: 'Offsite', start: '2026-04-01T09:00:00', end: '2026-04-01T17:00:00', timeZone: 'UTC' });
    core.poller.poll();
    await core.poller.idle();
    core.poller.poll();
    await core.poller.idle();
    expect(webhook.bodies).toEqual([expect.objectContaining({ Id: event.id, Subject: 'Offsite', Start: '2026-04-01T09:00:00.000Z' })]);
  });

  it('refuses rules that cannot work, with a clear error', async () => {
    const { core } = setup();
    await expect(core.handle('rules.create', { name: 'Leak', trigger: 'OnNewEmail', actions: [{ type: 'webhook', url: 'https://example.com/hook' }] })).rejects.toThrow(
      /must be on this machine/,
    );
    await expect(core.handle('rules.create', { name: 'Odd', trigger: 'OnNewItems', actions: [{ type: 'markRead' }] })).rejects.toThrow(/only works with the OnNewEmail/);
    await expect(core.handle('rules.create', { name: 'Nowhere', trigger: 'OnNewEmail', actions: [{ type: 'move', folderId: 'fld_missing' }] })).rejects.toThrow(/was not found/);
    await expect(core.handle('rules.create', { name: '', trigger: 'OnNewEmail', actions: [] })).rejects.toThrow(/Invalid request/);
    expect(core.poller.rules.list()).toHaveLength(0);
  });
});

describe('rule actions on a message', () => {
  it('replies with a template, forwards, adds the sender to contacts once and files an invitation in the calendar', async () => {
    const { core, inbox } = setup();
    const shown = notifications(core);
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//EN',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'UID:kickoff-1@example.com',
      'DTSTAMP:20260301T120000Z',
      'DTSTART:20260310T140000Z',
      'DTEND:20260310T150000Z',
      'SUMMARY:Project kickoff',
      'LOCATION:Main hall',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const rule = core.poller.rules.create({
      name: 'Invitations',
      enabled: true,
      trigger: 'OnNewEmail',
      filters: { from: 'erin@example.com' },
      actions: [
        { type: 'notify' },
        { type: 'replyTemplate', body: 'Hi {{senderName}}, got "{{subject}}".' },
        { type: 'forward', to: 'assistant@example.com', comment: 'Please prepare.' },
        { type: 'addSenderToContacts' },
        { type: 'createEventFromInvitation' },
      ],
    });
    const { createHash } = await import('node:crypto');
    const content = Buffer.from(ics);
    const id = core.store.mail.insertMessage(
      {
        accountId: inbox.accountId,
        folderId: inbox.folderId,
        remoteId: null,
        messageIdHeader: '<invite-1@example.com>',
        inReplyTo: null,
        references: [],
        subject: 'Invitation: Project kickoff',
        from: { name: 'Erin', address: 'erin@example.com' },
        to: [{ name: '', address: 'me@pimlico.test' }],
        cc: [],
        bcc: [],
        replyTo: [],
        date: core.now(),
        snippet: 'You are invited',
        bodyText: 'You are invited',
        bodyHtml: null,
        isRead: false,
        isFlagged: false,
        importance: 'normal',
        size: 1000,
        attachments: [{ filename: 'invite.ics', contentType: 'text/calendar', size: content.length, contentId: null, inline: false, sha256: createHash('sha256').update(content).digest('hex'), content }],
      },
      core.now(),
    );
    deliver(core, inbox, { from: 'erin@example.com', fromName: 'Erin', subject: 'Second note' });
    core.poller.poll();
    await core.poller.idle();

    const runs = core.poller.rules.runs(rule.id, 10);
    expect(runs).toHaveLength(2);
    const first = runs.find((r) => r.itemId === id)!;
    expect(first.status).toBe('done');
    expect(first.results.map((r) => [r.type, r.status])).toEqual([
      ['notify', 'done'],
      ['replyTemplate', 'done'],
      ['forward', 'done'],
      ['addSenderToContacts', 'done'],
      ['createEventFromInvitation', 'done'],
    ]);
    const outbox = core.store.outbox.list();
    const reply = outbox.find((o) => o.subject === 'Re: Invitation: Project kickoff')!;
    expect(reply.to).toEqual([{ name: 'Erin', address: 'erin@example.com' }]);
    expect(reply.raw.toString('utf8')).toContain('Hi Erin, got "Invitation: Project kickoff".');
    expect(reply.raw.toString('utf8')).toContain('In-Reply-To: <invite-1@example.com>');
    const forward = outbox.find((o) => o.subject === 'Fwd: Invitation: Project kickoff')!;
    expect(forward.to).toEqual([expect.objectContaining({ address: 'assistant@example.com' })]);
    expect(forward.raw.toString('utf8')).toContain('invite.ics');
    const contacts = core.contacts.list({ query: 'erin', limit: 10 });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.emails).toEqual([expect.objectContaining({ address: 'erin@example.com' })]);
    const second = runs.find((r) => r.itemId !== id)!;
    // The second message has no invitation: that action fails, is reported, and the others stand.
    expect(second.status).toBe('failed');
    expect(second.results.find((r) => r.type === 'createEventFromInvitation')).toMatchObject({ status: 'failed', error: 'This message carries no invitation (.ics)' });
    expect(second.results.find((r) => r.type === 'addSenderToContacts')).toMatchObject({ status: 'done', ref: contacts[0]!.id });
    const events = core.calendar.range(Date.parse('2026-03-10T00:00:00Z'), Date.parse('2026-03-11T00:00:00Z'));
    expect(events.map((o) => [o.event.summary, o.event.location, o.startUtc])).toEqual([['Project kickoff', 'Main hall', Date.parse('2026-03-10T14:00:00Z')]]);
    expect(shown.filter((n) => n.title.startsWith('Invitations: '))).toHaveLength(2);
    expect(shown.filter((n) => n.title === 'Rule "Invitations" failed')).toHaveLength(1);
  });
});
