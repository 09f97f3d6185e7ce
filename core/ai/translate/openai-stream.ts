/**
 * OpenAI streaming: `data: {chat.completion.chunk}` frames ending with `data: [DONE]`.
 *
 * OpenAiStreamParser reads an upstream stream into canonical events, chunk by chunk.
 * OpenAiStreamRenderer writes canonical events as OpenAI chunks for a client. Usage is
 * held until the end (OpenAI sends it in a last chunk with `choices: []`) and shown only
 * when the client asked for it with `stream_options.include_usage`.
 */
import { SseStreamParser, sseFrame, streamCut } from '../sse.js';
import type { FinishReason, StreamEvent, Usage } from '../types.js';
import { arr, isObject, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { openAiFinish, parseOpenAiUsage, renderOpenAiUsage } from './openai.js';

/**
 * Upstream stream -> canonical events. `hiddenUsage`: the gateway, not the client, asked for
 * usage. `legacy`: the stream is the legacy Completions API's (`text_completion` chunks
 * carry `choices[0].text` instead of a delta); framing, finish and usage are the same.
 */
export class OpenAiStreamParser extends SseStreamParser {
  readonly #hiddenUsage: boolean;
  readonly #legacy: boolean;
  #started = false;
  #finished = false;

  constructor(hiddenUsage: boolean, legacy = false) {
    super();
    this.#hiddenUsage = hiddenUsage;
    this.#legacy = legacy;
  }

  /** A finish reason (or an error) arrived: a cut after it is not an error. */
  get finished(): boolean {
    return this.#finished;
  }

  /** A stream that sent its finish reason but no `[DONE]` still ended properly. */
  protected override onCut(out: StreamEvent[]): void {
    if (!this.#finished) out.push(streamCut());
    out.push({ type: 'end' });
  }

  protected take(data: string, out: StreamEvent[]): void {
    if (this.done) return;
    if (data === '[DONE]') {
      this.done = true;
      out.push({ type: 'end' });
      return;
    }
    const chunk = parseJson(data);
    if (!isObject(chunk)) return;
    const error = obj(chunk, 'error');
    if (error !== undefined) {
      out.push({ type: 'error', status: 500, message: str(error, 'message') ?? 'upstream error', errorType: str(error, 'type') ?? 'api_error' });
      this.#finished = true;
      return;
    }
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'start', id: str(chunk, 'id') ?? '', model: str(chunk, 'model') ?? '' });
    }
    const choice = arr(chunk, 'choices')?.[0];
    if (isObject(choice)) {
      if (this.#legacy) {
        const text = str(choice, 'text');
        if (text !== undefined && text !== '') out.push({ type: 'text', text });
      }
      const delta = obj(choice, 'delta');
      if (delta !== undefined) {
        const content = str(delta, 'content');
        if (content !== undefined && content !== '') out.push({ type: 'text', text: content });
        for (const call of arr(delta, 'tool_calls') ?? []) {
          if (!isObject(call)) continue;
          const fn = obj(call, 'function') ?? {};
          const ev: StreamEvent & { type: 'tool_call' } = {
            type: 'tool_call',
            index: typeof call['index'] === 'number' ? call['index'] : 0,
            argumentsDelta: str(fn, 'arguments') ?? '',
          };
          const id = str(call, 'id');
          if (id !== undefined) ev.id = id;
          const name = str(fn, 'name');
          if (name !== undefined) ev.name = name;
          out.push(ev);
        }
      }
      const reason = str(choice, 'finish_reason');
      if (reason !== undefined) {
        this.#finished = true;
        out.push({ type: 'finish', reason: openAiFinish(reason) });
      }
    }
    const usage = parseOpenAiUsage(chunk['usage']);
    if (usage !== null) out.push({ type: 'usage', usage, hidden: this.#hiddenUsage });
  }
}

export interface OpenAiRenderOptions {
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Unix seconds for `created`. */
  created: number;
  /** Used when the upstream's start event carries none. */
  id?: string;
  model?: string;
}

/** Canonical events -> OpenAI SSE text for the client; push() returns '' when nothing is due. */
export class OpenAiStreamRenderer {
  readonly #opts: OpenAiRenderOptions;
  #id = '';
  #model = '';
  #usage: Usage | null = null;
  #ended = false;
  #reason: FinishReason | null = null;

  constructor(opts: OpenAiRenderOptions) {
    this.#opts = opts;
    this.#id = opts.id ?? '';
    this.#model = opts.model ?? '';
  }

  #chunk(delta: JsonObject, finish: string | null): string {
    return sseFrame(JSON.stringify({
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#opts.created,
      model: this.#model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    }));
  }

  push(ev: StreamEvent): string {
    if (this.#ended) return '';
    switch (ev.type) {
      case 'start':
        if (ev.id !== '') this.#id = ev.id;
        if (ev.model !== '') this.#model = ev.model;
        return this.#chunk({ role: 'assistant', content: '' }, null);
      case 'text':
        return this.#chunk({ content: ev.text }, null);
      case 'tool_call': {
        const call: JsonObject = { index: ev.index };
        const fn: JsonObject = { arguments: ev.argumentsDelta };
        if (ev.id !== undefined) {
          call['id'] = ev.id;
          call['type'] = 'function';
        }
        if (ev.name !== undefined) fn['name'] = ev.name;
        call['function'] = fn;
        return this.#chunk({ tool_calls: [call] }, null);
      }
      case 'finish':
        if (this.#reason !== null) return '';
        this.#reason = ev.reason;
        return this.#chunk({}, ev.reason === 'error' ? 'stop' : ev.reason);
      case 'usage':
        this.#usage = ev.usage;
        return '';
      case 'error':
        this.#ended = true;
        return renderOpenAiStreamError(ev.message, ev.errorType);
      case 'end': {
        this.#ended = true;
        const usage = this.#opts.includeUsage && this.#usage !== null ? renderOpenAiUsageChunk(this.#id, this.#opts.created, this.#model, this.#usage) : '';
        return usage + OPENAI_STREAM_DONE;
      }
    }
  }
}

/** The stream's last frame. */
export const OPENAI_STREAM_DONE = 'data: [DONE]\n\n';

/** An error frame, then the end of the stream. */
export function renderOpenAiStreamError(message: string, errorType: string): string {
  return sseFrame(JSON.stringify({ error: { message, type: errorType, param: null, code: null } })) + OPENAI_STREAM_DONE;
}

/** The usage-only chunk (`choices: []`) that precedes `[DONE]` when the client asked for usage. */
export function renderOpenAiUsageChunk(id: string, created: number, model: string, usage: Usage): string {
  return sseFrame(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: renderOpenAiUsage(usage) }));
}
