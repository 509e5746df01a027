// Layering is enforced here, not by goodwill: shared <- core <- shell, and the renderer only sees shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

const nodeBuiltinNames = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'tls', 'child_process', 'url', 'stream', 'events', 'util', 'buffer', 'zlib', 'worker_threads'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'tests/fixtures/**', 'bench/data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    // Resolve extensionless TypeScript imports so the path zones below can see where they point.
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/shared', from: ['./src/main', './src/renderer', './src/preload'], message: 'shared is the contract: it imports nothing from the processes.' },
            { target: './src/main/core', from: './src/main', except: ['./core'], message: 'core must not depend on the Electron shell.' },
            { target: './src/main/core', from: ['./src/renderer', './src/preload'] },
            { target: './src/renderer', from: ['./src/main', './src/preload'], message: 'the renderer talks to the core only through the contract in src/shared.' },
            { target: './src/preload', from: ['./src/main', './src/renderer'] },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron', 'react', 'react-dom', ...nodeBuiltinNames], patterns: ['node:*'] }],
    },
  },
  {
    files: ['src/main/core/**/*.ts', 'src/main/headless/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'core runs in plain Node: never import electron here.' }], patterns: [{ group: ['electron/*'], message: 'core runs in plain Node.' }] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Loading data from the core in an effect is the pattern here; the store update is the point.
      'react-hooks/set-state-in-effect': 'off',
      // TanStack Virtual is known not to be memoisable; the list component accepts that.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': ['error', { paths: ['electron', ...nodeBuiltinNames], patterns: ['node:*'] }],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.{ts,mjs}', 'scripts/**/*.mjs'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
