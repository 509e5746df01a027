// A real HTTP(S) front for the test Radicale, to put the real server behind what other deployments
// look like: a TLS endpoint with a self-signed certificate, or an older server without RFC 6578
// sync-collection (advertised nowhere, refused when asked). Requests and answers are passed through.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface DavProxy {
  url: string;
  /** REPORT bodies that asked for sync-collection (must stay 0 when it is disabled). */
  syncCollectionRequests: number;
  /** sync-collection answers cut short with a 507 (syncPageSize). */
  truncatedPages: number;
  /** While true, a home's Depth 1 listing shows no collections (a server hiccup); they still answer directly. */
  hideCollections: boolean;
  close(): Promise<void>;
}

export async function startDavProxy(options: {
  target: string;
  tls?: { cert: string; key: string };
  withoutSyncCollection?: boolean;
  /** Fixed port, to bring the "server" back where clients knew it. Default: any free port. */
  port?: number;
  /**
   * Page sync-collection answers to this many members, as RFC 6578 3.6 allows: a 507 on the
   * collection and a token that asks for the rest (here: the request's own token, remembered).
   */
  syncPageSize?: number;
  /** Leave the ETag out of PUT answers, as servers that rewrite what they store do. */
  withoutPutEtag?: boolean;
}): Promise<DavProxy> {
  const target = new URL(options.target);
  const state = { syncCollectionRequests: 0, truncatedPages: 0, hideCollections: false };
  /** Members not yet handed out, by the token the client will ask with, and the real token to end with. */
  const rest = new Map<string, { members: string[]; finalToken: string }>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isSync = req.method === 'REPORT' && /sync-collection/.test(body.toString('utf8'));
      const requestToken = isSync ? (/<[^>]*sync-token>([^<]*)<\/[^>]*sync-token>/.exec(body.toString('utf8'))?.[1] ?? '') : '';
      if (isSync) {
        state.syncCollectionRequests++;
        if (options.withoutSyncCollection) {
          res.writeHead(501, { 'content-type': 'text/plain' }).end('sync-collection is not supported here');
          return;
        }
        const pending = rest.get(requestToken);
        if (pending && options.syncPageSize) {
          rest.delete(requestToken);
          const xml = syncPage(pending.members, options.syncPageSize, req.url ?? '/', pending.finalToken, rest, state);
          res.writeHead(207, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(Buffer.byteLength(xml)) }).end(xml);
          return;
        }
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            let payload = Buffer.concat(out);
            const responseHeaders = { ...up.headers };
            if (isSync && options.syncPageSize && up.statusCode === 207) {
              const text = payload.toString('utf8');
              const finalToken = /<sync-token>([^<]*)<\/sync-token>/.exec(text)?.[1] ?? '';
              const members = text.match(/<response>[\s\S]*?<\/response>/g) ?? [];
              payload = Buffer.from(syncPage(members, options.syncPageSize, req.url ?? '/', finalToken, rest, state), 'utf8');
            }
            const isHomeListing = req.method === 'PROPFIND' && req.headers['depth'] === '1' && /^\/[^/]+\/$/.test(req.url ?? '');
            if (state.hideCollections && isHomeListing && up.statusCode === 207) {
              const text = payload.toString('utf8');
              const responses = text.match(/<response>[\s\S]*?<\/response>/g) ?? [];
              payload = Buffer.from(responses.slice(1).reduce((t, r) => t.replace(r, ''), text), 'utf8');
            }
            if (options.withoutSyncCollection && req.method === 'PROPFIND') {
              const text = payload
                .toString('utf8')
                .replace(/<supported-report><report><sync-collection \/><\/report><\/supported-report>/g, '')
                .replace(/<sync-token>[^<]*<\/sync-token>/g, '');
              payload = Buffer.from(text, 'utf8');
            }
            if (options.withoutPutEtag && req.method === 'PUT') delete responseHeaders['etag'];
            delete responseHeaders['content-length'];
            delete responseHeaders['transfer-encoding'];
            res.writeHead(up.statusCode ?? 502, { ...responseHeaders, 'content-length': String(payload.length) });
            res.end(payload);
          });
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    get syncCollectionRequests() {
      return state.syncCollectionRequests;
    },
    get truncatedPages() {
      return state.truncatedPages;
    },
    get hideCollections() {
      return state.hideCollections;
    },
    set hideCollections(v: boolean) {
      state.hideCollections = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One page of a sync-collection answer; the remainder is kept for the next request, under a new token. */
function syncPage(
  members: string[],
  size: number,
  collectionPath: string,
  finalToken: string,
  rest: Map<string, { members: string[]; finalToken: string }>,
  state: { truncatedPages: number },
): string {
  const page = members.slice(0, size);
  const more = members.length > size;
  let token = finalToken;
  let extra = '';
  if (more) {
    // A token of its own for "the rest", as a paging server would issue.
    state.truncatedPages++;
    token = `urn:pimlico-test:page:${state.truncatedPages}`;
    rest.set(token, { members: members.slice(size), finalToken });
    extra = `<response><href>${collectionPath}</href><status>HTTP/1.1 507 Insufficient Storage</status></response>`;
  }
  return `<?xml version='1.0' encoding='utf-8'?>\n<multistatus xmlns="DAV:"><sync-token>${token}</sync-token>${page.join('')}${extra}</multistatus>`;
}
