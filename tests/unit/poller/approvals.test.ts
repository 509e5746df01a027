import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core/core';
import { formatOptionsHeader, offeredOptions, optionsBody, optionSubject, parseOptionsHeader, readReplyToken, splitOptions } from '../../../src/main/core/approvals/format';
import { parseMessage } from '../../../src/main/core/mime';
import { coreWithClock, deliver, listener, localInbox, notifications, TestClock } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

/** A subscription as POST /approvalmail/$subscriptions stores it (migration 5's table). */
function subscribe(core: Core, accountId: string, opts: { id: string; kind?: 'approval' | 'options'; options: string[]; url?: string; messageId?: string }): void {
  core.store.db
    .prepare(
      `INSERT INTO mail_subscriptions (id, kind, account_id, notification_url, recipients_json, subject, options_json, message_id_header, created_at)
       VALUES (?, ?, ?, ?, ?, 'Budget 2027', ?, ?, ?)`,
    )
    .run(opts.id, opts.kind ?? 'approval', accountId, opts.url ?? null, JSON.stringify(['bob@pimlico.test']), JSON.stringify(opts.options), opts.messageId ?? null, core.now());
}

describe('approval and options mail format', () => {
  it('puts a tokenised mailto: button per option in the body and the choices in a header', () => {
    const input = { subscriptionId: 'sub_1', replyTo: 'alice@pimlico.test', subject: 'Budget 2027', options: splitOptions('Approve, Reject,Approve') };
    expect(input.options).toEqual(['Approve', 'Reject']);
    const body = optionsBody(input, 'Please decide.', false);
    expect(body.html).toContain('href="mailto:alice@pimlico.test?subject=Approve%3A%20Budget%202027%20%5Bpimlico%3Asub_1%3A1%5D"');
    expect(body.text).toContain('Reject: mailto:alice@pimlico.test?subject=Reject%3A%20Budget%202027%20%5Bpimlico%3Asub_1%3A2%5D');
    expect(parseOptionsHeader(formatOptionsHeader(input))).toEqual({ id: 'sub_1', replyTo: 'alice@pimlico.test', options: ['Approve', 'Reject'] });
    expect(readReplyToken(`RE: ${optionSubject(input, 'Reject', 1)}`)).toEqual({ subscriptionId: 'sub_1', optionNumber: 2 });
    expect(parseOptionsHeader('v=1; id=x; reply-to=a@b; options=!!!')).toBeNull();
    expect(parseOptionsHeader('garbage')).toBeNull();
  });

  it('reads the choices back from the buttons of mail that carries no header', () => {
    const input = { subscriptionId: 'sub_9', replyTo: 'alice@pimlico.test', subject: 'Pick a day', options: ['Monday', 'Tuesday, late'.replace(',', '')] };
    const { html, text } = optionsBody(input, 'Which day?', false);
    expect(offeredOptions({ headers: {}, bodyText: text, bodyHtml: html })).toEqual({ id: 'sub_9', replyTo: 'alice@pimlico.test', options: ['Monday', 'Tuesday late'] });
    expect(offeredOptions({ headers: {}, bodyText: text, bodyHtml: null })).toEqual({ id: 'sub_9', replyTo: 'alice@pimlico.test', options: ['Monday', 'Tuesday late'] });
    expect(offeredOptions({ headers: {}, bodyText: 'Just a note with mailto:bob@example.com?subject=Hi', bodyHtml: null })).toBeNull();
  });
});

describe('approval replies', () => {
  it('resolves with the first chosen option, tells the sender, posts to the NotificationUrl once, and keeps later answers apart', async () => {
    const clock = new TestClock();
    const core = coreWithClock(clock);
    cleanups.push(() => core.close());
    const shown = notifications(core);
    const hook = await listener(503);
    cleanups.push(hook.close);
    const inbox = localInbox(core);
    subscribe(core, inbox.accountId, { id: 'sub_budget', options: ['Approve', 'Reject'], url: hook.url, messageId: '<approval-1@pimlico.test>' });

    deliver(core, inbox, { from: 'dave@pimlico.test', subject: 'Re: Budget 2027', body: 'Maybe next week?', inReplyTo: '<approval-1@pimlico.test>' });
    deliver(core, inbox, { from: 'bob@pimlico.test', fromName: 'Bob', subject: 'Approve: Budget 2027 [pimlico:sub_budget:1]', body: 'Approve' });
    core.poller.poll();
    await core.poller.idle();
    deliver(core, inbox, { from: 'carol@pimlico.test', subject: 'Reject: Budget 2027 [pimlico:sub_budget:2]' });
    core.poller.poll();
    await core.poller.idle();

    const state = core.poller.approvals.state('sub_budget', 'approval');
    expect(state).toMatchObject({ status: 'answered', SelectedOption: 'Approve', UserEmailAddress: 'bob@pimlico.test' });
    expect(() => core.poller.approvals.state('sub_budget', 'options')).toThrow(/was not found/);
    const [info] = await core.handle('approvals.list', {}) as { status: string; responses: { outcome: string; responder: string }[] }[];
    expect(info!.status).toBe('resolved');
    expect(info!.responses.map((r) => [r.responder, r.outcome])).toEqual([
      ['dave@pimlico.test', 'no-match'],
      ['bob@pimlico.test', 'accepted'],
      ['carol@pimlico.test', 'duplicate'],
    ]);
    expect(shown.filter((n) => n.target?.kind === 'approval')).toEqual([expect.objectContaining({ title: 'Bob chose "Approve"', target: { kind: 'approval', id: 'sub_budget' } })]);

    // The listener was down: the answer waits and is posted once it is back.
    expect(hook.bodies).toHaveLength(0);
    hook.setStatus(200);
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      core.poller.poll();
      await core.poller.idle();
    }
    expect(hook.bodies).toEqual([{ SelectedOption: 'Approve', UserEmailAddress: 'bob@pimlico.test', SubscriptionId: 'sub_budget' }]);
  });

  it('compose mode sends the mail with a button per option and resolves from a reply', async () => {
    const clock = new TestClock();
    const core = coreWithClock(clock);
    cleanups.push(() => core.close());
    const me = core.accounts.create({ kind: 'local', displayName: 'Alice', email: 'alice@pimlico.test' });
    await expect(core.handle('approvals.send', { accountId: me.id, to: 'bob@pimlico.test', subject: 'Offsite', options: ' , ' })).rejects.toThrow(/1 to 20/);
    const sent = (await core.handle('approvals.send', { accountId: me.id, kind: 'options', to: 'Bob <bob@pimlico.test>', subject: 'Offsite', body: 'Where?', options: 'Lake, City' })) as { id: string; outboxId: string };
    // What the recipient gets: the buttons read back from the mail as it will travel.
    const mail = await parseMessage(core.store.outbox.get(sent.outboxId)!.raw);
    expect(offeredOptions({ headers: mail.headers, bodyText: mail.text, bodyHtml: mail.html })).toEqual({ id: sent.id, replyTo: 'alice@pimlico.test', options: ['Lake', 'City'] });
    const [info] = (await core.handle('approvals.list', {})) as { id: string; kind: string; status: string; options: string[]; to: string }[];
    expect(info).toMatchObject({ id: sent.id, kind: 'options', status: 'waiting', options: ['Lake', 'City'], to: 'bob@pimlico.test' });
    deliver(core, localInbox(core, me.id), { from: 'bob@pimlico.test', subject: `RE: City: Offsite [pimlico:${sent.id}:2]` });
    core.poller.poll();
    expect(core.poller.approvals.state(sent.id, 'options')).toMatchObject({ status: 'answered', SelectedOption: 'City', UserEmailAddress: 'bob@pimlico.test' });
  });

  it('gives a Pimlico recipient real buttons: choosing one queues the tokenised reply', async () => {
    const clock = new TestClock();
    const core = coreWithClock(clock);
    cleanups.push(() => core.close());
    const inbox = localInbox(core);
    const input = { subscriptionId: 'sub_lunch', replyTo: 'alice@pimlico.test', subject: 'Lunch place', options: ['Pizza', 'Sushi'] };
    const received = deliver(core, inbox, { subject: 'Lunch place', headers: { 'x-pimlico-options': formatOptionsHeader(input) } });
    await expect(core.handle('approvals.respond', { messageId: received, option: 'Tacos' })).rejects.toThrow(/not one of this message's options/);
    const { outboxId } = (await core.handle('approvals.respond', { messageId: received, option: 'Sushi' })) as { outboxId: string };
    const entry = core.store.outbox.get(outboxId)!;
    expect(entry.subject).toBe('Sushi: Lunch place [pimlico:sub_lunch:2]');
    expect(entry.to).toEqual([{ name: '', address: 'alice@pimlico.test' }]);
  });
});
