import type { Scenario } from './types.js';

/**
 * What a WASM filter costs, measured so it can be quoted (issue 3): wasm-none's request
 * through three gateways up at once — no filter (`gatehouse`, the baseline), one no-op
 * filter (`gatehouse+noop`) and the header filter (`gatehouse+headers`) — measured in the
 * same interleaved rounds. Running wasm-none, wasm-noop and wasm-headers one after another
 * lets machine drift between scenarios (±5-10 % here) pass for filter cost; here each
 * variant's round i is compared with the baseline's round i, minutes apart at most.
 */
export const scenario: Scenario = {
  name: 'wasm-cost',
  description: 'GET /hello through gatehouse with no filter, a no-op WASM filter and a header filter, interleaved (filter cost)',
  method: 'GET',
  path: '/hello',
  headers: { 'x-bench-a': 'alpha' },
  connections: 50,
  duration: 10,
  variants: [
    { name: 'noop', filters: [{ name: 'noop' }], maxCostPct: 3 },
    { name: 'headers', filters: [{ name: 'noop', config: { touch_headers: true } }], maxCostPct: 10 },
  ],
};
