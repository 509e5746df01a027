#!/usr/bin/env node
// IMAP sync benchmark: Pimlico against mbsync (isync) on the same Dovecot mailbox, in one run.
//
//   node bench/sync/run.mjs                      # 10,000 messages
//   node bench/sync/run.mjs 10000 100000         # both sizes
//
// Needs root (the test servers, like the integration tests) and mbsync (apt-get install isync).
// Starts its own Dovecot/Postfix/Radicale on other ports than the tests, seeds bob's INBOX by
// writing Maildir files and `doveadm force-resync`, then times for each tool: the initial sync,
// a no-change resync, and a resync after 100 changes made on the server (50 flag changes,
// 25 deletions, 25 new messages). Figures are printed and written to bench/RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { message, rng } from './mail-gen.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STATE_DIR = join(tmpdir(), 'pimlico-bench-servers');
const PORTS = { PIMLICO_TEST_IMAP_PORT: '31143', PIMLICO_TEST_IMAPS_PORT: '31993', PIMLICO_TEST_SMTP_PORT: '31587', PIMLICO_TEST_DAV_PORT: '35232' };
const USER = 'bob@pimlico.test';
const PASSWORD = 'bob-pass';
const VMAIL = 5000;
const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
if (sizes.length === 0) sizes.push(10_000);

function sh(script, args, env = {}) {
  return execFileSync('bash', [join(ROOT, 'tests/servers', script), ...args], { env: { ...process.env, ...PORTS, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
}
function doveadm(...args) {
  return execFileSync('/usr/bin/doveadm', ['-c', join(STATE_DIR, 'dovecot/dovecot.conf'), ...args], { encoding: 'utf8' });
}

function seed(count) {
  const inbox = join(STATE_DIR, 'mail', USER, 'Maildir', 'INBOX');
  doveadm('mailbox', 'status', '-u', USER, 'messages', 'INBOX'); // let Dovecot create the Maildir
  const cur = join(inbox, 'cur');
  mkdirSync(cur, { recursive: true });
  const rand = rng(42);
  const start = Date.UTC(2020, 0, 1);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const date = new Date(start + i * 3_600_000);
    const raw = message(i, rand, date);
    bytes += raw.length;
    const seen = rand() < 0.8 ? 'S' : '';
    // Zero-padded time first: Dovecot assigns UIDs in name order, so the newest mail gets the highest UID.
    const name = `${String(1_600_000_000 + i).padStart(10, '0')}.M${i}P1.bench:2,${seen}`;
    writeFileSync(join(cur, name), raw);
  }
  execFileSync('chown', ['-R', `${VMAIL}:${VMAIL}`, join(STATE_DIR, 'mail', USER)]);
  doveadm('force-resync', '-u', USER, 'INBOX');
  const status = doveadm('-f', 'flow', 'mailbox', 'status', '-u', USER, 'messages', 'INBOX').trim();
  return { bytes, status };
}

/** Reads every message once, so Dovecot's index and cache are built before either tool is timed. */
async function warmUp() {
  const c = new ImapFlow({ host: '127.0.0.1', port: Number(PORTS.PIMLICO_TEST_IMAP_PORT), secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
  await c.connect();
  const lock = await c.getMailboxLock('INBOX');
  try {
    for await (const _ of c.fetch('1:*', { uid: true, flags: true, size: true, internalDate: true, envelope: true, source: true })) {
      /* discard */
    }
  } finally {
    lock.release();
    await c.logout();
  }
}

/**
 * The server's own share of a no-change resync: a bare client connecting, logging in and asking LIST-STATUS
 * (what either tool must do at least), best of three.
 */
async function serverFloorMs() {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c = new ImapFlow({ host: '127.0.0.1', port: Number(PORTS.PIMLICO_TEST_IMAP_PORT), secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
    await c.connect();
    await c.list({ statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: true } });
    best = Math.min(best, performance.now() - t0);
    await c.logout();
  }
  return best;
}

async function changeOnServer(round) {
  const c = new ImapFlow({ host: '127.0.0.1', port: Number(PORTS.PIMLICO_TEST_IMAP_PORT), secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
  await c.connect();
  const lock = await c.getMailboxLock('INBOX');
  try {
    const uids = (await c.search({ all: true }, { uid: true })) || [];
    const pick = (n, offset) => uids.filter((_, k) => k % Math.floor(uids.length / (n + 1)) === offset).slice(0, n);
    await c.messageFlagsAdd(pick(25, 1).join(','), ['\\Flagged'], { uid: true });
    await c.messageFlagsRemove(pick(25, 2).join(','), ['\\Seen'], { uid: true });
    await c.messageDelete(pick(25, 3).join(','), { uid: true });
    for (let k = 0; k < 25; k++) {
      await c.append('INBOX', message(1_000_000 + round * 100 + k, rng(round * 100 + k), new Date()), []);
    }
  } finally {
    lock.release();
    await c.logout();
  }
}

function pimlico(dataDir, phase) {
  // PIMLICO_BENCH_CPU_PROF=DIR writes a V8 CPU profile of Pimlico's initial sync there (main thread and parse workers);
  // PIMLICO_BENCH_RESYNC_PROF=DIR does the same for the resyncs (profiling slows what it measures: not for figures).
  const profDir = phase === 'init' ? process.env.PIMLICO_BENCH_CPU_PROF : process.env.PIMLICO_BENCH_RESYNC_PROF;
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const args = [...prof, join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs'), join(ROOT, 'bench/sync/pimlico-sync.ts'), dataDir, phase];
  if (phase === 'init') args.push('127.0.0.1', PORTS.PIMLICO_TEST_IMAP_PORT, USER, PASSWORD);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = out.trim().split('\n').at(-1);
  return JSON.parse(line);
}

function dirSize(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return n;
}

function mbsync(configFile) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', 'mbsync', '-q', '-c', configFile, 'bench'], { encoding: 'utf8' });
  const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`mbsync failed (${r.status}): ${r.stderr}`);
  return { ms: Number(m[1]) * 1000, maxRssKb: Number(m[2]), cpuMs: (Number(m[3]) + Number(m[4])) * 1000 };
}

function mbsyncConfig(dir) {
  const maildir = join(dir, 'mail');
  mkdirSync(maildir, { recursive: true });
  const file = join(dir, 'mbsyncrc');
  writeFileSync(
    file,
    `IMAPAccount bench
Host 127.0.0.1
Port ${PORTS.PIMLICO_TEST_IMAP_PORT}
User ${USER}
Pass ${PASSWORD}
SSLType None
AuthMechs PLAIN

IMAPStore bench-remote
Account bench

MaildirStore bench-local
Path ${maildir}/
Inbox ${maildir}/INBOX
SubFolders Verbatim

Channel bench
Far :bench-remote:
Near :bench-local:
Patterns *
Create Near
Sync Pull
SyncState *
`,
  );
  return file;
}

// mbsync's timings from /usr/bin/time have 10 ms resolution; Pimlico's are measured in process.
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

async function runSize(count) {
  console.log(`\n== ${count.toLocaleString('en')} messages`);
  sh('ctl.sh', [STATE_DIR, 'reset-user', USER]);
  const seeded = seed(count);
  console.log(`seeded ${seeded.status} (${(seeded.bytes / 2 ** 20).toFixed(0)} MB of mail)`);
  await warmUp();
  const work = mkdtempSync(join(tmpdir(), 'pimlico-bench-'));
  const dataDir = join(work, 'pimlico');
  mkdirSync(dataDir);
  const mbDir = join(work, 'mbsync');
  const conf = mbsyncConfig(mbDir);
  try {
    const r = { count, bytes: seeded.bytes };
    // Dovecot's caches are warm for both (warmUp); Pimlico goes first in every phase.
    r.pInit = pimlico(dataDir, 'init');
    console.log(`pimlico initial: ${fmtMs(r.pInit.ms)} (${r.pInit.cached} cached, inbox readable after ${fmtMs(r.pInit.firstInboxBatchMs ?? 0)}), peak ${fmtMb(r.pInit.maxRssKb)}`);
    r.mInit = mbsync(conf);
    console.log(`mbsync  initial: ${fmtMs(r.mInit.ms)}, peak ${fmtMb(r.mInit.maxRssKb)}`);
    console.log(`CPU (user+sys): pimlico ${fmtMs(r.pInit.cpuMs)}, mbsync ${fmtMs(r.mInit.cpuMs)}; load ${loadavg()[0].toFixed(1)}`);
    r.pNoop = pimlico(dataDir, 'resync');
    r.mNoop = mbsync(conf);
    r.floorMs = await serverFloorMs();
    console.log(`no-change resync: pimlico ${fmtMs(r.pNoop.ms)} (${fmtMs(r.pNoop.warmMs)} with the connection open), mbsync ${fmtMs(r.mNoop.ms)}; server floor (connect, login, LIST-STATUS) ${fmtMs(r.floorMs)}`);
    await changeOnServer(1);
    r.pChange = pimlico(dataDir, 'resync');
    r.mChange = mbsync(conf);
    console.log(`after 100 changes: pimlico ${fmtMs(r.pChange.ms)} (${JSON.stringify({ added: r.pChange.result.messagesAdded, updated: r.pChange.result.messagesUpdated, removed: r.pChange.result.messagesRemoved })}), mbsync ${fmtMs(r.mChange.ms)}`);
    r.sqliteBytes = dirSize(dataDir);
    r.maildirBytes = dirSize(join(mbDir, 'mail'));
    return r;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function report(results) {
  const rows = results.map((r) => {
    const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
    return [
      `<!-- bench/sync:size:${r.count} -->`,
      `### ${r.count.toLocaleString('en')} messages (${(r.bytes / 2 ** 20).toFixed(0)} MB; 75% plain text, 20% HTML, 5% with a 50-300 kB attachment)`,
      '',
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; machine load (1/5/15 min) at its end: ${loadavg().map((l) => l.toFixed(1)).join(' / ')}.`,
      '',
      '| phase | Pimlico | mbsync | Pimlico / mbsync |',
      '| --- | --- | --- | --- |',
      `| initial sync | ${fmtMs(r.pInit.ms)} (${Math.round(r.count / (r.pInit.ms / 1000))} msg/s) | ${fmtMs(r.mInit.ms)} (${Math.round(r.count / (r.mInit.ms / 1000))} msg/s) | ${ratio(r.pInit.ms, r.mInit.ms)} |`,
      `| no-change resync | ${fmtMs(r.pNoop.ms)} | ${fmtMs(r.mNoop.ms)} | ${ratio(r.pNoop.ms, r.mNoop.ms)} |`,
      ...(r.floorMs !== undefined ? [`| of which the server's floor: connect, login, LIST-STATUS by a bare client | ${fmtMs(r.floorMs)} | | |`] : []),
      ...(r.pNoop.warmMs != null ? [`| no-change resync in the running app (its IMAP connection already open) | ${fmtMs(r.pNoop.warmMs)} | | |`] : []),
      `| resync after 100 changes | ${fmtMs(r.pChange.ms)} | ${fmtMs(r.mChange.ms)} | ${ratio(r.pChange.ms, r.mChange.ms)} |`,
      `| CPU time of the initial sync (user + sys) | ${fmtMs(r.pInit.cpuMs)} | ${fmtMs(r.mInit.cpuMs)} | ${ratio(r.pInit.cpuMs, r.mInit.cpuMs)} |`,
      `| peak RSS (initial sync) | ${fmtMb(r.pInit.maxRssKb)} | ${fmtMb(r.mInit.maxRssKb)} | |`,
      '',
      `Pimlico showed the newest inbox page after ${fmtMs(r.pInit.firstInboxBatchMs ?? 0)}. ` +
        `Cache on disk: Pimlico SQLite ${(r.sqliteBytes / 2 ** 20).toFixed(0)} MB (parsed, indexed for search, attachments > 1 MB fetched on demand), mbsync Maildir ${(r.maildirBytes / 2 ** 20).toFixed(0)} MB (raw).`,
      `<!-- /bench/sync:size:${r.count} -->`,
      '',
    ].join('\n');
  });
  const file = join(ROOT, 'bench/RESULTS.md');
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  // Sizes measured in an earlier run and not in this one keep their figures.
  const measured = new Set(results.map((r) => r.count));
  for (const m of doc.matchAll(/<!-- bench\/sync:size:(\d+) -->[\s\S]*?<!-- \/bench\/sync:size:\1 -->\n?/g)) {
    if (!measured.has(Number(m[1]))) rows.push(`${m[0].trimEnd()}\n`);
  }
  rows.sort((a, b) => Number(/size:(\d+)/.exec(a)[1]) - Number(/size:(\d+)/.exec(b)[1]));
  const section = [
    '<!-- bench/sync:begin -->',
    '## IMAP sync: Pimlico vs mbsync (`node bench/sync/run.mjs`)',
    '',
    `On ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB; Dovecot on loopback, plain IMAP (no TLS) for both tools.`,
    'Pimlico: time of one `sync.syncNow` (connect, login, LIST-STATUS, fetch, MIME parse, SQLite + FTS5 writes) in its own process;',
    'mbsync 1.4.4: wall time of `mbsync -c … bench` (Pull, all folders, default settings incl. FSync yes) to a Maildir, from `/usr/bin/time`. Both sync every folder.',
    'Before timing, every message is read once over IMAP so that Dovecot\'s index and cache are built for both tools alike.',
    'Aims: initial sync ≤ 1.5× mbsync; no-change resync < 300 ms.',
    'Other work shares these cores (see the load figures), so wall times carry that noise.',
    '',
    ...rows,
    'How Pimlico syncs: batches of 200, 400, 800, then 1000 messages; the next batch is fetched while the previous one is parsed and',
    'written; MIME parsing runs on a pool of worker threads (one per core), SQLite writes (one transaction per batch, FTS5 kept',
    'current by its triggers, prepared statements cached) on the main thread.',
    'Where its CPU goes (profile of a 10,000-message sync, `PIMLICO_BENCH_CPU_PROF=DIR node bench/sync/run.mjs`): on each of the two',
    'parse workers about 5 s (postal-mime ~1.4 s, the MIME layer\'s structure scan ~0.8 s of which base64 checking ~0.7 s, snippets',
    '~0.35 s, GC ~0.5 s, handing results back ~0.3 s); on the main thread about 4 s (SQLite inserts with their FTS5 triggers ~2 s,',
    'imapflow ~0.8 s, GC ~0.6 s). Before this (single-threaded, statements prepared per call) the same sync took 48-56 s of CPU and',
    '100 s: a thread lookup by In-Reply-To, which had no index, scanned the whole table for every new message (quadratic); migration 6',
    'indexes it. mbsync parses nothing and writes raw files: little CPU, and its wall',
    'time (fsync-bound) varies from run to run on this shared machine by a factor of 2-4 (5-25 s for the same 10,000 messages), so the',
    'ratio moves with it; compare CPU times for the steadier picture (Pimlico still does ~2-5x mbsync\'s CPU work, on two cores).',
    '',
    'Resyncs: a no-change resync in a fresh process (as mbsync runs) pays connecting, logging in and LIST-STATUS, which a bare',
    'client alone needs ("the server\'s floor" row: Dovecot checks a 100,000-file Maildir); the running app keeps its IMAP',
    'connection open, so its periodic resync is the "running app" row. A folder whose LIST-STATUS (UIDNEXT, HIGHESTMODSEQ, count)',
    'is unchanged is not even selected. After changes, CONDSTORE/QRESYNC fetch only what changed and the cache is read UID by UID;',
    'the whole folder is read (into flat maps) only when the server\'s count says a full UID comparison is needed.',
    '',
    '<!-- bench/sync:end -->',
  ].join('\n');
  if (doc.includes('<!-- bench/sync:begin -->')) doc = doc.replace(/<!-- bench\/sync:begin -->[\s\S]*<!-- bench\/sync:end -->/, section);
  else doc = `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
  console.log(`\nwritten to ${file}`);
}

async function main() {
  console.log(`starting servers in ${STATE_DIR}`);
  sh('install.sh', []);
  if (existsSync(STATE_DIR) && !existsSync(join(STATE_DIR, 'servers.json'))) rmSync(STATE_DIR, { recursive: true, force: true });
  sh('start.sh', [STATE_DIR]);
  const results = [];
  try {
    for (const n of sizes) results.push(await runSize(n));
  } finally {
    sh('stop.sh', [STATE_DIR]);
  }
  report(results);
}

// Runs when invoked as a script (importing it, e.g. to test report(), runs nothing).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
