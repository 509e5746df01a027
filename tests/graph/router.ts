/**
 * Route table plumbing: the per-request context handed to handlers, and path matching.
 *
 * Route paths are relative to the principal (`/me` or `/users/{id|upn}`), use `:name`
 * for parameters and match navigation segments case-insensitively (Graph does).
 */
import type { DeltaEngine } from './delta';
import type { MailFlow } from './mailflow';
import type { Prefer, QueryOption, QueryOptions } from './odata';
import type { View } from './render';
import type { GraphResponse } from './response';
import type { Mailbox, Store } from './store';
import type { UploadSessions } from './uploads';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Services {
  store: Store;
  delta: DeltaEngine;
  mail: MailFlow;
  uploads: UploadSessions;
  /** e.g. http://127.0.0.1:1234/v1.0 */
  baseUrl: string;
  /** Default page size when neither $top nor odata.maxpagesize is given (Graph: 10). */
  pageSize: number;
}

export interface Ctx {
  svc: Services;
  /** Mailbox addressed by the URL (`me` = caller). */
  mb: Mailbox;
  caller: Mailbox;
  method: HttpMethod;
  params: Record<string, string>;
  q: QueryOptions;
  raw: URLSearchParams;
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON body (`{}` when empty). */
  body: unknown;
  rawBody: Buffer;
  prefer: Prefer;
  view: View;
  /** Absolute URL of this request without its query (for nextLink/deltaLink). */
  url: string;
  /** `${baseUrl}/$metadata#users('{id}')`, the prefix of most @odata.context values. */
  contextBase: string;
}

export interface Route {
  method: HttpMethod;
  path: string;
  /** `$` query options the resource supports; anything else answers 400. */
  query?: readonly QueryOption[];
  /** Set when the handler takes a JSON body (parsed before it runs). */
  hasBody?: boolean;
  /** Error code for unsupported query options (directory resources use Request_UnsupportedQuery). */
  unsupportedCode?: string;
  handler: (ctx: Ctx) => GraphResponse | Promise<GraphResponse>;
}

export type MatchResult =
  | { kind: 'match'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: HttpMethod[] }
  | { kind: 'none'; segment: string };

function matchPath(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p.toLowerCase() !== s.toLowerCase()) return null;
  }
  return params;
}

export class Router {
  private readonly routes: Array<{ route: Route; pattern: string[] }> = [];

  add(...routes: Route[]): void {
    for (const route of routes) {
      this.routes.push({ route, pattern: route.path === '' ? [] : route.path.split('/') });
    }
  }

  /** First route (in registration order) whose path and method match. */
  match(method: string, segments: string[]): MatchResult {
    const allowed: HttpMethod[] = [];
    for (const { route, pattern } of this.routes) {
      const params = matchPath(pattern, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'match', route, params };
      allowed.push(route.method);
    }
    if (allowed.length > 0) return { kind: 'method', allowed };
    return { kind: 'none', segment: this.firstUnknownSegment(segments) };
  }

  /** Graph names the first segment it could not resolve ("Resource not found for the segment 'x'"). */
  private firstUnknownSegment(segments: string[]): string {
    for (let n = segments.length; n > 0; n--) {
      const prefix = segments.slice(0, n);
      const known = this.routes.some(
        ({ pattern }) => pattern.length >= n && matchPath(pattern.slice(0, n), prefix),
      );
      if (known) return segments[n] ?? segments[n - 1] ?? '';
    }
    return segments[0] ?? '';
  }
}

/**
 * Splits a URL path into decoded segments, turning OData key syntax into plain
 * segments: `mailFolders('inbox')` -> `mailFolders`, `inbox`.
 */
export function splitSegments(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      seg = raw;
    }
    const key = /^([^(]+)\('?([^)]*?)'?\)$/.exec(seg);
    if (key && key[1] && key[2] !== undefined) {
      // `delta()` is the same as `delta`; `name('key')` is `name/key`.
      out.push(...(key[2] === '' ? [key[1]] : [key[1], key[2]]));
    } else {
      out.push(seg);
    }
  }
  return out;
}
