/**
 * The quickstart as `npm start` runs it: tools/quickstart/gatehouse.yaml with `--demo`
 * (echo service and mock OpenAI model on loopback) and the built WASM filters. The demo
 * ports are moved to free ones (config and GATEHOUSE_DEMO_*_PORT together) so the test
 * never collides with a running quickstart. `/ai` answers chat completions from the mock
 * model with no key, plain and streamed, through the official openai client.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';

const QUICKSTART = fileURLToPath(new URL('../../../tools/quickstart/gatehouse.yaml', import.meta.url));
const WASM_FILTERS = fileURLToPath(new URL('../../../dist/wasm-filters', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

let gw: Gateway;

beforeAll(async () => {
  const echoPort = await freePort();
  const llmPort = await freePort();
  const text = readFileSync(QUICKSTART, 'utf8');
  // The demo ports the quickstart documents; the test must move both.
  expect(text).toContain('127.0.0.1:9001');
  expect(text).toContain('127.0.0.1:9002');
  const config = text.replaceAll('127.0.0.1:9001', `127.0.0.1:${echoPort}`).replaceAll('127.0.0.1:9002', `127.0.0.1:${llmPort}`);
  gw = await startGateway(config, {
    args: ['--demo', '--wasm-filters-path', WASM_FILTERS],
    env: { GATEHOUSE_DEMO_ECHO_PORT: String(echoPort), GATEHOUSE_DEMO_LLM_PORT: String(llmPort) },
  });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
});

describe('quickstart config with the demo upstreams', () => {
  it('serves the echo service', async () => {
    const res = await fetch(`${gw.url}/hello`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Hello, World!');
  });

  it('/secure runs key-auth, cors and correlation-id: 401 without the demo key, proxied with it', async () => {
    const denied = await fetch(`${gw.url}/secure/anything`, { headers: { origin: 'http://localhost:3000' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    await denied.arrayBuffer();
    const res = await fetch(`${gw.url}/secure/anything`, { headers: { apikey: 'demo-key' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}#\d+$/); // Kong's default generator: uuid#counter
    const echoed = (await res.json()) as { headers: Record<string, string> };
    expect(echoed.headers['x-consumer-username']).toBe('demo');
  });

  it('/ai answers a chat completion from the mock model, no key needed', async () => {
    const res = await fetch(`${gw.url}/ai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number } };
    expect(body.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(body.usage.prompt_tokens).toBe(2);
  });

  it('/ai works for the openai client, streamed', async () => {
    const client = new OpenAI({ apiKey: 'anything', baseURL: `${gw.url}/ai/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(DEFAULT_REPLY);
  });
});
