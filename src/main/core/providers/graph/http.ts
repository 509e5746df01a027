import { PimlicoError, errorMessage } from '../../util/errors';
import type { Logger } from '../../util/log';
import { RetryableError } from '../types';

/** Where access tokens come from: a token command or MSAL. `invalidate` after a 401. */
export interface TokenSource {
  token(): Promise<string>;
  invalidate(): void;
}

/** Graph asks every mailbox to stay within 4 concurrent requests (MailboxConcurrency). */
export const MAX_CONCURRENT_PER_MAILBOX = 4;
/** Graph's $batch limit. */
export const MAX_BATCH = 20;

/** A small counting semaphore; `acquire(n)` takes n permits at once (a $batch takes several). */
export class Semaphore {
  private available: number;
  private readonly waiters: { n: number; resolve: () => void }[] = [];

  constructor(readonly size: number) {
    this.available = size;
  }

  async acquire(n = 1): Promise<() => void> {
    const want = Math.min(n, this.size);
    if (this.waiters.length === 0 && this.available >= want) this.available -= want;
    else await new Promise<void>((resolve) => this.waiters.push({ n: want, resolve }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += want;
      this.pump();
    };
  }

  private pump(): void {
    // First come, first served: a waiting $batch is not starved by single requests.
    while (this.waiters.length && this.available >= this.waiters[0]!.n) {
      const w = this.waiters.shift()!;
      this.available -= w.n;
      w.resolve();
    }
  }
}

export interface GraphErrorBody {
  error?: { code?: string; message?: string };
}

/** A non-2xx answer from Graph, with its code (ErrorItemNotFound, SyncStateNotFound, ...). */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphHttpError';
  }
}

/** Raised when the token source cannot give a usable token: the user has to sign in again. */
export class SignInRequiredError extends PimlicoError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}

export interface GraphResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw bytes (upload sessions); sent as is with these headers and without Authorization. */
  raw?: { bytes: Uint8Array; headers: Record<string, string>; noAuth: true };
  /** A binary body sent with the token (a contact's photo/$value). */
  binary?: { bytes: Uint8Array; contentType: string };
  /** The answer is binary (photo/$value): a successful body comes back as a Buffer, not text. */
  bytesResponse?: boolean;
  headers?: Record<string, string>;
  /** More Prefer values (outlook.timezone=...), next to IdType="ImmutableId". */
  prefer?: string;
  /** Statuses the caller handles itself instead of an exception. */
  accept?: number[];
}

export interface BatchRequest {
  id: string;
  method: string;
  /** Relative to the base URL, starting with '/'. */
  url: string;
  body?: unknown;
}

export interface BatchResult {
  id: string;
  status: number;
  body: unknown;
}

interface ClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  log: Logger;
  maxRetries?: number;
  /** Upper bound for one wait; a longer Retry-After makes the caller retry later instead. */
  maxWaitMs?: number;
  onAuthFailure: (message: string) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry-After in seconds (or an HTTP date), else exponential backoff; plus jitter so clients spread out. */
export function retryDelayMs(retryAfter: string | null, attempt: number): number {
  let base = Math.min(30_000, 500 * 2 ** attempt);
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) base = Math.max(0, seconds * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) base = Math.max(0, at - Date.now());
    }
  }
  return base + Math.floor(Math.random() * 250);
}

/**
 * Microsoft Graph over fetch: bearer token (renewed once on 401), `Prefer: IdType="ImmutableId"` on
 * every request, at most 4 requests in flight, 429/503 retried after Retry-After with jitter, and
 * links Graph hands back (nextLink, deltaLink) refused unless they point at the configured service.
 */
export class GraphClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly basePath: string;
  readonly slots = new Semaphore(MAX_CONCURRENT_PER_MAILBOX);
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;

  constructor(private readonly opts: ClientOptions) {
    const u = new URL(opts.baseUrl);
    this.baseUrl = u.href.replace(/\/+$/, '');
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.maxRetries = opts.maxRetries ?? 20;
    this.maxWaitMs = opts.maxWaitMs ?? 120_000;
  }

  /** An absolute URL for a path ('/me/...') or a link Graph returned, which must stay on our service. */
  resolve(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      this.checkLink(pathOrUrl);
      return pathOrUrl;
    }
    return `${this.baseUrl}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  }

  /** nextLink/deltaLink/Location must point at the configured base URL: a token never goes elsewhere. */
  checkLink(link: string): void {
    let u: URL;
    try {
      u = new URL(link);
    } catch {
      throw new PimlicoError('RemoteError', `Graph returned a malformed link: ${link.slice(0, 200)}`);
    }
    if (u.origin !== this.origin || !(u.pathname === this.basePath || u.pathname.startsWith(`${this.basePath}/`))) {
      throw new PimlicoError('RemoteError', `Refusing a link outside the configured Graph service (${this.origin}${this.basePath}): ${u.origin}${u.pathname}`);
    }
  }

  /** Upload-session URLs are pre-authenticated and may live outside the base path, but must stay on its host. */
  checkUploadUrl(link: string): void {
    const u = new URL(link);
    if (u.hostname !== new URL(this.origin).hostname && !u.hostname.endsWith('.outlook.com') && !u.hostname.endsWith('.office.com')) {
      throw new PimlicoError('RemoteError', `Refusing an upload URL on an unexpected host: ${u.hostname}`);
    }
  }

  async request<T>(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<GraphResponse<T>> {
    const url = options.raw ? pathOrUrl : this.resolve(pathOrUrl);
    let renewedToken = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...(options.headers ?? {}), Prefer: ['IdType="ImmutableId"', ...(options.prefer ? [options.prefer] : [])].join(', ') };
      let body: string | Uint8Array | undefined;
      if (options.raw) {
        Object.assign(headers, options.raw.headers);
        body = options.raw.bytes;
        delete headers['Prefer'];
      } else {
        headers['Authorization'] = `Bearer ${await this.token()}`;
        if (options.binary) {
          headers['Content-Type'] = options.binary.contentType;
          body = options.binary.bytes;
        } else if (options.body !== undefined) {
          headers['Content-Type'] = 'application/json';
          body = JSON.stringify(options.body);
        }
      }
      const release = await this.slots.acquire(1);
      let res: Response;
      let text: string;
      let bytes: Buffer | null = null;
      try {
        // BodyInit differs between the DOM and Node typings of fetch; the value is valid for both.
        res = await fetch(url, { method, headers, body: body as RequestInit['body'] });
        if (options.bytesResponse && res.ok) {
          bytes = Buffer.from(await res.arrayBuffer());
          text = '';
        } else text = await res.text();
      } catch (err) {
        throw new RetryableError(`Microsoft Graph is unreachable: ${errorMessage(err)}`);
      } finally {
        release();
      }
      if (res.status === 401 && !options.raw) {
        if (!renewedToken) {
          renewedToken = true;
          this.opts.tokens.invalidate();
          continue;
        }
        const message = 'Microsoft Graph refused the access token; sign in to this account again';
        this.opts.onAuthFailure(message);
        throw new SignInRequiredError(message);
      }
      if ((res.status === 429 || res.status === 503 || res.status === 504) && !(options.accept ?? []).includes(res.status)) {
        const wait = retryDelayMs(res.headers.get('retry-after'), attempt);
        if (attempt >= this.maxRetries || wait > this.maxWaitMs) {
          throw new RetryableError(`Microsoft Graph is throttling requests (${res.status}); retrying later`, wait);
        }
        this.opts.log.debug('graph throttled, waiting', { status: res.status, waitMs: wait });
        await sleep(wait);
        continue;
      }
      const parsed = bytes ?? (text && /json/i.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : text || null);
      if (res.status >= 400 && !(options.accept ?? []).includes(res.status)) throw toHttpError(res.status, parsed);
      return { status: res.status, body: parsed as T, headers: res.headers };
    }
  }

  async get<T>(path: string, prefer?: string): Promise<T> {
    return (await this.request<T>('GET', path, prefer ? { prefer } : {})).body;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body: body ?? {} })).body;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, { body })).body;
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** Every item of a collection, following @odata.nextLink. */
  async all<T>(path: string, prefer?: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.get(next, prefer);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /**
   * Runs requests through $batch, at most 20 per envelope and at most 4 at a time against the
   * mailbox: each request depends on the one 4 places before it, so Graph runs 4 chains. Requests
   * throttled (429) or skipped because their chain was (424) are sent again after Retry-After.
   */
  async batch(requests: BatchRequest[]): Promise<BatchResult[]> {
    const done = new Map<string, BatchResult>();
    let pending = [...requests];
    for (let attempt = 0; pending.length; attempt++) {
      let retryAfter: string | null = null;
      const again: BatchRequest[] = [];
      for (let i = 0; i < pending.length; i += MAX_BATCH) {
        const chunk = pending.slice(i, i + MAX_BATCH);
        const body = {
          requests: chunk.map((r, j) => ({
            id: r.id,
            method: r.method,
            url: r.url,
            headers: { Prefer: 'IdType="ImmutableId"', ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
            ...(r.body !== undefined ? { body: r.body } : {}),
            ...(j >= MAX_CONCURRENT_PER_MAILBOX ? { dependsOn: [chunk[j - MAX_CONCURRENT_PER_MAILBOX]!.id] } : {}),
          })),
        };
        // The envelope's inner requests take the mailbox's slots, so it holds all of ours.
        const res = await this.withAllSlots(() => this.requestUnlimited<{ responses: { id: string; status: number; body?: unknown; headers?: Record<string, string> }[] }>('POST', '/$batch', body));
        for (const r of res.responses) {
          const req = chunk.find((c) => c.id === r.id);
          if (!req) continue;
          if (r.status === 429 || r.status === 503 || r.status === 424) {
            again.push(req);
            const ra = r.headers ? Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1] : undefined;
            if (ra) retryAfter = ra;
          } else done.set(r.id, { id: r.id, status: r.status, body: r.body ?? null });
        }
      }
      pending = again;
      if (pending.length) {
        const wait = retryDelayMs(retryAfter, attempt);
        if (attempt >= this.maxRetries) throw new RetryableError('Microsoft Graph is throttling batched requests; retrying later', wait);
        await sleep(wait);
      }
    }
    return requests.map((r) => done.get(r.id)!);
  }

  private async withAllSlots<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(MAX_CONCURRENT_PER_MAILBOX);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** A request outside the semaphore (the caller holds the slots), still with auth and retries. */
  private async requestUnlimited<T>(method: string, path: string, body: unknown): Promise<T> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(this.resolve(path), {
          method,
          headers: { Authorization: `Bearer ${await this.token()}`, 'Content-Type': 'application/json', Prefer: 'IdType="ImmutableId"' },
          body: JSON.stringify(body),
        });
        text = await res.text();
      } catch (err) {
        throw new RetryableError(`Microsoft Graph is unreachable: ${errorMessage(err)}`);
      }
      if (res.status === 401) {
        if (!renewed) {
          renewed = true;
          this.opts.tokens.invalidate();
          continue;
        }
        const message = 'Microsoft Graph refused the access token; sign in to this account again';
        this.opts.onAuthFailure(message);
        throw new SignInRequiredError(message);
      }
      if (res.status === 429 || res.status === 503) {
        if (attempt >= this.maxRetries) throw new RetryableError('Microsoft Graph is throttling requests; retrying later');
        await sleep(retryDelayMs(res.headers.get('retry-after'), attempt));
        continue;
      }
      const parsed = text ? (JSON.parse(text) as unknown) : null;
      if (res.status >= 400) throw toHttpError(res.status, parsed);
      return parsed as T;
    }
  }

  private async token(): Promise<string> {
    try {
      return await this.opts.tokens.token();
    } catch (err) {
      const message = err instanceof SignInRequiredError ? err.message : `Could not get an access token for Microsoft Graph: ${errorMessage(err)}`;
      this.opts.onAuthFailure(message);
      throw err instanceof SignInRequiredError ? err : new SignInRequiredError(message);
    }
  }
}

export function toHttpError(status: number, body: unknown): GraphHttpError {
  const e = (body && typeof body === 'object' ? (body as GraphErrorBody).error : undefined) ?? {};
  return new GraphHttpError(status, e.code ?? `HTTP${status}`, `Microsoft Graph answered ${status}${e.code ? ` ${e.code}` : ''}: ${e.message ?? (typeof body === 'string' ? body.slice(0, 200) : '')}`);
}

/** Maps a Graph failure to what the task queue understands: 404 is NotFound, 4xx permanent, 5xx retryable. */
export function taskError(err: unknown): Error {
  if (err instanceof GraphHttpError) {
    if (err.status === 404) return new PimlicoError('NotFound', err.message);
    if (err.status === 409 || err.status === 412) return new PimlicoError('Conflict', err.message);
    if (err.status >= 500) return new RetryableError(err.message);
    return new PimlicoError('RemoteError', err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}
