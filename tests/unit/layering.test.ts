import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('import layering is enforced by lint', () => {
  it('fails when core imports electron', async () => {
    expect(await ruleIds('src/main/core/sneaky.ts', "import { app } from 'electron';\nexport const x = app;\n")).toContain('no-restricted-imports');
  });

  it('fails when core imports the Electron shell', async () => {
    expect(await ruleIds('src/main/core/sneaky.ts', "import { registerIpc } from '../ipc';\nexport const x = registerIpc;\n")).toContain(
      'import-x/no-restricted-paths',
    );
  });

  it('fails when shared imports Node or a process', async () => {
    expect(await ruleIds('src/shared/sneaky.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('src/shared/sneaky.ts', "import { Core } from '../main/core/core';\nexport const x = Core;\n")).toContain(
      'import-x/no-restricted-paths',
    );
  });

  it('fails when the renderer reaches into main or Node', async () => {
    expect(await ruleIds('src/renderer/sneaky.ts', "import { Store } from '../main/core/store';\nexport const x = Store;\n")).toContain(
      'import-x/no-restricted-paths',
    );
    expect(await ruleIds('src/renderer/sneaky.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).toContain('no-restricted-imports');
  });

  it('allows the permitted directions', async () => {
    expect(await ruleIds('src/main/core/fine.ts', "import { calls } from '../../shared/contract';\nexport const x = calls;\n")).toEqual([]);
    expect(await ruleIds('src/main/fine.ts', "import { Core } from './core/core';\nexport const x = Core;\n")).toEqual([]);
  });
});
