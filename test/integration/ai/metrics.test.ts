/**
 * Usage metrics on the admin /metrics match the mock provider's usage counts exactly,
 * streamed and not (Kong's AI metric names), cost follows the target's prices, and a
 * provider that sends no usage is counted by estimate, flagged as one, never as zero.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyTokens, startMockLlm, wordCount, DEFAULT_REPLY } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig, metricSum } from './ai-config.js';

let mock: MockLlm;
let bare: MockLlm;
let gw: Gateway;

const INPUT_COST = 2; // per 1M prompt tokens
const OUTPUT_COST = 10;

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  bare = await startMockLlm({ provider: 'openai', omitUsage: true });
  const proxy = (url: string, name: string) => ({
    name: 'ai-proxy',
    config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name, options: { upstream_url: url, input_cost: INPUT_COST, output_cost: OUTPUT_COST } } },
  });
  gw = await startGateway(aiConfig([
    { name: 'counted', path: '/counted/v1/chat/completions', plugins: [proxy(mock.url, 'gpt-count')] },
    { name: 'estimated', path: '/estimated/v1/chat/completions', plugins: [proxy(bare.url, 'gpt-bare')] },
  ]), { workers: 2 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
  await bare?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${gw.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

describe('AI usage metrics', () => {
  it('tokens, requests and cost match the mock exactly, streamed and not', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/counted/v1`, maxRetries: 0 });
    const prompts = ['one two three', 'a much longer prompt with quite a few more words in it', 'x'];
    let prompt = 0;
    let completion = 0;
    let calls = 0;
    for (const p of prompts) {
      await client.chat.completions.create({ model: 'gpt-count', messages: [{ role: 'user', content: p }] });
      const s1 = await client.chat.completions.create({ model: 'gpt-count', messages: [{ role: 'user', content: p }], stream: true });
      for await (const _ of s1) { /* drain */ }
      const s2 = await client.chat.completions.create({ model: 'gpt-count', messages: [{ role: 'user', content: p }], stream: true, stream_options: { include_usage: true } });
      for await (const _ of s2) { /* drain */ }
      calls += 3;
      prompt += 3 * wordCount(p);
      completion += 3 * replyTokens(DEFAULT_REPLY).length;
    }
    const text = await scrape();
    const labels = { ai_provider: 'openai', ai_model: 'gpt-count', route: 'counted', workspace: 'default' };
    expect(metricSum(text, 'ai_llm_requests_total', labels)).toBe(calls);
    expect(metricSum(text, 'ai_llm_tokens_total', { ...labels, token_type: 'prompt_tokens' })).toBe(prompt);
    expect(metricSum(text, 'ai_llm_tokens_total', { ...labels, token_type: 'completion_tokens' })).toBe(completion);
    expect(metricSum(text, 'ai_llm_tokens_total', { ...labels, token_type: 'total_tokens' })).toBe(prompt + completion);
    expect(metricSum(text, 'gatehouse_ai_estimated_tokens_total', labels)).toBe(0);
    expect(metricSum(text, 'ai_llm_cost_total', labels)).toBeCloseTo((prompt * INPUT_COST + completion * OUTPUT_COST) / 1_000_000, 12);
    expect(metricSum(text, 'ai_llm_provider_latency_ms_count', labels)).toBe(calls);
    expect(metricSum(text, 'gatehouse_ai_time_to_first_token_ms_count', labels)).toBe(calls);
    // Every call produced completion tokens: each has a tokens-per-second sample, all positive.
    expect(metricSum(text, 'gatehouse_ai_tokens_per_second_count', labels)).toBe(calls);
    expect(metricSum(text, 'gatehouse_ai_tokens_per_second_sum', labels)).toBeGreaterThan(0);
    expect(metricSum(text, 'gatehouse_ai_tokens_per_second_bucket', { ...labels, le: '+Inf' })).toBe(calls);
  });

  it('no usage from the provider: an estimate, flagged, never zero', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/estimated/v1`, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'gpt-bare', messages: [{ role: 'user', content: 'count me by estimate please' }] });
    expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    const s = await client.chat.completions.create({ model: 'gpt-bare', messages: [{ role: 'user', content: 'and me too' }], stream: true });
    for await (const _ of s) { /* drain */ }
    const text = await scrape();
    const labels = { ai_model: 'gpt-bare', route: 'estimated' };
    const prompt = metricSum(text, 'ai_llm_tokens_total', { ...labels, token_type: 'prompt_tokens' });
    const completion = metricSum(text, 'ai_llm_tokens_total', { ...labels, token_type: 'completion_tokens' });
    expect(prompt).toBeGreaterThan(0);
    expect(completion).toBeGreaterThan(0);
    expect(metricSum(text, 'gatehouse_ai_estimated_tokens_total', { ...labels, token_type: 'prompt_tokens' })).toBe(prompt);
    expect(metricSum(text, 'gatehouse_ai_estimated_tokens_total', { ...labels, token_type: 'completion_tokens' })).toBe(completion);
  });
});
