import { defineConfig } from 'vitest/config';

// Integration suites start real gateways (worker threads) and upstreams on loopback;
// the CI machine has 2 cores, so files run at most two at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'wasm-plugins/**/test/*.test.ts', 'sdk/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
