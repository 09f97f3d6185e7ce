import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import { parseOpenAiRequest } from '../../../core/ai/translate/openai.js';
import type { StreamEvent } from '../../../core/ai/types.js';

let mock: MockLlm;
let client: OpenAI;
const prompt = 'Say hello to the gateway';
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  client = new OpenAI({ apiKey: 'test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});

describe('mock OpenAI speaks the real format (official openai client)', () => {
  it('plain completion with exact usage', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: prompt }] });
    expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: wordCount(prompt), completion_tokens: replyTokens(DEFAULT_REPLY).length, total_tokens: wordCount(prompt) + replyTokens(DEFAULT_REPLY).length });
  });

  it('streaming with include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(DEFAULT_REPLY);
    expect(usage).toMatchObject({ prompt_tokens: wordCount(prompt), completion_tokens: replyTokens(DEFAULT_REPLY).length });
  });

  it('tool calls, plain and streamed, then a text answer after the tool result', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [weatherTool] });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'mock' });
    expect(res.usage?.completion_tokens).toBe(TOOL_CALL_TOKENS);

    const stream = client.chat.completions.stream({ model: 'gpt-mock', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'mock' });

    const after = await client.chat.completions.create({
      model: 'gpt-mock',
      messages: [{ role: 'user', content: 'weather?' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }],
      tools: [weatherTool],
    });
    expect(after.choices[0]?.message.content).toBe(DEFAULT_REPLY);
  });

  it('errors in OpenAI shape with Retry-After', async () => {
    mock.configure({ fail: { status: 429, times: 1, retryAfter: '2', message: 'slow down' } });
    const err = await client.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('slow down');
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
    mock.configure({ fail: null });
  });

  it('the openai provider module builds, sends and parses against the mock (stream hides usage the client did not ask for)', async () => {
    const parsed = parseOpenAiRequest({ model: 'gpt-mock', messages: [{ role: 'user', content: prompt }], stream: true });
    if (!parsed.ok) throw new Error(parsed.message);
    const p = PROVIDERS.openai;
    const built = p.buildChatRequest(parsed.value, { route_type: 'llm/v1/chat', model: { provider: 'openai', options: { upstream_url: mock.url } }, auth: { header_name: 'Authorization', header_value: 'Bearer gw' } });
    if (!built.ok) throw new Error(built.message);
    const res = await fetch(built.value.url, { method: 'POST', headers: built.value.headers, body: built.value.body });
    const parser = p.createStreamParser(parsed.value);
    const events: StreamEvent[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events.push(...parser.feed(chunk));
    events.push(...parser.end());
    const last = mock.requests.at(-1)!;
    expect(last.headers['authorization']).toBe('Bearer gw');
    expect((last.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    expect(events.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: { prompt: wordCount(prompt), completion: replyTokens(DEFAULT_REPLY).length, total: wordCount(prompt) + replyTokens(DEFAULT_REPLY).length, estimated: false }, hidden: true });
    expect(events.at(-1)).toEqual({ type: 'end' });
  });

  it('a stream dropped mid-way is an error event, never a clean end', async () => {
    const parsed = parseOpenAiRequest({ model: 'gpt-mock', messages: [{ role: 'user', content: prompt }], stream: true });
    if (!parsed.ok) throw new Error(parsed.message);
    const built = PROVIDERS.openai.buildChatRequest(parsed.value, { route_type: 'llm/v1/chat', model: { provider: 'openai', options: { upstream_url: mock.url } } });
    if (!built.ok) throw new Error(built.message);
    const res = await fetch(built.value.url, { method: 'POST', headers: { ...built.value.headers, 'x-mock-drop-after': '2' }, body: built.value.body });
    const parser = PROVIDERS.openai.createStreamParser(parsed.value);
    const events: StreamEvent[] = [];
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events.push(...parser.feed(chunk));
    } catch {
      // the socket was destroyed: expected
    }
    events.push(...parser.end());
    expect(events.filter((e) => e.type === 'text')).toHaveLength(2);
    expect(events.at(-2)).toMatchObject({ type: 'error', status: 502 });
  });
});
