/**
 * A streamed OpenAI-family answer forwarded to an OpenAI-format client as the provider
 * wrote it (see passthrough.ts for when). Upstream chunks are split on frame boundaries
 * only (the separator, `\n\n` or `\r\n\r\n`, is read once from the first line ending) and
 * each complete run of frames is decoded once; a frame is JSON-parsed only when the
 * gateway must look inside it:
 *
 *   frame                                   parsed?   to the client
 *   before the first output (role, Azure's  yes       as is; gives the model, id, created
 *     filter chunk, the first token)                  and the time to first token
 *   `"usage":{` / `"usage": {` in it        yes       as is when the client asked for usage
 *                                                     (`stream_options.include_usage`); else
 *                                                     dropped (`choices: []`) or re-rendered
 *                                                     without `usage` (Mistral's finish chunk)
 *   data starts `{"error"` / `{ "error"`    yes       before anything was shown: not sent,
 *                                                     the exchange fails over; after: as is,
 *                                                     then `[DONE]`, and nothing more
 *   `"tool_calls"` in it, Mistral only      yes       with `type: "function"` added to each
 *                                                     call that has an id (Mistral omits it)
 *   `data: [DONE]`                          no        as is (after an estimated usage chunk
 *                                                     when the client asked and none came)
 *   anything else (tokens, comments)        no        as is
 *
 * Time to first token is the first frame whose delta has non-empty `content` or a tool
 * call — the translating path's rule, read by parsing only the frames up to that one.
 *
 * Usage: the provider's, from the frame that carries it. When none comes (servers that
 * ignore `stream_options`, old Azure api-versions), the raw chunks kept until then are read
 * by the translating parser at the end for an estimate (marked estimated, never zero).
 * Keeping stops when usage is seen; past KEEP_LIMIT bytes the kept chunks are folded into
 * that parser as they come, so memory stays bounded on long answers without usage.
 */
import { isObject, parseJson, str } from './json-shape.js';
import type { JsonObject } from './json-shape.js';
import { SseDecoder, sseFrame } from './sse.js';
import { UsageTracker } from './tokens.js';
import { parseOpenAiUsage } from './translate/openai.js';
import { OPENAI_STREAM_DONE, OpenAiStreamParser, renderOpenAiStreamError, renderOpenAiUsageChunk } from './translate/openai-stream.js';
import type { ChatRequest, Usage } from './types.js';

/** Raw bytes kept for an estimate before they are folded into the parser. */
const KEEP_LIMIT = 64 * 1024;
const CUT_MESSAGE = 'upstream stream ended before it finished';

/** An error the exchange may still fail over from (nothing reached the client). */
export interface PassthroughFailure {
  status: number;
  message: string;
}

export class OpenAiPassthroughStream {
  // ---- the result of the last feed() / end(), read by the exchange right after ----
  /** Text for the client ('' when nothing is due). */
  out = '';
  /** The first frame with output was in this step (time to first token). */
  output = false;
  /** The provider's model, set in the step that first names one; else ''. */
  model = '';
  /** An error before anything was shown: out is '' and the exchange decides. */
  error: PassthroughFailure | null = null;
  /** The stream reached its end (`[DONE]`, or a cut reported to the client). */
  ended = false;

  /** The upstream request: its model and prompt make an estimate. */
  readonly #req: ChatRequest;
  /** The client asked for usage: the usage chunk is its to see. */
  readonly #showUsage: boolean;
  readonly #typeToolCalls: boolean;
  #sep = '';
  #pending: Buffer | null = null;
  #seenOutput = false;
  #done = false;
  /** An error frame was shown: the client's stream is over, accounting reads on. */
  #silenced = false;
  #errored = false;
  /** end(): the bytes left without a frame end are read as a last frame. */
  #flushing = false;
  #id = '';
  #created = 0;
  #model = '';
  #usage: Usage | null = null;
  #kept: Buffer[] = [];
  #keptBytes = 0;
  #fold: OpenAiStreamParser | null = null;
  #tracker: UsageTracker | null = null;
  #foldEnded = false;

  /**
   * `typeToolCalls`: the provider leaves `type` out of streamed tool calls (Mistral); the
   * official OpenAI client's stream helper refuses a call without it, so the frames that
   * carry tool calls are parsed and get `type: "function"` next to each call's id.
   */
  constructor(upstreamReq: ChatRequest, showUsage: boolean, typeToolCalls: boolean) {
    this.#req = upstreamReq;
    this.#showUsage = showUsage;
    this.#typeToolCalls = typeToolCalls;
  }

  /** One upstream chunk; `committed`: bytes already reached the client. */
  feed(chunk: Buffer, committed: boolean): void {
    this.#reset();
    if (this.#done) return;
    if (this.#usage === null) this.#keep(chunk);
    const buf = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.#sep === '') {
      const lf = buf.indexOf(10);
      if (lf < 0) {
        this.#pending = buf;
        return;
      }
      this.#sep = lf > 0 && buf[lf - 1] === 13 ? '\r\n\r\n' : '\n\n';
    }
    const last = buf.lastIndexOf(this.#sep);
    if (last < 0) {
      this.#pending = buf;
      return;
    }
    const end = last + this.#sep.length;
    this.#pending = end < buf.length ? buf.subarray(end) : null;
    this.#frames(buf.toString('utf8', 0, end), committed);
  }

  /** The upstream closed (or the transport failed): flush, and report a stream cut short. */
  end(committed: boolean): void {
    this.#reset();
    if (this.#done) return;
    const rest = this.#pending;
    this.#pending = null;
    if (rest !== null && rest.length > 0) {
      if (this.#sep === '') this.#sep = '\n\n';
      this.#flushing = true;
      this.#frames(rest.toString('utf8') + this.#sep, committed);
      if (this.error !== null || this.#done) return;
    }
    this.#done = true;
    const finished = this.#errored || this.#usage !== null || this.#foldFinished();
    if (!finished) {
      if (!committed && this.out === '') {
        this.error = { status: 502, message: CUT_MESSAGE };
        return;
      }
      this.ended = true;
      if (!this.#silenced) this.out += renderOpenAiStreamError(CUT_MESSAGE, 'api_error');
      return;
    }
    this.ended = true;
    if (!this.#silenced) this.out += this.#estimateChunk() + OPENAI_STREAM_DONE;
  }

  /** The provider's usage, or an estimate from what was streamed (marked estimated). */
  usage(): Usage {
    if (this.#usage !== null) return this.#usage;
    this.#drain(false);
    return (this.#tracker ?? this.#startFold()).usage();
  }

  #reset(): void {
    this.out = '';
    this.output = false;
    this.model = '';
    this.error = null;
  }

  /** Complete frames, each ending with the separator. */
  #frames(text: string, committed: boolean): void {
    const sep = this.#sep;
    let run = 0;
    let pos = 0;
    while (pos < text.length) {
      const bodyEnd = text.indexOf(sep, pos);
      const end = bodyEnd + sep.length;
      const replacement = this.#frame(text, pos, bodyEnd, !committed && this.out === '' && run === pos);
      if (this.error !== null) return;
      if (replacement !== null) {
        this.out += text.slice(run, pos) + replacement;
        run = end;
      }
      pos = end;
      if (this.#done) break;
    }
    if (run < pos) this.out += run === 0 && pos === text.length ? text : text.slice(run, pos);
  }

  /**
   * One frame [start, bodyEnd) (+ separator): null = forward it as is, else what the
   * client gets instead ('' = nothing). `fresh`: nothing was shown to the client yet.
   */
  #frame(text: string, start: number, bodyEnd: number, fresh: boolean): string | null {
    const payload = framePayload(text, start, bodyEnd);
    if (payload === null) return this.#silenced ? '' : null;
    if (payload === '[DONE]') {
      this.#done = true;
      this.ended = true;
      if (this.#silenced) return '';
      return this.#usage === null && this.#showUsage ? this.#estimateChunk() + text.slice(start, bodyEnd + this.#sep.length) : null;
    }
    const errorLike = payload.startsWith('{"error"') || payload.startsWith('{ "error"');
    const usageLike = payload.indexOf('"usage":{') !== -1 || payload.indexOf('"usage": {') !== -1;
    const callsLike = this.#typeToolCalls && payload.indexOf('"tool_calls"') !== -1;
    if (this.#seenOutput && !errorLike && !usageLike && !callsLike && !this.#flushing) return this.#silenced ? '' : null;
    const json = parseJson(payload);
    // A cut stream's unfinished last frame is not shown (the translating parser skips it too).
    if (!isObject(json)) return this.#silenced || this.#flushing ? '' : null;
    if (errorLike && isObject(json['error'])) return this.#errorFrame(json['error'], text.slice(start, bodyEnd + this.#sep.length), fresh);
    if (!this.#seenOutput) this.#look(json);
    let changed = callsLike && typeToolCalls(json);
    if (usageLike && this.#takeUsage(json) && !this.#showUsage) {
      // Not asked for: a usage-only chunk goes; a chunk with choices (Mistral's finish) loses its usage.
      const choices = json['choices'];
      if (!Array.isArray(choices) || choices.length === 0) return '';
      delete json['usage'];
      changed = true;
    }
    if (this.#silenced) return '';
    return changed ? sseFrame(JSON.stringify(json)) : null;
  }

  /** The provider's usage from a chunk that has some; false when it had none after all. */
  #takeUsage(json: JsonObject): boolean {
    const usage = parseOpenAiUsage(json['usage']);
    if (usage === null) return false;
    this.#usage = usage;
    this.#kept = [];
    this.#fold = null;
    this.#tracker = null;
    return true;
  }

  #errorFrame(error: JsonObject, raw: string, fresh: boolean): string {
    this.#errored = true;
    if (this.#silenced) return '';
    if (fresh) {
      this.error = { status: 500, message: str(error, 'message') ?? 'upstream error' };
      return '';
    }
    this.#silenced = true;
    return raw + OPENAI_STREAM_DONE;
  }

  /** A frame before the first output: the model, id and created, and whether it has output. */
  #look(json: JsonObject): void {
    if (this.#model === '') {
      const model = str(json, 'model') ?? '';
      if (model !== '') {
        this.#model = model;
        this.model = model;
      }
      this.#id = str(json, 'id') ?? this.#id;
      const created = json['created'];
      if (typeof created === 'number') this.#created = created;
    }
    const choices = json['choices'];
    const choice = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
    const delta = isObject(choice) ? choice['delta'] : undefined;
    if (!isObject(delta)) return;
    const content = delta['content'];
    const calls = delta['tool_calls'];
    if ((typeof content === 'string' && content !== '') || (Array.isArray(calls) && calls.some(isObject))) {
      this.#seenOutput = true;
      this.output = true;
    }
  }

  /** The usage chunk a client that asked for usage gets when the provider sent none. */
  #estimateChunk(): string {
    if (this.#usage !== null || !this.#showUsage) return '';
    return renderOpenAiUsageChunk(this.#id, this.#created === 0 ? Math.floor(Date.now() / 1000) : this.#created, this.#model || this.#req.model, this.usage());
  }

  #keep(chunk: Buffer): void {
    if (this.#fold !== null) {
      for (const ev of this.#fold.feed(chunk)) this.#tracker?.push(ev);
      return;
    }
    this.#kept.push(chunk);
    this.#keptBytes += chunk.byteLength;
    if (this.#keptBytes > KEEP_LIMIT) this.#drain(false);
  }

  #startFold(): UsageTracker {
    this.#fold = new OpenAiStreamParser(true);
    this.#tracker = new UsageTracker(this.#req);
    return this.#tracker;
  }

  /** Kept chunks into the parser and tracker; `final`: the upstream is done, flush it too. */
  #drain(final: boolean): void {
    if (this.#fold === null) this.#startFold();
    const fold = this.#fold as OpenAiStreamParser;
    const tracker = this.#tracker as UsageTracker;
    for (const chunk of this.#kept) for (const ev of fold.feed(chunk)) tracker.push(ev);
    this.#kept = [];
    this.#keptBytes = 0;
    if (final && !this.#foldEnded) {
      this.#foldEnded = true;
      for (const ev of fold.end()) tracker.push(ev);
    }
  }

  /** Whether the stream sent its finish reason (a cut after it ends properly). */
  #foldFinished(): boolean {
    this.#drain(true);
    return this.#fold?.finished ?? false;
  }
}

/** Adds `type: "function"` to each streamed tool call that has an id but no type; true if any. */
function typeToolCalls(json: JsonObject): boolean {
  const choices = json['choices'];
  const choice = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
  const delta = isObject(choice) ? choice['delta'] : undefined;
  const calls = isObject(delta) ? delta['tool_calls'] : undefined;
  if (!Array.isArray(calls)) return false;
  let changed = false;
  for (const call of calls) {
    if (isObject(call) && typeof call['id'] === 'string' && call['type'] === undefined) {
      call['type'] = 'function';
      changed = true;
    }
  }
  return changed;
}

/**
 * The data of the frame [start, end): the common single `data:` line read in place; other
 * shapes (several data lines, `event:` lines, comments) through the SSE decoder. null when
 * the frame has no data (a comment or keep-alive).
 */
function framePayload(text: string, start: number, end: number): string | null {
  if (text.startsWith('data:', start)) {
    let s = start + 5;
    if (text.charCodeAt(s) === 32) s++;
    const nl = text.indexOf('\n', s);
    if (nl === -1 || nl >= end) return text.slice(s, end);
  }
  const events = new SseDecoder().feed(text.slice(start, end) + '\n\n');
  const ev = events[0];
  return ev === undefined ? null : ev.data;
}
