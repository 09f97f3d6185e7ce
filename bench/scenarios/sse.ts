import type { Scenario } from './types.js';

export const scenario: Scenario = {
  name: 'sse',
  description: 'GET /sse?events=10&interval=0: a text/event-stream of 10 events, chunk-by-chunk streaming',
  method: 'GET',
  path: '/sse?events=10&interval=0',
  connections: 50,
  duration: 10,
};
