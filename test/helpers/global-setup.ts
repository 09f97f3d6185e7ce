import { existsSync } from 'node:fs';

/**
 * Runs once before the suite. `npm test` builds first (pretest); integration suites
 * spawn the compiled CLI from dist/, so a missing build is a clear failure here.
 */
export default function setup(): void {
  if (!existsSync(new URL('../../dist/tools/cli/index.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
  }
}
