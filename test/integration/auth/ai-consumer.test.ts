/**
 * The consumer key-auth identifies, on an AI route: the 401 comes before the AI exchange,
 * the Prometheus AI metrics carry the consumer label (username, else id), and
 * ai-rate-limiting-advanced with `identifier: consumer` gives each consumer its own
 * budget (two consumers from one client IP, separate counters).
 *
 * Arithmetic (as in test/integration/ai/rate-limit.test.ts): a one-word prompt with
 * max_tokens 4 reserves 7 + 4 = 11 tokens, the mock counts 1 + 10 = 11: a limit of 22
 * admits exactly two requests per consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startMockLlm, type MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { metricSum } from '../ai/ai-config.js';
import { ALICE, ALICE_KEY, BOB_KEY, consumers } from './auth-config.js';

const REPLY = 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10';
const DAY = 86_400;

let mock: MockLlm;
let gw: Gateway;

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai', reply: REPLY });
  const proxy = { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-auth', options: { upstream_url: mock.url } } } };
  const limit = (identifier: string) => ({
    name: 'ai-rate-limiting-advanced',
    config: { identifier, window_type: 'fixed', disable_penalty: true, llm_providers: [{ name: 'openai', limit: [22], window_size: [DAY] }] },
  });
  gw = await startGateway(stringify({
    _format_version: '3.0',
    consumers: consumers(),
    routes: [
      { name: 'by-consumer', paths: ['/by-consumer/v1/chat/completions'], plugins: [{ name: 'key-auth', config: {} }, proxy, limit('consumer')] },
      { name: 'by-credential', paths: ['/by-credential/v1/chat/completions'], plugins: [{ name: 'key-auth', config: {} }, proxy, limit('credential')] },
      // The key in the JSON body the AI exchange reads too: one read serves both.
      { name: 'key-in-body', paths: ['/key-in-body/v1/chat/completions'], plugins: [{ name: 'key-auth', config: { key_in_body: true, key_in_header: false } }, proxy] },
    ],
  }), { workers: 2 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

function chat(route: string, key: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['apikey'] = key;
  return fetch(`${gw.url}/${route}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-auth', max_tokens: 4, messages: [{ role: 'user', content: 'a' }] }),
  });
}

async function statuses(route: string, key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await chat(route, key);
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('consumers on AI routes', () => {
  it('no key: 401 before any provider call', async () => {
    const before = mock.requests.length;
    const res = await chat('by-consumer', null);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
    expect(mock.requests.length).toBe(before);
  });

  it('key_in_body: the key is read from the same body the AI exchange then sends on', async () => {
    const before = mock.requests.length;
    const ask = (key: string | null): Promise<Response> =>
      fetch(`${gw.url}/key-in-body/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(key === null ? {} : { apikey: key }), model: 'gpt-auth', max_tokens: 4, messages: [{ role: 'user', content: 'a' }] }),
      });
    const denied = await ask(null);
    expect(denied.status).toBe(401);
    await denied.arrayBuffer();
    expect(mock.requests.length).toBe(before);
    const ok = await ask(ALICE_KEY.key);
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]?.message.content).toBe(REPLY);
    expect(mock.requests.length).toBe(before + 1);
  });

  it('identifier consumer: each consumer has its own token budget', async () => {
    expect(await statuses('by-consumer', ALICE_KEY.key, 3)).toEqual([200, 200, 429]);
    // Same client IP, another consumer: a fresh budget.
    expect(await statuses('by-consumer', BOB_KEY.key, 3)).toEqual([200, 200, 429]);
  });

  it('identifier credential: counted per credential id', async () => {
    expect(await statuses('by-credential', BOB_KEY.key, 3)).toEqual([200, 200, 429]);
    expect(await statuses('by-credential', ALICE_KEY.key, 1)).toEqual([200]);
  });

  it('the AI metrics carry the consumer label', async () => {
    const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    const requests = (route: string, consumer: string) => metricSum(text, 'ai_llm_requests_total', { route, consumer });
    expect(requests('by-consumer', ALICE.username)).toBe(2);
    expect(requests('by-consumer', 'bob')).toBe(2);
    expect(requests('by-credential', 'bob')).toBe(2);
    expect(requests('by-credential', ALICE.username)).toBe(1);
    expect(metricSum(text, 'ai_llm_tokens_total', { route: 'by-consumer', consumer: ALICE.username, token_type: 'total_tokens' })).toBe(22);
    expect(metricSum(text, 'ai_llm_requests_total', { consumer: '' })).toBe(0);
  });
});
