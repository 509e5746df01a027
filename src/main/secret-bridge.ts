// The core runs in a worker thread, but the OS keychain (safeStorage) is only reachable from Electron's
// main thread, and the core's SecretBox is synchronous. The worker therefore asks the main thread and
// blocks on a SharedArrayBuffer until it answers. Only the worker blocks, never the window.
//
// This file imports nothing but types, so a plain Node worker can load it in tests.
import type { SecretBox } from './core/secrets/secret-box';

export type SecretOp = 'encrypt' | 'decrypt';

export interface SecretRequest {
  type: 'secret';
  op: SecretOp;
  input: Uint8Array;
  reply: SharedArrayBuffer;
}

const STATE_PENDING = 0;
const STATE_OK = 1;
const STATE_ERROR = 2;
/** Int32 state + Int32 length, then the answer's bytes. */
const HEADER_BYTES = 8;

export type ErrorFactory = (code: string, message: string) => Error;

const plainError: ErrorFactory = (code, message) => Object.assign(new Error(message), { code });

/** The worker's SecretBox: every call is answered by the main thread's keychain. */
export class BridgedSecretBox implements SecretBox {
  readonly backend: string;
  private readonly post: (request: SecretRequest) => void;
  private readonly makeError: ErrorFactory;
  private readonly timeoutMs: number;

  /** timeoutMs is generous: the main thread may be waiting for the user to agree to weak storage. */
  constructor(backend: string, post: (request: SecretRequest) => void, makeError: ErrorFactory = plainError, timeoutMs = 10 * 60_000) {
    this.backend = backend;
    this.post = post;
    this.makeError = makeError;
    this.timeoutMs = timeoutMs;
  }

  encrypt(plaintext: string): Buffer {
    return Buffer.from(this.request('encrypt', Buffer.from(plaintext, 'utf8')));
  }

  decrypt(ciphertext: Buffer): string {
    return Buffer.from(this.request('decrypt', ciphertext)).toString('utf8');
  }

  private request(op: SecretOp, input: Uint8Array): Uint8Array {
    // Room for what the keychain adds (DPAPI adds a few hundred bytes) or for an error message.
    const reply = new SharedArrayBuffer(HEADER_BYTES + Math.max(4096, input.length * 2 + 1024));
    const header = new Int32Array(reply, 0, 2);
    this.post({ type: 'secret', op, input: Uint8Array.from(input), reply });
    if (Atomics.wait(header, 0, STATE_PENDING, this.timeoutMs) === 'timed-out') {
      throw this.makeError('Internal', 'The system keychain did not answer');
    }
    const length = Atomics.load(header, 1);
    const bytes = new Uint8Array(reply, HEADER_BYTES, length).slice();
    if (Atomics.load(header, 0) === STATE_OK) return bytes;
    const { code, message } = JSON.parse(Buffer.from(bytes).toString('utf8')) as { code: string; message: string };
    throw this.makeError(code, message);
  }
}

export function isSecretRequest(value: unknown): value is SecretRequest {
  const v = value as Partial<SecretRequest> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.type === 'secret' &&
    (v.op === 'encrypt' || v.op === 'decrypt') &&
    v.input instanceof Uint8Array &&
    v.reply instanceof SharedArrayBuffer
  );
}

/** Main thread side: runs the operation (it may wait for the user) and wakes the worker with the answer. */
export async function answerSecretRequest(request: SecretRequest, perform: (op: SecretOp, input: Buffer) => Buffer | Promise<Buffer>): Promise<void> {
  const header = new Int32Array(request.reply, 0, 2);
  const capacity = request.reply.byteLength - HEADER_BYTES;
  let state = STATE_OK;
  let answer: Uint8Array;
  try {
    answer = await perform(request.op, Buffer.from(request.input));
    if (answer.length > capacity) throw Object.assign(new Error('The keychain answered more than expected'), { code: 'Internal' });
  } catch (err) {
    state = STATE_ERROR;
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'Internal';
    const message = err instanceof Error ? err.message : String(err);
    answer = Buffer.from(JSON.stringify({ code, message: message.slice(0, 1000) }), 'utf8');
  }
  new Uint8Array(request.reply, HEADER_BYTES, answer.length).set(answer);
  Atomics.store(header, 1, answer.length);
  Atomics.store(header, 0, state);
  Atomics.notify(header, 0);
}
