import type { Scenario } from './types.js';

export const scenario: Scenario = {
  name: 'post-1k',
  description: 'POST /echo with a 1 KiB JSON body streamed back: request and response bodies',
  method: 'POST',
  path: '/echo',
  headers: { 'content-type': 'application/json' },
  // 1024 bytes exactly: {"data":"xxx…"} with 1013 x's.
  body: `{"data":"${'x'.repeat(1024 - 11)}"}`,
  connections: 50,
  duration: 10,
};
