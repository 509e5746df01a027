import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { consoleLogger } from '../../../src/main/core/util/log';
import { CoreHost, type WorkerLike } from '../../../src/main/core-host';
import { serveCore, type PortLike } from '../../../src/main/core-worker-runtime';
import { createTestCore } from '../../support/core';

/**
 * Microsoft sign-in in the desktop app: the core (worker side) asks the main thread to open the
 * browser with a message; the main thread's handler sees only https addresses.
 */
describe('opening the browser for sign-in from the core worker', () => {
  it('delivers https addresses to the shell and drops anything else', async () => {
    const { port1, port2 } = new MessageChannel();
    const opened: string[] = [];
    // The worker's side exactly as core-worker.ts wires it: openExternal posts to the host.
    const core = createTestCore({ mode: 'electron', openExternal: async (url) => port2.postMessage({ type: 'openExternal', url }) });
    serveCore(port2 as unknown as PortLike, core);
    const host = new CoreHost(port1 as unknown as WorkerLike, {
      log: consoleLogger('test', 'error'),
      onSecretRequest: () => undefined,
      onOpenExternal: (url) => opened.push(url),
    });

    await core.options.openExternal!('http://login.example/insecure');
    await core.options.openExternal!('file:///etc/passwd');
    await core.options.openExternal!('https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x');
    // A call's answer comes after the messages posted before it, so they have all been handled.
    expect(await host.call('accounts.list', {})).toMatchObject({ ok: true });
    expect(opened).toEqual(['https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x']);

    await host.close();
    port1.close();
  });
});
