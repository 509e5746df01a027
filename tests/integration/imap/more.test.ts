import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { resetMailUser } from '../../servers';
import { createTestCore } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { SendError } from '../../../src/main/core/providers/types';
import { addImapAccount, appendOnServer, eventually, folderId, imapAccountInput, listServer, serverSession, user } from './support';

const servers = inject('servers');
const bob = user(servers, 'bob');
const alice = user(servers, 'alice');

function withAttachment(subject: string, filename: string, content: Buffer): string {
  return [
    'From: carol@pimlico.test',
    `To: ${bob.email}`,
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@pimlico.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Text of ${subject}`,
    '--b1',
    `Content-Type: application/octet-stream; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    content.toString('base64').replace(/(.{76})/g, '$1\r\n'),
    '--b1--',
    '',
  ].join('\r\n');
}

/**
 * A TCP relay to the real Postfix that cuts both connections right after the client has sent the
 * end of the message body, before the server's answer gets back: the worst moment for a send.
 */
function cuttingRelay(target: { host: string; port: number }): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      let inData = false;
      let tail = '';
      upstream.on('data', (d) => client.write(d));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('data', (d: Buffer) => {
        upstream.write(d);
        const text = tail + d.toString('latin1');
        if (!inData && /\r\nDATA\r\n$|^DATA\r\n$/m.test(text)) inData = true;
        if (inData && text.includes('\r\n.\r\n')) {
          // Let the end of data reach Postfix, then drop the client before any reply.
          client.destroy();
          setTimeout(() => upstream.destroy(), 500);
        }
        tail = text.slice(-8);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, close: () => server.close() });
    });
  });
}

describe('IMAP: attachments, push, fallback without CONDSTORE, send failures', () => {
  let core: Core;
  let accountId: string;
  let server: ImapFlow;

  beforeAll(async () => {
    await resetMailUser(bob.email, servers);
    await resetMailUser(alice.email, servers);
    server = await serverSession(servers, bob);
    core = createTestCore();
    accountId = addImapAccount(core, servers, bob);
    await core.sync.syncNow(accountId);
  });
  afterAll(async () => {
    await server?.logout();
    await core?.close();
  });

  const find = (subject: string) =>
    core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 100 }).items.find((m) => m.subject === subject);

  it('stores an attachment carried by two messages once', async () => {
    const same = randomBytes(20_000);
    await server.append('INBOX', withAttachment('Copy one', 'same.bin', same));
    await server.append('INBOX', withAttachment('Copy two', 'same.bin', same));
    await core.sync.syncNow(accountId);
    const a = core.mail.get(find('Copy one')!.id).attachments[0]!;
    const b = core.mail.get(find('Copy two')!.id).attachments[0]!;
    const sha = (id: string) => core.store.db.prepare('SELECT blob_sha256 FROM attachments WHERE id = ?').pluck().get(id) as string;
    expect(sha(a.id)).toBe(sha(b.id));
    expect(core.store.db.prepare('SELECT count(*) FROM blobs WHERE sha256 = ?').pluck().get(sha(a.id))).toBe(1);
  });

  it('fetches the attachment of a large message only when it is opened', async () => {
    const big = randomBytes(1_500_000);
    await server.append('INBOX', withAttachment('Big one', 'big.bin', big));
    await core.sync.syncNow(accountId);
    const m = core.mail.get(find('Big one')!.id);
    expect(m.bodyText).toContain('Text of Big one');
    expect(m.hasAttachments).toBe(true);
    const att = m.attachments.find((x) => x.filename === 'big.bin')!;
    expect(att.size).toBeGreaterThan(1_400_000);
    expect(core.store.mail.attachmentRef(m.id, att.id)!.sha256).toBeNull();
    const got = (await core.handle('mail.attachment', { messageId: m.id, attachmentId: att.id })) as { contentBase64: string };
    expect(Buffer.from(got.contentBase64, 'base64').equals(big)).toBe(true);
    // Cached now: no server needed the second time.
    expect(core.store.mail.attachmentRef(m.id, att.id)!.sha256).not.toBeNull();
    const again = await core.mail.attachment(m.id, att.id);
    expect(Buffer.from(again.contentBase64, 'base64').equals(big)).toBe(true);
  });

  it('pushes new inbox mail through IDLE', async () => {
    const provider = core.provider(accountId)!;
    let changes = 0;
    const watch = provider.watch!(() => changes++);
    try {
      await new Promise((r) => setTimeout(r, 500)); // the IDLE session is up
      const before = changes;
      await appendOnServer(server, 'INBOX', { subject: 'Pushed' });
      await eventually(() => changes > before, 'an IDLE notification');
      await core.sync.syncNow(accountId);
      expect(find('Pushed')).toBeDefined();
    } finally {
      watch.dispose();
    }
  });

  it('syncs correctly without CONDSTORE: full UID and flag comparison', async () => {
    const plain = createTestCore();
    try {
      const id = plain.accounts.create(imapAccountInput(servers, bob, { imap: { useCondstore: false } })).id;
      await plain.sync.syncNow(id);
      const inbox = () => plain.mail.list({ folderId: folderId(plain, id, 'inbox'), offset: 0, limit: 100 }).items;
      expect(inbox().length).toBe((await listServer(server, 'INBOX')).length);
      expect(plain.store.mail.getFolder(folderId(plain, id, 'inbox'))!.highestModseq).toBeNull();

      const lock = await server.getMailboxLock('INBOX');
      try {
        const all = await server.fetchAll('1:*', { uid: true, envelope: true });
        const uidOf = (s: string) => all.find((m) => m.envelope?.subject === s)!.uid;
        await server.messageFlagsAdd(String(uidOf('Copy one')), ['\\Flagged', '\\Seen'], { uid: true });
        await server.messageDelete(String(uidOf('Copy two')), { uid: true });
      } finally {
        lock.release();
      }
      await appendOnServer(server, 'INBOX', { subject: 'Fallback new' });
      const result = await plain.sync.syncNow(id);
      expect(result).toMatchObject({ messagesAdded: 1, messagesUpdated: 1, messagesRemoved: 1 });
      const byS = (s: string) => inbox().find((m) => m.subject === s);
      expect(byS('Copy one')).toMatchObject({ isFlagged: true, isRead: true });
      expect(byS('Copy two')).toBeUndefined();
      expect(byS('Fallback new')).toBeDefined();
      expect(await plain.sync.syncNow(id)).toMatchObject({ messagesAdded: 0, messagesUpdated: 0, messagesRemoved: 0 });
    } finally {
      await plain.close();
    }
  });

  it('does not file a copy in Sent when the server saves sent mail itself', async () => {
    const own = createTestCore();
    try {
      const id = own.accounts.create(imapAccountInput(servers, bob, { smtp: { serverSavesSent: true } })).id;
      await own.sync.syncNow(id);
      const subject = `No copy ${Date.now()}`;
      const { outboxId } = await own.mail.send({ accountId: id, to: [{ name: '', address: alice.email }], subject, bodyText: 'x' });
      await own.outbox.run(id);
      expect(own.store.outbox.get(outboxId)!.status).toBe('sent');
      expect((await listServer(server, 'Sent')).some((m) => m.subject === subject)).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('a recipient refused at RCPT fails before acceptance, for good, and is never marked uncertain', async () => {
    const { outboxId } = await core.mail.send({ accountId, to: [{ name: '', address: 'nobody-here@pimlico.test' }], subject: 'To nobody', bodyText: 'x' });
    await core.outbox.run(accountId);
    const entry = core.store.outbox.get(outboxId)!;
    expect(entry.status).toBe('failed');
    expect(entry.lastError).toMatch(/refused|550|reject/i);
  });

  it('a server that cannot be reached leaves the message queued for a retry', async () => {
    const offline = createTestCore();
    try {
      const id = offline.accounts.create(imapAccountInput(servers, bob, { smtp: { port: 1 } })).id;
      const provider = offline.provider(id)!;
      const { outboxId } = await offline.mail.send({ accountId: id, to: [{ name: '', address: alice.email }], subject: 'Later', bodyText: 'x' });
      const entry = offline.store.outbox.get(outboxId)!;
      const err = await provider.send(entry).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SendError);
      expect((err as SendError).phase).toBe('before-accept');
      await offline.outbox.run(id);
      expect(offline.store.outbox.get(outboxId)!.status).toBe('queued');
    } finally {
      await offline.close();
    }
  });

  it('a connection cut after the body was sent is uncertain, and the message is not sent again', async () => {
    const relay = await cuttingRelay(servers.smtp);
    const cut = createTestCore();
    try {
      const id = cut.accounts.create(imapAccountInput(servers, bob, { smtp: { port: relay.port } })).id;
      await cut.sync.syncNow(id);
      const subject = `Cut ${Date.now()}`;
      const { outboxId } = await cut.mail.send({ accountId: id, to: [{ name: '', address: alice.email }], subject, bodyText: 'once only' });
      await cut.outbox.run(id);
      const entry = cut.store.outbox.get(outboxId)!;
      expect(entry.status).toBe('uncertain');
      await cut.outbox.run(id);
      await cut.sync.syncNow(id);
      expect(cut.store.outbox.get(outboxId)!.status).toBe('uncertain');
      const aliceServer = await serverSession(servers, alice);
      try {
        await eventually(async () => (await listServer(aliceServer, 'INBOX')).some((m) => m.subject === subject), 'the one delivery');
        await new Promise((r) => setTimeout(r, 1000));
        expect((await listServer(aliceServer, 'INBOX')).filter((m) => m.subject === subject)).toHaveLength(1);
      } finally {
        await aliceServer.logout();
      }
    } finally {
      relay.close();
      await cut.close();
    }
  });
});
