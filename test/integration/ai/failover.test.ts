/**
 * ai-proxy-advanced failover through real sockets: target A answers 500 / 429 / times out
 * and B serves; `priority` tries A's group first; no failover once bytes reached the
 * client; `lowest-latency` moves traffic away from a target that slowed down.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, startMockLlm } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig, target } from './ai-config.js';

let a: MockLlm;
let b: MockLlm;
let gw: Gateway;

function advanced(balancer: Record<string, unknown>, weights: [number, number] = [100, 1]): { name: string; config: Record<string, unknown> } {
  return {
    name: 'ai-proxy-advanced',
    config: {
      balancer: { read_timeout: 400, ...balancer },
      targets: [
        { ...target('openai', a.url, 'model-a'), weight: weights[0] },
        { ...target('openai', b.url, 'model-b'), weight: weights[1] },
      ],
    },
  };
}

beforeAll(async () => {
  a = await startMockLlm({ provider: 'openai' });
  b = await startMockLlm({ provider: 'openai' });
  const all = ['error', 'timeout', 'http_429', 'http_500', 'http_502', 'http_503'];
  gw = await startGateway(aiConfig([
    { name: 'priority', path: '/priority/v1/chat/completions', plugins: [advanced({ algorithm: 'priority', failover_criteria: all })] },
    { name: 'strict', path: '/strict/v1/chat/completions', plugins: [advanced({ algorithm: 'priority' })] },
    { name: 'retry-after', path: '/retry-after/v1/chat/completions', plugins: [advanced({ algorithm: 'priority', failover_criteria: all })] },
    { name: 'latency', path: '/latency/v1/chat/completions', plugins: [advanced({ algorithm: 'lowest-latency', latency_strategy: 'e2e', failover_criteria: all }, [100, 100])] },
  ]));
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
});

beforeEach(() => {
  a.configure({ fail: null, hang: false, ttftMs: 0, dropAfterTokens: null });
  b.configure({ fail: null, hang: false, ttftMs: 0, dropAfterTokens: null });
});

function client(route: string): OpenAI {
  return new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/${route}/v1`, maxRetries: 0 });
}

async function ask(route: string, stream = false): Promise<{ text: string; model: string }> {
  if (!stream) {
    const res = await client(route).chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'hello there' }] });
    return { text: res.choices[0]?.message.content ?? '', model: res.model };
  }
  const s = await client(route).chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'hello there' }], stream: true });
  let text = '';
  let model = '';
  for await (const chunk of s) {
    text += chunk.choices[0]?.delta.content ?? '';
    model = chunk.model;
  }
  return { text, model };
}

describe('priority: A\'s group first', () => {
  it('healthy A serves everything', async () => {
    const [a0, b0] = [a.requests.length, b.requests.length];
    for (let i = 0; i < 4; i++) expect(await ask('priority')).toEqual({ text: DEFAULT_REPLY, model: 'model-a' });
    expect(a.requests.length - a0).toBe(4);
    expect(b.requests.length - b0).toBe(0);
  });

  it('A answers 500 -> B serves, plain and streamed', async () => {
    a.configure({ fail: { status: 500 } });
    const [a0, b0] = [a.requests.length, b.requests.length];
    expect(await ask('priority')).toEqual({ text: DEFAULT_REPLY, model: 'model-b' });
    expect(await ask('priority', true)).toEqual({ text: DEFAULT_REPLY, model: 'model-b' });
    expect(a.requests.length - a0).toBe(2);
    expect(b.requests.length - b0).toBe(2);
  });

  it('A times out -> B serves', async () => {
    a.configure({ hang: true });
    const b0 = b.requests.length;
    expect(await ask('priority')).toEqual({ text: DEFAULT_REPLY, model: 'model-b' });
    expect(b.requests.length - b0).toBe(1);
  });

  it('without http_500 in failover_criteria the 500 reaches the client', async () => {
    a.configure({ fail: { status: 500 } });
    const b0 = b.requests.length;
    const err = await ask('strict').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.InternalServerError>).message).toContain('mock failure 500');
    expect(b.requests.length).toBe(b0);
  });

  it('all targets failing: the last error, in the OpenAI format', async () => {
    a.configure({ fail: { status: 503 } });
    b.configure({ fail: { status: 502 } });
    const err = await ask('priority').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });
});

describe('429 with Retry-After', () => {
  it('A answers 429 -> B serves, and A is left alone while its Retry-After runs', async () => {
    a.configure({ fail: { status: 429, retryAfter: '60' } });
    const [a0, b0] = [a.requests.length, b.requests.length];
    expect((await ask('retry-after')).model).toBe('model-b');
    a.configure({ fail: null });
    for (let i = 0; i < 3; i++) expect((await ask('retry-after')).model).toBe('model-b');
    expect(a.requests.length - a0).toBe(1);
    expect(b.requests.length - b0).toBe(4);
  });
});

describe('no failover after bytes reached the client', () => {
  it('a stream cut mid-way ends with an error for the client; B is never asked', async () => {
    a.configure({ dropAfterTokens: 2 });
    const b0 = b.requests.length;
    const res = await fetch(`${gw.url}/priority/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'any', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"Hello "');
    expect(text, text).toContain("upstream stream ended before it finished");
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(b.requests.length).toBe(b0);
  });
});

describe('lowest-latency', () => {
  it('shifts traffic away from a target that slowed down', async () => {
    for (let i = 0; i < 6; i++) await ask('latency');
    a.configure({ ttftMs: 150 });
    const served: string[] = [];
    for (let i = 0; i < 24; i++) served.push((await ask('latency')).model);
    const late = served.slice(8);
    // An occasional exploration pick re-measures A; the rest go to B.
    expect(late.filter((m) => m === 'model-b').length).toBeGreaterThanOrEqual(late.length - 2);
    expect(b.requests.length).toBeGreaterThan(0);
  });
});
