/**
 * ai-rate-limiting-advanced, compile and runtime without a server: config checks with
 * paths, which providers a route is limited by, reservation amounts per strategy,
 * identifiers, settlement, penalties and the headers' names.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledAiTarget } from '../../../core/ai/compile-types.js';
import { checkRateLimit } from '../../../core/ai/rate-limit-compile.js';
import { compileRateLimit, DEFAULT_RESERVED_MAX_TOKENS } from '../../../core/ai/rate-limit-route.js';
import { AiRateLimiter } from '../../../core/ai/rate-limit.js';
import type { AiTargetRuntime } from '../../../core/ai/route-runtime.js';
import { estimatePromptTokens } from '../../../core/ai/tokens.js';
import type { ChatRequest } from '../../../core/ai/types.js';
import type { ConfigError } from '../../../core/config/types.js';
import { TokenCounters } from '../../../core/shared/token-counters.js';

const BASE = {
  identifier: 'ip', tokens_count_strategy: 'total_tokens', window_type: 'fixed', strategy: 'local', hide_client_headers: false,
  error_code: 429, error_message: 'AI token rate limit exceeded for provider(s): ', retry_after_jitter_max: 0, disable_penalty: true,
};

function target(provider: string, options: Record<string, unknown> = {}): CompiledAiTarget {
  return { config: { route_type: 'llm/v1/chat', model: { provider, name: 'm', options } } as CompiledAiTarget['config'], weight: 100, logStatistics: false, logPayloads: false, label: `${provider}/m` };
}

function chat(text: string, maxTokens?: number): ChatRequest {
  const req: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text }] }], stream: false, streamUsage: false, extra: {}, extraFormat: 'openai' };
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  return req;
}

const subject = (ip: string, headers: Record<string, string> = {}, path = '/chat') => ({ remoteAddress: ip, path, header: (n: string) => headers[n] });

/** Fake target runtimes: cost = prompt * 2 + completion * 10 per 1M tokens. */
const runtimes = (providers: string[]): AiTargetRuntime[] =>
  providers.map((p) => ({ modelName: 'm', config: target(p), cost: (_m: string, u: { prompt: number; completion: number }) => (u.prompt * 2 + u.completion * 10) / 1_000_000 }) as unknown as AiTargetRuntime);

function limiter(config: Record<string, unknown>, providers = ['openai']): { rl: AiRateLimiter; counters: TokenCounters } {
  const compiled = compileRateLimit('plugin-id', { ...BASE, ...config }, providers.map((p) => target(p)), 'svc-1');
  if (compiled === null) throw new Error('no limits apply');
  const counters = TokenCounters.create({ capacity: 256, maxKeyBytes: 96 });
  return { rl: new AiRateLimiter(compiled, counters, runtimes(providers)), counters };
}

describe('ai-rate-limiting-advanced: config checks', () => {
  it('refuses redis, unpaired limit/window_size, duplicates and missing identifier fields, with paths', () => {
    const errors: ConfigError[] = [];
    checkRateLimit({
      ...BASE, strategy: 'redis', identifier: 'header',
      llm_providers: [{ name: 'openai', limit: [1, 2], window_size: [60] }, { name: 'openai', limit: [1], window_size: [60] }],
    }, 'plugins[3].config', errors);
    expect(errors).toEqual([
      { path: 'plugins[3].config.strategy', message: expect.stringContaining('strategy: redis is not supported; use local') },
      { path: 'plugins[3].config.header_name', message: 'required when identifier is header' },
      { path: 'plugins[3].config.llm_providers[0].window_size', message: 'must have as many entries as limit (2), got 1' },
      { path: 'plugins[3].config.llm_providers[1].name', message: 'provider openai is listed twice' },
    ]);
  });

  it('a route is limited only by the providers its targets use; max_tokens default from the targets', () => {
    const cfg = { ...BASE, llm_providers: [{ name: 'anthropic', limit: [5], window_size: [60] }, { name: 'openai', limit: [10, 100], window_size: [60, 3600] }] };
    expect(compileRateLimit('p', cfg, [target('gemini')], null)).toBeNull();
    const c = compileRateLimit('p', cfg, [target('gemini'), target('openai', { max_tokens: 300 })], null);
    expect(c?.limits).toEqual([{ provider: 'openai', target: 1, limit: 10, window: 60 }, { provider: 'openai', target: 1, limit: 100, window: 3600 }]);
    expect(c?.defaultMaxTokens).toBe(300);
    expect(c?.namespace).toBe('p');
    expect(compileRateLimit('p', cfg, [target('openai')], null)?.defaultMaxTokens).toBe(DEFAULT_RESERVED_MAX_TOKENS);
    expect(compileRateLimit('p', { ...cfg, namespace: 'shared' }, [target('openai')], null)?.namespace).toBe('shared');
    // Cost limits are counted in micro-units.
    expect(compileRateLimit('p', { ...cfg, tokens_count_strategy: 'cost' }, [target('openai')], null)?.limits[0]?.limit).toBe(10_000_000);
  });
});

describe('ai-rate-limiting-advanced: admission and settlement', () => {
  it('reserves estimate + max_tokens, refuses past the limit, and settlement frees the unused part', () => {
    const req = chat('hello there', 100);
    const r = estimatePromptTokens(req) + 100;
    const { rl } = limiter({ llm_providers: [{ name: 'openai', limit: [2 * r + 5], window_size: [60] }] });
    const now = 1_700_000_000_000;
    const a = rl.admit(subject('1.1.1.1'), req, now);
    const b = rl.admit(subject('1.1.1.1'), req, now);
    const c = rl.admit(subject('1.1.1.1'), req, now);
    expect([a.rejected, b.rejected, c.rejected]).toEqual([false, false, true]);
    expect(c.status).toBe(429);
    expect(c.message).toBe('AI token rate limit exceeded for provider(s): openai');
    expect(c.retryAfter).toBe(Math.ceil((60_000 - (now % 60_000)) / 1000) || 1);
    // Another client has its own counter.
    expect(rl.admit(subject('2.2.2.2'), req, now).rejected).toBe(false);
    a.settle('openai', 'm', { prompt: 3, completion: 2, total: 5, estimated: false }, now);
    a.settle('openai', 'm', { prompt: 300, completion: 200, total: 500, estimated: false }, now); // once only
    expect(rl.admit(subject('1.1.1.1'), req, now).rejected).toBe(false);
  });

  it('a failure settles to 0 and a request served by another provider settles to 0 here', () => {
    const req = chat('x', 50);
    const r = estimatePromptTokens(req) + 50;
    const { rl } = limiter({ llm_providers: [{ name: 'openai', limit: [r], window_size: [60] }, { name: 'anthropic', limit: [r], window_size: [60] }] }, ['openai', 'anthropic']);
    const now = 1_700_000_000_000;
    const t = rl.admit(subject('ip'), req, now);
    expect(rl.admit(subject('ip'), req, now).message).toBe('AI token rate limit exceeded for provider(s): openai, anthropic');
    t.settle('anthropic', 'm', { prompt: 1, completion: r, total: r + 1, estimated: false }, now);
    // openai settled to 0; anthropic holds r + 1 > r: only anthropic refuses.
    expect(rl.admit(subject('ip'), req, now).message).toBe('AI token rate limit exceeded for provider(s): anthropic');
    const { rl: rl2 } = limiter({ llm_providers: [{ name: 'openai', limit: [r], window_size: [60] }] });
    rl2.admit(subject('ip'), req, now).settle('openai', 'm', null, now);
    expect(rl2.admit(subject('ip'), req, now).rejected).toBe(false);
  });

  it('strategies count their own part; cost in micro-units of the target price', () => {
    const req = chat('one two three four', 40);
    const p = estimatePromptTokens(req);
    const now = 1_700_000_000_000;
    const prompt = limiter({ tokens_count_strategy: 'prompt_tokens', llm_providers: [{ name: 'openai', limit: [p], window_size: [60] }] }).rl;
    expect(prompt.admit(subject('a'), req, now).rejected).toBe(false);
    expect(prompt.admit(subject('a'), req, now).rejected).toBe(true);
    const completion = limiter({ tokens_count_strategy: 'completion_tokens', llm_providers: [{ name: 'openai', limit: [80], window_size: [60] }] }).rl;
    expect(completion.admit(subject('a'), req, now).rejected).toBe(false);
    expect(completion.admit(subject('a'), req, now).rejected).toBe(false);
    expect(completion.admit(subject('a'), req, now).rejected).toBe(true);
    // cost: (p * 2 + 40 * 10) micro-units reserved against a limit in currency units;
    // settled to 2 micro-units, the first frees just enough for a third.
    const micro = p * 2 + 400;
    const cost = limiter({ tokens_count_strategy: 'cost', llm_providers: [{ name: 'openai', limit: [(2 * micro + 2) / 1_000_000], window_size: [60] }] }).rl;
    const first = cost.admit(subject('a'), req, now);
    expect(cost.admit(subject('a'), req, now).rejected).toBe(false);
    expect(cost.admit(subject('a'), req, now).rejected).toBe(true);
    first.settle('openai', 'm', { prompt: 1, completion: 0, total: 1, estimated: false }, now);
    expect(cost.admit(subject('a'), req, now).rejected).toBe(false);
  });

  it('identifiers: header (IP when absent), path (IP elsewhere), service, consumer falls back to IP', () => {
    const req = chat('x', 10);
    const r = estimatePromptTokens(req) + 10;
    const now = 1_700_000_000_000;
    const llm = [{ name: 'openai', limit: [r], window_size: [60] }];
    const byHeader = limiter({ identifier: 'header', header_name: 'X-Team', llm_providers: llm }).rl;
    expect(byHeader.admit(subject('ip1', { 'x-team': 'red' }), req, now).rejected).toBe(false);
    expect(byHeader.admit(subject('ip2', { 'x-team': 'red' }), req, now).rejected).toBe(true);
    expect(byHeader.admit(subject('ip1', { 'x-team': 'blue' }), req, now).rejected).toBe(false);
    expect(byHeader.admit(subject('ip3'), req, now).rejected).toBe(false);
    expect(byHeader.admit(subject('ip3'), req, now).rejected).toBe(true);
    const byService = limiter({ identifier: 'service', llm_providers: llm }).rl;
    expect(byService.admit(subject('ip1'), req, now).rejected).toBe(false);
    expect(byService.admit(subject('ip2'), req, now).rejected).toBe(true);
    const byConsumer = limiter({ identifier: 'consumer', llm_providers: llm }).rl;
    expect(byConsumer.admit(subject('ip1'), req, now).rejected).toBe(false);
    expect(byConsumer.admit(subject('ip2'), req, now).rejected).toBe(false);
    const byPath = limiter({ identifier: 'path', path: '/chat', llm_providers: llm }).rl;
    expect(byPath.admit(subject('ip1'), req, now).rejected).toBe(false);
    expect(byPath.admit(subject('ip2'), req, now).rejected).toBe(true);
    expect(byPath.admit(subject('ip2', {}, '/other'), req, now).rejected).toBe(false);
  });

  it('without disable_penalty a refused request still counts its prompt', () => {
    const req = chat('x', 10);
    const p = estimatePromptTokens(req);
    const r = p + 10;
    const now = 1_700_000_000_000;
    const { rl } = limiter({ disable_penalty: false, llm_providers: [{ name: 'openai', limit: [r + p], window_size: [60] }] });
    expect(rl.admit(subject('a'), req, now).rejected).toBe(false);
    const refused = rl.admit(subject('a'), req, now);
    expect(refused.rejected).toBe(true);
    // used is now r + p (the penalty): a request of just p tokens no longer fits either.
    expect(rl.admit(subject('a'), chat('x', 0), now).rejected).toBe(true);
  });

  it('client headers: Kong names per window and provider; Retry-After only when refused; hidden on request', () => {
    const req = chat('x', 10);
    const r = estimatePromptTokens(req) + 10;
    const now = 1_700_000_000_000;
    const written = (hide: boolean, count: number): Record<string, string> => {
      const { rl } = limiter({ hide_client_headers: hide, llm_providers: [{ name: 'openai', limit: [r, 10 * r], window_size: [60, 7] }] });
      let out: Record<string, string> = {};
      for (let i = 0; i < count; i++) {
        out = {};
        const t = rl.admit(subject('a'), req, now);
        const list: string[] = [];
        t.addHeaders(list);
        for (let j = 0; j < list.length; j += 2) out[list[j] as string] = list[j + 1] as string;
      }
      return out;
    };
    const ok = written(false, 1);
    expect(ok).toMatchObject({ 'x-ai-ratelimit-limit-minute-openai': String(r), 'x-ai-ratelimit-remaining-minute-openai': '0', 'x-ai-ratelimit-limit-7-openai': String(10 * r), 'x-ai-ratelimit-remaining-7-openai': String(9 * r) });
    expect(ok['retry-after']).toBeUndefined();
    const refused = written(false, 2);
    expect(Number(refused['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused['x-ai-ratelimit-remaining-minute-openai']).toBe('0');
    const hidden = written(true, 2);
    expect(Object.keys(hidden).sort()).toEqual(['retry-after', 'x-ai-ratelimit-reset', 'x-ai-ratelimit-retry-after']);
  });
});
