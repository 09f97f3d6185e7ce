import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, replyTokens, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import type { TargetConfig } from '../../../core/ai/providers/provider.js';
import { parseOpenAiRequest } from '../../../core/ai/translate/openai.js';
import type { StreamEvent } from '../../../core/ai/types.js';

let mock: MockLlm;
let target: TargetConfig;
const prompt = 'Count these five words';

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'gemini' });
  target = { route_type: 'llm/v1/chat', model: { provider: 'gemini', name: 'gemini-mock', options: { upstream_url: mock.url } }, auth: { param_name: 'key', param_value: 'g', param_location: 'query' } };
});
afterAll(async () => {
  await mock.close();
});

async function send(body: object, headers: Record<string, string> = {}): Promise<{ status: number; events: StreamEvent[]; text: string }> {
  const parsed = parseOpenAiRequest(body);
  if (!parsed.ok) throw new Error(parsed.message);
  const built = PROVIDERS.gemini.buildChatRequest(parsed.value, target);
  if (!built.ok) throw new Error(built.message);
  const res = await fetch(built.value.url, { method: 'POST', headers: { ...built.value.headers, ...headers }, body: built.value.body });
  if (!parsed.value.stream) return { status: res.status, events: [], text: await res.text() };
  const parser = PROVIDERS.gemini.createStreamParser(parsed.value);
  const events: StreamEvent[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events.push(...parser.feed(chunk));
  events.push(...parser.end());
  return { status: res.status, events, text: '' };
}

describe('mock Gemini + gemini provider', () => {
  it('generateContent with key in the query', async () => {
    const r = await send({ messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(200);
    expect(mock.requests.at(-1)?.path).toBe('/v1beta/models/gemini-mock:generateContent?key=g');
    const parsed = PROVIDERS.gemini.parseChatResponse(r.text);
    expect(parsed.ok && parsed.value).toMatchObject({ text: DEFAULT_REPLY, finishReason: 'stop', usage: { prompt: wordCount(prompt), completion: replyTokens(DEFAULT_REPLY).length, estimated: false } });
  });

  it('streamGenerateContent?alt=sse, usage from the last chunk', async () => {
    const r = await send({ messages: [{ role: 'user', content: prompt }], stream: true });
    expect(mock.requests.at(-1)?.path).toContain(':streamGenerateContent?alt=sse');
    expect(r.events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('')).toBe(DEFAULT_REPLY);
    expect(r.events.find((e) => e.type === 'usage')).toMatchObject({ usage: { prompt: wordCount(prompt), completion: replyTokens(DEFAULT_REPLY).length } });
  });

  it('function calling', async () => {
    const r = await send({ messages: [{ role: 'user', content: 'weather?' }], tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } }] });
    const parsed = PROVIDERS.gemini.parseChatResponse(r.text);
    expect(parsed.ok && parsed.value.toolCalls).toEqual([{ id: 'call_0', name: 'w', arguments: '{"n":1}' }]);
    expect(parsed.ok && parsed.value.finishReason).toBe('tool_calls');
  });

  it('injected error in Gemini shape', async () => {
    const r = await send({ messages: [{ role: 'user', content: 'x' }] }, { 'x-mock-status': '503' });
    expect(r.status).toBe(503);
    expect(PROVIDERS.gemini.parseError(503, r.text)).toEqual({ message: 'mock failure 503', errorType: 'UNAVAILABLE' });
  });
});
