import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Baton's tests run its sources: `baton/testing` resolves to the module, not to its build in
  // dist/ (which a test of its own imports as a user's project does).
  resolve: {
    alias: { 'baton/testing': fileURLToPath(new URL('./lib/testing/start-baton.ts', import.meta.url)) },
  },
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
