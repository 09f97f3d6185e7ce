import type { Scenario } from './types.js';

/**
 * The baseline of the WASM trio: the same request as wasm-noop and wasm-headers (with
 * their `x-bench-a` header), through a route without filters. Compare the gatehouse rps of
 * the three to read what a filter costs.
 */
export const scenario: Scenario = {
  name: 'wasm-none',
  description: 'GET /hello through a route without WASM filters (baseline for wasm-noop and wasm-headers)',
  method: 'GET',
  path: '/hello',
  headers: { 'x-bench-a': 'alpha' },
  connections: 50,
  duration: 10,
};
