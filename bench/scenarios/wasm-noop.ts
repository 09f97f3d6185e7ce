import type { Scenario } from './types.js';

/** wasm-none's request through one no-op filter (wasm-plugins/noop): the host's fixed cost per request. */
export const scenario: Scenario = {
  name: 'wasm-noop',
  description: 'GET /hello through one no-op WASM filter (every callback empty)',
  method: 'GET',
  path: '/hello',
  headers: { 'x-bench-a': 'alpha' },
  connections: 50,
  duration: 10,
  filters: [{ name: 'noop' }],
};
