import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { FileKeySecretBox } from '../../../src/main/core/secrets/secret-box';
import { consoleLogger } from '../../../src/main/core/util/log';
import { CoreHost, type CoreFault, type WorkerLike } from '../../../src/main/core-host';
import type { CoreWorkerData } from '../../../src/main/core-worker';
import { serveCore, type PortLike } from '../../../src/main/core-worker-runtime';
import { answerSecretRequest, type SecretOp } from '../../../src/main/secret-bridge';
import { createTestCore, tempDir } from '../../support/core';
import { buildApp } from './built-app';

const quietLog = consoleLogger('test', 'error');

describe('CoreHost over a message port', () => {
  it('routes calls and push events, and closes the core cleanly', async () => {
    const core = createTestCore();
    const { port1, port2 } = new MessageChannel();
    serveCore(port2 as unknown as PortLike, core);
    const host = new CoreHost(port1 as unknown as WorkerLike, { log: quietLog, onSecretRequest: () => undefined });
    const events: string[] = [];
    host.onEvent((name) => events.push(name));

    expect(await host.call('settings.set', { key: 'shell.closeToTray', value: true })).toEqual({ ok: true, result: { ok: true } });
    expect(await host.call('settings.get', {})).toEqual({ ok: true, result: { 'shell.closeToTray': true } });
    expect(events).toContain('store.changed');
    expect(await host.call('no.such.call', {})).toMatchObject({ ok: false, error: { code: 'BadRequest' } });

    await host.close();
    expect(await host.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'Internal' } });
    port1.close();
  });
});

describe('CoreHost when the worker fails', () => {
  it('answers pending calls with an error and reports a fatal fault when the worker dies', async () => {
    // A worker that dies on its first message, as a native crash or an abort would.
    const worker = new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(3))", { eval: true });
    const faults: CoreFault[] = [];
    const host = new CoreHost(worker as unknown as WorkerLike, { log: quietLog, onSecretRequest: () => undefined });
    host.onFault((f) => faults.push(f));
    const answer = await host.call('app.info', {});
    expect(answer).toEqual({ ok: false, error: { code: 'Internal', message: 'The core stopped (exit code 3)' } });
    expect(faults).toEqual([{ fatal: true, message: 'The core stopped unexpectedly (exit code 3)' }]);
    await expect(host.ready).rejects.toThrow('core exited with 3');
  });
});

/** The worker exactly as the app ships it: built by electron-vite, run in a real worker thread. */
describe('the built core worker', () => {
  let workerFile: string;
  let outDir: string;

  beforeAll(() => {
    outDir = buildApp('core-worker');
    const chunks = readdirSync(join(outDir, 'main/chunks'));
    const name = chunks.find((f) => /^core-worker-.*\.js$/.test(f));
    if (!name) throw new Error(`no core-worker chunk in ${chunks.join(', ')}`);
    workerFile = join(outDir, 'main/chunks', name);
  }, 120_000);

  function startWorker(dataDir: string, keychain: (op: SecretOp, input: Buffer) => Buffer | Promise<Buffer>) {
    const workerData: CoreWorkerData = { dataDir, version: '9.9.9', secretBackend: 'gnome_libsecret', logLevel: 'error' };
    const worker = new Worker(workerFile, { workerData });
    const faults: CoreFault[] = [];
    const host = new CoreHost(worker as unknown as WorkerLike, { log: quietLog, onSecretRequest: (r) => void answerSecretRequest(r, keychain) });
    host.onFault((f) => faults.push(f));
    return { host, faults };
  }

  const imapAccount = {
    kind: 'imap',
    displayName: 'Work',
    email: 'me@example.com',
    imap: { host: 'imap.example.com', port: 993, security: 'tls', user: 'me@example.com', password: 'hunter2-imap' },
  };

  const hosts: CoreHost[] = [];
  afterAll(async () => {
    for (const h of hosts) await h.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('runs the core off the main thread and keeps secrets in the main thread’s keychain', async () => {
    const dataDir = tempDir();
    const keychain = new FileKeySecretBox(join(tempDir(), 'keychain.key'));
    const ops: SecretOp[] = [];
    const { host, faults } = startWorker(dataDir, (op, input) => {
      ops.push(op);
      return op === 'encrypt' ? keychain.encrypt(input.toString('utf8')) : Buffer.from(keychain.decrypt(input), 'utf8');
    });
    hosts.push(host);
    await host.ready;
    expect(await host.call('app.info', {})).toMatchObject({ ok: true, result: { mode: 'electron', version: '9.9.9', dataDir } });

    const created = await host.call('accounts.create', imapAccount);
    expect(created).toMatchObject({ ok: true, result: { id: expect.stringMatching(/^acc_/) } });
    // Encrypted by the main thread when stored (the core may read it back through the same bridge).
    expect(ops[0]).toBe('encrypt');

    // On disk only the keychain's ciphertext, which the keychain turns back into the password.
    const db = new Database(join(dataDir, 'pimlico.sqlite3'), { readonly: true });
    const rows = db.prepare('SELECT name, ciphertext FROM secrets').all() as { name: string; ciphertext: Buffer }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ciphertext.includes(Buffer.from('hunter2-imap'))).toBe(false);
    expect(keychain.decrypt(rows[0]!.ciphertext)).toBe('hunter2-imap');
    expect(faults).toEqual([]);
  });

  it('stores nothing when the keychain refuses (the user declined weak storage), with a clear error', async () => {
    const dataDir = tempDir();
    const { host } = startWorker(dataDir, () => {
      throw Object.assign(new Error('Not stored: there is no system keyring and storing with weak encryption was declined.'), { code: 'Forbidden' });
    });
    hosts.push(host);
    const answer = await host.call('accounts.create', imapAccount);
    expect(answer).toEqual({ ok: false, error: { code: 'Forbidden', message: expect.stringContaining('Not stored') } });
    const accounts = await host.call('accounts.list', {});
    expect(accounts.ok && (accounts.result as { kind: string }[]).map((a) => a.kind)).toEqual(['local']);
  });

  it('reports a core that cannot open its database as a fatal fault, not a blank window', async () => {
    const notADir = join(tempDir(), 'file');
    writeFileSync(notADir, 'not a folder');
    const { host, faults } = startWorker(notADir, () => Buffer.alloc(0));
    hosts.push(host);
    await expect(host.ready).rejects.toThrow();
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ fatal: true });
    expect(await host.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('The core failed') } });
  });
});
