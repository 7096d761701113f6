// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that make code impure: the domain must not touch them (STYLE.md, habit 1). */
const ADAPTER_MODULES = ['ws', 'lowdb', 'lowdb/*', 'chokidar', 'simple-git', 'yaml', 'node:*', 'fs', 'child_process', 'net', 'http', 'os', 'path'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test-results/**', 'coverage/**', '**/.axum/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Named exports only (STYLE.md, habit 9).' }],
    },
  },
  {
    // The domain is pure: no I/O, no clock, nothing from engine/ or adapters/.
    files: ['packages/daemon/src/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ADAPTER_MODULES, message: 'daemon/src/domain is pure: I/O belongs in adapters/ (ARCHITECTURE.md).' },
            { group: ['**/engine/**', '**/adapters/**', '../engine/*', '../adapters/*'], message: 'Dependencies point inward: domain imports nothing from engine/ or adapters/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Date', message: 'No clock in the domain: pass time in.' }, { name: 'process', message: 'No process in the domain.' }],
    },
  },
  {
    // The engine coordinates through ports; technology lives in adapters/.
    files: ['packages/daemon/src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['ws', 'lowdb', 'lowdb/*', 'chokidar', 'simple-git', 'node:child_process', 'node:fs', 'node:fs/*', 'node:net', 'node:http'], message: 'The engine talks to the world through engine/ports.ts; technology lives in adapters/.' },
            { group: ['**/adapters/**', '../adapters/*'], message: 'The engine depends on ports, not on adapters (main.ts wires them).' },
          ],
        },
      ],
    },
  },
  {
    // The TUI and the daemon meet only in the protocol.
    files: ['packages/tui/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@axum/daemon', '@axum/daemon/*', '**/daemon/src/**', '**/daemon/dist/**'], message: 'The TUI meets the daemon only through @axum/protocol (it may only resolve the daemon entry path to spawn it).' },
          ],
        },
      ],
    },
  },
);
