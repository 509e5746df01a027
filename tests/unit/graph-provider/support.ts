import type { Core } from '../../../src/main/core/core';
import type { GraphProvider } from '../../../src/main/core/providers/graph';
import { startGraphEmulator, type GraphEmulator } from '../../graph/emulator';
import { createTestCore } from '../../support/core';

export const ALICE = 'alice@contoso.test';
export const ALICE_TOKEN = 'token-alice';
export const BOB = 'bob@contoso.test';

export interface GraphFixture {
  emu: GraphEmulator;
  core: Core;
  accountId: string;
  provider(): GraphProvider;
  close(): Promise<void>;
}

/** A real Core on a temp SQLite file with a 'graph' account against a fresh emulator. */
export async function graphFixture(opts: { command?: string; latencyMs?: number; now?: () => number } = {}): Promise<GraphFixture> {
  const emu = await startGraphEmulator({ latencyMs: opts.latencyMs ?? 0 });
  emu.addUser(ALICE, ALICE_TOKEN, { displayName: 'Alice' });
  emu.addUser(BOB, 'token-bob', { displayName: 'Bob' });
  const core = createTestCore(opts.now ? { now: opts.now } : {});
  const { id } = core.accounts.create({
    kind: 'graph',
    displayName: 'Alice (Outlook)',
    email: ALICE,
    graphBaseUrl: emu.baseUrl,
    auth: { type: 'tokenCommand', command: opts.command ?? `printf ${ALICE_TOKEN}` },
  });
  return {
    emu,
    core,
    accountId: id,
    provider: () => core.provider(id) as GraphProvider,
    close: async () => {
      await core.close();
      await emu.close();
    },
  };
}

export function folderId(core: Core, accountId: string, role: string): string {
  const f = core.store.mail.listFolders(accountId).find((x) => x.role === role);
  if (!f) throw new Error(`no ${role} folder`);
  return f.id;
}

export function subjects(core: Core, folder: string): string[] {
  return core.store.mail
    .list({ folderId: folder, offset: 0, limit: 1000 })
    .items.map((m) => m.subject)
    .sort();
}
