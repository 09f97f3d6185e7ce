/**
 * A finished AI answer gives its upstream connection back: the rest of the provider's
 * body (after the stream's last event, or after the client's answer was complete) is read
 * to the end, so the keep-alive connection returns to the pool. Found by the AI bench: a
 * streamed answer ended the client response inside undici's onData, the handler answered
 * "pause", and every connection stayed parked; after the pool's limit every AI request hung.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, startMockLlm } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig, target } from './ai-config.js';

let mock: MockLlm;
let gw: Gateway;

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  gw = await startGateway(aiConfig([
    { name: 'chat', path: '/v1/chat/completions', plugins: [{ name: 'ai-proxy', config: target('openai', mock.url, 'gpt-reuse') }] },
  ]), { workers: 1 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

describe('upstream connections after an AI answer', () => {
  it('sequential streamed and plain calls reuse a few upstream connections instead of parking one each', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 5000 });
    const before = mock.connections;
    for (let i = 0; i < 40; i++) {
      const stream = await client.chat.completions.create({ model: 'gpt-reuse', messages: [{ role: 'user', content: `hello ${i}` }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe(DEFAULT_REPLY);
      const plain = await client.chat.completions.create({ model: 'gpt-reuse', messages: [{ role: 'user', content: `hi ${i}` }] });
      expect(plain.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    }
    // One call at a time: a connection that came back is reused (a few spare are fine).
    expect(mock.connections - before).toBeLessThanOrEqual(4);
  });
});
