import { afterAll, describe, expect, it, vi } from 'vitest';
import { calls, callNames, pushEvents, IPC_CALL_PREFIX } from '../../src/shared/contract';
import { createTestCore } from '../support/core';

const core = createTestCore();
afterAll(() => core.close());

describe('the contract between renderer and core', () => {
  it('has a handler for every declared call and no handler without a declaration', () => {
    expect([...core.handledCalls()].sort()).toEqual([...callNames].sort());
  });

  it.each(callNames)('%s rejects a payload that does not match its schema', async (name) => {
    // Every request schema is an object: a bare number never matches.
    await expect(core.handle(name, 42)).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('rejects unknown calls, including prototype names', async () => {
    await expect(core.handle('nope.nothing', {})).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(core.handle('constructor', {})).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(core.handle('__proto__', {})).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('says where a payload is wrong', async () => {
    await expect(core.handle('mail.list', { limit: 'ten' })).rejects.toThrow(/limit/);
  });

  it('declares a summary for every call and a schema for every push event', () => {
    for (const name of callNames) expect(calls[name].summary.length).toBeGreaterThan(5);
    expect(Object.keys(pushEvents)).toEqual(expect.arrayContaining(['store.changed', 'sync.progress', 'notification']));
  });
});

describe('the preload', () => {
  it('exposes exactly one function per call, each bound to its own channel, and nothing generic', async () => {
    const exposed: Record<string, unknown> = {};
    const invoke = vi.fn(async (channel: string, req: unknown) => ({ channel, req }));
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
    }));
    await import('../../src/preload/index');
    const api = exposed.pimlico as { calls: Record<string, (r: unknown) => Promise<unknown>>; events: Record<string, unknown> };
    expect(Object.keys(exposed)).toEqual(['pimlico']);
    expect(Object.keys(api).sort()).toEqual(['calls', 'events']);
    expect(Object.keys(api.calls).sort()).toEqual([...callNames].sort());
    expect(Object.keys(api.events).sort()).toEqual(Object.keys(pushEvents).sort());
    for (const name of callNames) {
      await expect(api.calls[name]!({ x: 1 })).resolves.toEqual({ channel: IPC_CALL_PREFIX + name, req: { x: 1 } });
    }
    vi.doUnmock('electron');
  });
});
