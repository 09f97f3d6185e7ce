/** llm/v1/completions: the legacy Completions format <-> the canonical chat model, and the completions codec per provider. */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import { completionsCodec } from '../../../core/ai/route-types/completions.js';
import { codecFor } from '../../../core/ai/route-types/index.js';
import {
  CompletionsStreamRenderer,
  parseOpenAiCompletionsRequest,
  parseOpenAiCompletionsResponse,
  renderOpenAiCompletionsRequest,
  renderOpenAiCompletionsResponse,
} from '../../../core/ai/translate/openai-completions.js';
import { OpenAiStreamParser } from '../../../core/ai/translate/openai-stream.js';
import type { ChatRequest, StreamEvent } from '../../../core/ai/types.js';

function parse(body: unknown): ChatRequest {
  const r = parseOpenAiCompletionsRequest(body);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('completions request', () => {
  it('the prompt becomes one user message; known fields map, the rest stays in extra', () => {
    const req = parse({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 7, temperature: 0.2, stop: '\n', suffix: '!', echo: false, stream: true, stream_options: { include_usage: true } });
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Say hi' }] }]);
    expect(req).toMatchObject({ model: 'gpt-3.5-turbo-instruct', maxTokens: 7, temperature: 0.2, stop: ['\n'], stream: true, streamUsage: true, extraFormat: 'openai' });
    expect(req.extra).toEqual({ suffix: '!', echo: false });
  });

  it('a one-string array is that prompt; several prompts, token arrays and a missing prompt are refused', () => {
    expect(parse({ prompt: ['only'] }).messages[0]?.content).toEqual([{ type: 'text', text: 'only' }]);
    const several = parseOpenAiCompletionsRequest({ prompt: ['a', 'b'] });
    expect(several.ok === false && several.message).toContain('more than one prompt');
    expect(parseOpenAiCompletionsRequest({ prompt: [1, 2, 3] }).ok).toBe(false);
    expect(parseOpenAiCompletionsRequest({ model: 'm' }).ok).toBe(false);
    expect(parseOpenAiCompletionsRequest('prompt').ok).toBe(false);
  });

  it('renders back to a completions body for an upstream, extras included', () => {
    const body = renderOpenAiCompletionsRequest({ ...parse({ model: 'm', prompt: 'p', max_tokens: 3, suffix: 's', user: 'u' }), stream: true, streamUsage: true });
    expect(body).toEqual({ suffix: 's', model: 'm', prompt: 'p', max_tokens: 3, stream: true, stream_options: { include_usage: true }, user: 'u' });
  });
});

describe('completions response', () => {
  it('parses the first choice and renders a text_completion (tool calls have no place, finish maps to stop)', () => {
    const parsed = parseOpenAiCompletionsResponse({ id: 'cmpl-1', object: 'text_completion', created: 5, model: 'm', choices: [{ text: 'hello', index: 0, logprobs: null, finish_reason: 'length' }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value).toMatchObject({ id: 'cmpl-1', text: 'hello', finishReason: 'length', usage: { prompt: 2, completion: 1, total: 3, estimated: false } });
    expect(JSON.parse(renderOpenAiCompletionsResponse(parsed.value))).toEqual({
      id: 'cmpl-1', object: 'text_completion', created: 5, model: 'm',
      choices: [{ text: 'hello', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
    });
    const tool = JSON.parse(renderOpenAiCompletionsResponse({ ...parsed.value, finishReason: 'tool_calls', usage: null })) as Record<string, unknown>;
    expect(tool['choices']).toEqual([{ text: 'hello', index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(tool).not.toHaveProperty('usage');
    expect(parseOpenAiCompletionsResponse({ choices: [] }).ok).toBe(false);
  });
});

describe('completions streams', () => {
  const frames = [
    'data: {"id":"cmpl-9","object":"text_completion","created":1,"model":"m","choices":[{"text":"Hel","index":0,"logprobs":null,"finish_reason":null}]}\n\n',
    'data: {"id":"cmpl-9","object":"text_completion","created":1,"model":"m","choices":[{"text":"lo","index":0,"logprobs":null,"finish_reason":null}]}\n\n',
    'data: {"id":"cmpl-9","object":"text_completion","created":1,"model":"m","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}]}\n\n',
    'data: {"id":"cmpl-9","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}\n\n',
    'data: [DONE]\n\n',
  ];

  it('the legacy parser reads choices[0].text, finish and usage (hidden when the gateway asked for it)', () => {
    const parser = new OpenAiStreamParser(true, true);
    const events: StreamEvent[] = [];
    for (const f of frames) events.push(...parser.feed(f.slice(0, 30)), ...parser.feed(f.slice(30)));
    events.push(...parser.end());
    expect(events).toEqual([
      { type: 'start', id: 'cmpl-9', model: 'm' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt: 4, completion: 2, total: 6, estimated: false }, hidden: true },
      { type: 'end' },
    ]);
  });

  it('renders text_completion chunks and [DONE]; usage only when the client asked', () => {
    const events: StreamEvent[] = [
      { type: 'start', id: 'up-1', model: 'claude' },
      { type: 'text', text: 'Hi' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt: 3, completion: 1, total: 4, estimated: false }, hidden: false },
      { type: 'end' },
    ];
    const render = (includeUsage: boolean): unknown[] => {
      const r = new CompletionsStreamRenderer({ includeUsage, created: 9, id: 'cmpl-x', model: 'm' });
      const text = events.map((e) => r.push(e)).join('');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      return text.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as unknown);
    };
    expect(render(false)).toEqual([
      { id: 'up-1', object: 'text_completion', created: 9, model: 'claude', choices: [{ text: 'Hi', index: 0, logprobs: null, finish_reason: null }] },
      { id: 'up-1', object: 'text_completion', created: 9, model: 'claude', choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] },
    ]);
    expect(render(true)[2]).toEqual({ id: 'up-1', object: 'text_completion', created: 9, model: 'claude', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
  });
});

describe('completions codec per provider', () => {
  const req = parse({ model: '', prompt: 'Tell me', max_tokens: 10, suffix: '?' });
  const target = (provider: string, options: Record<string, unknown> = {}) =>
    ({ route_type: 'llm/v1/completions' as const, model: { provider: provider as 'openai', name: 'm1', options: { upstream_url: 'http://127.0.0.1:9', ...options } } });

  it('is the codec of an OpenAI-format completions route', () => {
    expect(codecFor('llm/v1/completions', 'openai')).toBe(completionsCodec);
  });

  it('openai, azure and openai-compatible are forwarded to their completions API; the others go through chat without completions-only fields', () => {
    const build = (provider: keyof typeof PROVIDERS, options?: Record<string, unknown>) => {
      const b = completionsCodec.build(PROVIDERS[provider], req, target(provider, options), new Date(0));
      if (!b.ok) throw new Error(b.message);
      return { url: new URL(b.value.url), body: JSON.parse(b.value.body) as Record<string, unknown> };
    };
    const oa = build('openai');
    expect(oa.url.pathname).toBe('/v1/completions');
    expect(oa.body).toMatchObject({ model: 'm1', prompt: 'Tell me', max_tokens: 10, suffix: '?' });
    expect(build('openai-compatible').url.pathname).toBe('/v1/completions');
    const az = build('azure', { azure_deployment_id: 'dep' });
    expect(az.url.pathname).toBe('/openai/deployments/dep/completions');
    expect(az.url.searchParams.get('api-version')).toBe('2023-05-15');
    const mi = build('mistral');
    expect(mi.url.pathname).toBe('/v1/chat/completions');
    expect(mi.body).toMatchObject({ model: 'm1', messages: [{ role: 'user', content: 'Tell me' }] });
    expect(mi.body).not.toHaveProperty('suffix');
    const an = build('anthropic');
    expect(an.url.pathname).toBe('/v1/messages');
    expect(an.body).not.toHaveProperty('suffix');
    const ge = build('gemini');
    expect(ge.url.pathname).toBe('/v1beta/models/m1:generateContent');
  });

  it("renders a chat provider's answer as a text_completion with its usage", () => {
    const body = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'text', text: 'Sure.' }], stop_reason: 'end_turn', usage: { input_tokens: 2, output_tokens: 1 } });
    const a = completionsCodec.answer(PROVIDERS.anthropic, { ...req, model: 'm1' }, body);
    if (!a.ok) throw new Error(a.message);
    expect(a.usage).toEqual({ prompt: 2, completion: 1, total: 3, estimated: false });
    expect(a.output).toBe(true);
    expect(JSON.parse(a.body)).toMatchObject({ object: 'text_completion', model: 'claude', choices: [{ text: 'Sure.', index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
  });
});
