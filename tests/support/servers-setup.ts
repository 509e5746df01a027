import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DEFAULT_STATE_DIR, startTestServers, stopTestServers, type TestServers } from '../servers';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServers;
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Outside CI, a run reuses servers that another run on this machine already started instead of
 * restarting them under it (several developers' runs share one machine here), and leaves them running.
 */
async function runningServers(): Promise<TestServers | null> {
  if (process.env.CI) return null;
  try {
    const s = JSON.parse(readFileSync(join(DEFAULT_STATE_DIR, 'servers.json'), 'utf8')) as TestServers;
    const davUrl = new URL(s.dav.url);
    const up = await Promise.all([
      answers(s.imap.host, s.imap.port),
      answers(s.smtp.host, s.smtp.port),
      answers(davUrl.hostname, Number(davUrl.port)),
    ]);
    return up.every(Boolean) ? s : null;
  } catch {
    return null;
  }
}

/** Starts the real mail and DAV servers once for the integration run; files get them with inject('servers'). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reused = await runningServers();
  const servers = reused ?? (await startTestServers());
  project.provide('servers', servers);
  return async () => {
    // Outside CI other runs may be using them: leave them up (stop with tests/servers/stop.sh).
    if (!reused && process.env.CI) await stopTestServers(servers);
  };
}
