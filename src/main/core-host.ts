// The core runs in a worker thread, so a heavy sync or a slow query never freezes the windows: the
// main thread only routes calls, events and keychain requests. No Electron import here.
import type { PushEventName, RemoteError } from '../shared/contract';
import type { Disposable } from './core/events';
import type { Logger } from './core/util/log';
import type { CallEnvelope, CoreCaller } from './ipc';
import { isSecretRequest, type SecretRequest } from './secret-bridge';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type HostToWorker = { type: 'call'; id: number; name: string; payload: unknown } | { type: 'close'; id: number };

export type WorkerToHost =
  | { type: 'ready' }
  | { type: 'result'; id: number; envelope: CallEnvelope }
  | { type: 'closed'; id: number }
  | { type: 'event'; name: PushEventName; payload: unknown }
  | { type: 'log'; level: LogLevel; scope: string; msg: string; data?: Record<string, unknown> }
  | { type: 'fault'; fatal: boolean; message: string; stack?: string }
  /** Microsoft sign-in: open this https URL of the sign-in authority in the system browser. */
  | { type: 'openExternal'; url: string }
  | SecretRequest;

/** What the host needs of a worker_threads Worker (or, in tests, of a MessagePort). */
export interface WorkerLike {
  postMessage(message: HostToWorker): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate?(): Promise<number>;
}

/** An error in the core the user must hear about: fatal when the core is gone. */
export interface CoreFault {
  fatal: boolean;
  message: string;
  stack?: string;
}

export interface CoreHostOptions {
  log: Logger;
  /** Answers the worker's keychain requests (the worker waits meanwhile). */
  onSecretRequest(request: SecretRequest): void;
  /** Opens a sign-in page in the system browser; only https URLs reach it. */
  onOpenExternal?(url: string): void;
}

export class CoreHost implements CoreCaller {
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: CallEnvelope) => void>();
  private readonly closing = new Map<number, () => void>();
  private readonly eventListeners = new Set<(name: PushEventName, payload: unknown) => void>();
  private readonly faultListeners = new Set<(fault: CoreFault) => void>();
  private stopped: RemoteError | null = null;
  private reportedFatal = false;
  private closeRequested = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly worker: WorkerLike,
    private readonly options: CoreHostOptions,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Nobody has to await readiness; a failed start is reported as a fault as well.
    this.ready.catch(() => undefined);
    worker.on('message', (raw) => this.receive(raw as WorkerToHost, markReady, failReady));
    worker.on('error', (err) => {
      this.fault({ fatal: true, message: err.message, stack: err.stack });
      failReady(err);
    });
    worker.on('exit', (code) => {
      const wasClosing = this.closeRequested;
      this.stop(`The core stopped (exit code ${code})`);
      for (const done of this.closing.values()) done();
      this.closing.clear();
      // One fatal report per failure: an 'error' event or a fatal fault message comes before the exit.
      if (!wasClosing && !this.reportedFatal) this.fault({ fatal: true, message: `The core stopped unexpectedly (exit code ${code})` });
      failReady(new Error(`core exited with ${code}`));
    });
  }

  /** Never rejects: every failure, including a dead core, comes back as an error envelope. */
  call(name: string, payload: unknown): Promise<CallEnvelope> {
    if (this.stopped) return Promise.resolve({ ok: false, error: this.stopped });
    const id = this.nextId++;
    return new Promise<CallEnvelope>((resolve) => {
      this.pending.set(id, resolve);
      try {
        this.worker.postMessage({ type: 'call', id, name, payload });
      } catch (err) {
        // Something that cannot be cloned never reaches the core.
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'BadRequest', message: `Request for ${name} cannot be sent: ${(err as Error).message}` } });
      }
    });
  }

  onEvent(listener: (name: PushEventName, payload: unknown) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  onFault(listener: (fault: CoreFault) => void): Disposable {
    this.faultListeners.add(listener);
    return { dispose: () => this.faultListeners.delete(listener) };
  }

  /** Lets the core finish its work and close the database, then ends the worker. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closeRequested = true;
    if (this.stopped) {
      // A core that failed may still have a live thread: end it.
      await this.worker.terminate?.();
      return;
    }
    const id = this.nextId++;
    const closed = new Promise<void>((resolve) => this.closing.set(id, resolve));
    this.worker.postMessage({ type: 'close', id });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.options.log.warn('the core did not close in time; stopping it');
    this.stop('The core has been closed');
    await this.worker.terminate?.();
  }

  private receive(message: WorkerToHost, markReady: () => void, failReady: (err: Error) => void): void {
    if (isSecretRequest(message)) {
      this.options.onSecretRequest(message);
      return;
    }
    switch (message.type) {
      case 'ready':
        markReady();
        return;
      case 'result': {
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.(message.envelope);
        return;
      }
      case 'closed':
        this.closing.get(message.id)?.();
        this.closing.delete(message.id);
        return;
      case 'event':
        for (const l of [...this.eventListeners]) l(message.name, message.payload);
        return;
      case 'log':
        this.options.log.child(message.scope)[message.level](message.msg, message.data);
        return;
      case 'openExternal':
        if (isHttpsUrl(message.url)) this.options.onOpenExternal?.(message.url);
        else this.options.log.warn('refused to open a non-https address for the core');
        return;
      case 'fault':
        if (message.fatal) {
          this.stop(`The core failed: ${message.message}`);
          failReady(new Error(message.message));
        }
        this.fault({ fatal: message.fatal, message: message.message, stack: message.stack });
        return;
    }
  }

  private stop(message: string): void {
    this.stopped ??= { code: 'Internal', message };
    for (const resolve of this.pending.values()) resolve({ ok: false, error: this.stopped });
    this.pending.clear();
  }

  private fault(fault: CoreFault): void {
    if (fault.fatal) this.reportedFatal = true;
    this.options.log.error('core fault', { fatal: fault.fatal, message: fault.message, stack: fault.stack });
    for (const l of [...this.faultListeners]) l(fault);
  }
}

function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
