// One timed Pimlico sync, in its own process so its peak memory is its own. Run by run.mjs via jiti.
//   pimlico-sync.ts DATA_DIR init HOST PORT USER PASSWORD   (creates the account, then syncs)
//   pimlico-sync.ts DATA_DIR resync                          (syncs the existing account)
import { join } from 'node:path';
import { Core } from '../../src/main/core/core';
import { FileKeySecretBox } from '../../src/main/core/secrets/secret-box';
import { consoleLogger } from '../../src/main/core/util/log';

const [dataDir, phase, host, port, user, password] = process.argv.slice(2);
if (!dataDir || (phase !== 'init' && phase !== 'resync')) throw new Error('usage: pimlico-sync.ts DATA_DIR init|resync [HOST PORT USER PASSWORD]');

const core = new Core({
  dataDir,
  secretBox: new FileKeySecretBox(join(dataDir, 'secret.key')),
  mode: 'headless',
  version: 'bench',
  log: consoleLogger('bench', 'error'),
  syncIntervalMs: 0,
});
let accountId = core.accounts.list().find((a) => a.kind === 'imap')?.id;
if (phase === 'init') {
  if (!host || !port || !user || !password) throw new Error('init needs HOST PORT USER PASSWORD');
  accountId = core.accounts.create({
    kind: 'imap',
    displayName: 'Bench',
    email: user,
    imap: { host, port: Number(port), security: 'none', user, password },
  }).id;
}
if (!accountId) throw new Error('no IMAP account in this data directory');
// Firsts: when the newest inbox page was readable (the user-visible "inbox usable" moment).
let firstInboxBatchMs: number | null = null;
const started = performance.now();
core.events.on((name, payload) => {
  if (firstInboxBatchMs === null && name === 'sync.progress' && (payload as { phase: string }).phase === 'mail:INBOX') {
    firstInboxBatchMs = performance.now() - started;
  }
});
const result = await core.sync.syncNow(accountId);
const ms = performance.now() - started;
// A resync again at once, over the connection the first one left open: what the running app's periodic
// sync (and a user's "sync now") costs, without connecting and logging in.
let warmMs: number | null = null;
if (phase === 'resync') {
  const again = performance.now();
  await core.sync.syncNow(accountId);
  warmMs = performance.now() - again;
}
const cached = core.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number };
await core.close();
const usage = process.resourceUsage();
// CPU of the whole process (including start-up), comparable with /usr/bin/time's for mbsync on a busy machine.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
console.log(JSON.stringify({ ms, warmMs, firstInboxBatchMs, cpuMs, maxRssKb: usage.maxRSS, cached: cached.n, result }));
