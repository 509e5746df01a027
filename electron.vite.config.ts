import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

/**
 * Small, dependency-free modules the Electron main thread shares with the core worker go in a chunk of
 * their own, so loading them does not pull the core's chunk (better-sqlite3, imapflow...) into the UI thread.
 */
function mainChunks(id: string): string | undefined {
  const path = id.replace(/\\/g, '/');
  if (path.includes('/src/shared/') || path.includes('/src/main/core/util/') || path.endsWith('/src/main/core/config.ts')) return 'common';
  return undefined;
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // index: the Electron composition root; serve: the same core in plain Node (headless mode).
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          serve: resolve(__dirname, 'src/main/headless/serve.ts'),
          // MIME parsing on worker threads during sync (core/mime/pool.ts looks for it next to the bundle).
          'mime-parse-worker': resolve(__dirname, 'src/main/core/mime/parse-worker.ts'),
        },
        output: { manualChunks: mainChunks },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
