import type { Scenario } from './types.js';

/**
 * What Kong plugins cost on the hot path (issue 11): small-get's request through one
 * gateway with two routes — no plugins (`gatehouse`, the baseline, on `/none`) and
 * key-auth + cors + request-transformer (`gatehouse+plugins`, on `/plugins`) — measured
 * in the same interleaved rounds, as wasm-cost does for filters. The request carries the
 * API key and an Origin, so key-auth looks the key up, cors adds its response headers and
 * request-transformer adds a header upstream: every plugin does its work. Kong's own
 * published drop for key-auth + rate-limiting is ~24%; the goal here is at most 12%.
 */
export const scenario: Scenario = {
  name: 'plugin-cost',
  description: 'GET /hello through one gatehouse on a route without plugins and one with key-auth + cors + request-transformer, interleaved (plugin cost)',
  method: 'GET',
  path: '/hello',
  headers: { apikey: 'bench-key', origin: 'https://app.example.com' },
  connections: 50,
  duration: 10,
  consumers: [{ username: 'bench', keyauth_credentials: [{ key: 'bench-key' }] }],
  variants: [
    {
      name: 'plugins',
      plugins: [
        { name: 'key-auth' },
        { name: 'cors', config: { origins: ['https://app.example.com'] } },
        { name: 'request-transformer', config: { add: { headers: ['x-bench:1'] } } },
      ],
      maxCostPct: 12,
    },
  ],
};
