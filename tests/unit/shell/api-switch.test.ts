import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import type { Core } from '../../../src/main/core/core';
import { consoleLogger } from '../../../src/main/core/util/log';
import { CoreHost, type WorkerLike } from '../../../src/main/core-host';
import { serveDesktopCore, type PortLike } from '../../../src/main/core-worker-runtime';
import { createTestCore } from '../../support/core';

const quietLog = consoleLogger('test', 'error');

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The API's answer, or the connection error's code when nothing listens. */
async function get(port: number, path: string, token?: string): Promise<number | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return ((err as { cause?: { code?: string } }).cause?.code ?? 'failed') as string;
  }
}

/** The desktop worker's runtime, exactly as core-worker.ts runs it, over a MessageChannel instead of a thread. */
function desktopCore() {
  const core = createTestCore({ mode: 'electron' });
  const { port1, port2 } = new MessageChannel();
  const { api } = serveDesktopCore(port2 as unknown as PortLike, core);
  const host = new CoreHost(port1 as unknown as WorkerLike, { log: quietLog, onSecretRequest: () => undefined });
  const call = async <T,>(name: string, payload: unknown): Promise<T> => {
    const envelope = await host.call(name, payload);
    if (!envelope.ok) throw new Error(`${name}: ${envelope.error.message}`);
    return envelope.result as T;
  };
  const close = async () => {
    await host.close();
    port1.close();
  };
  return { core, api, host, call, close };
}

type ApiStatus = { enabled: boolean; port: number; running: boolean; url: string | null; error: string | null; token: string };

let running: { close: () => Promise<void> } | null = null;
let blocker: Server | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = null;
});

describe('the desktop REST API switch (core worker runtime)', () => {
  it('is off by default, serves /health and refuses calls without the token when switched on, and closes when switched off', async () => {
    const app = desktopCore();
    running = app;
    const port = await freePort();
    await app.api.apply();
    const off = await app.call<ApiStatus>('api.status', {});
    expect(off).toMatchObject({ enabled: false, running: false, url: null, port: 4871 });

    await app.call('settings.set', { key: 'api.port', value: port });
    await app.api.apply();
    expect(await get(port, '/health')).toBe('ECONNREFUSED');

    await app.call('settings.set', { key: 'api.enabled', value: true });
    await app.api.apply();
    const on = await app.call<ApiStatus>('api.status', {});
    expect(on).toMatchObject({ enabled: true, running: true, url: `http://127.0.0.1:${port}/`, port, error: null });
    expect(on.token.length).toBeGreaterThan(20);
    expect(await get(port, '/health')).toBe(200);
    expect(await get(port, '/accounts')).toBe(401);
    expect(await get(port, '/accounts', 'wrong-token')).toBe(401);
    expect(await get(port, '/accounts', on.token)).toBe(200);

    await app.call('settings.set', { key: 'api.enabled', value: false });
    await app.api.apply();
    expect(await get(port, '/health')).toBe('ECONNREFUSED');
    expect(await app.call<ApiStatus>('api.status', {})).toMatchObject({ enabled: false, running: false, url: null });
  });

  it('moves to a new port when the port setting changes, and stops with the core', async () => {
    const app = desktopCore();
    running = app;
    const first = await freePort();
    await app.call('settings.set', { key: 'api.port', value: first });
    await app.call('settings.set', { key: 'api.enabled', value: true });
    await app.api.apply();
    expect(await get(first, '/health')).toBe(200);

    const second = await freePort();
    await app.call('settings.set', { key: 'api.port', value: second });
    await app.api.apply();
    expect(await get(second, '/health')).toBe(200);
    expect(await get(first, '/health')).toBe('ECONNREFUSED');

    await app.close();
    running = null;
    expect(await get(second, '/health')).toBe('ECONNREFUSED');
  });

  it('reports a port already in use instead of failing the core, and starts once the port is changed', async () => {
    const app = desktopCore();
    running = app;
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    await app.call('settings.set', { key: 'api.port', value: taken });
    await app.call('settings.set', { key: 'api.enabled', value: true });
    await app.api.apply();
    const status = await app.call<ApiStatus>('api.status', {});
    expect(status).toMatchObject({ enabled: true, running: false, url: null });
    expect(status.error).toContain(`127.0.0.1:${taken}`);
    // The core keeps answering.
    expect(await app.call<unknown[]>('accounts.list', {})).toHaveLength(1);

    const free = await freePort();
    await app.call('settings.set', { key: 'api.port', value: free });
    await app.api.apply();
    expect(await app.call<ApiStatus>('api.status', {})).toMatchObject({ running: true, error: null, port: free });
    expect(await get(free, '/health')).toBe(200);
  });

  it('headless mode reports its API as always on', async () => {
    const core: Core = createTestCore();
    running = core;
    expect(await core.handle('api.status', {})).toMatchObject({ enabled: true, running: false });
  });
});
