import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import { BedrockStreamParser } from '../../../core/ai/providers/bedrock.js';
import { CohereStreamParser } from '../../../core/ai/providers/cohere.js';
import { encodeEventStreamMessage } from '../../../core/ai/providers/event-stream.js';
import { GeminiStreamParser } from '../../../core/ai/providers/gemini.js';
import type { TargetConfig } from '../../../core/ai/providers/provider.js';
import type { ChatRequest, StreamEvent } from '../../../core/ai/types.js';

const req: ChatRequest = {
  model: '',
  messages: [{ role: 'system', content: [{ type: 'text', text: 'sys' }] }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  streamUsage: false,
  extra: {},
  extraFormat: 'openai',
};

function target(provider: TargetConfig['model']['provider'], extra: Partial<TargetConfig> = {}, options: object = {}): TargetConfig {
  return { route_type: 'llm/v1/chat', model: { provider, name: 'm1', options }, auth: { header_name: 'Authorization', header_value: 'Bearer k' }, ...extra };
}

describe('building upstream requests', () => {
  it('openai: default URL, configured auth, usage asked for in streams', () => {
    const r = PROVIDERS.openai.buildChatRequest({ ...req, stream: true }, target('openai'));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(r.value.headers['authorization']).toBe('Bearer k');
    expect(JSON.parse(r.value.body)).toMatchObject({ model: 'm1', stream: true, stream_options: { include_usage: true } });
  });

  it('refuses a client model that differs from the configured one (Kong wording)', () => {
    const r = PROVIDERS.openai.buildChatRequest({ ...req, model: 'other' }, target('openai'));
    expect(r).toEqual({ ok: false, message: 'cannot use own model - must be: m1' });
  });

  it('upstream_url: bare origin gets the default path; query-param auth', () => {
    const r = PROVIDERS.gemini.buildChatRequest(req, target('gemini', { auth: { param_name: 'key', param_value: 'g', param_location: 'query' } }, { upstream_url: 'http://127.0.0.1:9' }));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('http://127.0.0.1:9/v1beta/models/m1:generateContent?key=g');
    expect(JSON.parse(r.value.body)).toEqual({ systemInstruction: { parts: [{ text: 'sys' }] }, contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    const s = PROVIDERS.gemini.buildChatRequest({ ...req, stream: true }, target('gemini'));
    if (!s.ok) throw new Error(s.message);
    expect(s.value.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/m1:streamGenerateContent?alt=sse');
  });

  it('azure: instance, deployment and api-version', () => {
    const r = PROVIDERS.azure.buildChatRequest(req, target('azure', { auth: { header_name: 'api-key', header_value: 'az' } }, { azure_instance: 'inst', azure_deployment_id: 'dep', azure_api_version: '2024-10-21' }));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('https://inst.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21');
    expect(r.value.headers['api-key']).toBe('az');
    expect(PROVIDERS.azure.buildChatRequest(req, target('azure')).ok).toBe(false);
  });

  it('azure: stream_options only from api-version 2024-09-01 (older ones answer 400 to it)', () => {
    const streamed = (version?: string): Record<string, unknown> => {
      const options = version === undefined ? { azure_instance: 'inst' } : { azure_instance: 'inst', azure_api_version: version };
      const r = PROVIDERS.azure.buildChatRequest({ ...req, stream: true }, target('azure', {}, options));
      if (!r.ok) throw new Error(r.message);
      return JSON.parse(r.value.body) as Record<string, unknown>;
    };
    expect(streamed()).not.toHaveProperty('stream_options'); // Kong's default 2023-05-15
    expect(streamed('2024-08-01-preview')).not.toHaveProperty('stream_options');
    expect(streamed('2024-09-01')).toMatchObject({ stream_options: { include_usage: true } });
    expect(streamed('2024-10-21')).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('anthropic: version header, system split out, max_tokens from options', () => {
    const r = PROVIDERS.anthropic.buildChatRequest(req, target('anthropic', { auth: { header_name: 'x-api-key', header_value: 'a' } }, { max_tokens: 77 }));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('https://api.anthropic.com/v1/messages');
    expect(r.value.headers).toMatchObject({ 'anthropic-version': '2023-06-01', 'x-api-key': 'a' });
    expect(JSON.parse(r.value.body)).toEqual({ model: 'm1', system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 77 });
  });

  it('mistral maps required tool choice to any and drops stream_options', () => {
    const r = PROVIDERS.mistral.buildChatRequest({ ...req, stream: true, toolChoice: 'required', tools: [{ name: 't', parameters: {} }] }, target('mistral'));
    if (!r.ok) throw new Error(r.message);
    const body = JSON.parse(r.value.body);
    expect(body.tool_choice).toBe('any');
    expect(body.stream_options).toBeUndefined();
  });

  it('openai-compatible requires upstream_url', () => {
    expect(PROVIDERS['openai-compatible'].buildChatRequest(req, target('openai-compatible')).ok).toBe(false);
    const r = PROVIDERS['openai-compatible'].buildChatRequest(req, target('openai-compatible', {}, { upstream_url: 'http://127.0.0.1:11434/v1/chat/completions' }));
    expect(r.ok && r.value.url).toBe('http://127.0.0.1:11434/v1/chat/completions');
  });

  it('cohere v2 body', () => {
    const r = PROVIDERS.cohere.buildChatRequest({ ...req, topP: 0.5 }, target('cohere'));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('https://api.cohere.com/v2/chat');
    expect(JSON.parse(r.value.body)).toEqual({ model: 'm1', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }], p: 0.5 });
  });

  it('bedrock: converse URL and a SigV4 authorization for service bedrock', () => {
    const t = target('bedrock', { auth: { aws_access_key_id: 'AKID', aws_secret_access_key: 'SECRET' } }, { bedrock: { aws_region: 'us-west-2' } });
    t.model.name = 'anthropic.claude-3:0';
    const r = PROVIDERS.bedrock.buildChatRequest(req, t, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.url).toBe('https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3%3A0/converse');
    expect(r.value.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/20240102\/us-west-2\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(r.value.body)).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], system: [{ text: 'sys' }] });
    expect(PROVIDERS.bedrock.buildChatRequest(req, target('bedrock')).ok).toBe(false);
  });

  it('never forwards anything but the configured credential', () => {
    for (const name of ['openai', 'mistral', 'cohere'] as const) {
      const r = PROVIDERS[name].buildChatRequest(req, target(name, { auth: {} }));
      if (!r.ok) throw new Error(r.message);
      expect(Object.keys(r.value.headers).sort()).toEqual(['accept', 'content-type']);
    }
  });
});

describe('parsing upstream answers', () => {
  it('gemini answer with a function call', () => {
    const r = PROVIDERS.gemini.parseChatResponse(JSON.stringify({
      candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
    }));
    expect(r.ok && r.value).toMatchObject({ toolCalls: [{ id: 'call_0', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool_calls', usage: { prompt: 4, completion: 2, total: 6, estimated: false } });
  });

  it('bedrock and cohere answers', () => {
    const b = PROVIDERS.bedrock.parseChatResponse(JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'yo' }] } }, stopReason: 'max_tokens', usage: { inputTokens: 3, outputTokens: 9, totalTokens: 12 } }));
    expect(b.ok && b.value).toMatchObject({ text: 'yo', finishReason: 'length', usage: { prompt: 3, completion: 9, total: 12 } });
    const c = PROVIDERS.cohere.parseChatResponse(JSON.stringify({ id: 'c', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'hey' }] }, usage: { billed_units: { input_tokens: 1, output_tokens: 1 }, tokens: { input_tokens: 8, output_tokens: 2 } } }));
    // Billed units are what Cohere charges for (and what Kong counts); `tokens` only without them.
    expect(c.ok && c.value).toMatchObject({ text: 'hey', usage: { prompt: 1, completion: 1, total: 2 } });
    const t = PROVIDERS.cohere.parseChatResponse(JSON.stringify({ id: 'c', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'hey' }] }, usage: { tokens: { input_tokens: 8, output_tokens: 2 } } }));
    expect(t.ok && t.value).toMatchObject({ usage: { prompt: 8, completion: 2, total: 10 } });
  });

  it('errors in each shape', () => {
    expect(PROVIDERS.openai.parseError(429, '{"error":{"message":"slow","type":"requests"}}')).toEqual({ message: 'slow', errorType: 'requests' });
    expect(PROVIDERS.anthropic.parseError(529, '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}')).toEqual({ message: 'busy', errorType: 'overloaded_error' });
    expect(PROVIDERS.gemini.parseError(400, '{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}')).toEqual({ message: 'bad', errorType: 'INVALID_ARGUMENT' });
  });
});

function feedSplit(p: { feed(c: Uint8Array | string): StreamEvent[]; end(): StreamEvent[] }, bytes: Uint8Array, size: number): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...p.feed(bytes.subarray(i, i + size)));
  return [...out, ...p.end()];
}

describe('provider stream parsers', () => {
  it('gemini: text chunks, cumulative usage (latest wins), end at EOF', () => {
    const f = (text: string, n: number, finish?: string): string => `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }] }, ...(finish === undefined ? {} : { finishReason: finish }) }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: n, totalTokenCount: 5 + n } })}\r\n\r\n`;
    const bytes = new TextEncoder().encode(f('a', 1) + f('b', 2) + f('c', 3, 'STOP'));
    const events = feedSplit(new GeminiStreamParser(false), bytes, 5);
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('')).toBe('abc');
    expect(events.slice(-3)).toEqual([
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt: 5, completion: 3, total: 8, estimated: false }, hidden: false },
      { type: 'end' },
    ]);
  });

  it('cohere v2 stream events', () => {
    const e = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const text = e('message-start', { id: 'co1', delta: { message: { role: 'assistant' } } })
      + e('content-delta', { index: 0, delta: { message: { content: { text: 'Hi' } } } })
      + e('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: 'tc', type: 'function', function: { name: 'f', arguments: '' } } } } })
      + e('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: '{}' } } } } })
      + e('message-end', { delta: { finish_reason: 'TOOL_CALL', usage: { tokens: { input_tokens: 3, output_tokens: 4 } } } });
    const events = feedSplit(new CohereStreamParser(true), new TextEncoder().encode(text), 9);
    expect(events).toEqual([
      { type: 'start', id: 'co1', model: '' },
      { type: 'text', text: 'Hi' },
      { type: 'tool_call', index: 0, id: 'tc', name: 'f', argumentsDelta: '' },
      { type: 'tool_call', index: 0, argumentsDelta: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt: 3, completion: 4, total: 7, estimated: false }, hidden: true },
      { type: 'end' },
    ]);
  });

  it('bedrock ConverseStream event-stream frames, split anywhere', () => {
    const m = (type: string, payload: object): Uint8Array => encodeEventStreamMessage({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload));
    const parts = [
      m('messageStart', { role: 'assistant' }),
      m('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
      m('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }),
      m('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu', name: 'f' } } }),
      m('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":1}' } } }),
      m('messageStop', { stopReason: 'tool_use' }),
      m('metadata', { usage: { inputTokens: 6, outputTokens: 7, totalTokens: 13 } }),
    ];
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    for (const size of [1, 13, all.length]) {
      const events = feedSplit(new BedrockStreamParser(false), all, size);
      expect(events).toEqual([
        { type: 'start', id: '', model: '' },
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo' },
        { type: 'tool_call', index: 0, id: 'tu', name: 'f', argumentsDelta: '' },
        { type: 'tool_call', index: 0, argumentsDelta: '{"a":1}' },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'usage', usage: { prompt: 6, completion: 7, total: 13, estimated: false }, hidden: false },
        { type: 'end' },
      ]);
    }
    const corrupt = parts[1]!.slice();
    corrupt[corrupt.length - 6] = (corrupt[corrupt.length - 6] ?? 0) ^ 0xff;
    expect(new BedrockStreamParser(false).feed(corrupt)[0]).toMatchObject({ type: 'error', status: 502 });
  });
});
