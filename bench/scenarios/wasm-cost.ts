import type { Scenario } from './types.js';

/**
 * What a WASM filter costs, measured so it can be quoted (issue 3): wasm-none's request
 * through one gateway with three routes — no filter (`gatehouse`, the baseline, on
 * `/none`), one no-op filter (`gatehouse+noop`, on `/noop`) and the header filter
 * (`gatehouse+headers`, on `/headers`) — measured in the same interleaved rounds.
 * Running wasm-none, wasm-noop and wasm-headers one after another lets machine drift
 * between scenarios (±5-10 % here) pass for filter cost; here each variant's round i is
 * compared with the baseline's round i, minutes apart at most. One process for all three
 * keeps what differs between processes (heap, JIT decisions, code layout: up to 30 %
 * apart on the bench VM) out of the comparison.
 */
export const scenario: Scenario = {
  name: 'wasm-cost',
  description: 'GET /hello through one gatehouse on a route with no filter, one with a no-op WASM filter and one with a header filter, interleaved (filter cost)',
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
