import type { Scenario } from './types.js';

export const scenario: Scenario = {
  name: 'small-get',
  description: 'GET /hello: 13-byte text response, the per-request overhead of the proxy',
  method: 'GET',
  path: '/hello',
  connections: 50,
  duration: 10,
};
