import type { Scenario } from './types.js';

/** wasm-none's request through a filter that reads two request headers and sets two (noop with touch_headers). */
export const scenario: Scenario = {
  name: 'wasm-headers',
  description: 'GET /hello through a WASM filter that reads two request headers and sets two',
  method: 'GET',
  path: '/hello',
  headers: { 'x-bench-a': 'alpha' },
  connections: 50,
  duration: 10,
  filters: [{ name: 'noop', config: { touch_headers: true } }],
};
