/**
 * The client side of one AI exchange (core/ai/exchange.ts extends this): the request body
 * read whole (up to the route's and the gateway's body limits, through the request's body
 * reader, so an auth plugin that read it first hands over the same bytes), then a whole
 * JSON answer, or an SSE stream written chunk by chunk through uWS with backpressure (a
 * false `write` parks the upstream via `resume` until onWritable), errors in the client's
 * wire format, and the response payload kept for the log when `log_payloads` asks for it.
 *
 * Every answer passes the route's response and body phases (cors headers, body filters)
 * like a proxied one: the head is built as a list, the plugins see it, then it is written;
 * each piece of the body goes through the body steps before uWS.
 *
 * A base class rather than a helper object: the exchange is the one per-request object,
 * and splitting its code across two files costs no allocation.
 */
import type { AiSample } from '../observe/metrics.js';
import type { RequestContext } from '../worker/context.js';
import type { ResponseHead, RawHeader } from '../plugins/response-head.js';
import { isDroppedResponseHeader, VIA_TOKEN } from '../lib/headers.js';
import { statusLine } from '../lib/http-status.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';
import type { AiClientFormat } from './compile-types.js';
import { renderAnthropicError } from './translate/anthropic.js';
import { renderOpenAiError } from './translate/openai.js';
import type { ClientError } from './types.js';

/** What the exchange needs from the pipeline. */
export interface AiOwner {
  readonly metrics: { recordAi(sample: AiSample): void; recordAiBlocked(route: string, plugin: string): void };
  /** The response is complete (or cut): access log, metrics, inflight count. */
  finish(ctx: RequestContext): void;
}

/** The `ai` block of the access-log line. */
export interface AiLogEntry {
  plugin: string;
  provider: string;
  model: string;
  tries: number;
  stream: boolean;
  /** Only with `logging.log_statistics`; null when the call ended without usage (an error). */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated: boolean } | null;
  /** Only with `logging.log_statistics`: from `input_cost`/`output_cost` per 1M tokens, or the price table. */
  cost?: number;
  /** Upstream call time of the last try; null when no provider was called. */
  latency_ms: number | null;
  ttft_ms: number | null;
  error: string | null;
  payload?: { request: string; response: string };
}

export abstract class AiClientOutput {
  readonly ctx: RequestContext;
  protected readonly owner: AiOwner;
  readonly #format: AiClientFormat;
  /** Bytes reached the client: a failover is no longer clean. */
  protected committed = false;
  /** uWS refused a write: undici stays paused until onWritable. */
  protected blocked = false;
  /** Resumes the paused upstream read. */
  protected resume: (() => void) | null = null;
  protected payloadOut: string[] | null = null;
  protected errorText: string | null = null;
  readonly #onWritable: () => boolean;
  /** Bytes; 0 = unlimited. */
  readonly #maxBody: number;
  /** Output waiting for an asynchronous response phase (a WASM filter paused), or null. */
  #held: (() => void)[] | null = null;

  constructor(ctx: RequestContext, owner: AiOwner, format: AiClientFormat, maxBody: number) {
    this.ctx = ctx;
    this.owner = owner;
    this.#format = format;
    this.#maxBody = maxBody;
    this.#onWritable = () => this.#writable();
  }

  start(): void {
    const ctx = this.ctx;
    if (!ctx.hasBody && !(ctx.body instanceof Buffer)) {
      this.reject(400, 'request body is required');
      return;
    }
    if (this.#maxBody > 0 && ctx.declaredLength > this.#maxBody) {
      this.reject(413, `request body is larger than ${this.#maxBody} bytes`, true);
      return;
    }
    ctx.limitBody(this.#maxBody);
    const body = ctx.readBody();
    if (body instanceof Promise) {
      body.then(
        (b) => this.#withBody(b),
        () => undefined, // the request ended (aborted, or over the limit: already answered)
      );
      return;
    }
    this.#withBody(body);
  }

  #withBody(body: Buffer): void {
    if (this.ctx.finished) return;
    if (this.#maxBody > 0 && body.byteLength > this.#maxBody) {
      this.reject(413, `request body is larger than ${this.#maxBody} bytes`);
      return;
    }
    this.onBody(body.toString('utf8'));
  }

  /** The whole request body arrived. */
  protected abstract onBody(text: string): void;

  /** The answer's own headers (content type and what the exchange adds), as a flat list. */
  protected abstract answerHeaders(status: number, contentType: string): string[];
  /** A whole JSON answer; ends the request (the exchange settles its accounting there). */
  protected abstract writeJson(status: number, body: string, close?: boolean): void;
  /** Whether the current target logs payloads. */
  protected abstract logPayloads(): boolean;

  protected clientError(status: number, message: string): ClientError {
    return this.#format === 'anthropic' ? renderAnthropicError(status, message) : renderOpenAiError(status, message);
  }

  protected reject(status: number, message: string, close = false): void {
    this.errorText = message;
    this.writeJson(status, this.clientError(status, message).body, close);
  }

  protected blockedBy(plugin: string, message: string): void {
    this.owner.metrics.recordAiBlocked(this.ctx.route?.name ?? '', plugin);
    this.reject(400, message);
  }

  /** One piece of an SSE answer; the first one sends the head. */
  protected write(text: string): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    if (this.payloadOut !== null) this.payloadOut.push(text);
    else if (this.logPayloads()) this.payloadOut = [text];
    if (!this.committed) {
      this.committed = true;
      const list = this.answerHeaders(200, 'text/event-stream; charset=utf-8');
      list.push('cache-control', 'no-cache');
      this.#head(200, list);
    }
    const buf = Buffer.from(text, 'utf8');
    if (this.#held !== null) {
      this.#held.push(() => this.#writeChunk(buf));
      return;
    }
    this.#writeChunk(buf);
  }

  #writeChunk(chunk: Buffer): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    const buf = ctx.filterBody(chunk, false);
    if (buf.byteLength === 0) return;
    ctx.bytesOut += buf.byteLength;
    ctx.res.cork(() => {
      if (!ctx.res.write(buf) && !this.blocked) {
        this.blocked = true;
        ctx.res.onWritable(this.#onWritable);
      }
    });
  }

  /** Ends an SSE answer (sending the head if nothing was written) and finishes the request. */
  protected endOutput(): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    if (!this.committed) {
      this.committed = true;
      this.#head(200, this.answerHeaders(200, 'text/event-stream; charset=utf-8'));
    }
    if (this.#held !== null) {
      this.#held.push(() => this.#end(null, false));
      return;
    }
    this.#end(null, false);
  }

  /** A whole answer (JSON): head and body in one write; ends the request. */
  protected sendWhole(status: number, body: string, close: boolean): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    this.committed = true;
    this.#head(status, this.answerHeaders(status, 'application/json'));
    const buf = Buffer.from(body, 'utf8');
    if (this.#held !== null) {
      this.#held.push(() => this.#end(buf, close));
      return;
    }
    this.#end(buf, close);
  }

  /** The last bytes (through the body steps), the end, and the request's finish. */
  #end(last: Buffer | null, close: boolean): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.finished = true;
    const tail = (ctx.chain?.body ?? null) === null ? last : ctx.filterBody(last ?? EMPTY, true);
    if (tail !== null) ctx.bytesOut += tail.byteLength;
    ctx.res.cork(() => {
      const head = this.#pendingHead;
      if (head !== null) this.#writeHead(head);
      ctx.res.end(tail ?? undefined, close);
    });
    this.owner.finish(ctx);
  }

  /** The status and headers through the response phase; written with the first bytes. */
  #head(status: number, list: string[]): void {
    const ctx = this.ctx;
    const r = ctx.startResponse(status, list);
    const head = ctx.response;
    if (r === undefined) {
      this.#headReady(head);
      return;
    }
    const held: (() => void)[] = [];
    this.#held = held;
    r.then(
      () => this.#release(head, held),
      () => this.#release(head, held),
    );
  }

  #release(head: ResponseHead, held: (() => void)[]): void {
    this.#held = null;
    this.#headReady(head);
    for (const fn of held) fn();
  }

  #headReady(head: ResponseHead): void {
    const ctx = this.ctx;
    ctx.status = head.status;
    if (head.status === 200 && this.#sse(head)) {
      // A stream: the head goes out at once (SSE clients wait for it).
      ctx.res.cork(() => this.#writeHead(head));
      return;
    }
    this.#pendingHead = head;
  }

  /** Whether this answer is an event stream (its head is sent before the body). */
  #sse(head: ResponseHead): boolean {
    return (head.get('content-type') ?? '').startsWith('text/event-stream');
  }

  #pendingHead: ResponseHead | null = null;

  #writeHead(head: ResponseHead): void {
    this.#pendingHead = null;
    const res = this.ctx.res;
    res.writeStatus(statusLine(head.status));
    writeList(res, head.headers);
    const added = head.added;
    if (added !== null) writeList(res, added);
    res.writeHeader('via', VIA_TOKEN).writeHeader(REQUEST_ID_HEADER, this.ctx.requestId);
  }

  #writable(): boolean {
    this.blocked = false;
    const resume = this.resume;
    if (resume !== null && !this.ctx.finished) resume();
    return true;
  }
}

const EMPTY = Buffer.alloc(0);

function writeList(res: RequestContext['res'], list: readonly RawHeader[]): void {
  for (let i = 0; i < list.length; i += 2) {
    const name = String(list[i]).toLowerCase();
    if (isDroppedResponseHeader(name) || name === 'via') continue;
    res.writeHeader(name, list[i + 1] as RawHeader);
  }
}

export function isTimeout(err: Error): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
