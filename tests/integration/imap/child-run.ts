// Run in a separate process (through jiti) by robustness.test.ts, which kills it with SIGKILL
// part way: a sync or a send on a real data directory, reporting progress on stdout.
import { join } from 'node:path';
import { Core } from '../../../src/main/core/core';
import { FileKeySecretBox } from '../../../src/main/core/secrets/secret-box';
import { consoleLogger } from '../../../src/main/core/util/log';

const [dataDir, accountId, what] = process.argv.slice(2);
if (!dataDir || !accountId || (what !== 'sync' && what !== 'send')) {
  console.error('usage: child-run.ts DATA_DIR ACCOUNT_ID sync|send');
  process.exit(2);
}
const core = new Core({
  dataDir,
  secretBox: new FileKeySecretBox(join(dataDir, 'secret.key')),
  mode: 'headless',
  version: 'test',
  log: consoleLogger('child', 'error'),
  syncIntervalMs: 0,
});
core.events.on((name, payload) => {
  if (name === 'sync.progress') console.log(`PROGRESS ${JSON.stringify(payload)}`);
  if (name === 'store.changed' && JSON.stringify(payload).includes('outbox')) {
    const sending = core.store.outbox.list().some((e) => e.status === 'sending');
    if (sending) console.log('SENDING');
  }
});
if (what === 'sync') await core.sync.syncNow(accountId);
else await core.outbox.run(accountId);
console.log('DONE');
await core.close();
