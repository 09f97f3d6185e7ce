/**
 * route_type llm/v1/completions through a real gateway with the official openai client:
 * forwarded as is to the mock OpenAI's /v1/completions, and translated to a chat call for
 * the mock Anthropic and rendered back as a text_completion; plain and streamed; usage and
 * AI metrics match the mock's deterministic counts.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, replyTokens, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig, metricSum } from './ai-config.js';

let openai: MockLlm;
let anthropic: MockLlm;
let gw: Gateway;
const REPLY_TOKENS = replyTokens(DEFAULT_REPLY).length;

const proxy = (provider: string, url: string, name: string) => ({
  name: 'ai-proxy',
  config: { route_type: 'llm/v1/completions', model: { provider, name, options: { upstream_url: url } }, auth: { header_name: 'x-api-key', header_value: 'gw-key' } },
});

beforeAll(async () => {
  openai = await startMockLlm({ provider: 'openai' });
  anthropic = await startMockLlm({ provider: 'anthropic' });
  gw = await startGateway(aiConfig([
    { name: 'comp-openai', path: '/comp-openai/v1/completions', plugins: [proxy('openai', openai.url, 'gpt-instruct')] },
    { name: 'comp-anthropic', path: '/comp-anthropic/v1/completions', plugins: [proxy('anthropic', anthropic.url, 'claude-mock')] },
  ]), { workers: 2 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await openai?.close();
  await anthropic?.close();
});

function client(prefix: string): OpenAI {
  return new OpenAI({ apiKey: 'client-key', baseURL: `${gw.url}/${prefix}/v1`, maxRetries: 0 });
}

describe('llm/v1/completions served by the mock OpenAI (forwarded to /v1/completions)', () => {
  it('plain: a text_completion with the mock usage; the upstream got a completions body', async () => {
    const prompt = 'Write a haiku about gateways';
    const res = await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt, max_tokens: 20, suffix: '!' });
    expect(res.object).toBe('text_completion');
    expect(res.choices[0]?.text).toBe(DEFAULT_REPLY);
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: wordCount(prompt), completion_tokens: REPLY_TOKENS, total_tokens: wordCount(prompt) + REPLY_TOKENS });
    const sent = openai.requests[openai.requests.length - 1];
    expect(sent?.path).toBe('/v1/completions');
    expect(sent?.body).toMatchObject({ model: 'gpt-instruct', prompt, max_tokens: 20, suffix: '!' });
    expect(sent?.headers['x-api-key']).toBe('gw-key');
    expect(sent?.headers['authorization']).toBeUndefined();
  });

  it('streamed chunk by chunk, usage only when asked for', async () => {
    const prompt = 'stream me please';
    const stream = await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt, stream: true });
    const texts: string[] = [];
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices[0];
      if (c === undefined) continue;
      if (c.text !== '') texts.push(c.text);
      if (c.finish_reason !== null) finish = c.finish_reason;
    }
    expect(texts).toEqual(replyTokens(DEFAULT_REPLY));
    expect(finish).toBe('stop');
    expect(usage).toBeNull();
    // The gateway asked the upstream for usage anyway (to count it).
    expect(openai.requests[openai.requests.length - 1]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const withUsage = await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt, stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(DEFAULT_REPLY);
    expect(usage).toEqual({ prompt_tokens: wordCount(prompt), completion_tokens: REPLY_TOKENS, total_tokens: wordCount(prompt) + REPLY_TOKENS });
  });

  it('a prompt array of one string is that prompt; several prompts are refused with a 400 in OpenAI shape', async () => {
    const res = await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt: ['only one'] });
    expect(res.choices[0]?.text).toBe(DEFAULT_REPLY);
    const err = await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt: ['one', 'two'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('more than one prompt');
  });
});

describe('llm/v1/completions served by the mock Anthropic (translated to Messages)', () => {
  it('plain: the prompt is one user message; the answer comes back as a text_completion', async () => {
    const prompt = 'Complete this sentence for me';
    const res = await client('comp-anthropic').completions.create({ model: 'claude-mock', prompt, max_tokens: 50, suffix: 'dropped' });
    expect(res.object).toBe('text_completion');
    expect(res.choices[0]?.text).toBe(DEFAULT_REPLY);
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: wordCount(prompt), completion_tokens: REPLY_TOKENS, total_tokens: wordCount(prompt) + REPLY_TOKENS });
    const sent = anthropic.requests[anthropic.requests.length - 1];
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.body).toMatchObject({ model: 'claude-mock', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] });
    expect(sent?.body).not.toHaveProperty('suffix');
    expect(sent?.body).not.toHaveProperty('prompt');
  });

  it('streamed: Anthropic events become text_completion chunks, usage at the end when asked', async () => {
    const prompt = 'stream from claude';
    const stream = await client('comp-anthropic').completions.create({ model: 'claude-mock', prompt, stream: true, stream_options: { include_usage: true } });
    const texts: string[] = [];
    let usage: unknown = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      if (chunk.usage) usage = chunk.usage;
      const t = chunk.choices[0]?.text ?? '';
      if (t !== '') texts.push(t);
    }
    expect(texts).toEqual(replyTokens(DEFAULT_REPLY));
    expect(usage).toEqual({ prompt_tokens: wordCount(prompt), completion_tokens: REPLY_TOKENS, total_tokens: wordCount(prompt) + REPLY_TOKENS });
  });
});

describe('completions metrics', () => {
  it('tokens and requests on the admin /metrics match the mock usage (both providers)', async () => {
    const before = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    const prompts = ['one two three', 'four five'];
    let prompt = 0;
    for (const p of prompts) {
      await client('comp-openai').completions.create({ model: 'gpt-instruct', prompt: p });
      const s = await client('comp-anthropic').completions.create({ model: 'claude-mock', prompt: p, stream: true });
      for await (const _ of s) { /* drain */ }
      prompt += wordCount(p);
    }
    const after = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    const delta = (labels: Record<string, string>, name = 'ai_llm_tokens_total') => metricSum(after, name, labels) - metricSum(before, name, labels);
    for (const [route, provider, model] of [['comp-openai', 'openai', 'gpt-instruct'], ['comp-anthropic', 'anthropic', 'claude-mock']] as const) {
      const labels = { ai_provider: provider, ai_model: model, route };
      expect(delta(labels, 'ai_llm_requests_total')).toBe(prompts.length);
      expect(delta({ ...labels, token_type: 'prompt_tokens' })).toBe(prompt);
      expect(delta({ ...labels, token_type: 'completion_tokens' })).toBe(prompts.length * REPLY_TOKENS);
      expect(delta(labels, 'gatehouse_ai_estimated_tokens_total')).toBe(0);
    }
  });
});
