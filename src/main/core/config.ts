import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a profile lives when nothing else is said: the platform's usual per-user data folder. */
export function defaultDataDir(): string {
  if (process.env.PIMLICO_DATA_DIR) return process.env.PIMLICO_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Pimlico');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Pimlico');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'pimlico');
}

/** The API token: from PIMLICO_API_TOKEN, or generated once and kept in the data folder, readable only by its owner. */
export function loadApiToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIMLICO_API_TOKEN) return env.PIMLICO_API_TOKEN;
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'api-token');
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
