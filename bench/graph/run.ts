// Graph provider benchmark (run: `node node_modules/jiti/lib/jiti-cli.mjs bench/graph/run.ts [messages] [latencyMs]`).
// A real core (SQLite file) against the Graph emulator with a per-request latency standing in for
// the network: initial sync, no-change resync, resync after changes, and marking many messages read
// ($batch). Prints the figures and writes them to bench/RESULTS.md (section bench/graph).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Core } from '../../src/main/core/core';
import { FileKeySecretBox } from '../../src/main/core/secrets/secret-box';
import { consoleLogger } from '../../src/main/core/util/log';
import { startGraphEmulator } from '../../tests/graph/emulator';

const ROOT = resolve(import.meta.dirname, '../..');
const MESSAGES = Number(process.argv[2] ?? 2_000);
const LATENCY = Number(process.argv[3] ?? 20);
const USER = 'bench@contoso.test';

async function main(): Promise<void> {
  const emu = await startGraphEmulator({ latencyMs: LATENCY });
  emu.addUser(USER, 'bench-token');
  const folders = ['inbox', emu.addMailFolder(USER, 'Projects').id, emu.addMailFolder(USER, 'Lists').id];
  for (let i = 0; i < MESSAGES; i++) {
    emu.seedMessage(USER, folders[i % 3]!, {
      subject: `Message ${i}`,
      body: i % 5 === 0 ? { contentType: 'html', content: `<p>Hello <b>${i}</b></p>`.repeat(20) } : `Plain text ${i} `.repeat(40),
      receivedDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      attachments: i % 20 === 0 ? [{ name: `file${i}.txt`, content: 'x'.repeat(2000) }] : [],
    });
  }
  for (let i = 0; i < 100; i++) {
    const d = new Date(Date.now() + (i % 60) * 86_400_000).toISOString().slice(0, 10);
    emu.seedEvent(USER, { subject: `Event ${i}`, start: { dateTime: `${d}T10:00:00`, timeZone: 'UTC' }, end: { dateTime: `${d}T11:00:00`, timeZone: 'UTC' } });
    emu.seedContact(USER, { givenName: `Person${i}`, surname: 'Bench', emailAddresses: [{ address: `p${i}@example.com` }] });
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pimlico-bench-graph-'));
  const core = new Core({ dataDir, secretBox: new FileKeySecretBox(join(dataDir, 'secret.key')), mode: 'headless', log: consoleLogger('bench', 'error'), syncIntervalMs: 0 });
  const { id } = core.accounts.create({ kind: 'graph', displayName: 'Bench', email: USER, graphBaseUrl: emu.baseUrl, auth: { type: 'tokenCommand', command: 'printf bench-token' } });

  const timed = async (fn: () => Promise<unknown>) => {
    emu.clearRequests();
    emu.resetStats();
    const t = performance.now();
    const cpu = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(cpu);
    return { ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000, requests: emu.requests.filter((r) => r.via !== 'batch').length, peak: emu.stats.maxConcurrentSeen };
  };
  // Bodies follow the headers (1,000 per cycle): run cycles until every body is there.
  const initial = await timed(() => core.sync.syncNow(id));
  const cached = (core.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const withBody = (core.store.db.prepare("SELECT count(*) AS n FROM messages WHERE body_state = 'complete'").get() as { n: number }).n;
  const complete = await timed(async () => {
    while ((core.store.db.prepare("SELECT count(*) AS n FROM messages WHERE body_state = 'headers-only'").get() as { n: number }).n > 0) await core.sync.syncNow(id);
  });
  const noChange = await timed(() => core.sync.syncNow(id));
  const inbox = emu.getMessages(USER, 'inbox');
  for (let i = 0; i < 50; i++) emu.updateMessage(USER, inbox[i]!.id, { isRead: true });
  for (let i = 0; i < 25; i++) emu.seedMessage(USER, 'inbox', { subject: `New ${i}` });
  const changed = await timed(() => core.sync.syncNow(id));
  const localInbox = core.store.mail.listFolders(id).find((f) => f.role === 'inbox')!;
  const ids = core.store.mail.list({ folderId: localInbox.id, offset: 0, limit: 500 }).items.map((m) => m.id);
  const markRead = await timed(async () => {
    core.mail.setFlags(ids, { read: false });
    await core.tasks.run(id);
  });
  await core.close();
  await emu.close();
  rmSync(dataDir, { recursive: true, force: true });

  const row = (name: string, r: Awaited<ReturnType<typeof timed>>, extra = '') =>
    `| ${name} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.cpuMs)} ms | ${r.requests} | ${r.peak} | ${extra} |`;
  const section = [
    '<!-- bench/graph:begin -->',
    `## Graph provider against the emulator (\`node node_modules/jiti/lib/jiti-cli.mjs bench/graph/run.ts ${MESSAGES} ${LATENCY}\`)`,
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB. ${MESSAGES} messages in 3 folders (5% with an attachment), 100 events, 100 contacts;`,
    `every emulated request holds its mailbox slot for ${LATENCY} ms (a stand-in for the network). Requests counts HTTP requests ($batch envelopes once); peak is the most requests in flight for the mailbox (Graph allows 4).`,
    '',
    '| phase | wall | CPU | requests | peak | |',
    '| --- | --- | --- | --- | --- | --- |',
    row('initial sync', initial, `${cached} messages cached, ${withBody} with their body`),
    row('further cycles until every body is there', complete),
    row('no-change resync', noChange),
    row('resync after 50 read elsewhere + 25 new', changed),
    row(`mark ${ids.length} inbox messages unread ($batch)`, markRead),
    '<!-- bench/graph:end -->',
  ].join('\n');
  console.log(section);
  const file = join(ROOT, 'bench/RESULTS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const re = /<!-- bench\/graph:begin -->[\s\S]*?<!-- bench\/graph:end -->/;
  writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
}

void main();
