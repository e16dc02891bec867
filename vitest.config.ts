import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Handlers log rejected requests at WARN (the runtime passes its level on to them); tests assert
    // on the facts instead.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  },
});
