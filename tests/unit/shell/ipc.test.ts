import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import type { IpcMainInvokeEvent } from 'electron';
import { callNames, calls, IPC_CALL_PREFIX } from '../../../src/shared/contract';
import type { Core } from '../../../src/main/core/core';
import { consoleLogger } from '../../../src/main/core/util/log';
import { CoreHost, type WorkerLike } from '../../../src/main/core-host';
import { serveCore, type PortLike } from '../../../src/main/core-worker-runtime';
import { FORBIDDEN, isTrustedSender, registerIpc, type CallEnvelope, type CoreCaller } from '../../../src/main/ipc';
import { createTestCore } from '../../support/core';

type IpcHandler = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, request: unknown) => Promise<CallEnvelope>;

interface Frame {
  url: string;
  parent: Frame | null;
}

const topFrame = (url: string): Frame => ({ url, parent: null });
const subFrame = (url: string): Frame => ({ url, parent: topFrame('app://pimlico/') });
const eventFrom = (frame: Frame | null) => ({ senderFrame: frame }) as unknown as Pick<IpcMainInvokeEvent, 'senderFrame'>;

/** A real core on a real SQLite file, reached through CoreHost over a real MessageChannel. */
let core: Core;
let host: CoreHost;
const reached: string[] = [];
const handlers = new Map<string, IpcHandler>();
const removed: string[] = [];
let registration: { dispose(): void };

beforeAll(async () => {
  core = createTestCore();
  const { port1, port2 } = new MessageChannel();
  serveCore(port2 as unknown as PortLike, core);
  host = new CoreHost(port1 as unknown as WorkerLike, { log: consoleLogger('test', 'error'), onSecretRequest: () => undefined });
  const counting: CoreCaller = {
    call: (name, payload) => {
      reached.push(name);
      return host.call(name, payload);
    },
  };
  const ipcMain = {
    handle: (channel: string, handler: IpcHandler) => {
      expect(handlers.has(channel)).toBe(false);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => removed.push(channel),
  };
  registration = registerIpc(ipcMain as never, counting);
});

afterAll(async () => {
  await core.close();
});

describe('IPC registration', () => {
  it('registers exactly one handler per contract call and nothing else', () => {
    expect([...handlers.keys()].sort()).toEqual(callNames.map((n) => IPC_CALL_PREFIX + n).sort());
  });

  it('answers our own top-level page through the real core', async () => {
    const answer = await handlers.get(IPC_CALL_PREFIX + 'app.info')!(eventFrom(topFrame('app://pimlico/')), {});
    expect(answer).toMatchObject({ ok: true, result: { mode: 'headless', version: 'test' } });
  });
});

describe('sender check on every IPC handler', () => {
  const untrusted: [string, Frame | null][] = [
    ['a page from another origin', topFrame('https://evil.example/')],
    ['a subframe of our own page', subFrame('app://pimlico/')],
    ['a subframe from elsewhere', subFrame('https://evil.example/')],
    ['a look-alike host', topFrame('app://pimlico.evil.example/')],
    ['another app:// host', topFrame('app://evil/')],
    ['a file:// page', topFrame('file:///tmp/index.html')],
    ['an opaque data: page', topFrame('data:text/html,<script>1</script>')],
    ['a frame that is gone', null],
  ];

  it.each(untrusted)('refuses %s on all %#… handlers without reaching the core', async (_label, frame) => {
    reached.length = 0;
    for (const [channel, handler] of handlers) {
      const name = channel.slice(IPC_CALL_PREFIX.length);
      const answer = await handler(eventFrom(frame), name === 'app.info' ? {} : { id: 'x' });
      expect(answer, channel).toEqual(FORBIDDEN);
    }
    expect(reached).toEqual([]);
  });

  it('trusts only app://pimlico top-level frames', () => {
    expect(isTrustedSender(eventFrom(topFrame('app://pimlico/#mail')))).toBe(true);
    expect(isTrustedSender(eventFrom(topFrame('app://pimlico/index.html')))).toBe(true);
    expect(isTrustedSender(eventFrom(topFrame('not a url')))).toBe(false);
  });
});

describe('payload schema on every IPC handler', () => {
  it('rejects a payload outside each call’s schema in the main process, before the core', async () => {
    reached.length = 0;
    let rejected = 0;
    for (const [channel, handler] of handlers) {
      const name = channel.slice(IPC_CALL_PREFIX.length) as keyof typeof calls;
      const bad = ['not an object'];
      // Every request schema is an object schema, so an array is outside all of them.
      expect(calls[name].request.safeParse(bad).success, name).toBe(false);
      const answer = await handler(eventFrom(topFrame('app://pimlico/')), bad);
      expect(answer.ok, channel).toBe(false);
      expect(!answer.ok && answer.error.code, channel).toBe('BadRequest');
      rejected++;
    }
    expect(rejected).toBe(callNames.length);
    expect(reached).toEqual([]);
  });

  it('names the field that is wrong, and stores nothing', async () => {
    const answer = await handlers.get(IPC_CALL_PREFIX + 'settings.set')!(eventFrom(topFrame('app://pimlico/')), { key: '', value: 1 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'BadRequest', message: expect.stringContaining('at key') } });
    const settings = await handlers.get(IPC_CALL_PREFIX + 'settings.get')!(eventFrom(topFrame('app://pimlico/')), {});
    expect(settings).toEqual({ ok: true, result: {} });
  });

  it('passes the core’s own errors back as values', async () => {
    const answer = await handlers.get(IPC_CALL_PREFIX + 'accounts.remove')!(eventFrom(topFrame('app://pimlico/')), { id: 'acc_missing' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'NotFound' } });
  });

  it('removes every handler when disposed', () => {
    registration.dispose();
    expect(removed.sort()).toEqual([...handlers.keys()].sort());
  });
});
