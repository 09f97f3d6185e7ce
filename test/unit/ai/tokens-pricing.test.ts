import { beforeAll, describe, expect, it } from 'vitest';
import { tokensPerSecond } from '../../../core/ai/call-record.js';
import { Pricing, costOf } from '../../../core/ai/pricing.js';
import { UsageTracker, countTokens, encodingForModel, estimatePromptTokens, loadTokenizers, reservationTokens, responseUsage } from '../../../core/ai/tokens.js';
import type { ChatRequest } from '../../../core/ai/types.js';

const req: ChatRequest = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello world, how are you today?' }] }],
  stream: true, streamUsage: false, extra: {}, extraFormat: 'openai', maxTokens: 100,
};

describe('tokens', () => {
  it('falls back to chars/4 before tokenizers load', () => {
    expect(countTokens('abcdefgh', 'claude-3')).toBe(2);
  });

  describe('with tokenizers', () => {
    beforeAll(async () => {
      await loadTokenizers();
    });
    it('counts with the model family encoding', () => {
      expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
      expect(encodingForModel('gpt-3.5-turbo')).toBe('cl100k_base');
      expect(countTokens('hello world', 'gpt-4o')).toBe(2);
      expect(countTokens('hello world', 'gpt-4')).toBe(2);
    });
    it('estimates a prompt with chat framing, and reserves prompt + max_tokens', () => {
      const prompt = estimatePromptTokens(req);
      expect(prompt).toBe(countTokens('Hello world, how are you today?', 'gpt-4o') + 6);
      expect(reservationTokens(req, 4096)).toBe(prompt + 100);
      expect(reservationTokens({ ...req, maxTokens: undefined } as unknown as ChatRequest, 4096)).toBe(prompt + 4096);
    });
  });

  it('stream without usage -> an estimate marked as one, never zero', () => {
    const t = new UsageTracker(req);
    t.push({ type: 'text', text: 'Fine, thanks!' });
    t.push({ type: 'end' });
    const u = t.usage();
    expect(u.estimated).toBe(true);
    expect(u.prompt).toBeGreaterThan(0);
    expect(u.completion).toBeGreaterThan(0);
    expect(u.total).toBe(u.prompt + u.completion);
  });

  it('stream with usage -> the reported numbers, last report wins (no sums)', () => {
    const t = new UsageTracker(req);
    t.push({ type: 'text', text: 'x' });
    t.push({ type: 'usage', usage: { prompt: 1, completion: 1, total: 2, estimated: false }, hidden: false });
    t.push({ type: 'usage', usage: { prompt: 9, completion: 5, total: 14, estimated: false }, hidden: false });
    expect(t.usage()).toEqual({ prompt: 9, completion: 5, total: 14, estimated: false });
  });

  it('non-streamed answer without usage -> estimate', () => {
    const u = responseUsage(req, null, 'ok', []);
    expect(u.estimated).toBe(true);
    expect(u.completion).toBeGreaterThanOrEqual(1);
    expect(responseUsage(req, { prompt: 2, completion: 3, total: 5, estimated: false }, 'ok', [])).toEqual({ prompt: 2, completion: 3, total: 5, estimated: false });
  });
});

describe('pricing', () => {
  const p = new Pricing({
    openai: { 'gpt-4o': { input: 2.5, output: 10 }, 'gpt-4o-mini*': { input: 0.15, output: 0.6 }, 'gpt-4*': { input: 30, output: 60 }, '*': { input: 1, output: 1 } },
  });
  const usage = { prompt: 1_000_000, completion: 500_000, total: 1_500_000, estimated: false };
  it('exact, longest prefix, provider fallback, none', () => {
    expect(p.priceFor('openai', 'gpt-4o')).toEqual({ input: 2.5, output: 10 });
    expect(p.priceFor('openai', 'gpt-4o-mini-2024')).toEqual({ input: 0.15, output: 0.6 });
    expect(p.priceFor('openai', 'gpt-4-turbo')).toEqual({ input: 30, output: 60 });
    expect(p.priceFor('openai', 'o3')).toEqual({ input: 1, output: 1 });
    expect(p.priceFor('anthropic', 'claude')).toBeNull();
  });
  it('model options override the table; cost per 1M tokens', () => {
    expect(p.cost('openai', 'gpt-4o', usage)).toBeCloseTo(7.5, 10);
    expect(p.cost('openai', 'gpt-4o', usage, { input_cost: 1, output_cost: 2 })).toBeCloseTo(2, 10);
    expect(p.cost('anthropic', 'x', usage)).toBe(0);
    expect(costOf({ prompt: 10, completion: 20, total: 30, estimated: true }, { input: 1e6, output: 1e6 })).toBe(30);
  });
});

describe('tokens per second', () => {
  it('divides completion tokens by the time after the first token when streamed, else by the whole call', () => {
    const usage = { prompt: 5, completion: 100, total: 105, estimated: false };
    expect(tokensPerSecond(usage, 2000, 1000)).toBe(100); // 100 tokens in the last second
    expect(tokensPerSecond(usage, 2000, 2000)).toBe(50); // non-streamed: ttft = latency
    expect(tokensPerSecond(usage, 500, -1)).toBe(200);
    expect(tokensPerSecond({ ...usage, completion: 0 }, 500, 100)).toBe(-1);
    expect(tokensPerSecond(null, 500, 100)).toBe(-1);
  });
});
