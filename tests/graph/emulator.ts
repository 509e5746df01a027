/**
 * Local Microsoft Graph v1.0 emulator for Pimlico's tests.
 *
 * Real HTTP on 127.0.0.1 with Graph's request/response shapes for mail, calendar
 * and contacts, plus the operational behaviour sync code must cope with: paging,
 * delta tokens (and their expiry), throttling (injected 429/503 and the per-mailbox
 * concurrency limit), JSON batching, upload sessions and ImmutableId semantics.
 *
 * Composition only; the Graph surface lives in routes/*, state in store.ts.
 * See README.md for the supported surface and known deviations from Graph.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { runBatch, type InnerRequest } from './batch';
import { DeltaEngine } from './delta';
import { blankContent, MailFlow, type SentMailRecord } from './mailflow';
import { parsePrefer, parseQuery } from './odata';
import {
  DEFAULT_VIEW,
  renderAttachment,
  renderEvent,
  renderFolder,
  renderContact,
  renderMessage,
  type View,
} from './render';
import {
  errorResponse,
  GraphError,
  ODATA_JSON,
  segmentNotFound,
  badRequest,
  type GraphResponse,
} from './response';
import { Router, splitSegments, type Ctx, type HttpMethod, type Route } from './router';
import {
  applyEventPatch,
  calendarRoutes,
  createEvent,
  listEventInstances,
  removeInstance,
  resolveInstance,
  syncInvitations,
} from './routes/calendar';
import { applyContactInput, blankContact, contactRoutes, contactsOf } from './routes/contacts';
import { mailRoutes } from './routes/mail';
import { userRoutes } from './routes/user';
import { contactIn, CONTACT_READ_ONLY, eventIn, EVENT_READ_ONLY, parseBody, readJson } from './schemas';
import { newId, Store, touch, type Mailbox, type MessageContent, type MessageRec } from './store';
import type {
  EmailAddress,
  FlagStatus,
  GraphContact,
  GraphEvent,
  GraphFileAttachment,
  GraphMailFolder,
  GraphMessage,
  Importance,
  InternetMessageHeader,
  ItemBody,
  Recipient,
  SingleValueExtendedProperty,
} from './types';
import { UploadSessions } from './uploads';

export type { SentMailRecord } from './mailflow';
export type * from './types';

// ---------------------------------------------------------------------------
// Public types

export interface GraphEmulatorOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Requests in flight per mailbox before 429 MailboxConcurrency (Graph/Outlook: 4). */
  maxConcurrentPerMailbox?: number;
  /** Default page size when neither $top nor odata.maxpagesize is given (Graph: 10). */
  pageSize?: number;
  /** Artificial latency per Graph request, while holding its concurrency slot. */
  latencyMs?: number;
}

export interface FailureOptions {
  status?: 429 | 503;
  /** Retry-After seconds; null omits the header. Default 1. */
  retryAfterSeconds?: number | null;
  code?: string;
  message?: string;
  /** Only fail requests this predicate accepts (path is after /v1.0, e.g. "/me/messages"). */
  match?: (req: { method: string; path: string }) => boolean;
}

export interface RequestLogEntry {
  seq: number;
  at: string;
  via: 'http' | 'batch' | 'upload';
  method: string;
  /** Full path, e.g. "/v1.0/me/messages". */
  path: string;
  query: Record<string, string>;
  prefer: string | null;
  /** Request headers, lowercased; the Authorization value is redacted. */
  headers: Record<string, string>;
  status: number;
  /** UPN of the mailbox addressed, when known. */
  mailbox: string | null;
  batchRequestId?: string;
}

export interface EmulatorStats {
  maxConcurrentSeen: number;
  inFlight: number;
  requests: number;
  /** 429s from the concurrency limit. */
  throttled: number;
  /** Failures injected through failNext(). */
  injectedFailures: number;
}

export interface EmulatedUser {
  id: string;
  upn: string;
  mail: string;
  displayName: string;
}

export type MessageSnapshot = GraphMessage & {
  immutableId: string;
  internetMessageHeaders: InternetMessageHeader[];
  attachments: GraphFileAttachment[];
  singleValueExtendedProperties: SingleValueExtendedProperty[];
};
export type EventSnapshot = GraphEvent & { immutableId: string };
export type ContactSnapshot = GraphContact & { immutableId: string };

type AddressLike = string | EmailAddress | Recipient;

export interface SeedMessage {
  subject?: string;
  /** A string is a text body. */
  body?: string | ItemBody;
  from?: AddressLike;
  toRecipients?: AddressLike[];
  ccRecipients?: AddressLike[];
  bccRecipients?: AddressLike[];
  replyTo?: AddressLike[];
  receivedDateTime?: string | Date;
  sentDateTime?: string | Date;
  isRead?: boolean;
  isDraft?: boolean;
  importance?: Importance;
  flagStatus?: FlagStatus;
  categories?: string[];
  internetMessageId?: string;
  conversationId?: string;
  singleValueExtendedProperties?: SingleValueExtendedProperty[];
  attachments?: Array<{
    name: string;
    content: string | Uint8Array;
    contentType?: string;
    isInline?: boolean;
    contentId?: string;
  }>;
}

export type MessageUpdate = Pick<
  SeedMessage,
  'subject' | 'isRead' | 'importance' | 'flagStatus' | 'categories'
>;
/** A Graph event body, as for POST /me/events. */
export type EventSeed = z.input<typeof eventIn>;
/** A Graph contact body, as for POST /me/contacts. */
export type ContactSeed = z.input<typeof contactIn>;

export interface GraphEmulator {
  /** http://127.0.0.1:PORT/v1.0 */
  readonly baseUrl: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;

  /** Creates a user (with default folders, calendar and contacts folder); `token` authenticates as them. */
  addUser(upn: string, token: string, opts?: { displayName?: string }): EmulatedUser;
  addToken(user: string, token: string): void;
  /** Subsequent requests with this token get 401 (expired token). */
  revokeToken(token: string): void;

  seedMessage(user: string, folder: string, message?: SeedMessage): MessageSnapshot;
  getMessages(user: string, folder: string): MessageSnapshot[];
  getMessage(user: string, id: string): MessageSnapshot | undefined;
  /** Server-side change (as if another client made it). */
  updateMessage(user: string, id: string, patch: MessageUpdate): MessageSnapshot;
  moveMessage(user: string, id: string, folder: string): MessageSnapshot;
  /** Hard delete. */
  deleteMessage(user: string, id: string): void;
  addMailFolder(
    user: string,
    displayName: string,
    opts?: { parent?: string; isHidden?: boolean },
  ): GraphMailFolder;
  /** The whole folder hierarchy below the root, including hidden folders. */
  getMailFolders(user: string): GraphMailFolder[];

  seedEvent(user: string, event: EventSeed, calendarId?: string): EventSnapshot;
  /** Series masters and single instances of a calendar (default calendar when omitted). */
  getEvents(user: string, calendarId?: string): EventSnapshot[];
  updateEvent(user: string, id: string, patch: EventSeed): EventSnapshot;
  deleteEvent(user: string, id: string): void;

  seedContact(user: string, contact: ContactSeed, folderId?: string): ContactSnapshot;
  getContacts(user: string, folderId?: string): ContactSnapshot[];
  updateContact(user: string, id: string, patch: ContactSeed): ContactSnapshot;
  deleteContact(user: string, id: string): void;

  /** The next `n` Graph requests (not $batch envelopes or upload PUTs) fail with 429/503 + Retry-After. */
  failNext(n: number, opts?: FailureOptions): void;
  clearFailures(): void;
  /** Invalidates all delta and skip tokens: their next use answers 410 SyncStateNotFound. */
  expireDeltaTokens(): void;
  setLatency(ms: number): void;
  /** Sends deferred messages due at `at` (default now) without waiting for their timers. */
  runDeferredSends(at?: Date): number;

  readonly stats: EmulatorStats;
  resetStats(): void;
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  /** Everything sent via /sendMail, /send, reply/forward and meeting responses. */
  readonly sentMail: readonly SentMailRecord[];
}

// ---------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_BODY = 64 * 1024 * 1024;

function toRecipient(a: AddressLike): Recipient {
  if (typeof a !== 'string') return 'emailAddress' in a ? a : { emailAddress: a };
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(a);
  return m
    ? { emailAddress: { name: m[1] || (m[2] ?? ''), address: m[2] ?? '' } }
    : { emailAddress: { name: a, address: a } };
}

function toMs(v: string | Date | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const t = typeof v === 'string' ? Date.parse(v) : v.getTime();
  if (Number.isNaN(t)) throw new Error(`invalid date ${String(v)}`);
  return t;
}

interface Admitted {
  caller: Mailbox;
  mb: Mailbox;
  route: Route;
  params: Record<string, string>;
}

interface FailureRule extends Required<Omit<FailureOptions, 'match' | 'code' | 'message'>> {
  remaining: number;
  code: string | undefined;
  message: string | undefined;
  match: FailureOptions['match'];
}

class Emulator implements GraphEmulator {
  baseUrl = '';
  origin = '';
  port = 0;
  private readonly server: Server;
  private readonly store = new Store();
  private readonly delta = new DeltaEngine();
  private readonly mail: MailFlow;
  private readonly uploads: UploadSessions;
  private readonly router = new Router();
  private readonly maxConcurrent: number;
  private readonly pageSize: number;
  private latencyMs: number;
  private readonly inFlight = new Map<string, number>();
  private readonly failures: FailureRule[] = [];
  private readonly revoked = new Set<string>();
  private readonly log: RequestLogEntry[] = [];
  private logSeq = 0;
  private counters: EmulatorStats = {
    maxConcurrentSeen: 0,
    inFlight: 0,
    requests: 0,
    throttled: 0,
    injectedFailures: 0,
  };

  constructor(opts: GraphEmulatorOptions) {
    this.maxConcurrent = opts.maxConcurrentPerMailbox ?? 4;
    this.pageSize = opts.pageSize ?? 10;
    this.latencyMs = opts.latencyMs ?? 0;
    this.mail = new MailFlow(this.store);
    this.uploads = new UploadSessions(this.store);
    this.router.add(...userRoutes(), ...mailRoutes(), ...calendarRoutes(), ...contactRoutes());
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.origin = `http://127.0.0.1:${this.port}`;
    this.baseUrl = `${this.origin}/v1.0`;
    this.uploads.origin = this.origin;
    this.uploads.baseUrl = this.baseUrl;
  }

  async close(): Promise<void> {
    this.mail.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_BODY) {
        this.write(
          res,
          errorResponse(new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.')),
        );
        return;
      }
      chunks.push(b);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.origin);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const method = req.method ?? 'GET';

    let response: GraphResponse;
    const upload = /^\/upload\/AttachmentSessions\/([^/]+)$/.exec(url.pathname);
    if (upload) {
      try {
        response = this.uploads.handle({
          method,
          sessionId: upload[1] ?? '',
          search: url.searchParams,
          headers,
          body,
        });
      } catch (err) {
        response = this.toErrorResponse(err, randomUUID(), headers['client-request-id']);
      }
      this.record('upload', method, url.pathname, url.searchParams, headers, response.status, null);
    } else if (url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/')) {
      const inner: InnerRequest = {
        method,
        path: url.pathname.slice('/v1.0'.length) || '/',
        search: url.searchParams,
        headers,
        body,
      };
      if (splitSegments(inner.path)[0] === '$batch') {
        response = await this.batch(inner);
      } else {
        response = await this.dispatch(inner, 'http');
      }
    } else {
      const version = url.pathname.split('/')[1] ?? '';
      response = errorResponse(badRequest(`Invalid version: ${version}`));
      this.record('http', method, url.pathname, url.searchParams, headers, response.status, null);
    }
    this.write(res, response);
  }

  private write(res: ServerResponse, r: GraphResponse): void {
    res.statusCode = r.status;
    for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    switch (r.body.kind) {
      case 'json':
        res.setHeader('Content-Type', ODATA_JSON);
        res.setHeader('OData-Version', '4.0');
        res.end(JSON.stringify(r.body.value));
        return;
      case 'bytes':
        res.setHeader('Content-Type', r.body.contentType);
        res.end(r.body.value);
        return;
      case 'text':
        res.setHeader('Content-Type', 'text/plain');
        res.end(r.body.value);
        return;
      case 'none':
        res.setHeader('Content-Length', '0');
        res.end();
    }
  }

  private async batch(outer: InnerRequest): Promise<GraphResponse> {
    const requestId = randomUUID();
    let response: GraphResponse;
    try {
      if (outer.method !== 'POST')
        throw new GraphError(
          405,
          'Request_BadRequest',
          'Specified HTTP method is not allowed for the request target.',
        );
      this.authenticate(outer.headers);
      response = await runBatch(outer, (req, id) => this.dispatch(req, 'batch', id));
    } catch (err) {
      response = this.toErrorResponse(err, requestId, outer.headers['client-request-id']);
    }
    response.headers['request-id'] = requestId;
    this.record(
      'http',
      outer.method,
      `/v1.0${outer.path}`,
      outer.search,
      outer.headers,
      response.status,
      null,
    );
    return response;
  }

  // ---- Graph request pipeline

  /**
   * Runs one Graph request. Everything up to taking the mailbox concurrency slot is
   * synchronous, so the inner requests of a batch compete for slots deterministically.
   */
  private dispatch(
    req: InnerRequest,
    via: 'http' | 'batch',
    batchRequestId?: string,
  ): Promise<GraphResponse> {
    const requestId = randomUUID();
    const clientRequestId = req.headers['client-request-id'] ?? requestId;
    let mailbox: string | null = null;
    let pending: Promise<GraphResponse>;
    try {
      const admitted = this.admit(req);
      mailbox = admitted.mb.user.upn;
      pending = this.execute(admitted, req, requestId, clientRequestId).finally(() =>
        this.release(admitted.mb),
      );
    } catch (err) {
      pending = Promise.resolve(this.toErrorResponse(err, requestId, clientRequestId));
    }
    return pending.then((res) => {
      res.headers['request-id'] = requestId;
      res.headers['client-request-id'] = clientRequestId;
      this.record(
        via,
        req.method,
        `/v1.0${req.path}`,
        req.search,
        req.headers,
        res.status,
        mailbox,
        batchRequestId,
      );
      return res;
    });
  }

  private authenticate(headers: Record<string, string>): Mailbox {
    const auth = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '');
    const challenge = {
      'WWW-Authenticate':
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    };
    if (!auth?.[1])
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
    const mb = this.store.byToken(auth[1]);
    if (mb) return mb;
    const message = this.revoked.has(auth[1])
      ? 'Lifetime validation failed, the token is expired.'
      : 'Access token validation failure. Invalid audience.';
    throw new GraphError(401, 'InvalidAuthenticationToken', message, challenge);
  }

  /** Auth, principal, injected failures, routing and the concurrency slot (synchronous). */
  private admit(req: InnerRequest): Admitted {
    const caller = this.authenticate(req.headers);
    const segments = splitSegments(req.path);
    let mb: Mailbox;
    let rest: string[];
    if (segments[0]?.toLowerCase() === 'me') {
      mb = caller;
      rest = segments.slice(1);
    } else if (segments[0]?.toLowerCase() === 'users' && segments[1] !== undefined) {
      const target = this.store.findUser(segments[1]);
      if (!target) {
        throw segments.length === 2
          ? new GraphError(
              404,
              'Request_ResourceNotFound',
              `Resource '${segments[1]}' does not exist or one of its queried reference-property objects are not present.`,
            )
          : new GraphError(404, 'ErrorInvalidUser', `The requested user '${segments[1]}' is invalid.`);
      }
      // Delegated tokens only reach their own mailbox in the emulator.
      if (target !== caller)
        throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      mb = target;
      rest = segments.slice(2);
    } else {
      throw segmentNotFound(segments[0] ?? '');
    }

    const rule = this.failures.find(
      (f) => f.remaining > 0 && (!f.match || f.match({ method: req.method, path: req.path })),
    );
    if (rule) {
      rule.remaining--;
      this.counters.injectedFailures++;
      const headers: Record<string, string> =
        rule.retryAfterSeconds === null ? {} : { 'Retry-After': String(rule.retryAfterSeconds) };
      throw rule.status === 429
        ? new GraphError(
            429,
            rule.code ?? 'TooManyRequests',
            rule.message ?? 'Too many requests. Please retry after the time given in the Retry-After header.',
            headers,
          )
        : new GraphError(
            503,
            rule.code ?? 'ServiceNotAvailable',
            rule.message ??
              'The service is temporarily unavailable. Please retry after the time given in the Retry-After header.',
            headers,
          );
    }

    const match = this.router.match(req.method, rest);
    if (match.kind === 'none') throw segmentNotFound(match.segment);
    if (match.kind === 'method') {
      throw new GraphError(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
        { Allow: match.allowed.join(', ') },
      );
    }

    // Outlook allows a limited number of concurrent requests per app and mailbox.
    const n = this.inFlight.get(mb.user.id) ?? 0;
    if (n >= this.maxConcurrent) {
      this.counters.throttled++;
      throw new GraphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
        'Retry-After': '1',
      });
    }
    this.inFlight.set(mb.user.id, n + 1);
    this.counters.inFlight++;
    this.counters.maxConcurrentSeen = Math.max(this.counters.maxConcurrentSeen, n + 1);
    return { caller, mb, route: match.route, params: match.params };
  }

  private release(mb: Mailbox): void {
    this.inFlight.set(mb.user.id, Math.max(0, (this.inFlight.get(mb.user.id) ?? 1) - 1));
    this.counters.inFlight = Math.max(0, this.counters.inFlight - 1);
  }

  private async execute(
    a: Admitted,
    req: InnerRequest,
    requestId: string,
    clientRequestId: string,
  ): Promise<GraphResponse> {
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const prefer = parsePrefer(req.headers['prefer']);
      const view: View = {
        immutable: prefer.immutableId,
        tz: prefer.timeZone ?? 'UTC',
        bodyType: prefer.bodyContentType,
      };
      const ctx: Ctx = {
        svc: {
          store: this.store,
          delta: this.delta,
          mail: this.mail,
          uploads: this.uploads,
          baseUrl: this.baseUrl,
          pageSize: this.pageSize,
        },
        mb: a.mb,
        caller: a.caller,
        method: req.method as HttpMethod,
        params: a.params,
        q: parseQuery(req.search, a.route.query ?? [], a.route.unsupportedCode),
        raw: req.search,
        headers: req.headers,
        body: a.route.hasBody ? readJson(req.body, req.headers['content-type']) : {},
        rawBody: req.body,
        prefer,
        view,
        url: `${this.baseUrl}${req.path}`,
        contextBase: `${this.baseUrl}/$metadata#users('${a.mb.user.id}')`,
      };
      const res = await a.route.handler(ctx);
      if (prefer.applied.length > 0 && res.status < 300)
        res.headers['Preference-Applied'] = prefer.applied.join(', ');
      return res;
    } catch (err) {
      return this.toErrorResponse(err, requestId, clientRequestId);
    }
  }

  private toErrorResponse(
    err: unknown,
    requestId: string,
    clientRequestId: string | undefined,
  ): GraphResponse {
    if (err instanceof GraphError) return errorResponse(err, requestId, clientRequestId ?? requestId);
    const message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    return errorResponse(
      new GraphError(500, 'InternalServerError', `Emulator error: ${message}`),
      requestId,
      clientRequestId ?? requestId,
    );
  }

  private record(
    via: RequestLogEntry['via'],
    method: string,
    path: string,
    search: URLSearchParams,
    headers: Record<string, string>,
    status: number,
    mailbox: string | null,
    batchRequestId?: string,
  ): void {
    const redacted = { ...headers };
    if (redacted['authorization']) redacted['authorization'] = 'Bearer <redacted>';
    const entry: RequestLogEntry = {
      seq: ++this.logSeq,
      at: new Date().toISOString(),
      via,
      method,
      path,
      query: Object.fromEntries(search),
      prefer: headers['prefer'] ?? null,
      headers: redacted,
      status,
      mailbox,
    };
    if (batchRequestId !== undefined) entry.batchRequestId = batchRequestId;
    this.log.push(entry);
    this.counters.requests++;
  }

  // ---- Control surface

  private mbOf(user: string): Mailbox {
    return this.store.requireUser(user);
  }

  private snapshot(m: MessageRec): MessageSnapshot {
    return {
      ...renderMessage(m, DEFAULT_VIEW),
      immutableId: m.key,
      internetMessageHeaders: m.internetMessageHeaders.map((h) => ({ ...h })),
      attachments: m.attachments.map((a) => renderAttachment(a, true)),
      singleValueExtendedProperties: m.singleValueExtendedProperties.map((p) => ({ ...p })),
    };
  }

  addUser(upn: string, token: string, opts: { displayName?: string } = {}): EmulatedUser {
    const mb = this.store.addUser(upn, opts.displayName);
    this.store.setToken(token, mb.user.id);
    const { id, mail, displayName } = mb.user;
    return { id, upn, mail, displayName };
  }

  addToken(user: string, token: string): void {
    this.store.setToken(token, this.mbOf(user).user.id);
    this.revoked.delete(token);
  }

  revokeToken(token: string): void {
    this.store.revokeToken(token);
    this.revoked.add(token);
  }

  seedMessage(user: string, folder: string, s: SeedMessage = {}): MessageSnapshot {
    const mb = this.mbOf(user);
    const f = mb.requireFolder(folder);
    const now = Date.now();
    const c: MessageContent = blankContent(mb, now);
    const received = toMs(s.receivedDateTime, now);
    c.subject = s.subject ?? '';
    c.body = typeof s.body === 'string' ? { contentType: 'text', content: s.body } : (s.body ?? c.body);
    c.from =
      s.from === undefined
        ? { emailAddress: { name: 'Sender', address: 'sender@example.com' } }
        : toRecipient(s.from);
    c.sender = c.from;
    c.toRecipients = (s.toRecipients ?? [mb.user.mail]).map(toRecipient);
    c.ccRecipients = (s.ccRecipients ?? []).map(toRecipient);
    c.bccRecipients = (s.bccRecipients ?? []).map(toRecipient);
    c.replyTo = (s.replyTo ?? []).map(toRecipient);
    c.receivedMs = received;
    c.sentMs = toMs(s.sentDateTime, received);
    c.createdMs = received;
    c.lastModifiedMs = received;
    c.isRead = s.isRead ?? false;
    c.isDraft = s.isDraft ?? false;
    c.importance = s.importance ?? 'normal';
    c.flag = { flagStatus: s.flagStatus ?? 'notFlagged' };
    c.categories = [...(s.categories ?? [])];
    if (s.internetMessageId) c.internetMessageId = s.internetMessageId;
    if (s.conversationId) c.conversationId = s.conversationId;
    c.singleValueExtendedProperties = [...(s.singleValueExtendedProperties ?? [])];
    c.attachments = (s.attachments ?? []).map((a) => ({
      id: newId('attachment'),
      name: a.name,
      contentType: a.contentType ?? 'application/octet-stream',
      isInline: a.isInline ?? false,
      contentId: a.contentId ?? null,
      lastModifiedMs: now,
      bytes: Buffer.from(a.content),
    }));
    return this.snapshot(mb.addMessage(c, f.id));
  }

  getMessages(user: string, folder: string): MessageSnapshot[] {
    const mb = this.mbOf(user);
    return mb
      .messagesIn(mb.requireFolder(folder).id)
      .sort((a, b) => b.receivedMs - a.receivedMs || b.seq - a.seq)
      .map((m) => this.snapshot(m));
  }

  getMessage(user: string, id: string): MessageSnapshot | undefined {
    const m = this.mbOf(user).findMessage(id);
    return m ? this.snapshot(m) : undefined;
  }

  updateMessage(user: string, id: string, patch: MessageUpdate): MessageSnapshot {
    const m = this.mbOf(user).requireMessage(id);
    if (patch.subject !== undefined) m.subject = patch.subject;
    if (patch.isRead !== undefined) m.isRead = patch.isRead;
    if (patch.importance !== undefined) m.importance = patch.importance;
    if (patch.flagStatus !== undefined) m.flag = { flagStatus: patch.flagStatus };
    if (patch.categories !== undefined) m.categories = [...patch.categories];
    touch(m);
    return this.snapshot(m);
  }

  moveMessage(user: string, id: string, folder: string): MessageSnapshot {
    const mb = this.mbOf(user);
    const m = mb.requireMessage(id);
    mb.moveMessage(m, mb.requireFolder(folder).id);
    return this.snapshot(m);
  }

  deleteMessage(user: string, id: string): void {
    const mb = this.mbOf(user);
    mb.removeMessage(mb.requireMessage(id));
  }

  addMailFolder(
    user: string,
    displayName: string,
    opts: { parent?: string; isHidden?: boolean } = {},
  ): GraphMailFolder {
    const mb = this.mbOf(user);
    const parent = opts.parent ? mb.requireFolder(opts.parent).id : mb.rootFolderId;
    return renderFolder(mb, mb.addFolder(displayName, parent, opts.isHidden ?? false));
  }

  getMailFolders(user: string): GraphMailFolder[] {
    const mb = this.mbOf(user);
    return mb.allFolders(true).map((f) => renderFolder(mb, f));
  }

  seedEvent(user: string, event: EventSeed, calendarId?: string): EventSnapshot {
    const mb = this.mbOf(user);
    const cal = mb.requireCalendar(calendarId ?? mb.defaultCalendarId);
    const e = createEvent(mb, cal, parseBody(event, eventIn, 'event', EVENT_READ_ONLY));
    syncInvitations(this.store, mb, e);
    return this.eventSnapshot(mb, e.key);
  }

  private eventSnapshot(mb: Mailbox, key: string): EventSnapshot {
    const inst = listEventInstances(mb, mb.findEvent(key)?.calendarId ?? '').find(
      (i) => i.master.key === key,
    );
    if (!inst) throw new Error(`event ${key} not found`);
    return { ...renderEvent(inst, DEFAULT_VIEW), immutableId: inst.master.key };
  }

  getEvents(user: string, calendarId?: string): EventSnapshot[] {
    const mb = this.mbOf(user);
    return listEventInstances(mb, calendarId ?? mb.defaultCalendarId).map((i) => ({
      ...renderEvent(i, DEFAULT_VIEW),
      immutableId: i.master.key,
    }));
  }

  updateEvent(user: string, id: string, patch: EventSeed): EventSnapshot {
    const mb = this.mbOf(user);
    const input = parseBody(patch, eventIn, 'event', EVENT_READ_ONLY);
    const inst = applyEventPatch(this.store, mb, resolveInstance(mb, id), input);
    return { ...renderEvent(inst, DEFAULT_VIEW), immutableId: inst.master.key };
  }

  deleteEvent(user: string, id: string): void {
    const mb = this.mbOf(user);
    removeInstance(mb, resolveInstance(mb, id));
  }

  seedContact(user: string, contact: ContactSeed, folderId?: string): ContactSnapshot {
    const mb = this.mbOf(user);
    const folder = mb.requireContactFolder(folderId ?? mb.defaultContactFolderId);
    const data = blankContact();
    applyContactInput(data, parseBody(contact, contactIn, 'contact', CONTACT_READ_ONLY));
    const c = mb.addContact(data, folder.id, Date.now());
    return { ...renderContact(c, DEFAULT_VIEW), immutableId: c.key };
  }

  getContacts(user: string, folderId?: string): ContactSnapshot[] {
    const mb = this.mbOf(user);
    const folder = mb.requireContactFolder(folderId ?? mb.defaultContactFolderId);
    return contactsOf(mb, folder.id).map((c) => ({ ...renderContact(c, DEFAULT_VIEW), immutableId: c.key }));
  }

  updateContact(user: string, id: string, patch: ContactSeed): ContactSnapshot {
    const c = this.mbOf(user).requireContact(id);
    applyContactInput(c, parseBody(patch, contactIn, 'contact', CONTACT_READ_ONLY));
    touch(c);
    return { ...renderContact(c, DEFAULT_VIEW), immutableId: c.key };
  }

  deleteContact(user: string, id: string): void {
    const mb = this.mbOf(user);
    mb.removeContact(mb.requireContact(id));
  }

  failNext(n: number, opts: FailureOptions = {}): void {
    this.failures.push({
      remaining: n,
      status: opts.status ?? 429,
      retryAfterSeconds: opts.retryAfterSeconds === undefined ? 1 : opts.retryAfterSeconds,
      code: opts.code,
      message: opts.message,
      match: opts.match,
    });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  expireDeltaTokens(): void {
    this.delta.expireAll();
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  runDeferredSends(at: Date = new Date()): number {
    return this.mail.runDue(at.getTime());
  }

  get stats(): EmulatorStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = {
      maxConcurrentSeen: 0,
      inFlight: this.counters.inFlight,
      requests: 0,
      throttled: 0,
      injectedFailures: 0,
    };
  }

  get requests(): readonly RequestLogEntry[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  get sentMail(): readonly SentMailRecord[] {
    return [...this.mail.sent];
  }
}

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const emu = new Emulator(opts);
  await emu.listen(opts.port ?? 0);
  return emu;
}
