import type { Scenario } from './types.js';

/**
 * small-get-log with the access log on stdout, the default destination: a pipe the bench
 * runner reads and discards, as a container runtime's log collector would.
 */
export const scenario: Scenario = {
  name: 'small-get-log-stdout',
  description: 'GET /hello through one gatehouse with its access log on (to stdout, a pipe) and off, interleaved (access-log cost)',
  method: 'GET',
  path: '/hello',
  connections: 50,
  duration: 10,
  accessLogTo: 'stdout',
  variants: [{ name: 'log', filters: [], accessLog: true, maxCostPct: 10 }],
};
