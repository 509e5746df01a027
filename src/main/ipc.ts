import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { callNames, IPC_CALL_PREFIX, IPC_EVENT_PREFIX } from '../shared/contract';
import type { Core } from './core/core';
import { toRemoteError } from './core/core';
import type { Disposable } from './core/events';

export const APP_ORIGIN = 'app://pimlico';

/** Only our own top-level page may call the core: not an iframe, not a navigated-away page. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * One ipcMain.handle per contract call. Errors cross as { code, message } values, because Electron
 * would otherwise flatten thrown errors into a string with the main process's stack.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, core: Core): Disposable {
  for (const name of callNames) {
    ipcMain.handle(IPC_CALL_PREFIX + name, async (event, request: unknown) => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'Forbidden', message: 'Untrusted sender' } };
      try {
        return { ok: true, result: await core.handle(name, request) };
      } catch (err) {
        return { ok: false, error: toRemoteError(err) };
      }
    });
  }
  return { dispose: () => callNames.forEach((name) => ipcMain.removeHandler(IPC_CALL_PREFIX + name)) };
}

/** Forwards core push events to a window. */
export function forwardEvents(core: Core, contents: () => WebContents | null): Disposable {
  return core.events.on((name, payload) => {
    const wc = contents();
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_PREFIX + name, payload);
  });
}
