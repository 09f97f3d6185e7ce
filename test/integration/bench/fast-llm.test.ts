/**
 * The bench's fast mock LLM speaks the OpenAI wire format the official client accepts:
 * a plain completion with usage, a stream of one chunk per token (usage only when asked),
 * and the probe path that waits before its first frame.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_MODEL, BENCH_PROMPT, type FastLlm, benchReply, startFastLlm } from '../../../bench/upstreams/fast-llm.js';
import { wordCount } from '../../../bench/upstreams/mock-llm.js';

let server: FastLlm;
let client: OpenAI;
let probe: OpenAI;

const messages = [{ role: 'user' as const, content: BENCH_PROMPT }];

beforeAll(async () => {
  server = await startFastLlm({ tokens: 6, probeTtftMs: 30, probeTokenDelayMs: 1 });
  client = new OpenAI({ apiKey: 'x', baseURL: `http://127.0.0.1:${server.port}/v1`, maxRetries: 0 });
  probe = new OpenAI({ apiKey: 'x', baseURL: `http://127.0.0.1:${server.port}/ttft/v1`, maxRetries: 0 });
});

afterAll(() => server.close());

describe('fast mock LLM', () => {
  it('answers a plain completion with the reply and its usage', async () => {
    const res = await client.chat.completions.create({ model: BENCH_MODEL, messages });
    expect(res.choices[0]?.message.content).toBe(benchReply(6));
    expect(res.usage).toMatchObject({ prompt_tokens: wordCount(BENCH_PROMPT), completion_tokens: 6 });
  });

  it('streams one chunk per token, with a usage chunk only when asked', async () => {
    for (const includeUsage of [false, true]) {
      const stream = await client.chat.completions.create({ model: BENCH_MODEL, messages, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
      let text = '';
      let tokenChunks = 0;
      let usage: unknown = null;
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content ?? '';
        if (piece !== '') tokenChunks++;
        text += piece;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(benchReply(6));
      expect(tokenChunks).toBe(6);
      if (includeUsage) expect(usage).toMatchObject({ completion_tokens: 6 });
      else expect(usage).toBeNull();
    }
  });

  it('the probe path streams the same answer, paced', async () => {
    const stream = await probe.chat.completions.create({ model: BENCH_MODEL, messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(benchReply(6));
  });

  it('answers other paths 404 in the OpenAI error shape', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: expect.any(String) } });
  });
});
