/**
 * The mock's Cohere, Bedrock, Azure and Mistral wire formats, driven by the gateway's own
 * provider modules (build, send, parse) without a gateway: the deterministic usage rule,
 * the stream framing (Cohere's named SSE events, Bedrock's binary event-stream with its
 * headers), the credential checks (Cohere bearer, Bedrock SigV4 down to the signature,
 * Azure api-key and api-version) and the x-mock-* fault headers in each format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLY, MOCK_AWS_ACCESS_KEY_ID, MOCK_AWS_SECRET_ACCESS_KEY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount,
} from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { EventStreamDecoder } from '../../../core/ai/providers/event-stream.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import type { TargetConfig } from '../../../core/ai/providers/provider.js';
import { parseOpenAiRequest } from '../../../core/ai/translate/openai.js';
import type { StreamEvent } from '../../../core/ai/types.js';

let mock: MockLlm;
const prompt = 'Count these five words';
const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } };

beforeAll(async () => {
  mock = await startMockLlm();
});
afterAll(async () => {
  await mock.close();
});

function cohere(): TargetConfig {
  return { route_type: 'llm/v1/chat', model: { provider: 'cohere', name: 'command-r', options: { upstream_url: mock.url } }, auth: { header_name: 'Authorization', header_value: 'Bearer co-key' } };
}

function bedrock(auth: { aws_access_key_id: string; aws_secret_access_key: string } = { aws_access_key_id: MOCK_AWS_ACCESS_KEY_ID, aws_secret_access_key: MOCK_AWS_SECRET_ACCESS_KEY }): TargetConfig {
  return { route_type: 'llm/v1/chat', model: { provider: 'bedrock', name: 'amazon.nova-lite-v1:0', options: { upstream_url: mock.url, bedrock: { aws_region: 'us-east-1' } } }, auth };
}

interface Sent {
  status: number;
  headers: Headers;
  text: string;
  bytes: Uint8Array;
  events: StreamEvent[];
}

async function send(target: TargetConfig, body: object, extra: Record<string, string> = {}, mutate?: (b: string) => string): Promise<Sent> {
  const parsed = parseOpenAiRequest(body);
  if (!parsed.ok) throw new Error(parsed.message);
  const provider = PROVIDERS[target.model.provider];
  const built = provider.buildChatRequest(parsed.value, target);
  if (!built.ok) throw new Error(built.message);
  const res = await fetch(built.value.url, { method: 'POST', headers: { ...built.value.headers, ...extra }, body: mutate === undefined ? built.value.body : mutate(built.value.body ?? '') });
  const chunks: Uint8Array[] = [];
  const events: StreamEvent[] = [];
  const parser = parsed.value.stream && res.status === 200 ? provider.createStreamParser(parsed.value) : null;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      if (parser !== null) events.push(...parser.feed(chunk));
    }
  } catch {
    // a dropped connection (x-mock-drop-after): the parser reports it at end()
  }
  if (parser !== null) events.push(...parser.end());
  const bytes = Buffer.concat(chunks);
  return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes, events };
}

const texts = (events: StreamEvent[]): string => events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('');
const usage = (prompt: number, completion: number) => ({ prompt, completion, total: prompt + completion, estimated: false });

describe('mock Cohere v2 chat', () => {
  it('answers /v2/chat with content blocks, COMPLETE and usage in tokens and billed_units', async () => {
    const r = await send(cohere(), { messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(200);
    const json = JSON.parse(r.text) as Record<string, unknown>;
    expect(json).toMatchObject({
      finish_reason: 'COMPLETE',
      message: { role: 'assistant', content: [{ type: 'text', text: DEFAULT_REPLY }] },
      usage: { billed_units: { input_tokens: 4, output_tokens: replyTokens(DEFAULT_REPLY).length }, tokens: { input_tokens: 4, output_tokens: replyTokens(DEFAULT_REPLY).length } },
    });
    expect(mock.lastRequest('/v2/chat')?.headers['authorization']).toBe('Bearer co-key');
    const parsed = PROVIDERS.cohere.parseChatResponse(r.text);
    expect(parsed.ok && parsed.value).toMatchObject({ text: DEFAULT_REPLY, finishReason: 'stop', usage: usage(wordCount(prompt), replyTokens(DEFAULT_REPLY).length) });
  });

  it('streams named SSE events: message-start, content-start/delta/end, message-end with usage', async () => {
    const r = await send(cohere(), { messages: [{ role: 'user', content: prompt }], stream: true });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const names = [...r.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['message-start', 'content-start', ...replyTokens(DEFAULT_REPLY).map(() => 'content-delta'), 'content-end', 'message-end']);
    expect(texts(r.events)).toBe(DEFAULT_REPLY);
    expect(r.events.slice(-3)).toEqual([{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: usage(wordCount(prompt), replyTokens(DEFAULT_REPLY).length), hidden: true }, { type: 'end' }]);
  });

  it('tool calls: TOOL_CALL with tool_plan, and tool-plan-delta / tool-call-start/delta/end when streamed', async () => {
    const plain = await send(cohere(), { messages: [{ role: 'user', content: 'find it' }], tools: [tool] });
    const parsed = PROVIDERS.cohere.parseChatResponse(plain.text);
    expect(JSON.parse(plain.text)).toMatchObject({ finish_reason: 'TOOL_CALL', message: { tool_plan: expect.any(String) as string } });
    expect(parsed.ok && parsed.value).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: '{"id":1}' }], usage: { completion: TOOL_CALL_TOKENS } });

    const streamed = await send(cohere(), { messages: [{ role: 'user', content: 'find it' }], tools: [tool], stream: true });
    expect(streamed.text).toContain('event: tool-plan-delta');
    expect(streamed.text).toContain('event: tool-call-end');
    const calls = streamed.events.filter((e) => e.type === 'tool_call') as { argumentsDelta: string; name?: string }[];
    expect(calls[0]?.name).toBe('lookup');
    expect(calls.map((e) => e.argumentsDelta).join('')).toBe('{"id":1}');
    expect(streamed.events).toContainEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it('refuses a call without a bearer key (401, Cohere error shape)', async () => {
    const r = await send({ ...cohere(), auth: {} }, { messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(401);
    expect(PROVIDERS.cohere.parseError(401, r.text).message).toBe('no api key supplied');
  });

  it('fault headers: status, no usage, drop after n tokens', async () => {
    const failed = await send(cohere(), { messages: [{ role: 'user', content: prompt }] }, { 'x-mock-status': '429' });
    expect(failed.status).toBe(429);
    expect(JSON.parse(failed.text)).toEqual({ id: 'mock-error-429', message: 'mock failure 429' });
    const bare = await send(cohere(), { messages: [{ role: 'user', content: prompt }], stream: true }, { 'x-mock-no-usage': '1' });
    expect(bare.events.some((e) => e.type === 'usage')).toBe(false);
    expect(bare.events.at(-1)).toEqual({ type: 'end' });
    const cut = await send(cohere(), { messages: [{ role: 'user', content: prompt }], stream: true }, { 'x-mock-drop-after': '2' });
    expect(cut.events.filter((e) => e.type === 'text')).toHaveLength(2);
    expect(cut.events.at(-2)).toMatchObject({ type: 'error', status: 502 });
  });
});

describe('mock Bedrock Converse', () => {
  it('converse: output.message content blocks, stopReason, usage; SigV4 checked down to the signature', async () => {
    const r = await send(bedrock(), { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: prompt }] });
    expect(r.status).toBe(200);
    expect(mock.lastRequest()?.path).toBe('/model/amazon.nova-lite-v1%3A0/converse');
    const p = wordCount(prompt) + 2;
    expect(JSON.parse(r.text)).toMatchObject({ output: { message: { role: 'assistant', content: [{ text: DEFAULT_REPLY }] } }, stopReason: 'end_turn', usage: { inputTokens: p, outputTokens: replyTokens(DEFAULT_REPLY).length, totalTokens: p + replyTokens(DEFAULT_REPLY).length } });
    const parsed = PROVIDERS.bedrock.parseChatResponse(r.text);
    expect(parsed.ok && parsed.value).toMatchObject({ text: DEFAULT_REPLY, finishReason: 'stop', usage: usage(p, replyTokens(DEFAULT_REPLY).length) });
  });

  it('converse-stream: binary event-stream frames with AWS headers, decoded by the gateway parser', async () => {
    const r = await send(bedrock(), { messages: [{ role: 'user', content: prompt }], stream: true });
    expect(r.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const frames = new EventStreamDecoder().feed(r.bytes);
    expect(frames.map((f) => f.headers[':event-type'])).toEqual(['messageStart', ...replyTokens(DEFAULT_REPLY).map(() => 'contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
    for (const f of frames) {
      expect(f.headers).toMatchObject({ ':message-type': 'event', ':content-type': 'application/json' });
      expect(JSON.parse(new TextDecoder().decode(f.payload))).toHaveProperty('p');
    }
    expect(texts(r.events)).toBe(DEFAULT_REPLY);
    expect(r.events.slice(-3)).toEqual([{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: usage(wordCount(prompt), replyTokens(DEFAULT_REPLY).length), hidden: true }, { type: 'end' }]);
  });

  it('tool use: toolUse block / contentBlockStart + input deltas, stopReason tool_use', async () => {
    const plain = await send(bedrock(), { messages: [{ role: 'user', content: 'find it' }], tools: [tool] });
    const parsed = PROVIDERS.bedrock.parseChatResponse(plain.text);
    expect(parsed.ok && parsed.value).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: '{"id":1}' }], usage: { completion: TOOL_CALL_TOKENS } });
    const streamed = await send(bedrock(), { messages: [{ role: 'user', content: 'find it' }], tools: [tool], stream: true });
    const calls = streamed.events.filter((e) => e.type === 'tool_call') as { argumentsDelta: string; name?: string; id?: string }[];
    expect(calls[0]).toMatchObject({ name: 'lookup', id: expect.stringMatching(/^tooluse_/) as string });
    expect(calls.map((e) => e.argumentsDelta).join('')).toBe('{"id":1}');
    expect(streamed.events).toContainEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it('403 without SigV4, with another key id, with a wrong secret, or with a body changed after signing', async () => {
    const body = { messages: [{ role: 'user', content: prompt }] };
    const unsigned = await fetch(`${mock.url}/model/m/converse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [] }) });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
    const otherKey = await send(bedrock({ aws_access_key_id: 'AKIAOTHERKEY', aws_secret_access_key: MOCK_AWS_SECRET_ACCESS_KEY }), body);
    expect(otherKey.status).toBe(403);
    expect(PROVIDERS.bedrock.parseError(403, otherKey.text).message).toBe('The security token included in the request is invalid.');
    const wrongSecret = await send(bedrock({ aws_access_key_id: MOCK_AWS_ACCESS_KEY_ID, aws_secret_access_key: 'not-the-secret' }), body);
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
    const tampered = await send(bedrock(), body, {}, (b) => b.replace('five', 'six!'));
    expect(tampered.status).toBe(403);
    const good = await send(bedrock(), body);
    expect(good.status).toBe(200);
  });

  it('fault headers: throttling with x-amzn-errortype, no usage, a stream cut mid-way', async () => {
    const throttled = await send(bedrock(), { messages: [{ role: 'user', content: prompt }] }, { 'x-mock-status': '429' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
    expect(PROVIDERS.bedrock.parseError(429, throttled.text)).toEqual({ message: 'mock failure 429', errorType: 'rate_limit_error' });
    const bare = await send(bedrock(), { messages: [{ role: 'user', content: prompt }], stream: true }, { 'x-mock-no-usage': '1' });
    expect(bare.events.some((e) => e.type === 'usage')).toBe(false);
    expect(bare.events.at(-1)).toEqual({ type: 'end' });
    expect(bare.events.some((e) => e.type === 'error')).toBe(false);
    const cut = await send(bedrock(), { messages: [{ role: 'user', content: prompt }], stream: true }, { 'x-mock-drop-after': '2' });
    expect(cut.events.filter((e) => e.type === 'text')).toHaveLength(2);
    expect(cut.events.at(-2)).toMatchObject({ type: 'error', status: 502 });
  });
});

describe('mock Azure and Mistral dialects', () => {
  const chat = JSON.stringify({ messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });

  it('azure: api-key required (401), api-version required (404), stream_options only from api-version 2024-09-01', async () => {
    const path = `${mock.url}/openai/deployments/d1/chat/completions`;
    const noKey = await fetch(`${path}?api-version=2024-10-21`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe('401');
    const noVersion = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': 'k' }, body: chat });
    expect(noVersion.status).toBe(404);
    const old = await fetch(`${path}?api-version=2023-05-15`, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': 'k' }, body: chat });
    expect(old.status).toBe(400);
    expect(await old.text()).toContain('Unrecognized request argument supplied: stream_options');
    const ok = await fetch(`${path}?api-version=2024-10-21`, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': 'k' }, body: chat });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    // Azure opens a stream with a content-filter chunk that has no choices
    expect(JSON.parse(text.split('\n\n')[0]!.slice('data: '.length))).toMatchObject({ choices: [], prompt_filter_results: [{ prompt_index: 0 }] });
    expect(text).toContain('"usage":{"prompt_tokens":4');
  });

  it('mistral models: stream_options is a 422; usage comes on the finishing chunk unasked', async () => {
    const refused = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mistral-large-latest', messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } }) });
    expect(refused.status).toBe(422);
    const r = await send({ route_type: 'llm/v1/chat', model: { provider: 'mistral', name: 'mistral-large-latest', options: { upstream_url: mock.url } } }, { messages: [{ role: 'user', content: prompt }], stream: true });
    expect(r.status).toBe(200);
    expect(texts(r.events)).toBe(DEFAULT_REPLY);
    expect(r.text).toMatch(/"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":4/);
    expect(r.events).toContainEqual({ type: 'usage', usage: usage(wordCount(prompt), replyTokens(DEFAULT_REPLY).length), hidden: true });
  });
});
