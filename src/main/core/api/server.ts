import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core';
import { toRemoteError } from '../core';
import type { Disposable } from '../events';
import { errorResponse, HttpError, parseBody, readBody, Router, send, wantsXml, type ApiResponse } from './http';
import { registerAccountRoutes } from './accounts-routes';
import { RENDERER_CSP } from '../../../shared/csp';

export interface ApiServerOptions {
  core: Core;
  host: string;
  port: number;
  token: string;
  /** Built renderer to serve (headless mode); omitted when only the REST API is wanted. */
  rendererDir?: string;
  /** Extra route groups (the connector API registers itself here). */
  routes?: ((router: Router, core: Core) => void)[];
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};


function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Headless mode's HTTP server: the built renderer, the contract over a WebSocket, and the local
 * REST API, all on one loopback port behind one bearer token.
 */
export class ApiServer implements Disposable {
  readonly router = new Router();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private readonly sockets = new Set<WebSocket>();
  private readonly eventSub: Disposable;
  private boundPort = 0;

  constructor(private readonly opts: ApiServerOptions) {
    this.router.add('GET', '/health', () => ({ status: 200, body: { status: 'ok' } }), { auth: false });
    registerAccountRoutes(this.router, opts.core);
    for (const register of opts.routes ?? []) register(this.router, opts.core);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (!this.hostAllowed(req) || new URL(req.url ?? '/', 'http://x').pathname !== '/api/ws' || !this.wsAuthorized(req)) {
        socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    this.eventSub = opts.core.events.on((name, payload) => {
      const frame = JSON.stringify({ event: name, payload });
      for (const ws of this.sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
    });
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return { host: this.opts.host, port: this.boundPort };
  }

  get port(): number {
    return this.boundPort;
  }

  /** DNS rebinding defence: only the address we are bound to, by name or number, may be the Host. */
  private hostAllowed(req: IncomingMessage): boolean {
    const host = (req.headers.host ?? '').toLowerCase();
    const names = new Set([this.opts.host.toLowerCase(), '127.0.0.1', 'localhost', '[::1]']);
    if (this.opts.host === '0.0.0.0' || this.opts.host === '::') return host !== '';
    return [...names].some((n) => host === `${n}:${this.boundPort}`);
  }

  private wsAuthorized(req: IncomingMessage): boolean {
    // Browsers cannot set headers on a WebSocket, so the token travels as a subprotocol.
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const token = protocols.find((p) => p.startsWith('token.'))?.slice('token.'.length);
    const origin = req.headers.origin;
    if (origin && !this.hostAllowed({ headers: { host: origin.replace(/^https?:\/\//, '') } } as IncomingMessage)) return false;
    return tokenMatches(token, this.opts.token);
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      let msg: { id?: unknown; call?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'BadRequest', message: 'Frames must be JSON' } }));
        return;
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
      if (typeof msg.call !== 'string') {
        ws.send(JSON.stringify({ id, ok: false, error: { code: 'BadRequest', message: 'Missing call name' } }));
        return;
      }
      this.opts.core
        .handle(msg.call, msg.payload)
        .then((result) => ws.send(JSON.stringify({ id, ok: true, result })))
        .catch((err: unknown) => ws.send(JSON.stringify({ id, ok: false, error: toRemoteError(err) })));
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const xml = wantsXml(req.headers.accept);
    try {
      if (!this.hostAllowed(req)) throw new HttpError(421, 'MisdirectedRequest', 'This server only answers requests addressed to its own host');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const matched = this.router.match(method, url.pathname);
      if (matched && 'route' in matched) {
        if (matched.route.auth) this.requireToken(req);
        const body = ['POST', 'PUT', 'PATCH'].includes(method) ? parseBody(await readBody(req), req.headers['content-type']) : undefined;
        const out = await matched.route.handler({
          method,
          path: url.pathname,
          params: matched.params,
          query: url.searchParams,
          headers: req.headers,
          body,
          wantsXml: xml,
        });
        send(res, out, xml);
        return;
      }
      if (matched && 'allowed' in matched) {
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed here`, { Allow: matched.allowed.join(', ') });
      }
      if (method === 'GET' && this.opts.rendererDir) {
        const file = await this.staticFile(url.pathname);
        if (file) {
          res.writeHead(200, {
            'Content-Type': file.type,
            'Content-Security-Policy': RENDERER_CSP,
            'X-Content-Type-Options': 'nosniff',
            'Referrer-Policy': 'no-referrer',
            'Cache-Control': file.type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
          });
          res.end(file.data);
          return;
        }
      }
      throw new HttpError(404, 'NotFound', `Nothing at ${method} ${url.pathname}`);
    } catch (err) {
      const out: ApiResponse = errorResponse(err);
      // Drain what the client is still sending so it can read our answer instead of a reset.
      req.resume();
      if (out.status >= 500) this.opts.core.log.error('request failed', { url: req.url?.split('?')[0], error: String(err) });
      send(res, out, xml);
    }
  }

  private requireToken(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!tokenMatches(m?.[1]?.trim(), this.opts.token)) {
      throw new HttpError(401, 'Unauthorized', 'A valid bearer token is required', { 'WWW-Authenticate': 'Bearer' });
    }
  }

  private async staticFile(pathname: string): Promise<{ data: Buffer; type: string } | null> {
    const root = this.opts.rendererDir!;
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const full = normalize(join(root, rel));
    if (!full.startsWith(normalize(root) + sep)) return null;
    try {
      const s = await stat(full);
      if (!s.isFile()) return null;
      return { data: await readFile(full), type: MIME[extname(full)] ?? 'application/octet-stream' };
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.eventSub.dispose();
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  dispose(): void {
    void this.close();
  }
}
