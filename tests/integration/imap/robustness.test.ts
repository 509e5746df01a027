import { execFileSync, spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import Database from 'better-sqlite3';
import type { ImapFlow } from 'imapflow';
import { resetMailUser, startImap, stopImap } from '../../servers';
import { createTestCore, tempDir } from '../../support/core';
import type { Core } from '../../../src/main/core/core';
import { addImapAccount, appendOnServer, folderId, listServer, serverSession, user } from './support';

const servers = inject('servers');
const bob = user(servers, 'bob');
const alice = user(servers, 'alice');
const ROOT = resolve(import.meta.dirname, '../../..');
const TOTAL = 800;

/** Kills Dovecot synchronously, so it is down before the sync loop takes its next step. */
function killImapNow(): void {
  execFileSync('bash', [join(ROOT, 'tests/servers/ctl.sh'), servers.stateDir, 'kill-imap']);
}

function inboxCount(core: Core, accountId: string): number {
  return core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 1 }).total;
}

function duplicateMessageIds(db: Database.Database): number {
  return (db.prepare('SELECT count(*) AS n FROM (SELECT message_id_header FROM messages GROUP BY folder_id, message_id_header HAVING count(*) > 1)').get() as { n: number }).n;
}

describe('IMAP robustness: dropped server, killed process, offline queue', () => {
  let server: ImapFlow;

  beforeAll(async () => {
    await resetMailUser(bob.email, servers);
    await resetMailUser(alice.email, servers);
    server = await serverSession(servers, bob);
    for (let i = 0; i < TOTAL; i++) {
      await appendOnServer(server, 'INBOX', { subject: `Bulk ${i}`, body: `Message number ${i}\n${'lorem ipsum '.repeat(50)}`, date: new Date(Date.UTC(2023, 0, 1, 0, i)) });
    }
    await server.logout();
  }, 120_000);

  afterAll(async () => {
    await startImap(servers).catch(() => undefined);
  });

  it('keeps the cache consistent when the server dies mid-sync, and the next sync resumes', async () => {
    const core = createTestCore();
    try {
      const accountId = addImapAccount(core, servers, bob);
      let killed = false;
      const sub = core.events.on((name, payload) => {
        if (name === 'sync.progress' && !killed && (payload as { phase: string }).phase === 'mail:INBOX') {
          killed = true;
          killImapNow();
        }
      });
      await expect(core.sync.syncNow(accountId)).rejects.toThrow();
      sub.dispose();
      expect(killed).toBe(true);
      const partial = inboxCount(core, accountId);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(TOTAL);
      // The newest arrived first.
      const newest = core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 1 }).items[0]!;
      expect(newest.subject).toBe(`Bulk ${TOTAL - 1}`);
      expect(duplicateMessageIds(core.store.db)).toBe(0);
      expect(core.store.accounts.get(accountId)!.status).toBe('error');

      await startImap(servers);
      await core.sync.syncNow(accountId);
      expect(inboxCount(core, accountId)).toBe(TOTAL);
      expect(duplicateMessageIds(core.store.db)).toBe(0);
      const again = await core.sync.syncNow(accountId);
      expect(again).toMatchObject({ messagesAdded: 0, messagesRemoved: 0 });
    } finally {
      await startImap(servers).catch(() => undefined);
      await core.close();
    }
  });

  it('survives the process being killed (SIGKILL) during a sync: no corruption, no duplicates, resumes', async () => {
    const setupDir = tempDir();
    const setup = createTestCore({ dataDir: setupDir });
    const accountId = addImapAccount(setup, servers, bob);
    await setup.close();
    const dataDir = tempDir();
    cpSync(setupDir, dataDir, { recursive: true });

    const child = spawn(process.execPath, [join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs'), join(import.meta.dirname, 'child-run.ts'), dataDir, accountId, 'sync'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never reported progress:\n${out}\n${err}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('PROGRESS') && out.includes('INBOX')) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolvePromise();
        }
      });
    });
    expect(await exit).toBe('SIGKILL');
    expect(out).not.toContain('DONE');

    const db = new Database(join(dataDir, 'pimlico.sqlite3'));
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    const cached = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThan(TOTAL);
    expect(duplicateMessageIds(db)).toBe(0);
    db.close();

    const core = createTestCore({ dataDir });
    try {
      await core.sync.syncNow(accountId);
      expect(inboxCount(core, accountId)).toBe(TOTAL);
      expect(duplicateMessageIds(core.store.db)).toBe(0);
    } finally {
      await core.close();
    }
  });

  it('never sends twice when the process is killed during a send: the entry is uncertain, not resent', async () => {
    const setupDir = tempDir();
    const setup = createTestCore({ dataDir: setupDir });
    const accountId = addImapAccount(setup, servers, bob);
    await setup.sync.syncNow(accountId);
    const subject = `Interrupted ${Date.now()}`;
    const { outboxId } = await setup.mail.send({ accountId, to: [{ name: '', address: alice.email }], subject, bodyText: 'x'.repeat(200_000) });
    await setup.close();

    const child = spawn(process.execPath, [join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs'), join(import.meta.dirname, 'child-run.ts'), setupDir, accountId, 'send'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exit = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('SENDING')) child.kill('SIGKILL');
    });
    await exit;
    expect(out).toContain('SENDING');

    const core = createTestCore({ dataDir: setupDir });
    try {
      expect(core.store.outbox.get(outboxId)!.status).toBe('uncertain');
      await core.sync.syncNow(accountId);
      await core.outbox.run(accountId);
      expect(core.store.outbox.get(outboxId)!.status).toBe('uncertain');
      const aliceServer = await serverSession(servers, alice);
      await new Promise((r) => setTimeout(r, 1500));
      const copies = (await listServer(aliceServer, 'INBOX')).filter((m) => m.subject === subject);
      await aliceServer.logout();
      expect(copies.length).toBeLessThanOrEqual(1);
    } finally {
      await core.close();
    }
  });

  it('does not bring back a message whose permanent deletion is still queued', async () => {
    let clock = Date.now();
    const core = createTestCore({ now: () => clock });
    try {
      const accountId = addImapAccount(core, servers, bob);
      await core.sync.syncNow(accountId);
      const victim = core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 1 }).items[0]!;
      core.mail.delete([victim.id]);
      await core.sync.syncNow(accountId); // now in Trash on the server too
      expect(core.store.mail.summary(victim.id)!.folderId).toBe(folderId(core, accountId, 'trash'));

      await stopImap({ kill: true }, servers);
      core.mail.delete([victim.id]); // for good; the remote side fails and waits for its retry time
      await core.tasks.idle();
      expect(core.store.tasks.pendingCount(accountId)).toBe(1);
      await startImap(servers);
      await core.sync.syncNow(accountId); // the task is not due yet
      expect(core.store.tasks.pendingCount(accountId)).toBe(1);
      const trash = () => core.mail.list({ folderId: folderId(core, accountId, 'trash'), offset: 0, limit: 50 }).items;
      expect(trash().some((m) => m.subject === victim.subject)).toBe(false);

      clock += 15 * 60_000;
      await core.sync.syncNow(accountId);
      expect(core.store.tasks.pendingCount(accountId)).toBe(0);
      const check = await serverSession(servers, bob);
      try {
        expect((await listServer(check, 'Trash')).some((m) => m.subject === victim.subject)).toBe(false);
      } finally {
        await check.logout();
      }
      expect(trash().some((m) => m.subject === victim.subject)).toBe(false);
    } finally {
      await startImap(servers).catch(() => undefined);
      await core.close();
    }
  });

  it('queues actions while the server is down and applies them in order once it is back', async () => {
    let clock = Date.now();
    const core = createTestCore({ now: () => clock });
    try {
      const accountId = addImapAccount(core, servers, bob);
      await core.sync.syncNow(accountId);
      const items = core.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 3 }).items;
      const [first, second, third] = items as [(typeof items)[0], (typeof items)[0], (typeof items)[0]];

      await stopImap({ kill: true }, servers);
      core.mail.setFlags([first.id], { read: true, flagged: true });
      core.mail.moveToRole([second.id], 'archive');
      core.mail.delete([third.id]);
      await core.tasks.idle();
      await expect(core.sync.syncNow(accountId)).rejects.toThrow();
      // The user sees every change at once, offline.
      expect(core.store.mail.summary(first.id)).toMatchObject({ isRead: true, isFlagged: true });
      expect(core.store.mail.summary(second.id)!.folderId).toBe(folderId(core, accountId, 'archive'));
      expect(core.store.mail.summary(third.id)!.folderId).toBe(folderId(core, accountId, 'trash'));
      expect(core.store.tasks.pendingCount(accountId)).toBe(3);

      await startImap(servers);
      clock += 15 * 60_000; // past any retry backoff
      await core.sync.syncNow(accountId);
      expect(core.store.tasks.pendingCount(accountId)).toBe(0);

      const check = await serverSession(servers, bob);
      try {
        const inbox = await listServer(check, 'INBOX');
        expect(inbox.find((m) => m.subject === first.subject)!.flags).toEqual(new Set(['\\Seen', '\\Flagged']));
        expect(inbox.find((m) => m.subject === second.subject)).toBeUndefined();
        expect(inbox.find((m) => m.subject === third.subject)).toBeUndefined();
        expect((await listServer(check, 'Archive')).some((m) => m.subject === second.subject)).toBe(true);
        expect((await listServer(check, 'Trash')).some((m) => m.subject === third.subject)).toBe(true);
      } finally {
        await check.logout();
      }
      // And the sync after that brings no duplicates back.
      await core.sync.syncNow(accountId);
      expect(duplicateMessageIds(core.store.db)).toBe(0);
      expect(core.store.mail.summary(first.id)).toMatchObject({ isRead: true, isFlagged: true });
    } finally {
      await startImap(servers).catch(() => undefined);
      await core.close();
    }
  });
});
