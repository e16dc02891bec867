import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // In-process handlers log rejected requests at WARN; tests assert on the facts instead.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  },
});
