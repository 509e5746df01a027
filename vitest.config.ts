import { defineConfig } from 'vitest/config';

// Two projects: unit (pure code, real SQLite files, the Graph emulator) and integration (real
// Dovecot/Postfix/Radicale started once per run, and headless mode driven in Debian's Chromium).
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/graph/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/servers/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/servers-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
          // One set of real servers is shared: files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
