// Worker-thread entry of the MIME parse pool (pool.ts): parses raw messages off the main thread.
// Built as its own entry (out/main/mime-parse-worker.js); in tests and benches it runs from source via jiti.
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../util/errors';
import { parseMessage } from './parse';
import type { ParseReply, ParseRequest } from './pool';

/**
 * postal-mime collects every decoded part in a Blob and reads it back with blob.arrayBuffer();
 * Node's Blob does that through an asynchronous stream, which was a third of a worker's time.
 * This thread runs nothing but parseMessage, so its Blob is this in-memory one: same bytes, no stream.
 */
class BytesBlob {
  readonly type: string;
  readonly size: number;
  readonly parts: readonly Uint8Array[];

  constructor(parts: readonly unknown[] = [], options?: { type?: string }) {
    this.type = (options?.type ?? '').toLowerCase();
    this.parts = parts.flatMap(toBytes);
    this.size = this.parts.reduce((n, p) => n + p.byteLength, 0);
  }

  bytes(): Promise<Uint8Array> {
    // Always a fresh buffer, as Blob gives: the caller may keep or transfer it.
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return Promise.resolve(out);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }
}

function toBytes(part: unknown): Uint8Array[] {
  if (typeof part === 'string') return [new TextEncoder().encode(part)];
  if (part instanceof ArrayBuffer) return [new Uint8Array(part)];
  if (ArrayBuffer.isView(part)) return [new Uint8Array(part.buffer, part.byteOffset, part.byteLength)];
  if (part instanceof BytesBlob) return [...part.parts];
  throw new TypeError('Unsupported Blob part');
}

const port = parentPort;
if (port) {
  globalThis.Blob = BytesBlob as unknown as typeof Blob;
  port.on('message', (req: ParseRequest) => {
    parseMessage(req.raw).then(
      (parsed) => {
        const reply: ParseReply = { id: req.id, parsed };
        // Attachment bytes move to the main thread instead of being copied; only buffers an
        // attachment owns whole (a view into a shared, pooled buffer is copied).
        const transfer = new Set<ArrayBuffer>();
        for (const a of parsed.attachments) {
          const b = a.content.buffer;
          if (b instanceof ArrayBuffer && a.content.byteOffset === 0 && a.content.byteLength === b.byteLength) transfer.add(b);
        }
        port.postMessage(reply, [...transfer]);
      },
      (err: unknown) => port.postMessage({ id: req.id, error: errorMessage(err) } satisfies ParseReply),
    );
  });
}
