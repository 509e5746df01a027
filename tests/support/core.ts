import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, type CoreOptions } from '../../src/main/core/core';
import { FileKeySecretBox } from '../../src/main/core/secrets/secret-box';
import { consoleLogger } from '../../src/main/core/util/log';

export function tempDir(prefix = 'pimlico-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real core on a real SQLite file in a fresh folder, with background sync off. */
export function createTestCore(overrides: Partial<CoreOptions> = {}): Core {
  const dataDir = overrides.dataDir ?? tempDir();
  return new Core({
    dataDir,
    secretBox: new FileKeySecretBox(join(dataDir, 'secret.key')),
    mode: 'headless',
    version: 'test',
    log: consoleLogger('test', 'error'),
    syncIntervalMs: 0,
    ...overrides,
  });
}
