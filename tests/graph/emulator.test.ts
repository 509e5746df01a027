/**
 * Tests for the Graph emulator, over real HTTP (global fetch) on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from './emulator';

interface GraphBody {
  [k: string]: unknown;
  id?: string;
  value?: Item[];
  error?: { code: string; message: string; innerError?: Record<string, unknown> };
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  '@odata.count'?: number;
  responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: GraphBody }>;
}
type Item = Record<string, unknown> & { id: string };

interface CallResult {
  status: number;
  headers: Headers;
  body: GraphBody;
  text: string;
}

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const TOKEN = 'token-alice';
const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };

let emu: GraphEmulator;

beforeEach(async () => {
  emu = await startGraphEmulator();
  emu.addUser(ALICE, TOKEN, { displayName: 'Alice Archer' });
  emu.addUser(BOB, 'token-bob', { displayName: 'Bob Baker' });
});

afterEach(async () => {
  await emu.close();
});

/** `path` is relative to /v1.0 ("/me/messages") or an absolute URL (nextLink). */
async function call(
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string | null } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined || opts.rawBody !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  const url = path.startsWith('http') ? path : `${emu.baseUrl}${path}`;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  const ct = res.headers.get('content-type') ?? '';
  const parsed = ct.includes('json') && text ? (JSON.parse(text) as GraphBody) : {};
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const get = (path: string, headers?: Record<string, string>): Promise<CallResult> =>
  call('GET', path, { headers });
const post = (path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult> =>
  call('POST', path, { body: body ?? {}, headers });

/** Follows @odata.nextLink until a deltaLink (or the end); returns all values and the final page. */
async function drain(
  first: string,
  headers?: Record<string, string>,
): Promise<{ items: Item[]; pages: number; last: GraphBody }> {
  const items: Item[] = [];
  let url: string | undefined = first;
  let pages = 0;
  let last: GraphBody = {};
  while (url) {
    const r = await get(url, headers);
    expect(r.status, r.text).toBe(200);
    items.push(...(r.body.value ?? []));
    pages++;
    last = r.body;
    url = r.body['@odata.nextLink'];
  }
  return { items, pages, last };
}

function seedInbox(n: number, start = Date.UTC(2024, 0, 1)): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      emu.seedMessage(ALICE, 'inbox', {
        subject: `Message ${i}`,
        body: `Body of message ${i}`,
        from: 'Carol <carol@example.com>',
        receivedDateTime: new Date(start + i * 60_000),
        isRead: i % 2 === 0,
      }).id,
    );
  }
  return ids;
}

describe('auth and profile', () => {
  it('GET /me returns the profile', async () => {
    const r = await get('/me');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ displayName: 'Alice Archer', mail: ALICE, userPrincipalName: ALICE });
    expect(typeof r.body.id).toBe('string');
    expect(r.body['@odata.context']).toContain('$metadata#users');
    expect(r.headers.get('request-id')).toBeTruthy();
  });

  it('answers 401 InvalidAuthenticationToken without or with a wrong token', async () => {
    const missing = await call('GET', '/me', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error?.code).toBe('InvalidAuthenticationToken');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await call('GET', '/me/messages', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('InvalidAuthenticationToken');
    expect(wrong.body.error?.innerError?.['request-id']).toBeTruthy();
    emu.revokeToken(TOKEN);
    const revoked = await get('/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.message).toMatch(/expired/);
  });

  it('users/{upn} reaches the own mailbox only', async () => {
    expect((await get(`/users/${ALICE}/mailFolders/inbox`)).status).toBe(200);
    const other = await get(`/users/${BOB}/messages`);
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe('ErrorAccessDenied');
    const unknown = await get('/users/nobody@contoso.test/messages');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('ErrorInvalidUser');
  });
});

describe('mail folders', () => {
  it('lists top-level folders alphabetically, with hidden ones only on request, and pages', async () => {
    emu.addMailFolder(ALICE, 'Secret', { isHidden: true });
    const r = await get('/me/mailFolders');
    expect(r.status).toBe(200);
    const names = (r.body.value ?? []).map((f) => f['displayName']);
    expect(names).toEqual([
      'Archive',
      'Conversation History',
      'Deleted Items',
      'Drafts',
      'Inbox',
      'Junk Email',
      'Outbox',
      'Sent Items',
    ]);
    const hidden = await get('/me/mailFolders?includeHiddenFolders=true&$top=100');
    expect(hidden.body.value?.some((f) => f['displayName'] === 'Secret' && f['isHidden'] === true)).toBe(
      true,
    );

    const paged = await drain(`${emu.baseUrl}/me/mailFolders?$top=3`);
    expect(paged.pages).toBe(3);
    expect(paged.items).toHaveLength(8);
  });

  it('resolves well-known names and creates folders and child folders', async () => {
    const inbox = await get('/me/mailFolders/Inbox');
    expect(inbox.body).toMatchObject({
      displayName: 'Inbox',
      totalItemCount: 0,
      unreadItemCount: 0,
      isHidden: false,
    });
    for (const name of ['drafts', 'sentitems', 'deleteditems', 'archive', 'junkemail']) {
      expect((await get(`/me/mailFolders/${name}`)).status).toBe(200);
    }
    const created = await post('/me/mailFolders', { displayName: 'Projects' });
    expect(created.status).toBe(201);
    expect(created.body['parentFolderId']).toBe(inbox.body['parentFolderId']);
    const dup = await post('/me/mailFolders', { displayName: 'projects' });
    expect(dup.status).toBe(409);
    expect(dup.body.error?.code).toBe('ErrorFolderExists');
    const child = await post(`/me/mailFolders/${created.body.id ?? ''}/childFolders`, { displayName: 'Q3' });
    expect(child.status).toBe(201);
    const children = await get(`/me/mailFolders/${created.body.id ?? ''}/childFolders`);
    expect(children.body.value?.map((f) => f['displayName'])).toEqual(['Q3']);
    expect((await get(`/me/mailFolders/${created.body.id ?? ''}`)).body['childFolderCount']).toBe(1);
  });
});

describe('messages', () => {
  it('pages with $top/$skip nextLinks, newest first, honouring $select', async () => {
    seedInbox(25);
    const { items, pages, last } = await drain(
      `${emu.baseUrl}/me/mailFolders/inbox/messages?$top=10&$select=subject,receivedDateTime`,
    );
    expect(pages).toBe(3);
    expect(items).toHaveLength(25);
    expect(new Set(items.map((m) => m.id)).size).toBe(25);
    expect(items[0]?.['subject']).toBe('Message 24');
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['@odata.etag', 'id', 'receivedDateTime', 'subject']);
    expect(last['@odata.nextLink']).toBeUndefined();

    const first = await get('/me/mailFolders/inbox/messages?$top=10');
    expect(first.body['@odata.nextLink']).toContain('$skip=10');
    // Default page size is 10; odata.maxpagesize overrides it.
    expect((await get('/me/messages')).body.value).toHaveLength(10);
    const pref = await get('/me/messages', { Prefer: 'odata.maxpagesize=4' });
    expect(pref.body.value).toHaveLength(4);
    expect(pref.headers.get('preference-applied')).toContain('odata.maxpagesize=4');
  });

  it('supports $filter, $orderby, $count and $search', async () => {
    seedInbox(6);
    const unread = await get('/me/mailFolders/inbox/messages?$filter=isRead eq false&$count=true');
    expect(unread.body['@odata.count']).toBe(3);
    expect(unread.body.value?.every((m) => m['isRead'] === false)).toBe(true);

    const since = new Date(Date.UTC(2024, 0, 1, 0, 3)).toISOString();
    const recent = await get(
      `/me/messages?$filter=receivedDateTime ge ${since}&$orderby=receivedDateTime asc`,
    );
    expect(recent.body.value?.map((m) => m['subject'])).toEqual(['Message 3', 'Message 4', 'Message 5']);

    // Exchange: $orderby properties must lead the $filter.
    const bad = await get('/me/messages?$filter=isRead eq false&$orderby=receivedDateTime desc');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('InefficientFilter');

    emu.seedMessage(ALICE, 'archive', { subject: 'Quarterly pizza party', from: 'dave@example.com' });
    const found = await get('/me/messages?$search="pizza"');
    expect(found.status).toBe(200);
    expect(found.body.value?.map((m) => m['subject'])).toEqual(['Quarterly pizza party']);
    expect((await get('/me/messages?$search="from:dave"')).body.value).toHaveLength(1);
    expect((await get('/me/messages?$search="pizza"&$orderby=subject')).status).toBe(400);
  });

  it('gets, patches, moves, copies and deletes messages', async () => {
    const [id = ''] = seedInbox(1);
    const got = await get(`/me/messages/${id}?$select=subject,isRead`);
    expect(got.body).toMatchObject({ id, subject: 'Message 0', isRead: true });

    const patched = await call('PATCH', `/me/messages/${id}`, {
      body: { isRead: false, flag: { flagStatus: 'flagged' }, categories: ['Red'], importance: 'high' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      isRead: false,
      flag: { flagStatus: 'flagged' },
      categories: ['Red'],
      importance: 'high',
    });
    expect(patched.body['changeKey']).not.toBe(got.body['changeKey']);
    // Subject of a received (non-draft) message cannot change.
    expect((await call('PATCH', `/me/messages/${id}`, { body: { subject: 'x' } })).status).toBe(400);

    const copy = await post(`/me/messages/${id}/copy`, { destinationId: 'archive' });
    expect(copy.status).toBe(201);
    expect(copy.body.id).not.toBe(id);
    expect(emu.getMessages(ALICE, 'archive')).toHaveLength(1);

    expect((await call('DELETE', `/me/messages/${id}`)).status).toBe(204);
    // DELETE moves to Deleted Items.
    expect(emu.getMessages(ALICE, 'inbox')).toHaveLength(0);
    expect(emu.getMessages(ALICE, 'deleteditems')).toHaveLength(1);
  });

  it('creates drafts, sends them, and delivers sendMail to emulated recipients', async () => {
    const draft = await post('/me/messages', {
      subject: 'Hello Bob',
      body: { contentType: 'html', content: '<p>Hi</p>' },
      toRecipients: [{ emailAddress: { address: BOB } }],
    });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ isDraft: true, subject: 'Hello Bob' });
    expect(emu.getMessages(ALICE, 'drafts')).toHaveLength(1);
    const sent = await post(`/me/messages/${draft.body.id ?? ''}/send`);
    expect(sent.status).toBe(202);
    expect(emu.getMessages(ALICE, 'drafts')).toHaveLength(0);
    expect(emu.getMessages(ALICE, 'sentitems')[0]).toMatchObject({ subject: 'Hello Bob', isDraft: false });
    expect(emu.getMessages(BOB, 'inbox')[0]).toMatchObject({ subject: 'Hello Bob', isRead: false });

    const mail = await post('/me/sendMail', {
      message: {
        subject: 'Lunch?',
        body: { contentType: 'text', content: 'At noon' },
        toRecipients: [{ emailAddress: { address: 'x@example.com' } }],
      },
      saveToSentItems: 'false',
    });
    expect(mail.status).toBe(202);
    expect(emu.sentMail.map((s) => s.message.subject)).toEqual(['Hello Bob', 'Lunch?']);
    expect(emu.sentMail[1]).toMatchObject({
      savedToSentItems: false,
      deliveredTo: [],
      recipients: ['x@example.com'],
    });
    expect(emu.getMessages(ALICE, 'sentitems')).toHaveLength(1);

    const noRecipients = await post('/me/sendMail', { message: { subject: 'x' } });
    expect(noRecipients.status).toBe(400);
    expect(noRecipients.body.error?.code).toBe('ErrorInvalidRecipients');
  });

  it('replies, replies all and forwards', async () => {
    const m = emu.seedMessage(ALICE, 'inbox', {
      subject: 'Plans',
      from: BOB,
      toRecipients: [ALICE, 'erin@example.com'],
      ccRecipients: ['frank@example.com'],
    });
    expect((await post(`/me/messages/${m.id}/reply`, { comment: 'Sounds good' })).status).toBe(202);
    const reply = emu.getMessages(BOB, 'inbox')[0];
    expect(reply?.subject).toBe('RE: Plans');
    expect(reply?.body.content).toContain('Sounds good');
    // Received mail carries its transport headers: the reply names the message it answers.
    expect(reply?.internetMessageHeaders).toEqual(
      expect.arrayContaining([
        { name: 'Message-ID', value: reply?.internetMessageId },
        { name: 'In-Reply-To', value: m.internetMessageId },
      ]),
    );
    expect(reply?.conversationId).toBe(m.conversationId);

    const draft = await post(`/me/messages/${m.id}/createReplyAll`);
    expect(draft.status).toBe(201);
    const to = (draft.body['toRecipients'] as Array<{ emailAddress: { address: string } }>).map(
      (r) => r.emailAddress.address,
    );
    expect(to).toEqual([BOB, 'erin@example.com']);

    const noTo = await post(`/me/messages/${m.id}/forward`, { comment: 'fyi' });
    expect(noTo.status).toBe(400);
    expect(emu.getMessages(ALICE, 'drafts')).toHaveLength(1);
    const fwd = await post(`/me/messages/${m.id}/forward`, {
      comment: 'fyi',
      toRecipients: [{ emailAddress: { address: 'gina@example.com' } }],
    });
    expect(fwd.status).toBe(202);
    expect(emu.sentMail.at(-1)?.message.subject).toBe('FW: Plans');
  });

  it('serves attachments, $value and $expand=attachments', async () => {
    const m = emu.seedMessage(ALICE, 'inbox', {
      subject: 'With file',
      attachments: [{ name: 'a.txt', contentType: 'text/plain', content: 'hello' }],
    });
    const list = await get(`/me/messages/${m.id}/attachments`);
    const att = list.body.value?.[0];
    expect(att).toMatchObject({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'a.txt',
      size: 5,
      contentBytes: Buffer.from('hello').toString('base64'),
    });
    const raw = await get(`/me/messages/${m.id}/attachments/${att?.id ?? ''}/$value`);
    expect(raw.text).toBe('hello');
    const expanded = await get(`/me/messages/${m.id}?$expand=attachments`);
    expect((expanded.body['attachments'] as unknown[]).length).toBe(1);
    expect(expanded.body['hasAttachments']).toBe(true);

    const added = await post(`/me/messages/${m.id}/attachments`, {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'b.bin',
      contentBytes: Buffer.from([1, 2, 3]).toString('base64'),
    });
    expect(added.status).toBe(201);
    expect(emu.getMessage(ALICE, m.id)?.attachments).toHaveLength(2);
  });
});

describe('delta', () => {
  it('pages the initial sync, then reports adds, changes and removals', async () => {
    const ids = seedInbox(5);
    const pref = { Prefer: 'odata.maxpagesize=2' };
    const initial = await drain(
      `${emu.baseUrl}/me/mailFolders/inbox/messages/delta?$select=subject,isRead`,
      pref,
    );
    expect(initial.pages).toBe(3);
    expect(initial.items).toHaveLength(5);
    expect(Object.keys(initial.items[0] ?? {})).toEqual(expect.arrayContaining(['id', 'subject', 'isRead']));
    expect(initial.items[0]?.['body']).toBeUndefined();
    const deltaLink = initial.last['@odata.deltaLink'] ?? '';
    expect(deltaLink).toContain('$deltatoken=');

    // Nothing changed: an empty round.
    const quiet = await get(deltaLink);
    expect(quiet.body.value).toEqual([]);
    expect(quiet.body['@odata.deltaLink']).toBeTruthy();

    const added = emu.seedMessage(ALICE, 'inbox', { subject: 'New one' });
    expect((await call('PATCH', `/me/messages/${ids[0] ?? ''}`, { body: { isRead: false } })).status).toBe(
      200,
    );
    expect((await call('DELETE', `/me/messages/${ids[1] ?? ''}`)).status).toBe(204);
    expect((await post(`/me/messages/${ids[2] ?? ''}/move`, { destinationId: 'archive' })).status).toBe(201);
    emu.deleteMessage(ALICE, ids[3] ?? '');

    const changes = await drain(deltaLink);
    const removed = changes.items.filter((i) => i['@removed']);
    const present = changes.items.filter((i) => !i['@removed']);
    expect(present.map((i) => i.id).sort()).toEqual([added.id, ids[0]].sort());
    expect(present.find((i) => i.id === ids[0])?.['isRead']).toBe(false);
    expect(removed.map((i) => i.id).sort()).toEqual([ids[1], ids[2], ids[3]].sort());
    expect(removed[0]?.['@removed']).toEqual({ reason: 'deleted' });

    const after = await get(changes.last['@odata.deltaLink'] ?? '');
    expect(after.body.value).toEqual([]);
  });

  it('answers 410 SyncStateNotFound for delta and skip tokens after expireDeltaTokens()', async () => {
    seedInbox(5);
    const first = await get('/me/mailFolders/inbox/messages/delta', { Prefer: 'odata.maxpagesize=2' });
    const nextLink = first.body['@odata.nextLink'] ?? '';
    const { last } = await drain(nextLink, { Prefer: 'odata.maxpagesize=2' });
    const deltaLink = last['@odata.deltaLink'] ?? '';

    emu.expireDeltaTokens();
    for (const link of [deltaLink, nextLink]) {
      const r = await get(link);
      expect(r.status).toBe(410);
      expect(r.body.error?.code).toBe('SyncStateNotFound');
    }
    // Resync from scratch works.
    expect((await drain(`${emu.baseUrl}/me/mailFolders/inbox/messages/delta`)).items).toHaveLength(5);
    // Garbage is a 400, not a 410.
    expect((await get('/me/mailFolders/inbox/messages/delta?$deltatoken=garbage')).status).toBe(400);
  });

  it('tracks contacts with delta', async () => {
    const folders = await get('/me/contactFolders');
    expect(folders.body.value).toEqual([]);
    const c1 = await post('/me/contacts', {
      givenName: 'Pavel',
      surname: 'Bansky',
      emailAddresses: [{ address: 'pavel@example.com' }],
    });
    expect(c1.status).toBe(201);
    expect(c1.body).toMatchObject({
      displayName: 'Pavel Bansky',
      emailAddresses: [{ name: 'pavel@example.com', address: 'pavel@example.com' }],
    });
    emu.seedContact(ALICE, { displayName: 'Quinn', businessPhones: ['+1 555 0100'] });
    const folderId = String(c1.body['parentFolderId']);
    const initial = await drain(`${emu.baseUrl}/me/contactFolders/${folderId}/contacts/delta`);
    expect(initial.items).toHaveLength(2);

    await call('PATCH', `/me/contacts/${c1.body.id ?? ''}`, { body: { jobTitle: 'Engineer' } });
    await call(
      'DELETE',
      `/me/contacts/${emu.getContacts(ALICE).find((c) => c.displayName === 'Quinn')?.id ?? ''}`,
    );
    const changes = await drain(initial.last['@odata.deltaLink'] ?? '');
    expect(changes.items.find((i) => i.id === c1.body.id)?.['jobTitle']).toBe('Engineer');
    expect(changes.items.filter((i) => i['@removed'])).toHaveLength(1);

    const filtered = await get("/me/contacts?$filter=emailAddresses/any(a:a/address eq 'pavel@example.com')");
    expect(filtered.body.value).toHaveLength(1);
  });
});

describe('throttling', () => {
  it('injects 429 and 503 with Retry-After', async () => {
    emu.failNext(2, { status: 429, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) {
      const r = await get('/me/messages');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
      expect(r.body.error?.code).toBeTruthy();
    }
    expect((await get('/me/messages')).status).toBe(200);

    emu.failNext(1, { status: 503, retryAfterSeconds: 2, match: (req) => req.path.endsWith('/mailFolders') });
    expect((await get('/me')).status).toBe(200);
    const unavailable = await get('/me/mailFolders');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('2');
    expect(emu.stats.injectedFailures).toBe(3);
  });

  it('limits concurrent requests per mailbox to 4 (429 ApplicationThrottled)', async () => {
    emu.setLatency(800);
    const results = await Promise.all(Array.from({ length: 10 }, () => get('/me/messages')));
    const ok = results.filter((r) => r.status === 200);
    const throttled = results.filter((r) => r.status === 429);
    expect(ok.length + throttled.length).toBe(10);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled[0]?.body.error?.code).toBe('ApplicationThrottled');
    expect(throttled[0]?.body.error?.message).toContain('MailboxConcurrency');
    expect(throttled[0]?.headers.get('retry-after')).toBeTruthy();
    expect(emu.stats.maxConcurrentSeen).toBeLessThanOrEqual(4);
    expect(emu.stats.maxConcurrentSeen).toBe(4);

    // Other mailboxes have their own budget.
    const bob = await call('GET', '/me/messages', { token: 'token-bob' });
    expect(bob.status).toBe(200);
  });
});

describe('$batch', () => {
  it('runs inner requests with dependsOn and reports per-request status', async () => {
    const [id = ''] = seedInbox(1);
    const r = await post('/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/me' },
        {
          id: '2',
          method: 'PATCH',
          url: `/me/messages/${id}`,
          headers: { 'Content-Type': 'application/json' },
          body: { isRead: false },
          dependsOn: ['1'],
        },
        { id: '3', method: 'GET', url: `/me/messages/${id}?$select=isRead`, dependsOn: ['2'] },
        { id: '4', method: 'GET', url: '/me/messages/AAMkAGMdoesnotexistdoesnotexistAAA=' },
        { id: '5', method: 'GET', url: '/me/mailFolders/inbox', dependsOn: ['4'] },
      ],
    });
    expect(r.status).toBe(200);
    const byId = new Map((r.body.responses ?? []).map((x) => [x.id, x]));
    expect(byId.get('1')?.status).toBe(200);
    expect(byId.get('2')?.status).toBe(200);
    expect(byId.get('3')?.body?.['isRead']).toBe(false);
    expect(byId.get('4')?.status).toBe(404);
    expect(byId.get('4')?.body?.error?.code).toBe('ErrorItemNotFound');
    expect(byId.get('5')?.status).toBe(424);
    expect(emu.requests.filter((l) => l.via === 'batch')).toHaveLength(4);
  });

  it('rejects more than 20 requests and bodies without Content-Type', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    const r = await post('/$batch', { requests });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('BadRequest');
    const noType = await post('/$batch', {
      requests: [{ id: '1', method: 'POST', url: '/me/messages', body: {} }],
    });
    expect(noType.status).toBe(400);
  });

  it('applies throttling to inner requests (mailbox concurrency and injected failures)', async () => {
    const requests = Array.from({ length: 6 }, (_, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: '/me/mailFolders/inbox',
    }));
    const r = await post('/$batch', { requests });
    expect(r.status).toBe(200);
    const statuses = (r.body.responses ?? []).map((x) => x.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    const throttled = (r.body.responses ?? []).filter((x) => x.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.headers?.['Retry-After']).toBe('1');

    emu.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const chained = await post('/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/me' },
        { id: 'b', method: 'GET', url: '/me/mailFolders', dependsOn: ['a'] },
      ],
    });
    expect(chained.body.responses?.map((x) => x.status)).toEqual([429, 424]);
  });
});

describe('attachments upload session', () => {
  it('uploads in chunks without Authorization and answers 200 then 201', async () => {
    const draft = await post('/me/messages', { subject: 'Big file' });
    const size = 3.5 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = i % 251;

    const small = await post(`/me/messages/${draft.body.id ?? ''}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name: 'tiny.bin', size: 10 },
    });
    expect(small.status).toBe(400);

    const session = await post(`/me/messages/${draft.body.id ?? ''}/attachments/createUploadSession`, {
      AttachmentItem: {
        attachmentType: 'file',
        name: 'big.bin',
        size,
        contentType: 'application/octet-stream',
      },
    });
    expect(session.status).toBe(201);
    expect(session.body['nextExpectedRanges']).toEqual(['0-']);
    const uploadUrl = String(session.body['uploadUrl']);
    expect(uploadUrl.startsWith(emu.origin)).toBe(true);
    expect(uploadUrl).not.toContain('/v1.0/');

    const put = (from: number, to: number, auth = false): Promise<Response> =>
      fetch(uploadUrl, {
        method: 'PUT',
        headers: {
          'Content-Range': `bytes ${from}-${to - 1}/${size}`,
          'Content-Type': 'application/octet-stream',
          ...(auth ? { Authorization: `Bearer ${TOKEN}` } : {}),
        },
        body: data.subarray(from, to),
      });
    const half = 2 * 1024 * 1024;
    expect((await put(0, half, true)).status).toBe(401);
    const r1 = await put(0, half);
    expect(r1.status).toBe(200);
    expect(((await r1.json()) as GraphBody)['nextExpectedRanges']).toEqual([String(half)]);
    expect((await put(0, half)).status).toBe(416);
    const r2 = await put(half, size);
    expect(r2.status).toBe(201);
    expect(r2.headers.get('location')).toContain('/attachments(');
    expect(emu.requests.filter((l) => l.via === 'upload')).toHaveLength(4);

    const atts = emu.getMessage(ALICE, draft.body.id ?? '')?.attachments ?? [];
    expect(atts).toHaveLength(1);
    expect(atts[0]?.size).toBe(size);
    const raw = await fetch(
      `${emu.baseUrl}/me/messages/${draft.body.id ?? ''}/attachments/${atts[0]?.id ?? ''}/$value`,
      {
        headers: { Authorization: `Bearer ${TOKEN}` },
      },
    );
    expect(Buffer.from(await raw.arrayBuffer()).equals(data)).toBe(true);
  });
});

describe('deferred send', () => {
  it('holds a message with PidTagDeferredSendTime in the Outbox until its time', async () => {
    const draft = await post('/me/messages', {
      subject: 'Later',
      toRecipients: [{ emailAddress: { address: BOB } }],
    });
    const when = new Date(Date.now() + 700).toISOString();
    const patched = await call('PATCH', `/me/messages/${draft.body.id ?? ''}`, {
      body: { singleValueExtendedProperties: [{ id: 'SystemTime 0x3FEF', value: when }] },
    });
    expect(patched.status).toBe(200);
    const withProp = await get(
      `/me/messages/${draft.body.id ?? ''}?$expand=singleValueExtendedProperties($filter=id eq 'SystemTime 0x3FEF')`,
    );
    expect(withProp.body['singleValueExtendedProperties']).toEqual([
      { id: 'SystemTime 0x3FEF', value: when },
    ]);

    expect((await post(`/me/messages/${draft.body.id ?? ''}/send`)).status).toBe(202);
    expect(emu.getMessages(ALICE, 'outbox').map((m) => m.subject)).toEqual(['Later']);
    expect(emu.sentMail).toHaveLength(0);
    expect(emu.getMessages(BOB, 'inbox')).toHaveLength(0);

    // Poll (rather than sleep a fixed time) so a loaded CI machine does not make this flaky.
    for (let i = 0; i < 100 && emu.sentMail.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(Date.parse(emu.sentMail[0]?.sentAt ?? '')).toBeGreaterThanOrEqual(Date.parse(when));
    expect(emu.getMessages(ALICE, 'outbox')).toHaveLength(0);
    expect(emu.getMessages(ALICE, 'sentitems').map((m) => m.subject)).toEqual(['Later']);
    expect(emu.sentMail).toHaveLength(1);
    expect(emu.getMessages(BOB, 'inbox').map((m) => m.subject)).toEqual(['Later']);
  });
});

describe('ImmutableId', () => {
  it('ids change on move without the preference and stay stable with it', async () => {
    const seeded = emu.seedMessage(ALICE, 'inbox', { subject: 'Track me' });
    const rest = (await get('/me/mailFolders/inbox/messages')).body.value?.[0]?.id ?? '';
    const immutable = (await get('/me/mailFolders/inbox/messages', IMMUTABLE)).body.value?.[0]?.id ?? '';
    expect(rest).toBe(seeded.id);
    expect(immutable).toBe(seeded.immutableId);
    expect(immutable).not.toBe(rest);

    const moved = await post(`/me/messages/${rest}/move`, { destinationId: 'archive' });
    expect(moved.status).toBe(201);
    expect(moved.body.id).not.toBe(rest);
    const stale = await get(`/me/messages/${rest}`);
    expect(stale.status).toBe(404);
    expect(stale.body.error?.code).toBe('ErrorItemNotFound');
    // Either id format is accepted in URLs, whatever the Prefer header says.
    expect((await get(`/me/messages/${immutable}`)).body.id).toBe(moved.body.id);

    const movedAgain = await post(`/me/messages/${immutable}/move`, { destinationId: 'inbox' }, IMMUTABLE);
    expect(movedAgain.body.id).toBe(immutable);
    expect((await get(`/me/messages/${immutable}`, IMMUTABLE)).body['parentFolderId']).toBe(
      (await get('/me/mailFolders/inbox')).body.id,
    );
  });
});

describe('calendar', () => {
  const weekly = {
    subject: 'Standup',
    start: { dateTime: '2024-01-01T09:00:00', timeZone: 'Pacific Standard Time' },
    end: { dateTime: '2024-01-01T09:30:00', timeZone: 'Pacific Standard Time' },
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'sunday' },
      range: {
        type: 'numbered',
        startDate: '2024-01-01',
        numberOfOccurrences: 6,
        recurrenceTimeZone: 'Pacific Standard Time',
      },
    },
  };

  it('lists calendars and creates events', async () => {
    const cals = await get('/me/calendars');
    expect(cals.body.value).toHaveLength(1);
    expect(cals.body.value?.[0]).toMatchObject({ name: 'Calendar', isDefaultCalendar: true });
    const calId = cals.body.value?.[0]?.id ?? '';
    const created = await post(`/me/calendars/${calId}/events`, {
      subject: 'Lunch',
      start: { dateTime: '2024-02-01T12:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-02-01T13:00:00', timeZone: 'UTC' },
      location: { displayName: 'Cafe' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      subject: 'Lunch',
      type: 'singleInstance',
      isOrganizer: true,
      start: { dateTime: '2024-02-01T12:00:00.0000000', timeZone: 'UTC' },
      location: { displayName: 'Cafe' },
      responseStatus: { response: 'organizer' },
    });
    const missing = await post('/me/events', { subject: 'No times' });
    expect(missing.status).toBe(400);
  });

  it('expands a weekly recurrence in calendarView, with exceptions and deletions', async () => {
    const master = await post('/me/events', weekly);
    expect(master.status).toBe(201);
    expect(master.body['type']).toBe('seriesMaster');

    const window = 'startDateTime=2024-01-01T00:00:00Z&endDateTime=2024-02-01T00:00:00Z';
    const view = await get(`/me/calendarView?${window}&$top=50`);
    expect(view.status).toBe(200);
    const occ = view.body.value ?? [];
    expect(occ).toHaveLength(6);
    expect(occ.every((o) => o['type'] === 'occurrence' && o['seriesMasterId'] === master.body.id)).toBe(true);
    // Mon 1, Wed 3, Mon 8, Wed 10, Mon 15, Wed 17 at 09:00 PST = 17:00 UTC.
    expect(occ.map((o) => (o['start'] as { dateTime: string }).dateTime)).toEqual([
      '2024-01-01T17:00:00.0000000',
      '2024-01-03T17:00:00.0000000',
      '2024-01-08T17:00:00.0000000',
      '2024-01-10T17:00:00.0000000',
      '2024-01-15T17:00:00.0000000',
      '2024-01-17T17:00:00.0000000',
    ]);
    const local = await get(`/me/calendarView?${window}&$top=1`, {
      Prefer: 'outlook.timezone="Pacific Standard Time"',
    });
    expect(local.body.value?.[0]?.['start']).toEqual({
      dateTime: '2024-01-01T09:00:00.0000000',
      timeZone: 'Pacific Standard Time',
    });

    const second = occ[1]?.id ?? '';
    const exc = await call('PATCH', `/me/events/${second}`, {
      body: {
        subject: 'Standup (moved)',
        start: { dateTime: '2024-01-03T18:00:00', timeZone: 'UTC' },
        end: { dateTime: '2024-01-03T18:30:00', timeZone: 'UTC' },
      },
    });
    expect(exc.status).toBe(200);
    expect(exc.body['type']).toBe('exception');
    expect((await call('DELETE', `/me/events/${occ[2]?.id ?? ''}`)).status).toBe(204);

    const after = (await get(`/me/calendarView?${window}&$top=50`)).body.value ?? [];
    expect(after).toHaveLength(5);
    expect(after.find((o) => o.id === second)).toMatchObject({
      type: 'exception',
      subject: 'Standup (moved)',
    });
    expect(after.some((o) => o.id === occ[2]?.id)).toBe(false);

    const partial = await get(
      '/me/calendarView?startDateTime=2024-01-09T00:00:00Z&endDateTime=2024-01-16T00:00:00Z',
    );
    expect(partial.body.value?.map((o) => (o['start'] as { dateTime: string }).dateTime)).toEqual([
      '2024-01-10T17:00:00.0000000',
      '2024-01-15T17:00:00.0000000',
    ]);
    expect((await get('/me/calendarView')).body.error?.code).toBe('ErrorInvalidParameter');
  });

  it('expands daily, absoluteMonthly and relativeMonthly patterns with endDate/noEnd/numbered ranges', async () => {
    await post('/me/events', {
      subject: 'Daily',
      start: { dateTime: '2024-03-01T08:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-03-01T08:15:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'daily', interval: 2 },
        range: { type: 'endDate', startDate: '2024-03-01', endDate: '2024-03-07' },
      },
    });
    await post('/me/events', {
      subject: 'Rent',
      start: { dateTime: '2024-01-31T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-01-31T10:30:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 },
        range: { type: 'noEnd', startDate: '2024-01-31' },
      },
    });
    await post('/me/events', {
      subject: 'Review',
      start: { dateTime: '2024-01-09T14:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-01-09T15:00:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' },
        range: { type: 'numbered', startDate: '2024-01-01', numberOfOccurrences: 3 },
      },
    });
    const view = await get(
      '/me/calendarView?startDateTime=2024-01-01T00:00:00Z&endDateTime=2024-05-01T00:00:00Z&$top=100',
    );
    const starts = (subject: string): string[] =>
      (view.body.value ?? [])
        .filter((o) => o['subject'] === subject)
        .map((o) => (o['start'] as { dateTime: string }).dateTime.slice(0, 10));
    expect(starts('Daily')).toEqual(['2024-03-01', '2024-03-03', '2024-03-05', '2024-03-07']);
    expect(starts('Rent')).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
    expect(starts('Review')).toEqual(['2024-01-26', '2024-02-23', '2024-03-29']);
  });

  it('calendarView delta requires a window, pages, and reports changes', async () => {
    expect((await get('/me/calendarView/delta')).status).toBe(400);
    await post('/me/events', weekly);
    const single = await post('/me/events', {
      subject: 'One-off',
      start: { dateTime: '2024-01-05T12:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-01-05T13:00:00', timeZone: 'UTC' },
    });
    const first = await drain(
      `${emu.baseUrl}/me/calendarView/delta?startDateTime=2024-01-01T00:00:00Z&endDateTime=2024-02-01T00:00:00Z`,
      { Prefer: 'odata.maxpagesize=3' },
    );
    expect(first.items).toHaveLength(7);
    expect(first.pages).toBe(3);
    await call('PATCH', `/me/events/${single.body.id ?? ''}`, { body: { subject: 'One-off (renamed)' } });
    const changes = await drain(first.last['@odata.deltaLink'] ?? '');
    expect(changes.items.map((i) => i['subject'])).toEqual(['One-off (renamed)']);
    await call('DELETE', `/me/events/${single.body.id ?? ''}`);
    const removed = await drain(changes.last['@odata.deltaLink'] ?? '');
    expect(removed.items).toEqual([{ id: single.body.id, '@removed': { reason: 'deleted' } }]);
  });

  it('delivers invitations to emulated attendees and records responses', async () => {
    const meeting = await post('/me/events', {
      subject: 'Planning',
      start: { dateTime: '2024-04-02T15:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-04-02T16:00:00', timeZone: 'UTC' },
      attendees: [{ type: 'required', emailAddress: { address: BOB, name: 'Bob' } }],
    });
    const bobs = emu.getEvents(BOB);
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).toMatchObject({
      subject: 'Planning',
      isOrganizer: false,
      responseStatus: { response: 'notResponded' },
    });
    const accept = await call('POST', `/me/events/${bobs[0]?.id ?? ''}/accept`, {
      token: 'token-bob',
      body: { comment: 'See you', sendResponse: true },
    });
    expect(accept.status).toBe(202);
    expect(emu.getEvents(BOB)[0]?.responseStatus.response).toBe('accepted');
    const organizerView = await get(`/me/events/${meeting.body.id ?? ''}`);
    expect(
      (organizerView.body['attendees'] as Array<{ status: { response: string } }>)[0]?.status.response,
    ).toBe('accepted');
    expect(emu.getMessages(ALICE, 'inbox').map((m) => m.subject)).toEqual(['Accepted: Planning']);
    expect((await post(`/me/events/${meeting.body.id ?? ''}/accept`, {})).status).toBe(400);
  });
});

describe('strictness', () => {
  it('rejects unknown and unsupported query options', async () => {
    const unknown = await get('/me/messages?$foo=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.code).toBe('BadRequest');
    expect((await get('/me/mailFolders?$search="x"')).status).toBe(400);
    expect((await get('/me/messages?$top=1&$top=2')).status).toBe(400);
    expect((await get('/me/messages?$top=-1')).status).toBe(400);
    const badSelect = await get('/me/messages?$select=subject,nonsense');
    expect(badSelect.status).toBe(400);
    expect(badSelect.body.error?.code).toBe('RequestBroker--ParseUri');
    expect((await get('/me/messages?$filter=isRead eq')).status).toBe(400);
    expect((await get("/me/messages?$filter=isRead eq 'yes'")).status).toBe(400);
    expect((await get('/me?$filter=id eq 1')).body.error?.code).toBe('Request_UnsupportedQuery');
    // Custom (non-$) parameters are ignored, like Graph does.
    expect((await get('/me/messages?foo=bar')).status).toBe(200);
  });

  it('answers unknown segments, bad ids, bad bodies and wrong methods like Graph', async () => {
    const seg = await get('/me/nothingHere');
    expect(seg.status).toBe(400);
    expect(seg.body.error?.message).toBe("Resource not found for the segment 'nothingHere'.");
    expect((await get('/v2.0/me'.replace('/v2.0', '/../v2.0'))).status).toBeGreaterThanOrEqual(400);
    const malformed = await get('/me/messages/not-an-id!');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe('ErrorInvalidIdMalformed');
    const missing = await get('/me/messages/AAMkAGMxxxxxxxxxxxxxxxxxxxxxxxxxxxxAAA=');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('ErrorItemNotFound');
    const badJson = await call('POST', '/me/messages', { rawBody: '{"subject": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error?.message).toContain('Unable to read JSON request payload');
    const unknownProp = await post('/me/messages', { subjekt: 'typo' });
    expect(unknownProp.status).toBe(400);
    expect(unknownProp.body.error?.message).toContain("The property 'subjekt' does not exist");
    const wrongMethod = await call('PUT', '/me/messages', { body: {} });
    expect(wrongMethod.status).toBe(405);
    const folderById = await get(`/me/mailFolders('inbox')/messages`);
    expect(folderById.status).toBe(200);
  });

  it('logs requests with their Prefer header', async () => {
    await get('/me/messages?$top=1', { Prefer: 'odata.maxpagesize=5' });
    const entry = emu.requests.at(-1);
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/v1.0/me/messages',
      query: { $top: '1' },
      prefer: 'odata.maxpagesize=5',
      status: 200,
      mailbox: ALICE,
    });
    expect(entry?.headers['authorization']).toBe('Bearer <redacted>');
  });
});

describe('more surface', () => {
  it('tracks the folder hierarchy with mailFolders/delta', async () => {
    const initial = await drain(`${emu.baseUrl}/me/mailFolders/delta`);
    expect(initial.items).toHaveLength(8);
    const created = await post('/me/mailFolders', { displayName: 'Receipts' });
    await call('PATCH', `/me/mailFolders/${created.body.id ?? ''}`, {
      body: { displayName: 'Receipts 2024' },
    });
    const changes = await drain(initial.last['@odata.deltaLink'] ?? '');
    expect(changes.items.map((f) => f['displayName'])).toEqual(['Receipts 2024']);
    await call('DELETE', `/me/mailFolders/${created.body.id ?? ''}`);
    const removed = await drain(changes.last['@odata.deltaLink'] ?? '');
    expect(removed.items).toEqual([{ id: created.body.id, '@removed': { reason: 'deleted' } }]);
    expect((await call('DELETE', '/me/mailFolders/inbox')).body.error?.code).toBe(
      'ErrorDeleteDistinguishedFolder',
    );
  });

  it('converts bodies for Prefer: outlook.body-content-type', async () => {
    const m = emu.seedMessage(ALICE, 'inbox', {
      body: { contentType: 'html', content: '<p>Hello&nbsp;<b>world</b></p>' },
    });
    const r = await get(`/me/messages/${m.id}?$select=body`, { Prefer: 'outlook.body-content-type="text"' });
    expect(r.body['body']).toEqual({ contentType: 'text', content: 'Hello world' });
    expect(r.headers.get('preference-applied')).toContain('outlook.body-content-type="text"');
  });

  it('lets tests change series and occurrences through the control surface', async () => {
    const master = emu.seedEvent(ALICE, {
      subject: 'Sync',
      start: { dateTime: '2024-05-06T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2024-05-06T10:30:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: '2024-05-06', numberOfOccurrences: 3 },
      },
    });
    expect(master.type).toBe('seriesMaster');
    const window = 'startDateTime=2024-05-01T00:00:00Z&endDateTime=2024-06-01T00:00:00Z';
    const before = (await get(`/me/calendarView?${window}`)).body.value ?? [];
    expect(before).toHaveLength(3);
    emu.updateEvent(ALICE, master.id, { subject: 'Sync (renamed)' });
    emu.deleteEvent(ALICE, before[1]?.id ?? '');
    const after = (await get(`/me/calendarView?${window}`)).body.value ?? [];
    expect(after.map((o) => o['subject'])).toEqual(['Sync (renamed)', 'Sync (renamed)']);
    const instances = await get(`/me/events/${master.id}/instances?${window}`);
    expect(instances.body.value).toHaveLength(2);
    expect((await get(`/me/events/${before[1]?.id ?? ''}`)).status).toBe(404);
  });
});
