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
  close(): Promise<void>;
}

export async function startDavProxy(options: {
  target: string;
  tls?: { cert: string; key: string };
  withoutSyncCollection?: boolean;
  /** Fixed port, to bring the "server" back where clients knew it. Default: any free port. */
  port?: number;
}): Promise<DavProxy> {
  const target = new URL(options.target);
  const state = { syncCollectionRequests: 0 };
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'REPORT' && /sync-collection/.test(body.toString('utf8'))) {
        state.syncCollectionRequests++;
        if (options.withoutSyncCollection) {
          res.writeHead(501, { 'content-type': 'text/plain' }).end('sync-collection is not supported here');
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
            if (options.withoutSyncCollection && req.method === 'PROPFIND') {
              const text = payload
                .toString('utf8')
                .replace(/<supported-report><report><sync-collection \/><\/report><\/supported-report>/g, '')
                .replace(/<sync-token>[^<]*<\/sync-token>/g, '');
              payload = Buffer.from(text, 'utf8');
            }
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
