import type { Scenario } from './types.js';

export const scenario: Scenario = {
  name: 'response-1m',
  description: 'GET /bytes/1048576: a 1 MiB fixed-length response, proxy streaming throughput',
  method: 'GET',
  path: '/bytes/1048576',
  connections: 16,
  duration: 10,
};
