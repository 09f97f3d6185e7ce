/**
 * Anthropic streaming: named SSE events
 *   message_start, (content_block_start, content_block_delta*, content_block_stop)*,
 *   message_delta, message_stop   (+ ping, error)
 *
 * Usage in this stream is cumulative: message_start carries input tokens, each
 * message_delta carries the running output total (and, on newer API versions, input
 * totals). The parser keeps the latest values and reports them once, at message_stop;
 * adding them up would double count.
 */
import { SseStreamParser, sseFrame } from '../sse.js';
import type { FinishReason, StreamEvent, Usage } from '../types.js';
import { isObject, num, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { anthropicErrorType, anthropicFinish, anthropicStopReason } from './anthropic.js';

export class AnthropicStreamParser extends SseStreamParser {
  readonly #hiddenUsage: boolean;
  readonly #blockToTool = new Map<number, number>();
  #tools = 0;
  #input = 0;
  #cacheRead = 0;
  #cacheWrite = 0;
  #output = 0;
  #sawUsage = false;

  /** `hiddenUsage`: the client did not ask for usage (it is still counted). */
  constructor(hiddenUsage: boolean) {
    super();
    this.#hiddenUsage = hiddenUsage;
  }

  #usage(u: JsonObject | undefined): void {
    if (u === undefined) return;
    // Cumulative: the latest value of each counter wins.
    const input = num(u, 'input_tokens');
    if (input !== undefined) this.#input = input;
    const read = num(u, 'cache_read_input_tokens');
    if (read !== undefined) this.#cacheRead = read;
    const write = num(u, 'cache_creation_input_tokens');
    if (write !== undefined) this.#cacheWrite = write;
    const output = num(u, 'output_tokens');
    if (output !== undefined) this.#output = output;
    if (input !== undefined || output !== undefined) this.#sawUsage = true;
  }

  protected take(data: string, out: StreamEvent[]): void {
    if (this.done) return;
    const ev = parseJson(data);
    if (!isObject(ev)) return;
    switch (str(ev, 'type')) {
      case 'message_start': {
        const message = obj(ev, 'message') ?? {};
        out.push({ type: 'start', id: str(message, 'id') ?? '', model: str(message, 'model') ?? '' });
        this.#usage(obj(message, 'usage'));
        return;
      }
      case 'content_block_start': {
        const block = obj(ev, 'content_block') ?? {};
        if (str(block, 'type') !== 'tool_use') return;
        const index = this.#tools++;
        this.#blockToTool.set(num(ev, 'index') ?? 0, index);
        const input = obj(block, 'input');
        const args = input !== undefined && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
        out.push({ type: 'tool_call', index, id: str(block, 'id') ?? '', name: str(block, 'name') ?? '', argumentsDelta: args });
        return;
      }
      case 'content_block_delta': {
        const delta = obj(ev, 'delta') ?? {};
        const type = str(delta, 'type');
        if (type === 'text_delta') {
          const text = str(delta, 'text') ?? '';
          if (text !== '') out.push({ type: 'text', text });
        } else if (type === 'input_json_delta') {
          const index = this.#blockToTool.get(num(ev, 'index') ?? 0);
          if (index !== undefined) out.push({ type: 'tool_call', index, argumentsDelta: str(delta, 'partial_json') ?? '' });
        }
        return;
      }
      case 'message_delta': {
        this.#usage(obj(ev, 'usage'));
        const reason = str(obj(ev, 'delta') ?? {}, 'stop_reason');
        if (reason !== undefined) out.push({ type: 'finish', reason: anthropicFinish(reason) });
        return;
      }
      case 'message_stop':
        if (this.#sawUsage) out.push({ type: 'usage', usage: this.usage(), hidden: this.#hiddenUsage });
        out.push({ type: 'end' });
        this.done = true;
        return;
      case 'error': {
        const error = obj(ev, 'error') ?? {};
        const errorType = str(error, 'type') ?? 'api_error';
        out.push({ type: 'error', status: errorType === 'overloaded_error' ? 529 : 500, message: str(error, 'message') ?? 'upstream error', errorType });
        return;
      }
      default:
        return; // ping and future event types
    }
  }

  /** The final usage as reported so far. */
  usage(): Usage {
    const prompt = this.#input + this.#cacheRead + this.#cacheWrite;
    return { prompt, completion: this.#output, total: prompt + this.#output, estimated: false };
  }
}

export interface AnthropicRenderOptions {
  id: string;
  model: string;
}

/**
 * Canonical events -> Anthropic SSE text for a client of the Messages API. Anthropic
 * content blocks are sequential, so argument deltas for a tool call whose block was
 * already closed (an upstream interleaving two calls' arguments, which OpenAI does not do
 * in practice) cannot be represented and are dropped.
 */
export class AnthropicStreamRenderer {
  #id: string;
  #model: string;
  #started = false;
  #ended = false;
  #block = -1;
  #blockIsText = false;
  readonly #toolBlock = new Map<number, number>();
  #reason: FinishReason = 'stop';
  #usage: Usage | null = null;

  constructor(opts: AnthropicRenderOptions) {
    this.#id = opts.id;
    this.#model = opts.model;
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    return sseFrame(JSON.stringify({
      type: 'message_start',
      message: {
        id: this.#id, type: 'message', role: 'assistant', model: this.#model, content: [],
        stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 },
      },
    }), 'message_start');
  }

  #closeBlock(): string {
    if (this.#block < 0 || (!this.#blockIsText && !this.#toolOpen())) return '';
    const text = sseFrame(JSON.stringify({ type: 'content_block_stop', index: this.#block }), 'content_block_stop');
    this.#blockIsText = false;
    this.#openTool = -1;
    return text;
  }

  #openTool = -1;
  #toolOpen(): boolean {
    return this.#openTool >= 0;
  }

  push(ev: StreamEvent): string {
    if (this.#ended) return '';
    switch (ev.type) {
      case 'start':
        if (ev.id !== '' && !this.#started) this.#id = ev.id;
        if (ev.model !== '' && !this.#started) this.#model = ev.model;
        return this.#start();
      case 'text': {
        let text = this.#start();
        if (!this.#blockIsText) {
          text += this.#closeBlock();
          this.#block++;
          this.#blockIsText = true;
          text += sseFrame(JSON.stringify({ type: 'content_block_start', index: this.#block, content_block: { type: 'text', text: '' } }), 'content_block_start');
        }
        return text + sseFrame(JSON.stringify({ type: 'content_block_delta', index: this.#block, delta: { type: 'text_delta', text: ev.text } }), 'content_block_delta');
      }
      case 'tool_call': {
        let text = this.#start();
        let block = this.#toolBlock.get(ev.index);
        if (block === undefined) {
          text += this.#closeBlock();
          block = ++this.#block;
          this.#toolBlock.set(ev.index, block);
          this.#openTool = ev.index;
          text += sseFrame(JSON.stringify({
            type: 'content_block_start', index: block,
            content_block: { type: 'tool_use', id: ev.id ?? `toolu_${ev.index}`, name: ev.name ?? '', input: {} },
          }), 'content_block_start');
        }
        if (ev.argumentsDelta === '' || this.#openTool !== ev.index) return text;
        return text + sseFrame(JSON.stringify({ type: 'content_block_delta', index: block, delta: { type: 'input_json_delta', partial_json: ev.argumentsDelta } }), 'content_block_delta');
      }
      case 'finish':
        this.#reason = ev.reason;
        return '';
      case 'usage':
        this.#usage = ev.usage;
        return '';
      case 'error':
        this.#ended = true;
        return sseFrame(JSON.stringify({ type: 'error', error: { type: ev.errorType === '' ? anthropicErrorType(ev.status) : ev.errorType, message: ev.message } }), 'error');
      case 'end': {
        this.#ended = true;
        const usage = this.#usage;
        let text = this.#start() + this.#closeBlock();
        const u: JsonObject = { output_tokens: usage?.completion ?? 0 };
        if (usage !== null) u['input_tokens'] = usage.prompt;
        text += sseFrame(JSON.stringify({ type: 'message_delta', delta: { stop_reason: anthropicStopReason(this.#reason), stop_sequence: null }, usage: u }), 'message_delta');
        return text + sseFrame(JSON.stringify({ type: 'message_stop' }), 'message_stop');
      }
    }
  }
}
