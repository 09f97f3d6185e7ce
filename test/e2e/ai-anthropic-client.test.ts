/**
 * The official `@anthropic-ai/sdk` client through `/v1/messages` (ai-proxy with
 * llm_format anthropic) to a mock OpenAI provider: plain, streamed, tool calls, errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount } from '../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { aiConfig, target } from '../integration/ai/ai-config.js';

const prompt = 'Say hello to the gateway';
let mock: MockLlm;
let gw: Gateway;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  gw = await startGateway(aiConfig([
    {
      name: 'messages',
      path: '/v1/messages',
      plugins: [
        { name: 'ai-proxy', config: { ...target('openai', mock.url, 'gpt-mock', { header_name: 'Authorization', header_value: 'Bearer sk-gateway' }), llm_format: 'anthropic' } },
        { name: 'ai-prompt-guard', config: { deny_patterns: ['forbidden'] } },
      ],
    },
  ]));
  client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: gw.url, maxRetries: 0 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

describe('anthropic client -> gateway /v1/messages -> mock OpenAI', () => {
  it('plain message with exact usage; the client key never goes upstream', async () => {
    const before = mock.requests.length;
    const msg = await client.messages.create({ model: 'gpt-mock', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: prompt }] });
    expect(msg.type).toBe('message');
    expect(msg.content[0]).toMatchObject({ type: 'text', text: DEFAULT_REPLY });
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({ input_tokens: wordCount(`be brief ${prompt}`), output_tokens: replyTokens(DEFAULT_REPLY).length });
    const seen = mock.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/v1/chat/completions');
    expect(seen[0]!.headers['authorization']).toBe('Bearer sk-gateway');
    expect(JSON.stringify(seen[0]!.headers)).not.toContain('sk-ant-client');
    expect(seen[0]!.body).toMatchObject({ model: 'gpt-mock', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: prompt }], max_tokens: 100 });
  });

  it('streamed message, event by event, with final usage', async () => {
    const stream = client.messages.stream({ model: 'gpt-mock', max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: DEFAULT_REPLY });
    expect(deltas).toBe(replyTokens(DEFAULT_REPLY).length);
    expect(final.usage).toMatchObject({ input_tokens: wordCount(prompt), output_tokens: replyTokens(DEFAULT_REPLY).length });
  });

  it('tool use, plain and streamed', async () => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } }];
    const msg = await client.messages.create({ model: 'gpt-mock', max_tokens: 100, tools, messages: [{ role: 'user', content: 'weather?' }] });
    expect(msg.stop_reason).toBe('tool_use');
    const use = msg.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
    expect(msg.usage.output_tokens).toBe(TOOL_CALL_TOKENS);
    const final = await client.messages.stream({ model: 'gpt-mock', max_tokens: 100, tools, messages: [{ role: 'user', content: 'weather?' }] }).finalMessage();
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'mock' } });
  });

  it('a blocked prompt gets 400 in the Anthropic error format and never reaches the provider', async () => {
    const before = mock.requests.length;
    const err = await client.messages.create({ model: 'gpt-mock', max_tokens: 10, messages: [{ role: 'user', content: 'something forbidden' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const e = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt pattern is blocked' } });
    expect(mock.requests.length).toBe(before);
  });

  it('a provider error comes back with its status in the Anthropic format (client headers are not forwarded)', async () => {
    // The mock's per-request fault header would fail this call if the gateway forwarded it.
    const ok = await client.messages.create({ model: 'gpt-mock', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-status': '500' } });
    expect(ok.content[0]).toMatchObject({ text: DEFAULT_REPLY });
    mock.configure({ fail: { status: 429, times: 1 } });
    const err = await client.messages.create({ model: 'gpt-mock', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'mock failure 429' } });
  });
});
