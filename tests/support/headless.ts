import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '../..');

export interface HeadlessApp {
  url: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  /** Authorised fetch against the local API. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Adds an account through POST /accounts (failing unless 201), syncs it once when asked, and answers its id. */
  addAccount(input: Record<string, unknown>, opts?: { sync?: boolean }): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built headless app (`node out/main/serve.js`) as a real process on a free port, the way
 * a user runs `pimlico serve`, and waits until /health answers.
 */
export async function startHeadless(opts: { dataDir?: string; token?: string; env?: NodeJS.ProcessEnv } = {}): Promise<HeadlessApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pimlico-e2e-'));
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [join(ROOT, 'out/main/serve.js'), '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, PIMLICO_API_TOKEN: token, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
    // PIMLICO_TEST_SHOW_LOGS=1 shows the app's warnings and errors while a test runs.
    if (process.env.PIMLICO_TEST_SHOW_LOGS) process.stderr.write(d);
  });
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless mode did not start in 20 s:\n${output}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /running at (http:\/\/\S+\/)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`headless mode exited with ${code}:\n${output}`));
    });
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, url), { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const addAccount = async (input: Record<string, unknown>, opts: { sync?: boolean } = {}) => {
    const res = await api('/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
    if (res.status !== 201) throw new Error(`POST /accounts answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    if (opts.sync) {
      const synced = await api(`/accounts/${id}/sync`, { method: 'POST' });
      if (synced.status !== 200) throw new Error(`the first sync of ${String(input.email)} answered ${synced.status}: ${await synced.text()}`);
    }
    return id;
  };
  return {
    url,
    token,
    dataDir,
    process: child,
    api,
    addAccount,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop(child.exitCode);
        child.once('exit', (code) => resolveStop(code));
        child.kill(signal);
      }),
  };
}
