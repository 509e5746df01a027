// The background poller against real mail servers: mail delivered through Postfix into Dovecot is
// synced by an 'imap' account, and each message gets exactly one ledger decision, across a restart
// too; a rule moves matching mail on the server; an approval mail sent from one account is answered
// from another and resolves, and its NotificationUrl (a loopback listener) receives the answer once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { ImapFlow } from 'imapflow';
import type { PushEventPayload } from '../../../src/shared/contract';
import { approvalsRoutes } from '../../../src/main/core/api/approvals-routes';
import { connectorRoutes } from '../../../src/main/core/api/connector';
import { notificationsRoutes } from '../../../src/main/core/api/notifications-routes';
import { ApiServer } from '../../../src/main/core/api/server';
import type { Core } from '../../../src/main/core/core';
import { resetMailUser } from '../../servers';
import { createTestCore, tempDir } from '../../support/core';
import { appendOnServer, eventually, imapAccountInput, listServer, serverSession, user } from '../imap/support';
import { listener } from '../../unit/poller/helpers';
import { parseOptionsHeader } from '../../../src/main/core/approvals/format';

const servers = inject('servers');
const alice = user(servers, 'alice');
const bob = user(servers, 'bob');
const TOKEN = 'poller-test-token-0123456789abcdef';

interface Pimlico {
  core: Core;
  server: ApiServer;
  base: string;
  accountId: string;
  shown: PushEventPayload<'notification'>[];
  close(): Promise<void>;
}

/** One user's Pimlico: a core on a data folder with one imap account, behind the REST API. */
async function openPimlico(dataDir: string, who: typeof alice): Promise<Pimlico> {
  const core = createTestCore({ dataDir });
  const server = new ApiServer({ core, host: '127.0.0.1', port: 0, token: TOKEN, routes: [connectorRoutes, approvalsRoutes, notificationsRoutes] });
  const base = `http://127.0.0.1:${(await server.listen()).port}`;
  const accountId = core.accounts.list().find((a) => a.email === who.email)?.id ?? core.accounts.create(imapAccountInput(servers, who)).id;
  core.accounts.setDefault(accountId);
  const shown: PushEventPayload<'notification'>[] = [];
  core.events.on((name, payload) => {
    if (name === 'notification') shown.push(payload as PushEventPayload<'notification'>);
  });
  return {
    core,
    server,
    base,
    accountId,
    shown,
    close: async () => {
      await server.close();
      await core.close();
    },
  };
}

async function api(p: Pimlico, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${p.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Real delivery: SMTP submission to Postfix, which hands the mail to Dovecot over LMTP. */
async function sendMail(from: typeof alice, to: string, subject: string, text = `Body of ${subject}`): Promise<void> {
  const transport = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: from.email, pass: from.password } });
  await transport.sendMail({ from: from.email, to, subject, text });
  transport.close();
}

/** Syncs until the cache holds a message with this subject (delivery is asynchronous). */
async function syncUntil(p: Pimlico, subject: string): Promise<string> {
  return eventually(async () => {
    await p.core.sync.syncNow(p.accountId);
    const row = p.core.store.db.prepare('SELECT id FROM messages WHERE account_id = ? AND subject = ?').get(p.accountId, subject) as { id: string } | undefined;
    return row?.id;
  }, `'${subject}' in ${p.accountId}`);
}

function ledgerFor(p: Pimlico, itemId: string) {
  return p.core.poller.ledger.list(1000).filter((e) => e.itemId === itemId);
}

let aliceImap: ImapFlow;

beforeAll(async () => {
  await resetMailUser(alice.email, servers);
  await resetMailUser(bob.email, servers);
  aliceImap = await serverSession(servers, alice);
});

afterAll(async () => {
  await aliceImap?.logout().catch(() => undefined);
});

describe('poller on an imap account', () => {
  const dataDir = tempDir('pimlico-poller-alice-');

  it('gives each delivered message exactly one ledger decision, across a restart between two deliveries', async () => {
    let p = await openPimlico(dataDir, alice);
    await appendOnServer(aliceImap, 'INBOX', { subject: 'Old mail before Pimlico', to: alice.email });
    await p.core.sync.syncNow(p.accountId); // the first sync: what is there is old news
    expect(p.core.poller.ledger.list(100).filter((e) => e.title.includes('Old mail'))).toHaveLength(0);
    expect(p.core.store.db.prepare("SELECT count(*) AS n FROM notification_ledger n JOIN messages m ON m.id = n.item_id WHERE m.subject = 'Old mail before Pimlico'").get()).toEqual({ n: 0 });

    await sendMail(bob, alice.email, 'First delivery');
    const first = await syncUntil(p, 'First delivery');
    await appendOnServer(aliceImap, 'INBOX', { subject: 'Read on the phone', to: alice.email, flags: ['\\Seen'] });
    const read = await syncUntil(p, 'Read on the phone');
    await p.close();

    await sendMail(bob, alice.email, 'Delivered while Pimlico was closed');
    p = await openPimlico(dataDir, alice);
    const second = await syncUntil(p, 'Delivered while Pimlico was closed');
    await p.core.sync.syncNow(p.accountId);

    expect(ledgerFor(p, first)).toEqual([expect.objectContaining({ trigger: 'OnNewEmail', decision: 'notified', reason: null })]);
    expect(ledgerFor(p, read)).toEqual([expect.objectContaining({ decision: 'suppressed', reason: 'already-read' })]);
    expect(ledgerFor(p, second)).toEqual([expect.objectContaining({ decision: 'notified' })]);
    // The test users are shared with other test files: count only this test's messages.
    const mine = new Set([first, read, second]);
    expect(p.core.poller.ledger.list(1000).filter((e) => mine.has(e.itemId))).toHaveLength(3);
    expect(p.shown.filter((n) => n.target && mine.has(n.target.id))).toEqual([expect.objectContaining({ title: bob.email, target: { kind: 'message', id: second } })]);

    const rest = await api(p, 'GET', '/notifications?top=1000');
    expect(rest.status).toBe(200);
    const value = rest.json.value as { itemId: string; decision: string; reason: string | null; trigger: string; time: string }[];
    const listed = value.filter((v) => mine.has(v.itemId));
    expect(listed.map((v) => v.itemId)).toEqual([second, read, first]);
    expect(listed[1]).toMatchObject({ trigger: 'OnNewEmail', decision: 'suppressed', reason: 'already-read' });
    expect(rest.json.unreadInboxCount).toBe(p.core.store.mail.unreadInboxCount());
    await p.close();
  });

  it('a rule moves matching mail on the server', async () => {
    const p = await openPimlico(dataDir, alice);
    const archive = p.core.store.mail.folderByRole(p.accountId, 'archive')!;
    const rule = await p.core.handle('rules.create', {
      name: 'Archive invoices',
      enabled: true,
      trigger: 'OnNewEmail',
      filters: { subjectFilter: 'invoice' },
      actions: [{ type: 'move', folderId: archive.id }],
    });
    await sendMail(bob, alice.email, 'Invoice 2026-117');
    await sendMail(bob, alice.email, 'Lunch on Friday');
    await syncUntil(p, 'Invoice 2026-117');
    await syncUntil(p, 'Lunch on Friday');
    await p.core.poller.idle();
    await p.core.tasks.idle();
    await p.core.tasks.run(p.accountId);
    const archived = await eventually(async () => {
      const all = await listServer(aliceImap, archive.path);
      return all.some((m) => m.subject === 'Invoice 2026-117') ? all : null;
    }, 'the invoice in Archive on the server');
    expect(archived.map((m) => m.subject).filter((x) => x?.includes('2026-117') || x === 'Lunch on Friday')).toEqual(['Invoice 2026-117']);
    const inbox = (await listServer(aliceImap, 'INBOX')).map((m) => m.subject);
    expect(inbox).toContain('Lunch on Friday');
    expect(inbox).not.toContain('Invoice 2026-117');
    const runs = await p.core.handle('rules.runs', { ruleId: (rule as { id: string }).id });
    expect(runs).toEqual([expect.objectContaining({ status: 'done', results: [expect.objectContaining({ type: 'move', status: 'done' })] })]);
    await p.close();
  });
});

describe('approval mail between two accounts', () => {
  it('resolves with the chosen option and posts it to the NotificationUrl once', async () => {
    const hook = await listener();
    const a = await openPimlico(tempDir('pimlico-poller-approval-a-'), alice);
    const b = await openPimlico(tempDir('pimlico-poller-approval-b-'), bob);
    try {
      await a.core.sync.syncNow(a.accountId);
      await b.core.sync.syncNow(b.accountId);
      const created = await api(a, 'POST', '/approvalmail/$subscriptions', {
        NotificationUrl: hook.url,
        Message: { To: bob.email, Subject: 'Approve the 2027 budget', Options: 'Approve, Reject', Body: 'Please decide by Friday.' },
      });
      expect(created.status).toBe(201);
      const id = created.json.id as string;
      await a.core.outbox.idle();
      await a.core.outbox.run(a.accountId);
      expect((await api(a, 'GET', `/approvalmail/$subscriptions/${id}`)).json).toMatchObject({ id, status: 'waiting', SelectedOption: null });

      // Bob's Pimlico offers real buttons for the mail; choosing one sends the tokenised reply.
      const received = await syncUntil(b, 'Approve the 2027 budget');
      // The buttons come from the machine-readable header the mail carried through Postfix and Dovecot.
      const receivedHeader = b.core.store.mail.detail(received)!.headers['x-pimlico-options'];
      expect(parseOptionsHeader(receivedHeader)).toEqual({ id, replyTo: alice.email, options: ['Approve', 'Reject'] });
      expect(await b.core.handle('approvals.offered', { messageId: received })).toMatchObject({ subscriptionId: id, replyTo: alice.email, options: ['Approve', 'Reject'] });
      await b.core.handle('approvals.respond', { messageId: received, option: 'Approve' });
      await b.core.outbox.idle();
      await b.core.outbox.run(b.accountId);

      await syncUntil(a, `Approve: Approve the 2027 budget [pimlico:${id}:1]`);
      await a.core.poller.idle();
      const state = await api(a, 'GET', `/approvalmail/$subscriptions/${id}`);
      expect(state.status).toBe(200);
      expect(state.json).toMatchObject({ id, status: 'answered', SelectedOption: 'Approve', UserEmailAddress: bob.email });
      expect(a.shown.filter((n) => n.target?.kind === 'approval' && n.target.id === id)).toEqual([expect.objectContaining({ title: 'bob chose "Approve"' })]);

      // A second, different answer is recorded but does not change the first.
      await b.core.handle('approvals.respond', { messageId: received, option: 'Reject' });
      await b.core.outbox.idle();
      await b.core.outbox.run(b.accountId);
      await syncUntil(a, `Reject: Approve the 2027 budget [pimlico:${id}:2]`);
      await a.core.poller.idle();
      expect((await api(a, 'GET', `/approvalmail/$subscriptions/${id}`)).json).toMatchObject({ SelectedOption: 'Approve' });
      const info = ((await a.core.handle('approvals.list', {})) as { id: string; responses: { outcome: string; selectedOption: string }[] }[]).find((x) => x.id === id);
      expect(info!.responses.map((r) => [r.outcome, r.selectedOption])).toEqual([
        ['accepted', 'Approve'],
        ['duplicate', 'Reject'],
      ]);
      expect(hook.bodies).toEqual([{ SelectedOption: 'Approve', UserEmailAddress: bob.email, SubscriptionId: id }]);
      expect((await api(a, 'GET', `/mailwithoptions/$subscriptions/${id}`)).status).toBe(404);
    } finally {
      await a.close();
      await b.close();
      await hook.close();
    }
  });

  it("the UI's approvals.send carries the X-Pimlico-Options header, and the recipient's buttons come from it", async () => {
    const a = await openPimlico(tempDir('pimlico-poller-uiapproval-a-'), alice);
    const b = await openPimlico(tempDir('pimlico-poller-uiapproval-b-'), bob);
    try {
      const subject = 'Pick the offsite venue';
      const sent = (await a.core.handle('approvals.send', {
        accountId: a.accountId,
        kind: 'options',
        to: bob.email,
        subject,
        body: 'Where shall we go?',
        options: 'Lisbon, Porto, Faro',
        notificationUrl: null,
      })) as { id: string };
      await a.core.outbox.idle();
      await a.core.outbox.run(a.accountId);
      const received = await syncUntil(b, subject);
      const detail = b.core.store.mail.detail(received)!;
      expect(parseOptionsHeader(detail.headers['x-pimlico-options'])).toEqual({ id: sent.id, replyTo: alice.email, options: ['Lisbon', 'Porto', 'Faro'] });
      // Header first: with the body's buttons stripped the offer is unchanged.
      b.core.store.db.prepare('UPDATE messages SET body_html = NULL, body_text = ? WHERE id = ?').run('no buttons here', received);
      expect(await b.core.handle('approvals.offered', { messageId: received })).toMatchObject({ subscriptionId: sent.id, replyTo: alice.email, options: ['Lisbon', 'Porto', 'Faro'] });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
