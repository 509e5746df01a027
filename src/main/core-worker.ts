// Entry of the core's worker thread (built by electron-vite from `./core-worker?nodeWorker`).
// It never imports electron: the keychain is reached through the main thread (secret-bridge.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Core } from './core/core';
import { PimlicoError, type PimlicoErrorCode } from './core/util/errors';
import type { WorkerToHost } from './core-host';
import { faultMessage, portLogger, serveDesktopCore } from './core-worker-runtime';
import { BridgedSecretBox } from './secret-bridge';

export interface CoreWorkerData {
  dataDir: string;
  version: string;
  secretBackend: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

function start(): void {
  const port = parentPort;
  if (!port) throw new Error('core-worker must run in a worker thread');
  const data = workerData as CoreWorkerData;
  const post = (m: WorkerToHost) => port.postMessage(m);
  // An error nobody awaited is reported and shown, but does not take the core down.
  process.on('unhandledRejection', (reason) => post(faultMessage(reason, false)));
  try {
    const core = new Core({
      dataDir: data.dataDir,
      mode: 'electron',
      version: data.version,
      log: portLogger(port, 'core', data.logLevel),
      secretBox: new BridgedSecretBox(data.secretBackend, post, (code, message) => new PimlicoError(code as PimlicoErrorCode, message)),
      // Microsoft sign-in: the main thread opens the system browser (the core has already checked the URL).
      openExternal: async (url) => post({ type: 'openExternal', url }),
    });
    serveDesktopCore(port, core);
    core.start();
    post({ type: 'ready' });
  } catch (err) {
    // The database could not be opened or migrated: the host shows this to the user.
    post(faultMessage(err, true));
  }
}

start();
