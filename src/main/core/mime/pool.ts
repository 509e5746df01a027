// A pool of worker threads that run parseMessage, so that MIME parsing of a large sync uses every
// core while the main thread talks IMAP and writes SQLite. Results are identical to parseMessage
// in-process (the worker calls it); when no worker can be started the pool parses in-process.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseMessage } from './parse';
import type { ParsedMessage } from './types';

export interface ParseRequest {
  id: number;
  raw: Uint8Array;
}

export type ParseReply = { id: number; parsed: ParsedMessage; error?: undefined } | { id: number; error: string; parsed?: undefined };

/** The built worker (electron-vite input `mime-parse-worker`), next to the bundle or one level up from its chunks. */
const BUILT_WORKER = 'mime-parse-worker.js';
/** The worker's TypeScript source, for runs from source (vitest, benches via jiti). */
const SOURCE_WORKER = 'parse-worker.ts';

interface Pending {
  resolve: (m: ParsedMessage) => void;
  reject: (e: Error) => void;
  raw: Uint8Array;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  answered: boolean;
}

/** Workers that die before their first answer; after this many the pool stops starting them. */
const MAX_FAILED_STARTS = 2;

function here(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
}

/** How to start one worker here, or null when this environment has none (then parsing stays in-process). */
function workerFactory(): (() => Worker) | null {
  const dir = here();
  if (!dir) return null;
  for (const candidate of [join(dir, BUILT_WORKER), join(dir, '..', BUILT_WORKER)]) {
    if (existsSync(candidate)) return () => new Worker(candidate);
  }
  const source = join(dir, SOURCE_WORKER);
  if (!existsSync(source)) return null;
  let jitiPath: string;
  try {
    jitiPath = createRequire(import.meta.url).resolve('jiti');
  } catch {
    return null;
  }
  // Running from source: the worker loads the TypeScript entry through jiti (a dev dependency).
  const code = `const { createJiti } = require(${JSON.stringify(jitiPath)});
createJiti(${JSON.stringify(source)}).import(${JSON.stringify(source)}).catch((e) => { throw e; });`;
  return () => new Worker(code, { eval: true });
}

export interface ParsePoolOptions {
  /** Number of workers; defaults to the number of cores. 0 parses in-process. */
  size?: number;
}

/**
 * Parses messages on worker threads, least-loaded worker first. A worker that dies fails nothing:
 * its outstanding messages are parsed in-process and the worker is replaced on next use.
 */
export class ParsePool {
  private workers: (PoolWorker | null)[];
  private readonly start: (() => Worker) | null;
  private failedStarts = 0;
  private nextId = 1;
  private closed = false;
  /** Messages a worker parsed (not the in-process fallback): lets tests and benches see the threads work. */
  parsedInWorkers = 0;

  constructor(options: ParsePoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    this.start = size > 0 ? workerFactory() : null;
    this.workers = this.start ? Array.from({ length: size }, () => null) : [];
  }

  /** True when parsing really happens off this thread. */
  get threaded(): boolean {
    return this.workers.length > 0;
  }

  /** Starts every worker now, so that their start-up overlaps the first fetch instead of following it. */
  warm(): void {
    if (this.closed) return;
    for (let slot = 0; slot < this.workers.length; slot++) if (!this.workers[slot]) this.spawn(slot);
  }

  parse(raw: Uint8Array): Promise<ParsedMessage> {
    if (this.closed || !this.threaded) return parseMessage(raw);
    const slot = this.leastLoaded();
    const w = this.workers[slot] ?? this.spawn(slot);
    if (!w) return parseMessage(raw);
    const id = this.nextId++;
    // A copy of exactly this message's bytes (the source may be a view into a much larger buffer),
    // moved to the worker; the original stays here for the in-process fallback.
    const own = new Uint8Array(raw);
    return new Promise<ParsedMessage>((resolve, reject) => {
      // Referenced while it has work, so the process waits for the answer.
      if (w.pending.size === 0) w.worker.ref();
      w.pending.set(id, { resolve, reject, raw });
      w.worker.postMessage({ id, raw: own } satisfies ParseRequest, [own.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.workers.filter((w): w is PoolWorker => w !== null);
    this.workers.fill(null);
    await Promise.all(
      running.map(async (w) => {
        // Whatever is still outstanding finishes in-process before the worker goes.
        this.fallBack(w);
        await w.worker.terminate();
      }),
    );
  }

  private leastLoaded(): number {
    let best = 0;
    let load = Infinity;
    this.workers.forEach((w, i) => {
      const n = w ? w.pending.size : 0;
      if (n < load) {
        load = n;
        best = i;
      }
    });
    return best;
  }

  private spawn(slot: number): PoolWorker | null {
    if (!this.start) return null;
    let worker: Worker;
    try {
      worker = this.start();
    } catch {
      return null;
    }
    const w: PoolWorker = { worker, pending: new Map(), answered: false };
    // Idle workers must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: ParseReply) => {
      const p = w.pending.get(reply.id);
      if (!p) return;
      w.answered = true;
      w.pending.delete(reply.id);
      if (w.pending.size === 0) worker.unref();
      if (reply.parsed) {
        this.parsedInWorkers++;
        p.resolve(reply.parsed);
      }
      // The worker failed on this message: parseMessage in-process gives the same result or the same error.
      else parseMessage(p.raw).then(p.resolve, p.reject);
    });
    let retired = false;
    const retire = () => {
      if (retired) return;
      retired = true;
      if (this.workers[slot] === w) this.workers[slot] = null;
      // Workers that cannot even start here (e.g. a packaging without the worker file): parse in-process from now on.
      if (!w.answered && !this.closed && ++this.failedStarts >= MAX_FAILED_STARTS) this.workers = [];
      this.fallBack(w);
    };
    worker.on('error', retire);
    worker.on('exit', retire);
    this.workers[slot] = w;
    return w;
  }

  private fallBack(w: PoolWorker): void {
    const left = [...w.pending.values()];
    w.pending.clear();
    for (const p of left) parseMessage(p.raw).then(p.resolve, p.reject);
  }
}

let shared: ParsePool | null = null;

/** The process-wide pool (one worker per core, started on first use, idle workers do not hold the process open). */
export function sharedParsePool(): ParsePool {
  shared ??= new ParsePool();
  return shared;
}
