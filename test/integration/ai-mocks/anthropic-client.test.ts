import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import { parseOpenAiRequest } from '../../../core/ai/translate/openai.js';
import { OpenAiStreamRenderer } from '../../../core/ai/translate/openai-stream.js';
import { OpenAiStreamParser } from '../../../core/ai/translate/openai-stream.js';

let mock: MockLlm;
let client: Anthropic;
const prompt = 'Hello there Claude';
const tool = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'anthropic' });
  client = new Anthropic({ apiKey: 'test', baseURL: mock.url, maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});

describe('mock Anthropic speaks the real format (official @anthropic-ai/sdk)', () => {
  it('plain message with exact usage', async () => {
    const msg = await client.messages.create({ model: 'claude-mock', max_tokens: 100, system: 'be nice', messages: [{ role: 'user', content: prompt }] });
    expect(msg.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({ input_tokens: wordCount('be nice') + wordCount(prompt), output_tokens: replyTokens(DEFAULT_REPLY).length });
  });

  it('streaming: the SDK accumulates the event sequence; final usage is the cumulative value', async () => {
    const stream = client.messages.stream({ model: 'claude-mock', max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(DEFAULT_REPLY);
    expect(final.usage.output_tokens).toBe(replyTokens(DEFAULT_REPLY).length);
    expect(final.usage.input_tokens).toBe(wordCount(prompt));
  });

  it('tool use, plain and streamed', async () => {
    const msg = await client.messages.create({ model: 'claude-mock', max_tokens: 100, tools: [tool], messages: [{ role: 'user', content: 'weather?' }] });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
    expect(msg.usage.output_tokens).toBe(TOOL_CALL_TOKENS);
    const final = await client.messages.stream({ model: 'claude-mock', max_tokens: 100, tools: [tool], messages: [{ role: 'user', content: 'weather?' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
  });

  it('errors in Anthropic shape', async () => {
    mock.configure({ fail: { status: 529, times: 1, message: 'busy' } });
    const err = await client.messages.create({ model: 'claude-mock', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(JSON.stringify((err as InstanceType<typeof Anthropic.APIError>).error)).toContain('overloaded_error');
    mock.configure({ fail: null });
  });

  it('OpenAI client request -> anthropic provider -> mock -> OpenAI chunks (translation end to end, no gateway)', async () => {
    const parsed = parseOpenAiRequest({ model: '', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: prompt }], stream: true });
    if (!parsed.ok) throw new Error(parsed.message);
    const p = PROVIDERS.anthropic;
    const built = p.buildChatRequest(parsed.value, { route_type: 'llm/v1/chat', model: { provider: 'anthropic', name: 'claude-mock', options: { upstream_url: mock.url } }, auth: { header_name: 'x-api-key', header_value: 'k' } });
    if (!built.ok) throw new Error(built.message);
    const res = await fetch(built.value.url, { method: 'POST', headers: built.value.headers, body: built.value.body });
    expect(res.status).toBe(200);
    const parser = p.createStreamParser(parsed.value);
    const renderer = new OpenAiStreamRenderer({ includeUsage: false, created: 1 });
    let out = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const e of parser.feed(chunk)) out += renderer.push(e);
    for (const e of parser.end()) out += renderer.push(e);
    const back = new OpenAiStreamParser(false).feed(out);
    expect(back.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('')).toBe(DEFAULT_REPLY);
    expect(out).not.toContain('"usage"');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
