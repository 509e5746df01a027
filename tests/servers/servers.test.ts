// Proves the real test servers behave as the rest of the suite assumes.
// Under the integration project's globalSetup the servers are shared
// (inject('servers')); run on its own, this file starts and stops its own.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { createDAVClient } from 'tsdav';
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import {
  bumpUidValidity,
  mailQueueSize,
  resetDavUser,
  resetMailUser,
  restartImap,
  startImap,
  startTestServers,
  stopImap,
  stopTestServers,
  type TestServers,
  type TestUser,
} from './index.js';

let servers: TestServers;
let ca: Buffer;
let alice: TestUser;
let bob: TestUser;

function user(email: string): TestUser {
  const u = servers.users.find((x) => x.email === email);
  if (!u) throw new Error(`no test user ${email}`);
  return u;
}

async function imapLogin(u: TestUser, secure = false): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: servers.imap.host,
    port: secure ? servers.imap.tlsPort : servers.imap.port,
    secure,
    auth: { user: u.email, pass: u.password },
    tls: { ca },
    qresync: true,
    logger: false,
  });
  await client.connect();
  return client;
}

function smtpTransport(u?: TestUser) {
  return nodemailer.createTransport({
    host: servers.smtp.host,
    port: servers.smtp.port,
    secure: false,
    tls: { ca },
    ...(u ? { auth: { user: u.email, pass: u.password } } : {}),
  });
}

/** Polls `check` every 100 ms until it returns a value, up to `ms`. */
async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let ownServers = false;

beforeAll(async () => {
  const shared = inject('servers') as TestServers | undefined;
  servers = shared ?? (await startTestServers());
  ownServers = !shared;
  ca = await readFile(servers.imap.caCertPath);
  alice = user('alice@pimlico.test');
  bob = user('bob@pimlico.test');
  // Shared servers keep whatever earlier files left behind.
  for (const u of [alice, bob]) {
    await resetMailUser(u.email, servers);
    await resetDavUser(u.email, servers);
  }
}, 120_000);

afterAll(async () => {
  if (ownServers) await stopTestServers(servers);
}, 60_000);

describe('test servers', () => {
  it('IMAP: STARTTLS login, IDLE, CONDSTORE and QRESYNC enabled', async () => {
    const client = await imapLogin(alice);
    try {
      // Plain port, upgraded by STARTTLS and verified against caCertPath.
      expect(client.secureConnection).toBe(true);
      for (const cap of ['IDLE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'ENABLE']) {
        expect(client.capabilities.has(cap), cap).toBe(true);
      }
      expect(client.enabled.has('QRESYNC')).toBe(true);
    } finally {
      await client.logout();
    }
  });

  it('IMAP: implicit TLS port verifies against caCertPath', async () => {
    const client = await imapLogin(bob, true);
    expect(client.secureConnection).toBe(true);
    await client.logout();
  });

  it('IMAP: special-use folders exist, flagged by the server and subscribed', async () => {
    const client = await imapLogin(alice);
    try {
      const folders = await client.list();
      const expected = {
        Drafts: '\\Drafts',
        Sent: '\\Sent',
        Trash: '\\Trash',
        Archive: '\\Archive',
        Junk: '\\Junk',
      };
      for (const [name, flag] of Object.entries(expected)) {
        const folder = folders.find((f) => f.path === name);
        expect(folder, name).toBeDefined();
        expect(folder?.flags.has(flag), `${name} has ${flag}`).toBe(true);
        expect(folder?.specialUse).toBe(flag);
        expect(folder?.specialUseSource).toBe('extension'); // from the server, not guessed from the name
        expect(folder?.subscribed, `${name} subscribed`).toBe(true);
      }
      expect(folders.find((f) => f.path === 'INBOX')).toBeDefined();
    } finally {
      await client.logout();
    }
  });

  it('SMTP: authenticated submission from alice lands in bob’s INBOX', async () => {
    const subject = `hello bob ${randomUUID()}`;
    const info = await smtpTransport(alice).sendMail({
      from: alice.email,
      to: bob.email,
      subject,
      text: 'delivered over LMTP',
    });
    expect(info.accepted).toEqual([bob.email]);

    const client = await imapLogin(bob);
    try {
      await client.mailboxOpen('INBOX');
      const uids = await eventually('the message in bob’s INBOX', 5_000, async () => {
        const found = await client.search({ subject }, { uid: true });
        return found && found.length > 0 ? found : undefined;
      });
      expect(uids).toHaveLength(1);
    } finally {
      await client.logout();
    }
  });

  it('SMTP: mail to other domains is discarded locally, never relayed', async () => {
    const outsider = `someone-${randomUUID()}@example.com`;
    const info = await smtpTransport(alice).sendMail({
      from: alice.email,
      to: outsider,
      subject: `must not leave ${randomUUID()}`,
      text: 'discard me',
    });
    expect(info.accepted).toEqual([outsider]);

    // The discard transport logs the message as done without any relay host.
    const line = await eventually('the discard log line', 5_000, async () => {
      const log = await readFile(servers.logs.postfix, 'utf8');
      return log.split('\n').find((l) => l.includes(`to=<${outsider}>`) && l.includes('status=sent'));
    });
    expect(line).toMatch(/relay=none/);
    expect(line).toMatch(/\/discard\[/);
    expect(await mailQueueSize(servers)).toBe(0);
    // No SMTP client ever ran: the instance has no smtp transport at all.
    const log = await readFile(servers.logs.postfix, 'utf8');
    expect(log).not.toMatch(/\/smtp\[/);

    // Without AUTH nothing is accepted, not even for the test domain.
    await expect(
      smtpTransport().sendMail({
        from: 'x@example.com',
        to: 'someone@example.com',
        subject: 'relay?',
        text: 'no',
      }),
    ).rejects.toThrow(/554|Access denied|Relay/i);
  });

  it('DAV: alice sees her pre-created calendar and address book', async () => {
    const credentials = { username: alice.email, password: alice.password };
    const caldav = await createDAVClient({
      serverUrl: servers.dav.url,
      credentials,
      authMethod: 'Basic',
      defaultAccountType: 'caldav',
    });
    const calendars = await caldav.fetchCalendars();
    const calendar = calendars.find((c) => decodeURIComponent(c.url).endsWith(`/${alice.email}/calendar/`));
    expect(calendar, JSON.stringify(calendars.map((c) => c.url))).toBeDefined();
    expect(calendar?.displayName).toBe('Calendar');
    expect(calendar?.components).toContain('VEVENT');

    const carddav = await createDAVClient({
      serverUrl: servers.dav.url,
      credentials,
      authMethod: 'Basic',
      defaultAccountType: 'carddav',
    });
    const books = await carddav.fetchAddressBooks();
    const book = books.find((b) => decodeURIComponent(b.url).endsWith(`/${alice.email}/contacts/`));
    expect(book, JSON.stringify(books.map((b) => b.url))).toBeDefined();
    expect(book?.displayName).toBe('Contacts');
  });

  it('ctl: bumpUidValidity changes INBOX UIDVALIDITY', async () => {
    const client = await imapLogin(alice);
    try {
      const before = await client.status('INBOX', { uidValidity: true });
      const bumped = await bumpUidValidity(alice.email, 'INBOX', servers);
      const after = await client.status('INBOX', { uidValidity: true });
      expect(before && before.uidValidity).toBeTypeOf('bigint');
      expect(after && after.uidValidity).toBe(BigInt(bumped));
      expect(after && after.uidValidity).not.toBe(before && before.uidValidity);
    } finally {
      await client.logout();
    }
  });

  it('ctl: resetMailUser empties the store; IMAP can be killed and restarted', async () => {
    const client = await imapLogin(bob);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await stopImap({ kill: true }, servers);
    await closed; // the server dropped the connection under the client

    await startImap(servers);
    await resetMailUser(bob.email, servers);
    await restartImap(servers);

    const again = await imapLogin(bob);
    try {
      const status = await again.status('INBOX', { messages: true });
      expect(status && status.messages).toBe(0);
      expect((await again.list()).map((f) => f.path)).toContain('Sent'); // re-created on login
    } finally {
      await again.logout();
    }
  });
});
