// The worker side of CoreHost: answers calls with a real Core, forwards its push events, logs and
// faults. Transport-agnostic (a worker's parentPort or, in tests, one end of a MessageChannel).
import { ApiSwitch } from './core/api/api-switch';
import type { Core } from './core/core';
import { toRemoteError } from './core/core';
import type { Disposable } from './core/events';
import { errorMessage } from './core/util/errors';
import { redact, type Logger } from './core/util/log';
import type { HostToWorker, LogLevel, WorkerToHost } from './core-host';

export interface PortLike {
  postMessage(message: WorkerToHost): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off?(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Log lines go to the main thread's electron-log, secrets already removed. */
export function portLogger(port: Pick<PortLike, 'postMessage'>, scope: string, minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const write = (level: LogLevel, msg: string, data?: Record<string, unknown>) => {
    if (order[level] < order[minLevel]) return;
    port.postMessage({ type: 'log', level, scope, msg, data: data ? (redact(data) as Record<string, unknown>) : undefined });
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (s) => portLogger(port, `${scope}:${s}`, minLevel),
  };
}

export function faultMessage(err: unknown, fatal: boolean): WorkerToHost {
  return { type: 'fault', fatal, message: errorMessage(err), stack: err instanceof Error ? err.stack : undefined };
}

export interface ServeCoreOptions {
  /** Runs when the host asks the core to close, before the core closes (e.g. stop the REST API). */
  beforeClose?: () => Promise<void>;
}

/** Serves one core over a port until the host asks it to close. */
export function serveCore(port: PortLike, core: Pick<Core, 'handle' | 'close' | 'events'>, options: ServeCoreOptions = {}): Disposable {
  const forwarding = core.events.on((name, payload) => port.postMessage({ type: 'event', name, payload }));
  const onMessage = (raw: unknown): void => {
    const message = raw as HostToWorker;
    if (message.type === 'call') {
      core.handle(message.name, message.payload).then(
        (result) => port.postMessage({ type: 'result', id: message.id, envelope: { ok: true, result } }),
        (err: unknown) => port.postMessage({ type: 'result', id: message.id, envelope: { ok: false, error: toRemoteError(err) } }),
      );
    } else if (message.type === 'close') {
      forwarding.dispose();
      const before = options.beforeClose?.().catch((err: unknown) => port.postMessage(faultMessage(err, false))) ?? Promise.resolve();
      before.then(() => core.close()).then(
        () => port.postMessage({ type: 'closed', id: message.id }),
        (err: unknown) => {
          port.postMessage(faultMessage(err, false));
          port.postMessage({ type: 'closed', id: message.id });
        },
      );
    }
  };
  port.on('message', onMessage);
  return {
    dispose: () => {
      forwarding.dispose();
      port.off?.('message', onMessage);
    },
  };
}

/**
 * The desktop app's core: served over the port, with the REST API switched on and off by the
 * user's settings (api.enabled, api.port), on loopback only. The API stops before the core closes.
 */
export function serveDesktopCore(port: PortLike, core: Core): { api: ApiSwitch; serving: Disposable } {
  const api = new ApiSwitch(core);
  const serving = serveCore(port, core, { beforeClose: () => api.close() });
  void api.apply();
  return { api, serving };
}
