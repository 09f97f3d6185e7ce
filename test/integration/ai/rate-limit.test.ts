/**
 * ai-rate-limiting-advanced through a real gateway with 2 workers and the mock provider:
 * limits hold exactly across workers, reservations (prompt estimate + max_tokens) are
 * settled to the real usage (non-streamed, at the stream end, on a client abort), 429s in
 * the client's wire format with Kong's headers, fixed vs sliding windows, config errors.
 *
 * The arithmetic: a prompt of one message "a" is estimated at 7 tokens (3 reply priming
 * + 3 message framing + 1 token of text, whatever tokenizer is loaded), the mock counts it
 * as 1 prompt token and answers REPLY (10 words = 10 completion tokens): 11 tokens used.
 * With max_tokens 4 the reservation is 7 + 4 = 11 too, so the number of requests a limit
 * admits does not depend on the order of admissions and settlements: floor(limit / 11).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startMockLlm } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { runCli, startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/wait.js';
import { aiConfig, type AiRouteSpec } from './ai-config.js';

const REPLY = 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10';
const USED = 11; // 1 prompt + 10 completion tokens, as the mock counts them
const ESTIMATE = 7;
/** Windows of a day: a test that needs one window never straddles two (fixed windows align to UTC midnight). */
const DAY = 86_400;

let fast: MockLlm;
let slow: MockLlm;
let gw: Gateway;

function proxy(url: string, llmFormat: 'openai' | 'anthropic' = 'openai'): { name: string; config: Record<string, unknown> } {
  return { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', llm_format: llmFormat, model: { provider: 'openai', name: 'gpt-rl', options: { upstream_url: url } } } };
}

function limit(limits: number[], windows: number[], extra: Record<string, unknown> = {}): { name: string; config: Record<string, unknown> } {
  return { name: 'ai-rate-limiting-advanced', config: { identifier: 'ip', window_type: 'fixed', disable_penalty: true, llm_providers: [{ name: 'openai', limit: limits, window_size: windows }], ...extra } };
}

beforeAll(async () => {
  fast = await startMockLlm({ provider: 'openai', reply: REPLY });
  slow = await startMockLlm({ provider: 'openai', reply: REPLY, tokenDelayMs: 60 });
  gw = await startGateway(aiConfig(routes()), { workers: 2 });
}, 30_000);

function routes(): AiRouteSpec[] {
  const shared = { namespace: 'exact' };
  return [
    // Two routes, one namespace: one set of counters (one fast, one streaming slowly).
    { name: 'exact-a', path: '/exact-a/v1/chat/completions', plugins: [proxy(fast.url), limit([100], [DAY], shared)] },
    { name: 'exact-b', path: '/exact-b/v1/chat/completions', plugins: [proxy(slow.url), limit([100], [DAY], shared)] },
    { name: 'settle', path: '/settle/v1/chat/completions', plugins: [proxy(slow.url), limit([1100], [DAY])] },
    { name: 'tiny', path: '/tiny/v1/chat/completions', plugins: [proxy(fast.url), limit([5], [DAY])] },
    { name: 'tiny-anthropic', path: '/tiny-anthropic/v1/messages', plugins: [proxy(fast.url, 'anthropic'), limit([5], [DAY], { error_message: 'token budget spent: ' })] },
    { name: 'hidden', path: '/hidden/v1/chat/completions', plugins: [proxy(fast.url), limit([5], [DAY], { hide_client_headers: true, retry_after_jitter_max: 5 })] },
    { name: 'penalty', path: '/penalty/v1/chat/completions', plugins: [proxy(fast.url), limit([USED + ESTIMATE], [DAY], { disable_penalty: false })] },
    { name: 'by-header', path: '/by-header/v1/chat/completions', plugins: [proxy(fast.url), limit([USED], [DAY], { identifier: 'header', header_name: 'x-team' })] },
    { name: 'fixed', path: '/fixed/v1/chat/completions', plugins: [proxy(fast.url), limit([2 * USED], [1])] },
    { name: 'sliding', path: '/sliding/v1/chat/completions', plugins: [proxy(fast.url), limit([2 * USED], [2], { window_type: 'sliding' })] },
  ];
}

afterAll(async () => {
  await gw?.stop();
  await fast?.close();
  await slow?.close();
});

function chatBody(maxTokens: number, stream = false): string {
  return JSON.stringify({ model: 'gpt-rl', max_tokens: maxTokens, stream, messages: [{ role: 'user', content: 'a' }] });
}

function post(route: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body };
  if (signal !== undefined) init.signal = signal;
  return fetch(`${gw.url}/${route}/v1/chat/completions`, init);
}

/** Status of one request, body read to the end (streamed or not). */
async function status(route: string, maxTokens: number, stream = false, headers: Record<string, string> = {}): Promise<number> {
  const res = await post(route, chatBody(maxTokens, stream), headers);
  await res.text();
  return res.status;
}

/** The stream's first chunk has arrived: the request is admitted and still in flight. */
async function openStream(route: string, maxTokens: number, signal?: AbortSignal): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = await post(route, chatBody(maxTokens, true), {}, signal);
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  return reader;
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  for (;;) if ((await reader.read()).done) return;
}

describe('ai-rate-limiting-advanced: one limit across 2 workers', () => {
  it('concurrent requests (half streamed, overlapping) never pass the limit: exactly floor(100 / 11) = 9 succeed', async () => {
    const before = fast.requests.length + slow.requests.length;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? status('exact-a', 4) : status('exact-b', 4, true))),
    );
    const ok = results.filter((s) => s === 200).length;
    expect(ok).toBe(Math.floor(100 / USED));
    expect(results.filter((s) => s === 429).length).toBe(30 - ok);
    // Only admitted requests reached a provider, and what they used is within the limit.
    expect(fast.requests.length + slow.requests.length - before).toBe(ok);
    expect(ok * USED).toBeLessThanOrEqual(100);
    // What is left (100 - 99 = 1) is reported, and is too little for one more.
    const res = await post('exact-a', chatBody(4));
    await res.text();
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ai-ratelimit-remaining-day-openai')).toBe('1');
  });
});

describe('ai-rate-limiting-advanced: reservation and settlement', () => {
  // Limit 1100; max_tokens 1000 -> each request reserves 1007 and really uses 11.
  it('a streamed request holds its reservation until the stream ends; settlement frees the unused part', async () => {
    const first = await openStream('settle', 1000);
    // 1007 reserved: a second reservation of 1007 does not fit in 1100.
    expect(await status('settle', 1000)).toBe(429);
    await drain(first);
    // Settled to 11 at the stream end: 11 + 1007 fits.
    await waitFor(async () => (await status('settle', 1000)) === 200, 5000, 'the settled stream to free its reservation');
  });

  it('a client abort mid-stream still settles (to what was streamed so far)', async () => {
    const controller = new AbortController();
    const reader = await openStream('settle', 1000, controller.signal);
    expect(await status('settle', 1000)).toBe(429);
    controller.abort();
    await reader.read().catch(() => undefined);
    // Without settlement on abort the 1007 would stay reserved for the whole window.
    await waitFor(async () => (await status('settle', 1000)) === 200, 5000, 'the aborted stream to be settled');
  });
});

describe('ai-rate-limiting-advanced: refusals', () => {
  it('OpenAI client: 429 in the OpenAI error format, with Retry-After and the X-AI-RateLimit headers', async () => {
    const res = await post('tiny', chatBody(4));
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toBe('AI token rate limit exceeded for provider(s): openai');
    expect(typeof body.error.type).toBe('string');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(DAY);
    expect(res.headers.get('x-ai-ratelimit-limit-day-openai')).toBe('5');
    expect(res.headers.get('x-ai-ratelimit-remaining-day-openai')).toBe('5');
    expect(Number(res.headers.get('x-ai-ratelimit-reset-day-openai'))).toBe(retryAfter);
  });

  it('Anthropic client: 429 in the Anthropic error format with the configured message', async () => {
    const res = await fetch(`${gw.url}/tiny-anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-rl', max_tokens: 4, messages: [{ role: 'user', content: 'a' }] }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'token budget spent: openai' } });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('hide_client_headers: no limit/remaining headers, Retry-After kept (with jitter within its bound)', async () => {
    const res = await post('hidden', chatBody(4));
    await res.text();
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ai-ratelimit-limit-day-openai')).toBeNull();
    expect(res.headers.get('x-ai-ratelimit-remaining-day-openai')).toBeNull();
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(DAY + 5);
  });

  it('successful answers carry the headers too', async () => {
    const res = await post('by-header', chatBody(4), { 'x-team': 'headers' });
    await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ai-ratelimit-limit-day-openai')).toBe(String(USED));
    expect(res.headers.get('x-ai-ratelimit-remaining-day-openai')).toBe('0');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('identifier header: each header value has its own counter', async () => {
    expect(await status('by-header', 4, false, { 'x-team': 'red' })).toBe(200);
    expect(await status('by-header', 4, false, { 'x-team': 'red' })).toBe(429);
    expect(await status('by-header', 4, false, { 'x-team': 'blue' })).toBe(200);
  });

  it('without disable_penalty a refused request counts its prompt estimate', async () => {
    // Limit 18 = 11 + 7: one request (settles to 11), then max_tokens 8 (7 + 8 > 7 left) is
    // refused and counts its 7: now even max_tokens 0 (7 tokens) no longer fits.
    expect(await status('penalty', 4)).toBe(200);
    expect(await status('penalty', 8)).toBe(429);
    expect(await status('penalty', 0)).toBe(429);
  });
});

describe('ai-rate-limiting-advanced: windows', () => {
  /** Sends requests back to back; returns the Remaining of the first 200 after a 429. */
  async function remainingAfterRefusal(route: string, header: string): Promise<number> {
    let refused = false;
    let found = -1;
    await waitFor(async () => {
      const res = await post(route, chatBody(4));
      await res.text();
      if (res.status === 429) refused = true;
      else if (res.status === 200 && refused) found = Number(res.headers.get(header));
      return found >= 0;
    }, 8000, `a request admitted again on ${route}`);
    return found;
  }

  it('fixed: a new window starts from zero (remaining = limit - one reservation)', async () => {
    expect(await remainingAfterRefusal('fixed', 'x-ai-ratelimit-remaining-second-openai')).toBe(USED);
  });

  it('sliding: the previous window still weighs on the next one', async () => {
    expect(await remainingAfterRefusal('sliding', 'x-ai-ratelimit-remaining-2-openai')).toBeLessThan(USED);
  });
});

describe('ai-rate-limiting-advanced: reload', () => {
  it('counters survive a config reload (SIGHUP) that leaves the plugin unchanged', async () => {
    expect(await status('by-header', 4, false, { 'x-team': 'reload' })).toBe(200);
    expect(await status('by-header', 4, false, { 'x-team': 'reload' })).toBe(429);
    gw.reload(aiConfig([...routes(), { name: 'added', path: '/added/v1/chat/completions', plugins: [proxy(fast.url)] }]));
    await waitFor(async () => (await status('added', 4)) === 200, 10_000, 'the reloaded config to serve the new route');
    expect(await status('by-header', 4, false, { 'x-team': 'reload' })).toBe(429);
    expect(await status('by-header', 4, false, { 'x-team': 'fresh' })).toBe(200);
  });
});

describe('ai-rate-limiting-advanced: config errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ai-rl-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('redis strategy, unpaired limit/window_size and a route without ai-proxy are refused with paths', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({
      _format_version: '3.0',
      routes: [{ name: 'chat', paths: ['/chat'] }, { name: 'plain', paths: ['/plain'] }],
      plugins: [
        { name: 'ai-proxy', route: 'chat', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } },
        { name: 'ai-rate-limiting-advanced', route: 'chat', config: { strategy: 'redis', llm_providers: [{ name: 'openai', limit: [10, 20], window_size: [60] }] } },
        { name: 'ai-rate-limiting-advanced', route: 'plain', config: { llm_providers: [{ name: 'openai', limit: [10], window_size: [60] }] } },
      ],
    }));
    const r = await runCli(['check', file]);
    const out = r.stdout + r.stderr;
    expect(r.code).not.toBe(0);
    expect(out).toContain('plugins[1].config.strategy: strategy: redis is not supported; use local');
    expect(out).toContain('plugins[1].config.llm_providers[0].window_size: must have as many entries as limit (2), got 1');
    expect(out).toContain('plugins[2]: ai-rate-limiting-advanced needs ai-proxy or ai-proxy-advanced on route plain');
  });

  it('a valid config passes check without the "not supported" warning', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, stringify({
      _format_version: '3.0',
      routes: [{ name: 'chat', paths: ['/chat'] }],
      plugins: [
        { name: 'ai-proxy', route: 'chat', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } },
        { name: 'ai-rate-limiting-advanced', route: 'chat', config: { llm_providers: [{ name: 'openai', limit: [1000], window_size: [60] }] } },
      ],
    }));
    const r = await runCli(['check', file]);
    expect(r.stdout + r.stderr).not.toContain('not supported');
    expect(r.code).toBe(0);
  });
});
