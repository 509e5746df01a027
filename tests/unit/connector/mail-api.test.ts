import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiveAttachment, ReceiveMessage } from '../../../src/main/core/api/connector/objects';
import { offeredOptions } from '../../../src/main/core/approvals/format';
import { parseMessage } from '../../../src/main/core/mime';
import { call, deliver, errorOf, startHarness, stopHarness, type Harness } from './support';

// The mail routes of the connector over HTTP against a Local account, in JSON and in XML.

let h: Harness;
let accountId: string;
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

beforeAll(async () => {
  h = await startHarness();
  // A Local account with an address, so sending and subscriptions have a sender.
  accountId = h.core.accounts.create({ kind: 'local', displayName: 'Me', email: 'me@example.com' }).id;
  h.core.accounts.setDefault(accountId);
});
afterAll(() => stopHarness(h));

const outboxCount = () => h.core.store.outbox.list().length;

describe('GET /Mail', () => {
  let ids: string[];
  beforeAll(() => {
    ids = [
      deliver(h.core, accountId, 'Inbox', { subject: 'First unread', date: Date.UTC(2026, 0, 1) }),
      deliver(h.core, accountId, 'Inbox', { subject: 'Second read', isRead: true, date: Date.UTC(2026, 0, 2) }),
      deliver(h.core, accountId, 'Inbox', { subject: 'Third with file', date: Date.UTC(2026, 0, 3), cc: [{ name: '', address: 'c1@example.com' }, { name: '', address: 'c2@example.com' }] }, { filename: 'pic.png', contentType: 'image/png', content: png }),
      deliver(h.core, accountId, 'Archive', { subject: 'Archived quarterly report', date: Date.UTC(2026, 0, 4) }),
    ];
  });

  it('applies the defaults: Inbox, unread only, newest first, no attachment bytes', async () => {
    const r = await call(h.base, 'GET', '/Mail');
    expect(r.status).toBe(200);
    const list = r.body as ReceiveMessage[];
    expect(list.map((m) => m.Subject)).toEqual(['Third with file', 'First unread']);
    const third = list[0]!;
    expect(third).toMatchObject({ Id: ids[2], IsRead: false, HasAttachment: true, From: 'bob@example.com', To: 'me@example.com', Cc: 'c1@example.com;c2@example.com', Importance: 'Normal', IsHtml: false, Attachments: [] });
    expect(third.DateTimeReceived).toBe('2026-01-03T00:00:00.000Z');
  });

  it('honours fetchOnlyUnread, top, skip, skipToken, searchQuery, folderPath and includeAttachments', async () => {
    const all = (await call(h.base, 'GET', '/Mail?fetchOnlyUnread=false')).body as ReceiveMessage[];
    expect(all.map((m) => m.Subject)).toEqual(['Third with file', 'Second read', 'First unread']);
    const page1 = await call(h.base, 'GET', '/Mail?fetchOnlyUnread=false&top=2');
    expect((page1.body as ReceiveMessage[]).length).toBe(2);
    const token = page1.headers.get('x-pimlico-next-skip-token')!;
    const page2 = (await call(h.base, 'GET', `/Mail?fetchOnlyUnread=false&top=2&skipToken=${token}`)).body as ReceiveMessage[];
    expect(page2.map((m) => m.Subject)).toEqual(['First unread']);
    const skipped = (await call(h.base, 'GET', '/Mail?fetchOnlyUnread=false&skip=1&top=1')).body as ReceiveMessage[];
    expect(skipped.map((m) => m.Subject)).toEqual(['Second read']);
    const searched = (await call(h.base, 'GET', '/Mail?fetchOnlyUnread=false&searchQuery=second')).body as ReceiveMessage[];
    expect(searched.map((m) => m.Subject)).toEqual(['Second read']);
    const archive = (await call(h.base, 'GET', '/Mail?folderPath=Archive')).body as ReceiveMessage[];
    expect(archive.map((m) => m.Subject)).toEqual(['Archived quarterly report']);
    const withFiles = (await call(h.base, 'GET', '/Mail?includeAttachments=true&top=1')).body as ReceiveMessage[];
    const att = withFiles[0]!.Attachments[0]!;
    expect(att).toMatchObject({ Name: 'pic.png', ContentType: 'image/png', ContentBytes: png.toString('base64') });
  });

  it('answers XML with Accept: application/xml', async () => {
    const r = await call(h.base, 'GET', '/Mail?fetchOnlyUnread=false', { xml: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/xml');
    const items = (r.body as { item: Record<string, string>[] }).item;
    expect(items.map((m) => m.Subject)).toEqual(['Third with file', 'Second read', 'First unread']);
    expect(items[0]!.HasAttachment).toBe('true');
  });

  it('GET /Mail/{messageId}/Attachments/{attachmentId} answers a ReceiveAttachment', async () => {
    const detail = h.core.mail.get(ids[2]!);
    const attId = detail.attachments[0]!.id;
    const r = await call(h.base, 'GET', `/Mail/${ids[2]}/Attachments/${attId}`);
    expect(r.status).toBe(200);
    const a = r.body as ReceiveAttachment;
    expect(a).toMatchObject({ Id: attId, Name: 'pic.png', ContentType: 'image/png', '@odata.type': '#Microsoft.OutlookServices.FileAttachment' });
    expect(Buffer.from(a.ContentBytes, 'base64').equals(png)).toBe(true);
    const x = await call(h.base, 'GET', `/Mail/${ids[2]}/Attachments/${attId}`, { xml: true });
    expect((x.body as Record<string, string>).ContentBytes).toBe(png.toString('base64'));
    expect((await call(h.base, 'GET', `/Mail/${ids[2]}/Attachments/att_nope`)).status).toBe(404);
    expect((await call(h.base, 'GET', `/Mail/msg_nope/Attachments/${attId}`)).status).toBe(404);
  });

  it('POST /Mail/MarkAsRead/{messageId} marks it read through the task queue', async () => {
    const r = await call(h.base, 'POST', `/Mail/MarkAsRead/${ids[0]}`);
    expect(r.status).toBe(200);
    expect(h.core.mail.get(ids[0]!).isRead).toBe(true);
    expect(h.core.store.tasks.get).toBeDefined();
    const tasks = h.core.store.db.prepare("SELECT kind FROM tasks WHERE kind = 'mail.setFlags'").all();
    expect(tasks.length).toBeGreaterThan(0);
    expect((await call(h.base, 'POST', '/Mail/MarkAsRead/msg_unknown')).status).toBe(404);
  });

  it('DELETE /Mail/{messageId} moves it to Trash', async () => {
    const id = deliver(h.core, accountId, 'Inbox', { subject: 'Delete me' });
    const r = await call(h.base, 'DELETE', `/Mail/${id}`);
    expect(r.status).toBe(200);
    const trash = h.core.store.mail.folderByPath(accountId, 'Trash')!;
    expect(h.core.mail.get(id).folderId).toBe(trash.id);
    expect((await call(h.base, 'DELETE', '/Mail/msg_unknown')).status).toBe(404);
  });

  it('does not reach messages of another account', async () => {
    const other = h.core.accounts.create({ kind: 'local', displayName: 'Other', email: 'other@example.com' }).id;
    const id = deliver(h.core, other, 'Inbox', { subject: 'Not yours' });
    expect((await call(h.base, 'DELETE', `/Mail/${id}`)).status).toBe(404);
    const theirs = (await call(h.base, 'GET', `/Mail?account=${other}`)).body as ReceiveMessage[];
    expect(theirs.map((m) => m.Subject)).toEqual(['Not yours']);
    expect((await call(h.base, 'GET', '/Mail?account=acc_unknown')).status).toBe(404);
  });
});

describe('POST /Mail and POST /Mail/ReplyTo', () => {
  it('queues a SendMessage in the outbox with recipients, importance and attachments', async () => {
    const before = outboxCount();
    const r = await call(h.base, 'POST', '/Mail', {
      body: { To: 'a@example.com; B <b@example.com>', Cc: 'c@example.com', Subject: 'Hello', Body: '<p>Hi <b>there</b></p>', IsHtml: true, Importance: 'High', Attachments: [{ '@odata.type': '#Microsoft.OutlookServices.FileAttachment', Name: 'pic.png', ContentBytes: png.toString('base64') }] },
    });
    expect(r.status).toBe(200);
    expect(outboxCount()).toBe(before + 1);
    const entry = h.core.store.outbox.list()[0]!;
    expect(entry.subject).toBe('Hello');
    expect(entry.to.map((a) => a.address)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    const raw = h.core.store.db.prepare('SELECT raw FROM outbox WHERE id = ?').get(entry.id) as { raw: Buffer };
    const text = raw.raw.toString('utf8');
    expect(text).toMatch(/filename="?pic.png/);
    expect(text).toMatch(/Importance: high/i);
  });

  it('accepts the same message as XML', async () => {
    const before = outboxCount();
    const r = await call(h.base, 'POST', '/Mail', { xml: true, body: { To: 'x@example.com', Subject: 'From XML', Body: 'plain', Attachments: [{ Name: 'a.txt', ContentBytes: Buffer.from('hello').toString('base64') }] } });
    expect(r.status).toBe(200);
    expect(outboxCount()).toBe(before + 1);
    expect(h.core.store.outbox.list()[0]!.subject).toBe('From XML');
  });

  it('replies with the comment above the quote, threaded, to the sender (or all)', async () => {
    const id = deliver(h.core, accountId, 'Inbox', { subject: 'Question', cc: [{ name: '', address: 'carol@example.com' }] });
    const r = await call(h.base, 'POST', `/Mail/ReplyTo/${id}?comment=${encodeURIComponent('Yes, fine.')}`);
    expect(r.status).toBe(200);
    const entry = h.core.store.outbox.list()[0]!;
    expect(entry.subject).toBe('Re: Question');
    expect(entry.to.map((a) => a.address)).toEqual(['bob@example.com']);
    const raw = (h.core.store.db.prepare('SELECT raw FROM outbox WHERE id = ?').get(entry.id) as { raw: Buffer }).raw.toString('utf8');
    expect(raw).toContain('Yes, fine.');
    expect(raw).toContain(`In-Reply-To: ${h.core.mail.get(id).messageIdHeader}`);
    const all = await call(h.base, 'POST', `/Mail/ReplyTo/${id}?comment=ok&replyAll=true`, { xml: true });
    expect(all.status).toBe(200);
    expect(h.core.store.outbox.list()[0]!.to.map((a) => a.address).sort()).toEqual(['bob@example.com', 'carol@example.com']);
    expect(h.core.mail.get(id).isAnswered).toBe(true);
  });

  it('refuses bad input with 4xx and queues nothing', async () => {
    const id = deliver(h.core, accountId, 'Inbox', { subject: 'Target' });
    const before = outboxCount();
    const cases: [string, string, string, Parameters<typeof call>[3]][] = [
      ['missing To', 'POST', '/Mail', { body: { Subject: 's', Body: 'b' } }],
      ['missing Subject', 'POST', '/Mail', { body: { To: 'a@example.com', Body: 'b' } }],
      ['missing body', 'POST', '/Mail', {}],
      ['bad address', 'POST', '/Mail', { body: { To: 'not an address', Subject: 's', Body: 'b' } }],
      ['wrong type', 'POST', '/Mail', { body: { To: 'a@example.com', Subject: 's', Body: 'b', IsHtml: 'maybe' } }],
      ['bad importance', 'POST', '/Mail', { body: { To: 'a@example.com', Subject: 's', Body: 'b', Importance: 'Urgent' } }],
      ['invalid base64', 'POST', '/Mail', { body: { To: 'a@example.com', Subject: 's', Body: 'b', Attachments: [{ Name: 'x.bin', ContentBytes: 'not*base64!' }] } }],
      ['foreign From', 'POST', '/Mail', { body: { From: 'ceo@example.com', To: 'a@example.com', Subject: 's', Body: 'b' } }],
      ['array body', 'POST', '/Mail', { body: [1, 2] }],
      ['malformed JSON', 'POST', '/Mail', { rawBody: '{"To": "a@example.com",' }],
      ['malformed XML', 'POST', '/Mail', { rawBody: '<request><To>a@example.com</To>', contentType: 'application/xml' }],
      ['attachments not a list', 'POST', '/Mail', { body: { To: 'a@example.com', Subject: 's', Body: 'b', Attachments: { Name: 'x', ContentBytes: 'QQ==' } } }],
      ['string body', 'POST', '/Mail', { rawBody: '"just a string"' }],
      ['bad percent-encoding', 'GET', '/Mail/%E0%A4%A/Attachments/x', {}],
      ['reply without comment', 'POST', `/Mail/ReplyTo/${id}`, {}],
      ['reply with bad replyAll', 'POST', `/Mail/ReplyTo/${id}?comment=x&replyAll=perhaps`, {}],
      ['reply to unknown', 'POST', '/Mail/ReplyTo/msg_unknown?comment=x', {}],
    ];
    for (const [what, method, path, opts] of cases) {
      const r = await call(h.base, method, path, opts);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(errorOf(r).message.length, what).toBeGreaterThan(5);
    }
    expect(outboxCount()).toBe(before);
    const wrongMedia = await call(h.base, 'POST', '/Mail', { rawBody: 'hi', contentType: 'text/plain' });
    expect(wrongMedia.status).toBe(415);
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const before = outboxCount();
    const huge = JSON.stringify({ To: 'a@example.com', Subject: 's', Body: 'x'.repeat(50 * 1024 * 1024 + 10) });
    const r = await call(h.base, 'POST', '/Mail', { rawBody: huge });
    expect(r.status).toBe(413);
    expect(outboxCount()).toBe(before);
  });

  it('answers wrong query types and out-of-range values with 400', async () => {
    for (const q of ['top=ten', 'top=-1', 'skip=1.5', 'fetchOnlyUnread=yes', 'includeAttachments=1', 'skipToken=garbage', 'top=1&top=2']) {
      const r = await call(h.base, 'GET', `/Mail?${q}`);
      expect(r.status, q).toBe(400);
      expect(errorOf(r).code, q).toBe('BadRequest');
    }
    expect((await call(h.base, 'GET', '/Mail?folderPath=Nowhere')).status).toBe(404);
  });

  it('needs the bearer token', async () => {
    expect((await call(h.base, 'GET', '/Mail', { token: null })).status).toBe(401);
    expect((await call(h.base, 'GET', '/Mail', { token: 'wrong' })).status).toBe(401);
  });
});

describe('options and approval mail', () => {
  it('sends the mail with option links and records the subscription (201 SubscriptionResponse)', async () => {
    const r = await call(h.base, 'POST', '/mailwithoptions/$subscriptions', {
      body: { NotificationUrl: 'http://127.0.0.1:9/hook', Message: { To: 'boss@example.com', Subject: 'Lunch?', Options: 'Pizza, Sushi, Salad', Body: 'Pick one' } },
    });
    expect(r.status).toBe(201);
    const sub = r.body as { id: string; resource: string; notificationType: string; notificationUrl: string };
    expect(sub.notificationUrl).toBe('http://127.0.0.1:9/hook');
    expect(sub.resource).toBe(`/mailwithoptions/$subscriptions/${sub.id}`);
    const row = h.core.store.db.prepare('SELECT * FROM mail_subscriptions WHERE id = ?').get(sub.id) as { kind: string; options_json: string; message_id_header: string; outbox_id: string };
    expect(row.kind).toBe('options');
    expect(JSON.parse(row.options_json)).toEqual(['Pizza', 'Sushi', 'Salad']);
    const out = h.core.store.outbox.get(row.outbox_id)!;
    expect(out.messageIdHeader).toBe(row.message_id_header);
    // Quoted-printable: undo soft line breaks and =3D before looking for the option link.
    const raw = (h.core.store.db.prepare('SELECT raw FROM outbox WHERE id = ?').get(row.outbox_id) as { raw: Buffer }).raw
      .toString('utf8')
      .replace(/=\r\n/g, '')
      .replace(/=3D/g, '=');
    expect(raw).toContain(`mailto:me@example.com?subject=${encodeURIComponent(`Sushi: Lunch? [pimlico:${sub.id}:2]`)}`);
    // The poller's reader finds the same choices in the mail as the recipient will get it.
    const parsed = await parseMessage((h.core.store.db.prepare('SELECT raw FROM outbox WHERE id = ?').get(row.outbox_id) as { raw: Buffer }).raw);
    expect(offeredOptions({ headers: {}, bodyText: parsed.text, bodyHtml: parsed.html })).toEqual({ id: sub.id, replyTo: 'me@example.com', options: ['Pizza', 'Sushi', 'Salad'] });
  });

  it('approval mail defaults to Approve, Reject and accepts XML (also at %24subscriptions)', async () => {
    const r = await call(h.base, 'POST', '/approvalmail/%24subscriptions', { xml: true, body: { Message: { To: 'boss@example.com', Subject: 'Budget' } } });
    expect(r.status).toBe(201);
    const id = (r.body as Record<string, string>).id!;
    const row = h.core.store.db.prepare('SELECT kind, options_json FROM mail_subscriptions WHERE id = ?').get(id) as { kind: string; options_json: string };
    expect(row).toEqual({ kind: 'approval', options_json: JSON.stringify(['Approve', 'Reject']) });
  });

  it('rejects a subscription without Message, with a bad URL or without options, storing nothing', async () => {
    const count = () => (h.core.store.db.prepare('SELECT count(*) AS n FROM mail_subscriptions').get() as { n: number }).n;
    const before = count();
    const outBefore = outboxCount();
    for (const body of [{}, { NotificationUrl: 'ftp://x', Message: { To: 'a@example.com', Subject: 's', Options: 'A' } }, { Message: { To: 'a@example.com', Subject: 's' } }, { Message: { To: 'a@example.com', Subject: 's', Options: 'A', Attachments: [{ Name: 'f', ContentBytes: '@@@' }] } }]) {
      const r = await call(h.base, 'POST', '/mailwithoptions/$subscriptions', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(count()).toBe(before);
    expect(outboxCount()).toBe(outBefore);
  });
});

describe('transport rules shared with the rest of the API', () => {
  it('refuses a foreign Host (DNS rebinding) and sends no CORS headers', async () => {
    const { request } = await import('node:http');
    const port = Number(new URL(h.base).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/Mail', headers: { Host: 'evil.example:80', Authorization: 'Bearer x' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    const r = await call(h.base, 'GET', '/Mail');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('pushes store changes to the UI over the WebSocket when the API writes', async () => {
    const { WebSocket } = await import('ws');
    const { TOKEN } = await import('./support');
    const ws = new WebSocket(`${h.base.replace('http', 'ws')}/api/ws`, [`token.${TOKEN}`]);
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(String(d)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const id = deliver(h.core, accountId, 'Inbox', { subject: 'Live' });
    frames.length = 0;
    expect((await call(h.base, 'POST', `/Mail/MarkAsRead/${id}`)).status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!frames.some((f) => f.includes('store.changed') && f.includes('mail')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    expect(frames.some((f) => f.includes('store.changed') && f.includes('mail'))).toBe(true);
  });
});
