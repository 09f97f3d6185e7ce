/**
 * The access log's `ai` block (GATEHOUSE_ACCESS_LOG=stdout): one line per AI call with the
 * plugin, provider, model, tries, stream flag, latency and time to first token; token usage
 * (as the mock counted it, or an estimate flagged as one) and the cost from the target's
 * input_cost/output_cost only with `logging.log_statistics` (Kong's rule); the request and
 * response payloads only with `logging.log_payloads`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, replyTokens, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/wait.js';
import { aiConfig } from './ai-config.js';

interface AiBlock {
  plugin: string;
  provider: string;
  model: string;
  tries: number;
  stream: boolean;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated: boolean } | null;
  cost?: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  error: string | null;
  payload?: { request: string; response: string };
}

interface AccessLine {
  msg: string;
  request_id: string;
  route: string | null;
  status: number;
  ai?: AiBlock;
}

const INPUT_COST = 3; // per 1M prompt tokens
const OUTPUT_COST = 15; // per 1M completion tokens

let mock: MockLlm;
let bare: MockLlm;
let gw: Gateway;

function proxy(url: string, name: string, logging: Record<string, boolean>, provider = 'openai'): { name: string; config: Record<string, unknown> } {
  return {
    name: 'ai-proxy',
    config: { route_type: 'llm/v1/chat', model: { provider, name, options: { upstream_url: url, input_cost: INPUT_COST, output_cost: OUTPUT_COST } }, logging },
  };
}

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  bare = await startMockLlm({ provider: 'openai', omitUsage: true });
  gw = await startGateway(aiConfig([
    { name: 'full', path: '/full/v1/chat/completions', plugins: [proxy(mock.url, 'gpt-log', { log_statistics: true, log_payloads: true })] },
    { name: 'stats', path: '/stats/v1/chat/completions', plugins: [proxy(mock.url, 'gpt-log', { log_statistics: true })] },
    { name: 'plain', path: '/plain/v1/chat/completions', plugins: [proxy(mock.url, 'gpt-log', {})] },
    { name: 'estimated', path: '/estimated/v1/chat/completions', plugins: [proxy(bare.url, 'gpt-bare', { log_statistics: true })] },
  ]), { accessLog: 'stdout' });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
  await bare?.close();
});

function accessLines(): AccessLine[] {
  const out: AccessLine[] = [];
  for (const line of gw.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as AccessLine;
    if (parsed.msg === 'access') out.push(parsed);
  }
  return out;
}

/** Sends one chat request and returns the answer and its access line, once written. */
async function call(prefix: string, body: Record<string, unknown>): Promise<{ status: number; text: string; line: AccessLine }> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${gw.url}/${prefix}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer client-key' }, body: raw });
  const text = await res.text();
  const id = res.headers.get('x-gatehouse-request-id');
  expect(id).toBeTruthy();
  let line: AccessLine | undefined;
  await waitFor(() => {
    line = accessLines().find((l) => l.request_id === id);
    return line !== undefined;
  }, 5000, `access line for ${id ?? ''}`);
  return { status: res.status, text, line: line! };
}

const prompt = 'log this one chat request please';
const p = wordCount(prompt);
const c = replyTokens(DEFAULT_REPLY).length;

describe('access log ai block', () => {
  it('a plain chat call: plugin, provider, model, tries, stream, exact usage, cost arithmetic, latency, ttft, payloads', async () => {
    const body = { model: 'gpt-log', messages: [{ role: 'user', content: prompt }] };
    const r = await call('full', body);
    expect(r.status).toBe(200);
    expect(r.line.route).toBe('full');
    const ai = r.line.ai!;
    expect(ai).toMatchObject({ plugin: 'ai-proxy', provider: 'openai', model: 'gpt-log', tries: 1, stream: false, error: null });
    expect(ai.usage).toEqual({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c, estimated: false });
    expect(ai.cost).toBeCloseTo((p * INPUT_COST + c * OUTPUT_COST) / 1_000_000, 12);
    expect(ai.cost).toBeGreaterThan(0);
    expect(typeof ai.latency_ms).toBe('number');
    expect(ai.latency_ms!).toBeGreaterThan(0);
    expect(typeof ai.ttft_ms).toBe('number');
    expect(ai.ttft_ms!).toBeLessThanOrEqual(ai.latency_ms!);
    expect(ai.payload).toEqual({ request: JSON.stringify(body), response: r.text });
    expect(JSON.parse(ai.payload!.response)).toMatchObject({ choices: [{ message: { content: DEFAULT_REPLY } }] });
  });

  it('a streamed call: stream true, the hidden usage still counted, the SSE text as the response payload', async () => {
    const body = { model: 'gpt-log', messages: [{ role: 'user', content: prompt }], stream: true };
    const r = await call('full', body);
    const ai = r.line.ai!;
    expect(ai).toMatchObject({ plugin: 'ai-proxy', provider: 'openai', tries: 1, stream: true });
    expect(ai.usage).toEqual({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c, estimated: false });
    expect(ai.cost).toBeCloseTo((p * INPUT_COST + c * OUTPUT_COST) / 1_000_000, 12);
    expect(ai.ttft_ms).not.toBeNull();
    expect(ai.ttft_ms!).toBeLessThanOrEqual(ai.latency_ms!);
    expect(ai.payload?.request).toBe(JSON.stringify(body));
    expect(ai.payload?.response).toBe(r.text);
    expect(r.text).toContain('data: [DONE]');
    expect(r.text).not.toContain('"usage"'); // the client did not ask for it
  });

  it('without log_payloads no payload; without log_statistics no usage or cost', async () => {
    const stats = await call('stats', { model: 'gpt-log', messages: [{ role: 'user', content: prompt }] });
    expect(stats.line.ai).not.toHaveProperty('payload');
    expect(stats.line.ai?.usage).toEqual({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c, estimated: false });
    expect(stats.text).toContain(DEFAULT_REPLY);
    expect(JSON.stringify(stats.line)).not.toContain(prompt);

    const plain = await call('plain', { model: 'gpt-log', messages: [{ role: 'user', content: prompt }] });
    expect(plain.line.ai).toMatchObject({ plugin: 'ai-proxy', provider: 'openai', model: 'gpt-log', tries: 1, stream: false });
    expect(plain.line.ai).not.toHaveProperty('payload');
    expect(plain.line.ai).not.toHaveProperty('usage');
    expect(plain.line.ai).not.toHaveProperty('cost');
    expect(JSON.stringify(plain.line)).not.toContain(prompt);
  });

  it('a provider that sends no usage: an estimate, flagged, never zero', async () => {
    const r = await call('estimated', { model: 'gpt-bare', messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(200);
    const usage = r.line.ai?.usage;
    expect(usage?.estimated).toBe(true);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(r.line.ai?.cost).toBeCloseTo(((usage?.prompt_tokens ?? 0) * INPUT_COST + (usage?.completion_tokens ?? 0) * OUTPUT_COST) / 1_000_000, 12);
  });

  it('an upstream error: the error text, no usage, and the try count', async () => {
    mock.configure({ fail: { status: 500, times: 1, message: 'mock exploded' } });
    try {
      const r = await call('stats', { model: 'gpt-log', messages: [{ role: 'user', content: prompt }] });
      expect(r.status).toBe(500);
      expect(r.line.ai).toMatchObject({ provider: 'openai', tries: 1, usage: null, cost: 0 });
      expect(r.line.ai?.error).toContain('mock exploded');
    } finally {
      mock.configure({ fail: null });
    }
  });

  it('a request refused before any provider call: no latency, the reason as error', async () => {
    const r = await call('full', { model: 'another-model', messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(400);
    expect(r.line.ai).toMatchObject({ plugin: 'ai-proxy', tries: 0, latency_ms: null, ttft_ms: null });
    expect(r.line.ai?.error).toContain('cannot use own model');
  });
});
