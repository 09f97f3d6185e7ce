/**
 * The passthrough's pieces without a server: the stream reader (split anywhere, usage
 * hidden or shown, estimates, cuts, bounded keeping) and the non-streamed reader.
 */
import { describe, expect, it } from 'vitest';
import { OpenAiPassthroughStream } from '../../../core/ai/passthrough-stream.js';
import { passesThrough, passthroughAnswer } from '../../../core/ai/passthrough.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import { chatAnthropicCodec, chatOpenAiCodec } from '../../../core/ai/route-types/chat.js';
import { completionsCodec } from '../../../core/ai/route-types/completions.js';
import { UsageTracker } from '../../../core/ai/tokens.js';
import { OpenAiStreamParser } from '../../../core/ai/translate/openai-stream.js';
import type { ChatRequest } from '../../../core/ai/types.js';

const REQ: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }], stream: true, streamUsage: true, extra: {}, extraFormat: 'openai' };

const frame = (o: Record<string, unknown>): string => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
  frame({ id: 'x', object: 'chat.completion.chunk', created: 5, model: 'm-1', choices: [{ index: 0, delta, finish_reason: finish }] });
const USAGE = frame({ id: 'x', object: 'chat.completion.chunk', created: 5, model: 'm-1', choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } });
const DONE = 'data: [DONE]\n\n';
const TOKENS = [chunk({ role: 'assistant', content: '' }, null), chunk({ content: 'one ' }, null), chunk({ content: 'two' }, null), chunk({}, 'stop')];

/** Feeds `text` in pieces of `size` bytes (0 = whole); collects what the client gets. */
function run(text: string, showUsage: boolean, size = 0, end = false): { out: string; s: OpenAiPassthroughStream; outputs: number } {
  const s = new OpenAiPassthroughStream(REQ, showUsage, false);
  const bytes = Buffer.from(text);
  let out = '';
  let outputs = 0;
  const step = size === 0 ? bytes.length : size;
  for (let i = 0; i < bytes.length && !s.ended; i += step) {
    s.feed(bytes.subarray(i, i + step), out !== '');
    out += s.out;
    if (s.output) outputs++;
  }
  if (end && !s.ended) {
    s.end(out !== '');
    out += s.out;
  }
  return { out, s, outputs };
}

describe('OpenAiPassthroughStream', () => {
  const stream = TOKENS.join('') + USAGE + DONE;

  it('gives the same bytes however the upstream splits them, usage chunk hidden unless asked', () => {
    for (const size of [0, 1, 3, 7, 64]) {
      const hidden = run(stream, false, size);
      expect(hidden.out).toBe(TOKENS.join('') + DONE);
      expect(hidden.outputs).toBe(1);
      expect(hidden.s.usage()).toEqual({ prompt: 4, completion: 3, total: 7, estimated: false });
      expect(run(stream, true, size).out).toBe(stream);
    }
  });

  it('names the provider\'s model in the step that first carries it', () => {
    const s = new OpenAiPassthroughStream(REQ, false, false);
    s.feed(Buffer.from(TOKENS[0] as string), false);
    expect(s.model).toBe('m-1');
    expect(s.output).toBe(false);
    s.feed(Buffer.from(TOKENS[1] as string), true);
    expect(s.model).toBe('');
    expect(s.output).toBe(true);
  });

  it('no usage upstream: the estimate equals the translating tracker\'s, and the asking client gets a usage chunk', () => {
    const text = TOKENS.join('') + DONE;
    const tracker = new UsageTracker(REQ);
    const parser = new OpenAiStreamParser(true);
    for (const ev of parser.feed(text)) tracker.push(ev);
    const want = tracker.usage();
    expect(want.estimated).toBe(true);
    const plain = run(text, false);
    expect(plain.out).toBe(text);
    expect(plain.s.usage()).toEqual(want);
    const asked = run(text, true);
    expect(asked.out.startsWith(TOKENS.join(''))).toBe(true);
    const usageFrame = asked.out.slice(TOKENS.join('').length, -DONE.length);
    expect(JSON.parse(usageFrame.slice(6))).toMatchObject({ choices: [], usage: { prompt_tokens: want.prompt, completion_tokens: want.completion } });
  });

  it('keeps memory bounded on a long answer without usage, and the estimate still counts all of it', () => {
    const many = Array.from({ length: 3000 }, (_, i) => chunk({ content: `w${i} ` }, null)).join('');
    const text = TOKENS[0] + many + TOKENS[3] + DONE;
    const tracker = new UsageTracker(REQ);
    for (const ev of new OpenAiStreamParser(true).feed(text)) tracker.push(ev);
    const r = run(text, false, 4096);
    expect(r.out).toBe(text);
    expect(r.s.usage()).toEqual(tracker.usage());
  });

  it('a stream cut before its finish: an error for the client, or a clean failover when nothing was shown', () => {
    const shown = run(TOKENS.slice(0, 2).join(''), false, 0, true);
    expect(shown.out).toContain('"error"');
    expect(shown.out.endsWith(DONE)).toBe(true);
    const s = new OpenAiPassthroughStream(REQ, false, false);
    s.feed(Buffer.from('data: {"id":"x"'), false);
    s.end(false);
    expect(s.error).toEqual({ status: 502, message: 'upstream stream ended before it finished' });
    expect(s.out).toBe('');
  });

  it('a cut after the finish reason ends the stream properly', () => {
    const r = run(TOKENS.join(''), false, 0, true);
    expect(r.out).toBe(TOKENS.join('') + DONE);
  });

  it('an error frame first is a failover; later it is shown, then [DONE], and nothing more', () => {
    const err = frame({ error: { message: 'boom', type: 'server_error' } });
    const s = new OpenAiPassthroughStream(REQ, false, false);
    s.feed(Buffer.from(err), false);
    expect(s.error).toEqual({ status: 500, message: 'boom' });
    const later = run(TOKENS.slice(0, 2).join('') + err + TOKENS[2] + USAGE + DONE, false);
    expect(later.out).toBe(TOKENS.slice(0, 2).join('') + err + DONE);
    expect(later.s.usage().estimated).toBe(false);
  });

  it('Mistral: a streamed tool call gets its type; usage on the finish chunk is removed when not asked', () => {
    const call = chunk({ tool_calls: [{ id: 'abc', function: { name: 'f', arguments: '{}' }, index: 0 }] }, null);
    const finish = frame({ id: 'x', object: 'chat.completion.chunk', created: 5, model: 'm-1', choices: [{ index: 0, delta: { content: '' }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } });
    const s = new OpenAiPassthroughStream(REQ, false, true);
    s.feed(Buffer.from(TOKENS[0] + call + finish + DONE), false);
    const frames = s.out.split(/(?<=\n\n)/);
    expect(frames[0]).toBe(TOKENS[0]);
    expect(JSON.parse((frames[1] as string).slice(6)).choices[0].delta.tool_calls[0].type).toBe('function');
    expect(frames[2]).not.toContain('usage');
    expect(JSON.parse((frames[2] as string).slice(6)).choices[0].finish_reason).toBe('tool_calls');
    expect(frames[3]).toBe(DONE);
    expect(s.usage()).toEqual({ prompt: 4, completion: 3, total: 7, estimated: false });
  });
});

describe('passthrough choice and non-streamed answers', () => {
  it('only OpenAI-format chat routes to OpenAI-family providers', () => {
    for (const name of ['openai', 'azure', 'mistral', 'openai-compatible'] as const) expect(passesThrough(chatOpenAiCodec, PROVIDERS[name])).toBe(true);
    for (const name of ['anthropic', 'gemini', 'cohere', 'bedrock'] as const) expect(passesThrough(chatOpenAiCodec, PROVIDERS[name])).toBe(false);
    expect(passesThrough(chatAnthropicCodec, PROVIDERS.openai)).toBe(false);
    expect(passesThrough(completionsCodec, PROVIDERS.openai)).toBe(false);
  });

  it('the body is unchanged; usage, model and output are read from it', () => {
    const body = JSON.stringify({ id: 'a', object: 'chat.completion', created: 1, model: 'm-2', system_fingerprint: 'fp', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
    expect(passthroughAnswer(REQ, body)).toEqual({ ok: true, body, usage: { prompt: 2, completion: 1, total: 3, estimated: false }, model: 'm-2', output: true });
    const noUsage = JSON.stringify({ model: 'm-2', choices: [{ message: { content: 'hello world' } }] });
    const a = passthroughAnswer(REQ, noUsage);
    expect(a.ok && a.body === noUsage && a.usage.estimated && a.usage.completion > 0).toBe(true);
    expect(passthroughAnswer(REQ, '{"choices":[]}')).toEqual({ ok: false, message: 'upstream answer has no choices' });
    expect(passthroughAnswer(REQ, 'nope').ok).toBe(false);
  });
});
