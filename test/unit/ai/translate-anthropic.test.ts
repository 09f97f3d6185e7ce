import { describe, expect, it } from 'vitest';
import { parseAnthropicRequest, parseAnthropicResponse, renderAnthropicError, renderAnthropicRequest, renderAnthropicResponse } from '../../../core/ai/translate/anthropic.js';
import { AnthropicStreamParser, AnthropicStreamRenderer } from '../../../core/ai/translate/anthropic-stream.js';
import { OpenAiStreamParser, OpenAiStreamRenderer } from '../../../core/ai/translate/openai-stream.js';
import type { StreamEvent } from '../../../core/ai/types.js';

const body = {
  model: 'claude-x',
  system: 'be brief',
  max_tokens: 100,
  messages: [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: [{ type: 'text', text: 'checking' }, { type: 'tool_use', id: 'tu1', name: 'weather', input: { city: 'Oslo' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: 'sunny' }, { type: 'text', text: 'thanks' }] },
  ],
  tools: [{ name: 'weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  tool_choice: { type: 'any' },
  stop_sequences: ['X'],
  metadata: { user_id: 'u1' },
  thinking: { type: 'enabled', budget_tokens: 10 },
};

describe('Anthropic request codec', () => {
  it('splits system and tool results into canonical messages', () => {
    const r = parseAnthropicRequest(body);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(r.value.messages[2]?.toolCalls).toEqual([{ id: 'tu1', name: 'weather', arguments: '{"city":"Oslo"}' }]);
    expect(r.value.toolChoice).toBe('required');
    expect(r.value.user).toBe('u1');
    expect(r.value.extra).toEqual({ thinking: { type: 'enabled', budget_tokens: 10 } });
  });

  it('renders back to the same Anthropic body (merging tool results into the user turn)', () => {
    const r = parseAnthropicRequest(body);
    if (!r.ok) throw new Error(r.message);
    const out = renderAnthropicRequest(r.value);
    expect(out['system']).toBe('be brief');
    expect(out['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      body.messages[1],
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: 'sunny' }, { type: 'text', text: 'thanks' }] },
    ]);
    expect(out['thinking']).toEqual(body.thinking);
    expect(parseAnthropicRequest(out)).toEqual(r);
  });

  it('answers and errors round-trip', () => {
    const res = { id: 'msg_1', model: 'claude-x', created: 1, text: 'hi', toolCalls: [{ id: 't', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool_calls' as const, usage: { prompt: 3, completion: 2, total: 5, estimated: false } };
    const parsed = parseAnthropicResponse(JSON.parse(renderAnthropicResponse(res)));
    if (!parsed.ok) throw new Error(parsed.message);
    expect({ ...parsed.value, created: 1 }).toEqual(res);
    expect(JSON.parse(renderAnthropicError(429, 'slow').body)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow' } });
  });
});

const ev = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const upstream = ev('message_start', { message: { id: 'msg_9', model: 'claude-x', usage: { input_tokens: 25, output_tokens: 1 } } })
  + ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
  + ev('ping', {})
  + ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } })
  + ev('content_block_stop', { index: 0 })
  + ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'tu', name: 'f', input: {} } })
  + ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"a"' } })
  + ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: ':1}' } })
  + ev('content_block_stop', { index: 1 })
  + ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 10 } })
  + ev('message_delta', { delta: {}, usage: { output_tokens: 15 } })
  + ev('message_stop', {});

describe('Anthropic stream', () => {
  it('takes the final cumulative usage, never the sum', () => {
    const events = new AnthropicStreamParser(false).feed(upstream);
    const usage = events.filter((e) => e.type === 'usage');
    expect(usage).toEqual([{ type: 'usage', usage: { prompt: 25, completion: 15, total: 40, estimated: false }, hidden: false }]);
    expect(events.at(-1)).toEqual({ type: 'end' });
  });

  it('parses identically at every split size', () => {
    const whole = new AnthropicStreamParser(true).feed(upstream);
    for (const size of [1, 3, 64]) {
      const p = new AnthropicStreamParser(true);
      const got: StreamEvent[] = [];
      for (let i = 0; i < upstream.length; i += size) got.push(...p.feed(upstream.slice(i, i + size)));
      got.push(...p.end());
      expect(got).toEqual(whole);
    }
    expect(whole.filter((e) => e.type === 'tool_call')).toEqual([
      { type: 'tool_call', index: 0, id: 'tu', name: 'f', argumentsDelta: '' },
      { type: 'tool_call', index: 0, argumentsDelta: '{"a"' },
      { type: 'tool_call', index: 0, argumentsDelta: ':1}' },
    ]);
  });

  it('Anthropic upstream -> OpenAI client: text, tool call, usage only if asked', () => {
    const events = new AnthropicStreamParser(true).feed(upstream);
    const out = new OpenAiStreamRenderer({ includeUsage: true, created: 1 });
    const sse = events.map((e) => out.push(e)).join('');
    const back = new OpenAiStreamParser(false).feed(sse);
    expect(back.filter((e) => e.type === 'text')).toEqual([{ type: 'text', text: 'Hi' }]);
    expect(back.find((e) => e.type === 'finish')).toEqual({ type: 'finish', reason: 'tool_calls' });
    expect(back.find((e) => e.type === 'usage')).toMatchObject({ usage: { prompt: 25, completion: 15, total: 40 } });
  });

  it('OpenAI-shaped events -> Anthropic client event sequence', () => {
    const r = new AnthropicStreamRenderer({ id: 'msg_x', model: 'm' });
    const sse = ([
      { type: 'start', id: '', model: '' },
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'tool_call', index: 0, id: 'c', name: 'f', argumentsDelta: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt: 4, completion: 6, total: 10, estimated: false }, hidden: true },
      { type: 'end' },
    ] as StreamEvent[]).map((e) => r.push(e)).join('');
    const names = [...sse.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const back = new AnthropicStreamParser(false).feed(sse);
    expect(back.find((e) => e.type === 'usage')).toMatchObject({ usage: { prompt: 4, completion: 6 } });
    expect(back.find((e) => e.type === 'finish')).toEqual({ type: 'finish', reason: 'tool_calls' });
  });
});
