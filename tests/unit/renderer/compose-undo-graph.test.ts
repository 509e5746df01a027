// The compose window's undo send on a Graph account: the renderer's compose store (as the app runs
// it) calls a real Core over the preload bridge's shape, and the Core files drafts in the emulator.
// Escape right after z reopened the message used to save it a second time, as a second draft.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PimlicoBridge } from '../../../src/shared/contract';
import { PimlicoError } from '../../../src/main/core/util/errors';
import { ALICE, BOB, folderId, graphFixture, subjects, type GraphFixture } from '../graph-provider/support';

let fx: GraphFixture;

/** window.pimlico as the preload script exposes it, each call answered by the Core's one entry point. */
function bridgeTo(fixture: GraphFixture): PimlicoBridge {
  const calls = new Proxy(
    {},
    {
      get: (_target, name: string) => async (request: unknown) => {
        try {
          return { ok: true, result: await fixture.core.handle(name, request) };
        } catch (err) {
          const code = err instanceof PimlicoError ? err.code : 'Internal';
          return { ok: false, error: { code, message: err instanceof Error ? err.message : String(err) } };
        }
      },
    },
  );
  const events = new Proxy({}, { get: () => () => () => undefined });
  return { calls, events } as PimlicoBridge;
}

beforeAll(async () => {
  fx = await graphFixture();
  await fx.core.sync.syncNow(fx.accountId);
  Object.assign(globalThis, { window: { pimlico: bridgeTo(fx), location: { hash: '', pathname: '/', search: '' } } });
});

afterAll(async () => {
  Reflect.deleteProperty(globalThis, 'window');
  await fx.close();
});

describe('undo send in the compose window, on a Graph account', () => {
  it('z then Escape at once keeps exactly one draft, filed once in Outlook, and sends nothing', async () => {
    const { initTransport } = await import('../../../src/renderer/lib/client');
    const { useCompose } = await import('../../../src/renderer/compose/store');
    const { usePrefs } = await import('../../../src/renderer/mail/prefs');
    expect(initTransport()?.mode).toBe('electron');
    usePrefs.setState({ undoSendSeconds: 5 });
    const compose = useCompose.getState();
    compose.reopen({ accountId: fx.accountId, to: [{ name: 'Bob', address: BOB }], cc: [], bcc: [], subject: 'Second thoughts', bodyText: 'Maybe not.', bodyHtml: null, inReplyToMessageId: null, attachments: [], sendAt: null });
    await useCompose.getState().send();
    expect(useCompose.getState().pending).not.toBeNull();
    // z, and Escape as soon as the message is back in the window, before its first save has answered.
    const reopened = new Promise<void>((resolve) => {
      const stop = useCompose.subscribe((s) => {
        if (s.open) {
          stop();
          resolve();
        }
      });
    });
    const undone = useCompose.getState().cancelPending();
    await reopened;
    expect(useCompose.getState().dirty).toBe(true);
    const closed = useCompose.getState().close();
    expect(await undone).toBe(true);
    await closed;
    expect(useCompose.getState().open).toBe(false);

    const drafts = folderId(fx.core, fx.accountId, 'drafts');
    expect(subjects(fx.core, drafts)).toEqual(['Second thoughts']);
    await fx.core.tasks.run(fx.accountId);
    expect(fx.emu.getMessages(ALICE, 'drafts').map((m) => m.subject)).toEqual(['Second thoughts']);
    await fx.core.sync.syncNow(fx.accountId);
    expect(subjects(fx.core, drafts)).toEqual(['Second thoughts']);
    expect(fx.core.store.outbox.list().map((e) => e.status)).toEqual(['cancelled']);
    expect(fx.emu.sentMail).toEqual([]);
  });
});
