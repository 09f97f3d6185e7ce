/**
 * The official `openai` client pointed at the gateway (ai-proxy, llm/v1/chat) gets chat
 * completions — plain, streamed, tool calls — from a mock OpenAI, a mock Anthropic and a
 * mock Gemini provider, translated both ways by the gateway.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount } from '../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { aiConfig, target } from '../integration/ai/ai-config.js';

const PROVIDERS = [
  { provider: 'openai', model: 'gpt-mock', auth: { header_name: 'Authorization', header_value: 'Bearer sk-gateway' }, authSeen: (h: Record<string, unknown>) => h['authorization'] === 'Bearer sk-gateway' },
  { provider: 'anthropic', model: 'claude-mock', auth: { header_name: 'x-api-key', header_value: 'ak-gateway' }, authSeen: (h: Record<string, unknown>) => h['x-api-key'] === 'ak-gateway' && h['authorization'] === undefined },
  { provider: 'gemini', model: 'gemini-mock', auth: { param_name: 'key', param_value: 'g-gateway', param_location: 'query' }, authSeen: (h: Record<string, unknown>) => h['authorization'] === undefined },
] as const;

const prompt = 'Say hello to the gateway';
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

let mock: MockLlm;
let gw: Gateway;

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'all' });
  gw = await startGateway(aiConfig(PROVIDERS.map((p) => ({
    name: `chat-${p.provider}`,
    path: `/${p.provider}/v1/chat/completions`,
    plugins: [{ name: 'ai-proxy', config: target(p.provider, mock.url, p.model, p.auth) }],
  }))));
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

for (const p of PROVIDERS) {
  describe(`openai client -> gateway -> mock ${p.provider}`, () => {
    const client = (): OpenAI => new OpenAI({ apiKey: 'sk-client-secret', baseURL: `${gw.url}/${p.provider}/v1`, maxRetries: 0 });

    it('plain completion with the provider\'s exact usage; only the plugin credential goes upstream', async () => {
      const before = mock.requests.length;
      const res = await client().chat.completions.create({ model: p.model, messages: [{ role: 'user', content: prompt }] });
      expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
      expect(res.choices[0]?.finish_reason).toBe('stop');
      expect(res.usage).toMatchObject({ prompt_tokens: wordCount(prompt), completion_tokens: replyTokens(DEFAULT_REPLY).length });
      const seen = mock.requests.slice(before);
      expect(seen).toHaveLength(1);
      expect(p.authSeen(seen[0]!.headers)).toBe(true);
      expect(JSON.stringify(seen[0]!.headers)).not.toContain('sk-client-secret');
      if (p.provider === 'gemini') expect(seen[0]!.path).toBe(`/v1beta/models/${p.model}:generateContent?key=g-gateway`);
    });

    it('streaming, chunk by chunk, with usage when asked for', async () => {
      const stream = await client().chat.completions.create({ model: p.model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let chunks = 0;
      let usage: unknown = null;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(DEFAULT_REPLY);
      // One chunk per mock token at least: the stream was translated, not collapsed.
      expect(chunks).toBeGreaterThanOrEqual(replyTokens(DEFAULT_REPLY).length);
      expect(usage).toMatchObject({ prompt_tokens: wordCount(prompt), completion_tokens: replyTokens(DEFAULT_REPLY).length });
    });

    it('a stream without include_usage shows no usage chunk', async () => {
      const stream = await client().chat.completions.create({ model: p.model, messages: [{ role: 'user', content: prompt }], stream: true });
      let sawUsage = false;
      let text = '';
      for await (const chunk of stream) {
        if (chunk.usage) sawUsage = true;
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe(DEFAULT_REPLY);
      expect(sawUsage).toBe(false);
    });

    it('tool calls, plain and streamed', async () => {
      const res = await client().chat.completions.create({ model: p.model, messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [weatherTool] });
      const call = res.choices[0]?.message.tool_calls?.[0];
      expect(res.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function.name).toBe('get_weather');
      expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'mock' });
      expect(res.usage?.completion_tokens).toBe(TOOL_CALL_TOKENS);

      const stream = client().chat.completions.stream({ model: p.model, messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
      const final = await stream.finalChatCompletion();
      const streamed = final.choices[0]?.message.tool_calls?.[0];
      expect(streamed?.type === 'function' && streamed.function.name).toBe('get_weather');
      expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'mock' });
    });
  });
}

describe('client errors in the OpenAI format', () => {
  it('a different model than the configured one is refused with 400', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'other-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('cannot use own model - must be: gpt-mock');
  });
});
