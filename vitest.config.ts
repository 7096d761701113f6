import { defineConfig } from 'vitest/config';

// One run for unit tests (beside their file) and end-to-end tests (test/, packages/*/test/).
// End-to-end tests start real daemons and git repositories: generous timeouts, no timing assertions.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'packages/*/test/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2-core machines: end-to-end files spawn daemons; keep the fan-out modest.
    maxWorkers: 2,
  },
});
