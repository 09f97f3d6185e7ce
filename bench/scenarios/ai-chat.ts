import { BENCH_MODEL, BENCH_PROMPT } from '../upstreams/fast-llm.js';
import type { Scenario } from './types.js';

/** One non-streamed chat completion: a 9-token prompt, a 20-token answer. */
export const scenario: Scenario = {
  name: 'ai-chat',
  description: 'POST /v1/chat/completions (OpenAI format, not streamed) to a mock OpenAI: gateway vs direct vs Portkey',
  method: 'POST',
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: BENCH_PROMPT }] }),
  connections: 50,
  duration: 10,
  ai: { stream: false, tokens: 20 },
};
