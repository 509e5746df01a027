// Real IMAP/SMTP/DAV servers for integration tests: a thin typed wrapper over
// install.sh, start.sh, stop.sh and ctl.sh in this directory (see README.md).
//
//   const servers = await startTestServers();   // globalSetup or beforeAll
//   ...
//   await stopTestServers(servers);             // teardown or afterAll
//
// Helpers act on the servers given, else on those of the last
// startTestServers() call in this process, else on the running instance
// described by DEFAULT_STATE_DIR/servers.json (the case in test workers when
// a vitest globalSetup started the servers in another process).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface TestUser {
  email: string;
  password: string;
}

export interface TestServers {
  stateDir: string;
  /** The only mail domain that is delivered; everything else is discarded. */
  domain: string;
  /** Plain (with STARTTLS) on `port`, implicit TLS on `tlsPort`. */
  imap: { host: string; port: number; tlsPort: number; caCertPath: string };
  /** Submission with AUTH; STARTTLS offered, not required. */
  smtp: { host: string; port: number };
  /** Radicale root, e.g. http://127.0.0.1:15232/ */
  dav: { url: string };
  users: TestUser[];
  logs: { dovecot: string; postfix: string; radicale: string };
}

const serversSchema: z.ZodType<TestServers> = z.object({
  stateDir: z.string(),
  domain: z.string(),
  imap: z.object({
    host: z.string(),
    port: z.number().int(),
    tlsPort: z.number().int(),
    caCertPath: z.string(),
  }),
  smtp: z.object({ host: z.string(), port: z.number().int() }),
  dav: z.object({ url: z.string() }),
  users: z.array(z.object({ email: z.string(), password: z.string() })).min(1),
  logs: z.object({ dovecot: z.string(), postfix: z.string(), radicale: z.string() }),
});

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_STATE_DIR =
  process.env['PIMLICO_TEST_STATE_DIR'] ?? path.join(os.tmpdir(), 'pimlico-test-servers');

let current: TestServers | undefined;

function parseServers(file: string, text: string): TestServers {
  const parsed = serversSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

function run(script: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(SCRIPT_DIR, script), ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const how = error.killed ? `killed after ${timeoutMs} ms` : `exit code ${String(error.code)}`;
          const command = ['tests/servers/' + script, ...args].join(' ');
          reject(new Error(`${command} failed (${how}):\n${stderr.trim()}`, { cause: error }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

function active(servers: TestServers | undefined): TestServers {
  if (servers) return servers;
  if (current) return current;
  // stop.sh deletes servers.json, so its presence means "running".
  const file = path.join(DEFAULT_STATE_DIR, 'servers.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`test servers are not running (no ${file}): call startTestServers() first`);
  }
  return parseServers(file, text);
}

function ctl(servers: TestServers | undefined, ...args: string[]): Promise<string> {
  return run('ctl.sh', [active(servers).stateDir, ...args], 60_000);
}

/**
 * Installs the packages if needed (apt, first run only), then starts Dovecot,
 * Postfix and Radicale with empty mailboxes and DAV collections. A previous
 * instance in the same stateDir is stopped first. Give the beforeAll hook a
 * generous timeout: a cold install takes a minute.
 */
export async function startTestServers(stateDir: string = DEFAULT_STATE_DIR): Promise<TestServers> {
  await run('install.sh', [], 15 * 60_000);
  const dir = path.resolve(stateDir);
  await run('start.sh', [dir], 120_000);
  const file = path.join(dir, 'servers.json');
  current = parseServers(file, await readFile(file, 'utf8'));
  return current;
}

export async function stopTestServers(servers?: TestServers): Promise<void> {
  const s = active(servers);
  await run('stop.sh', [s.stateDir], 60_000);
  if (current && path.resolve(current.stateDir) === path.resolve(s.stateDir)) current = undefined;
}

/** Deletes the user's whole mail store (kicking their IMAP sessions first). */
export async function resetMailUser(email: string, servers?: TestServers): Promise<void> {
  await ctl(servers, 'reset-user', email);
}

/** Empties the user's pre-created `calendar` and `contacts` collections. */
export async function resetDavUser(email: string, servers?: TestServers): Promise<void> {
  await ctl(servers, 'reset-dav', email);
}

/**
 * Gives `folder` a new, larger UIDVALIDITY and returns it. Messages and UIDs
 * are unchanged; sessions that have the folder selected get disconnected.
 */
export async function bumpUidValidity(email: string, folder: string, servers?: TestServers): Promise<number> {
  const out = (await ctl(servers, 'bump-uidvalidity', email, folder)).trim();
  const value = Number(out);
  if (!Number.isSafeInteger(value)) throw new Error(`bump-uidvalidity printed '${out}', not a number`);
  return value;
}

/**
 * Stops only Dovecot (IMAP, LMTP, auth). Graceful by default (~2.5 s); with
 * `{ kill: true }` SIGKILLs every Dovecot process at once, like a crash.
 * Mail submitted meanwhile waits in Postfix's queue (see flushMailQueue).
 */
export async function stopImap(options: { kill?: boolean } = {}, servers?: TestServers): Promise<void> {
  await ctl(servers, options.kill ? 'kill-imap' : 'stop-imap');
}

export async function startImap(servers?: TestServers): Promise<void> {
  await ctl(servers, 'start-imap');
}

export async function restartImap(servers?: TestServers): Promise<void> {
  await ctl(servers, 'restart-imap');
}

/** Number of messages still in Postfix's queue (0 once all are delivered or discarded). */
export async function mailQueueSize(servers?: TestServers): Promise<number> {
  return Number((await ctl(servers, 'mail-queue')).trim());
}

/** Retries deferred mail now, e.g. after startImap(), instead of within ~5 s. */
export async function flushMailQueue(servers?: TestServers): Promise<void> {
  await ctl(servers, 'flush-queue');
}
