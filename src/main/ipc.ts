import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { callNames, calls, IPC_CALL_PREFIX, IPC_EVENT_PREFIX, type PushEventName, type RemoteError } from '../shared/contract';
import type { Disposable } from './core/events';

export const APP_ORIGIN = 'app://pimlico';

/** What crosses IPC for every call: errors are values, because Electron flattens thrown errors into strings. */
export type CallEnvelope = { ok: true; result: unknown } | { ok: false; error: RemoteError };

/** The core as the shell sees it: in a worker thread (CoreHost) or, in tests, in-process. */
export interface CoreCaller {
  call(name: string, payload: unknown): Promise<CallEnvelope>;
}

export const FORBIDDEN: CallEnvelope = { ok: false, error: { code: 'Forbidden', message: 'Untrusted sender' } };

/**
 * scheme://host of a URL. URL.origin cannot be used: for a non-special scheme such as app:// the
 * WHATWG parser's origin is the opaque "null", which would match every other opaque origin.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

let devRendererOrigin: string | null = null;

/**
 * `npm run dev` only (an unpackaged app with ELECTRON_RENDERER_URL): electron-vite's dev server on
 * localhost serves the renderer with hot reload, so its origin counts as ours. Never in a packaged app.
 */
export function trustDevRenderer(url: string): void {
  devRendererOrigin = originOf(url);
}

/** Our renderer's origin: app://pimlico (or, in development only, the dev server). */
export function isAppOrigin(origin: string | null): boolean {
  return origin !== null && (origin === APP_ORIGIN || origin === devRendererOrigin);
}

/** Only our own top-level page may call the core: not an iframe, not a page navigated elsewhere. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppOrigin(originOf(frame.url));
}

/** Checks a request against its call's schema before it leaves the main process; the core checks again. */
export function checkPayload(name: string, payload: unknown): RemoteError | null {
  if (!Object.hasOwn(calls, name)) return { code: 'BadRequest', message: `Unknown call '${name}'` };
  const parsed = calls[name as keyof typeof calls].request.safeParse(payload ?? {});
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return { code: 'BadRequest', message: `Invalid request for ${name}${where}: ${issue?.message ?? 'invalid'}` };
}

/**
 * One ipcMain.handle per contract call and nothing else: each checks the sender frame's origin,
 * then the payload's schema, then hands the call to the core.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, core: CoreCaller): Disposable {
  for (const name of callNames) {
    ipcMain.handle(IPC_CALL_PREFIX + name, async (event, request: unknown): Promise<CallEnvelope> => {
      if (!isTrustedSender(event)) return FORBIDDEN;
      const invalid = checkPayload(name, request);
      if (invalid) return { ok: false, error: invalid };
      return core.call(name, request);
    });
  }
  return { dispose: () => callNames.forEach((name) => ipcMain.removeHandler(IPC_CALL_PREFIX + name)) };
}

/** Sends a push event to every open window of ours (main and compose windows). */
export function sendEvent(targets: readonly WebContents[], name: PushEventName, payload: unknown): void {
  for (const wc of targets) {
    if (!wc.isDestroyed()) wc.send(IPC_EVENT_PREFIX + name, payload);
  }
}
