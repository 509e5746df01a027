import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { ZodError } from 'zod';
import { PimlicoError, type PimlicoErrorCode } from '../util/errors';
import { RetryableError } from '../providers/types';

/** A request as route handlers see it: parsed, size-checked, content-negotiated. */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON or XML body; undefined when there is none. */
  body: unknown;
  wantsXml: boolean;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes instead of a serialised body (attachments, static files). */
  raw?: { data: Buffer | string; contentType: string };
}

export type RouteHandler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  template: string;
  handler: RouteHandler;
  auth: boolean;
}

export const MAX_BODY_BYTES = 50 * 1024 * 1024;

const STATUS_BY_CODE: Record<PimlicoErrorCode, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  Unsupported: 400,
  Offline: 503,
  RemoteError: 502,
  Internal: 500,
};

/** Routes with `{name}` path parameters, matched in the order added. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: RouteHandler, opts: { auth?: boolean } = {}): this {
    const keys: string[] = [];
    const source = template
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (m) {
          keys.push(m[1]!);
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), keys, template, handler, auth: opts.auth ?? true });
    return this;
  }

  list(): { method: string; template: string }[] {
    return this.routes.map(({ method, template }) => ({ method, template }));
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | null {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => {
        try {
          params[k] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new HttpError(400, 'BadRequest', `Path parameter '${k}' is not valid percent-encoding`);
        }
      });
      return { route, params };
    }
    return allowed.length ? { allowed } : null;
  }
}

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
const xmlBuilder = new XMLBuilder({ format: false, suppressEmptyNode: true, arrayNodeName: 'item' });

/** XML mirrors JSON: the root element is the object; arrays become repeated <item> elements. */
export function toXml(body: unknown, root = 'response'): string {
  const wrap = (v: unknown): unknown => {
    if (Array.isArray(v)) return { item: v.map(wrap) };
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [xmlName(k), wrap(x)]));
    return v;
  };
  return `<?xml version="1.0" encoding="utf-8"?>${xmlBuilder.build({ [root]: wrap(body) })}`;
}

function xmlName(key: string): string {
  // "@odata.type" is not a valid element name.
  return key.replace(/^@/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Reads an XML body into the same shape a JSON body would have. */
export function fromXml(text: string): unknown {
  const doc = xmlParser.parse(text, true) as Record<string, unknown>;
  const rootKey = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (!rootKey) throw new PimlicoError('BadRequest', 'The XML body has no root element');
  const unwrap = (v: unknown): unknown => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 1 && entries[0]![0] === 'item') {
        const items = entries[0]![1];
        return (Array.isArray(items) ? items : [items]).map(unwrap);
      }
      return Object.fromEntries(entries.map(([k, x]) => [k, unwrap(x)]));
    }
    if (v === 'true') return true;
    if (v === 'false') return false;
    return v;
  };
  return unwrap(doc[rootKey]);
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'PayloadTooLarge', `The body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'PayloadTooLarge', `The body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const text = buf.toString('utf8');
  if (type === 'application/xml' || type === 'text/xml') {
    try {
      return fromXml(text);
    } catch (err) {
      throw new HttpError(400, 'BadRequest', `Malformed XML body: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'BadRequest', `Malformed JSON body: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new HttpError(415, 'UnsupportedMediaType', `Send the body as application/json or application/xml, not ${type}`);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Maps any error to a status and the `{ error: { code, message } }` body; client mistakes never become 500. */
export function errorResponse(err: unknown): ApiResponse {
  if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: err.headers };
  if (err instanceof PimlicoError) return { status: STATUS_BY_CODE[err.code], body: { error: { code: err.code, message: err.message } } };
  // A server that cannot be reached now is the server's trouble, not the client's and not ours.
  if (err instanceof RetryableError) {
    const retryAfter = Math.max(1, Math.ceil((err.retryAfterMs ?? 30_000) / 1000));
    return { status: 503, body: { error: { code: 'Unavailable', message: err.message } }, headers: { 'Retry-After': String(retryAfter) } };
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? ` at '${issue.path.join('.')}'` : '';
    return { status: 400, body: { error: { code: 'BadRequest', message: `Invalid input${where}: ${issue?.message ?? 'invalid'}` } } };
  }
  return { status: 500, body: { error: { code: 'Internal', message: 'Internal error' } } };
}

export function send(res: ServerResponse, out: ApiResponse, wantsXml: boolean): void {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...out.headers };
  if (out.raw) {
    res.writeHead(out.status, { ...headers, 'Content-Type': out.raw.contentType });
    res.end(out.raw.data);
    return;
  }
  if (out.body === undefined) {
    res.writeHead(out.status, headers);
    res.end();
    return;
  }
  if (wantsXml) {
    res.writeHead(out.status, { ...headers, 'Content-Type': 'application/xml; charset=utf-8' });
    res.end(toXml(out.body));
  } else {
    res.writeHead(out.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(out.body));
  }
}

export function wantsXml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const xml = types.findIndex((t) => t === 'application/xml' || t === 'text/xml');
  const json = types.findIndex((t) => t === 'application/json');
  return xml !== -1 && (json === -1 || xml < json);
}
