import { BENCH_MODEL, BENCH_PROMPT } from '../upstreams/fast-llm.js';
import type { Scenario } from './types.js';

/**
 * The same chat completion streamed (SSE, 20 token chunks, no mock delays for the load
 * passes), then the time-to-first-token probe against the mock's delayed path.
 */
export const scenario: Scenario = {
  name: 'ai-chat-stream',
  description: 'POST /v1/chat/completions with stream: true (20 SSE token chunks) to a mock OpenAI, plus a TTFT probe',
  method: 'POST',
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: BENCH_PROMPT }], stream: true }),
  connections: 50,
  duration: 10,
  ai: { stream: true, tokens: 20 },
};
