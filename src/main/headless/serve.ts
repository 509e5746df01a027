// `pimlico serve`: the same core in plain Node, serving the built UI over HTTP, the contract over a
// WebSocket and the local REST API. For a home server, for scripting, and for testing the UI in a browser.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Core } from '../core/core';
import { ApiServer } from '../core/api/server';
import { defaultDataDir, loadApiToken } from '../core/config';
import { FileKeySecretBox } from '../core/secrets/secret-box';
import { consoleLogger } from '../core/util/log';
import { apiRoutes } from '../core/api/routes';
import pkg from '../../../package.json';

/** How long after listening background work (sync, poller) starts. */
const BACKGROUND_START_DELAY_MS = 1500;

export interface ServeOptions {
  dataDir: string;
  host: string;
  port: number;
  rendererDir?: string;
  syncIntervalMs?: number;
}

export async function serve(opts: ServeOptions): Promise<{ core: Core; server: ApiServer; url: string; token: string; close: () => Promise<void> }> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const log = consoleLogger('pimlico', (process.env.PIMLICO_LOG_LEVEL as 'info' | undefined) ?? 'info');
  const core = new Core({
    dataDir: opts.dataDir,
    secretBox: new FileKeySecretBox(join(opts.dataDir, 'secret.key')),
    mode: 'headless',
    version: pkg.version,
    log,
    syncIntervalMs: opts.syncIntervalMs,
  });
  const token = loadApiToken(opts.dataDir);
  const server = new ApiServer({ core, host: opts.host, port: opts.port, token, rendererDir: opts.rendererDir, routes: apiRoutes });
  const { port } = await server.listen();
  // Sync and the trigger poller read the whole cache when they start: let the first page and its
  // inbox be served before that work competes for this one thread.
  const backgroundStart = setTimeout(() => core.start(), BACKGROUND_START_DELAY_MS);
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${shownHost}:${port}/`;
  core.apiState = { running: true, url, error: null };
  return {
    core,
    server,
    url,
    token,
    close: async () => {
      clearTimeout(backgroundStart);
      await server.close();
      await core.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '4870' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log('Usage: pimlico serve [--data-dir DIR] [--port N] [--host ADDR]\n\nToken: PIMLICO_API_TOKEN or DIR/api-token.');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not ${values.port}`);
  const host = values.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    console.warn(`WARNING: listening on ${host}, not loopback. Anyone who can reach it and has the token can read your mail; put TLS in front of it.`);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const running = await serve({ dataDir, host, port, rendererDir: resolve(here, '../renderer') });
  console.log(`Pimlico is running at ${running.url}`);
  console.log(`Open ${running.url}#token=${running.token} in a browser (the token is also in ${join(dataDir, 'api-token')}).`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`pimlico serve: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
