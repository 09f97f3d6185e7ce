import { describe, expect, it } from 'vitest';
import { parseOpenAiRequest, parseOpenAiResponse, renderOpenAiError, renderOpenAiRequest, renderOpenAiResponse } from '../../../core/ai/translate/openai.js';
import { OpenAiStreamParser, OpenAiStreamRenderer } from '../../../core/ai/translate/openai-stream.js';
import type { ChatResponse, StreamEvent } from '../../../core/ai/types.js';

const body = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '42' },
  ],
  tools: [{ type: 'function', function: { name: 'get', description: 'Get', parameters: { type: 'object', properties: { q: { type: 'number' } } } } }],
  tool_choice: { type: 'function', function: { name: 'get' } },
  max_tokens: 50,
  temperature: 0.5,
  stop: 'END',
  stream: true,
  stream_options: { include_usage: true },
  seed: 7,
  logit_bias: { '1': 2 },
};

describe('OpenAI request codec', () => {
  it('parses into the canonical model and keeps unknown fields', () => {
    const r = parseOpenAiRequest(body);
    if (!r.ok) throw new Error(r.message);
    const req = r.value;
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(req.messages[1]?.content[1]).toEqual({ type: 'image', mediaType: 'image/png', data: 'AAAA' });
    expect(req.messages[2]?.toolCalls).toEqual([{ id: 'c1', name: 'get', arguments: '{"q":1}' }]);
    expect(req.messages[3]?.toolCallId).toBe('c1');
    expect(req.toolChoice).toEqual({ name: 'get' });
    expect(req.stop).toEqual(['END']);
    expect(req.streamUsage).toBe(true);
    expect(req.extra).toEqual({ seed: 7, logit_bias: { '1': 2 } });
  });

  it('round-trips: parse(render(parse(x))) equals parse(x)', () => {
    const first = parseOpenAiRequest(body);
    if (!first.ok) throw new Error(first.message);
    const rendered = renderOpenAiRequest(first.value);
    expect(rendered['seed']).toBe(7);
    expect(rendered['stop']).toEqual(['END']);
    const second = parseOpenAiRequest(rendered);
    expect(second).toEqual(first);
  });

  it('rejects bodies without messages with a clear message', () => {
    expect(parseOpenAiRequest({ model: 'x' })).toEqual({ ok: false, message: "'messages' must be an array" });
    expect(parseOpenAiRequest({ messages: [{ role: 'wizard', content: 'x' }] }).ok).toBe(false);
  });
});

describe('OpenAI response codec', () => {
  const res: ChatResponse = {
    id: 'r1', model: 'gpt-4o', created: 100, text: '',
    toolCalls: [{ id: 'c1', name: 'get', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt: 10, completion: 3, total: 13, estimated: false },
  };
  it('round-trips a tool-call answer', () => {
    const parsed = parseOpenAiResponse(JSON.parse(renderOpenAiResponse(res)));
    expect(parsed).toEqual({ ok: true, value: res });
  });
  it('renders errors in OpenAI shape', () => {
    const e = renderOpenAiError(429, 'slow down');
    expect(e.status).toBe(429);
    expect(JSON.parse(e.body)).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: null } });
  });
});

function upstreamChunks(): string {
  const c = (delta: object, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'x1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return c({ role: 'assistant', content: '' }) + c({ content: 'Hel' }) + c({ content: 'lo' })
    + c({ tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '' } }] })
    + c({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] })
    + c({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] })
    + c({}, 'tool_calls')
    + `data: ${JSON.stringify({ id: 'x1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } })}\n\n`
    + 'data: [DONE]\n\n';
}

describe('OpenAI stream', () => {
  it('parses chunk by chunk into canonical events (any split)', () => {
    const text = upstreamChunks();
    const whole = new OpenAiStreamParser(true).feed(text);
    expect(whole).toEqual([
      { type: 'start', id: 'x1', model: 'm' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'tool_call', index: 0, id: 't1', name: 'f', argumentsDelta: '' },
      { type: 'tool_call', index: 0, argumentsDelta: '{"a":' },
      { type: 'tool_call', index: 0, argumentsDelta: '1}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt: 5, completion: 4, total: 9, estimated: false }, hidden: true },
      { type: 'end' },
    ]);
    for (const size of [1, 7, 50]) {
      const p = new OpenAiStreamParser(true);
      const got: StreamEvent[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...p.feed(text.slice(i, i + size)));
      got.push(...p.end());
      expect(got).toEqual(whole);
    }
  });

  it('reports a stream cut before finish as an error', () => {
    const p = new OpenAiStreamParser(false);
    p.feed(upstreamChunks().split('data: {"id":"x1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls"')[0]!);
    const tail = p.end();
    expect(tail[0]).toMatchObject({ type: 'error', status: 502 });
    expect(tail[1]).toEqual({ type: 'end' });
  });

  it('renders usage only when the client asked for it, last, before [DONE]', () => {
    const events = new OpenAiStreamParser(true).feed(upstreamChunks());
    const hidden = new OpenAiStreamRenderer({ includeUsage: false, created: 5 });
    const shown = new OpenAiStreamRenderer({ includeUsage: true, created: 5 });
    const a = events.map((e) => hidden.push(e)).join('');
    const b = events.map((e) => shown.push(e)).join('');
    expect(a).not.toContain('"usage"');
    expect(a.endsWith('data: [DONE]\n\n')).toBe(true);
    const frames = b.trim().split('\n\n');
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(frames.at(-2)!.slice(6))).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } });
    // Rendering back through the parser gives the same canonical events.
    const again = new OpenAiStreamParser(false).feed(b);
    expect(again.filter((e) => e.type !== 'usage')).toEqual(events.filter((e) => e.type !== 'usage'));
  });
});
