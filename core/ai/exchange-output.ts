/**
 * The client side of one AI exchange (core/ai/exchange.ts extends this): the request body
 * read whole (up to the body limit), then a whole JSON answer, or an SSE stream written chunk by chunk through uWS with backpressure (a false
 * `write` parks the upstream via `resume` until onWritable), errors in the client's wire
 * format, and the response payload kept for the log when `log_payloads` asks for it.
 *
 * A base class rather than a helper object: the exchange is the one per-request object,
 * and splitting its code across two files costs no allocation.
 */
import type { HttpResponse } from '../worker/http-front.js';
import type { AiSample } from '../observe/metrics.js';
import type { RequestContext } from '../worker/context.js';
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
  #chunks: Buffer[] = [];
  #received = 0;

  constructor(ctx: RequestContext, owner: AiOwner, format: AiClientFormat, maxBody: number) {
    this.ctx = ctx;
    this.owner = owner;
    this.#format = format;
    this.#maxBody = maxBody;
    this.#onWritable = () => this.#writable();
  }

  start(hasBody: boolean): void {
    if (!hasBody) {
      this.reject(400, 'request body is required');
      return;
    }
    this.ctx.res.onData((chunk, isLast) => this.#onData(chunk, isLast));
  }

  #onData(chunk: ArrayBuffer, isLast: boolean): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    this.#received += chunk.byteLength;
    if (this.#maxBody > 0 && this.#received > this.#maxBody) {
      this.#chunks = [];
      this.reject(413, `request body is larger than ${this.#maxBody} bytes`, true);
      return;
    }
    // uWS reuses the chunk's memory after this callback: copy.
    this.#chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (!isLast) return;
    const body = Buffer.concat(this.#chunks).toString('utf8');
    this.#chunks = [];
    this.onBody(body);
  }

  /** The whole request body arrived. */
  protected abstract onBody(text: string): void;

  /** Status line and headers of the answer (the exchange adds its own). */
  protected abstract writeHead(res: HttpResponse, status: number, contentType: string): void;
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
    const buf = Buffer.from(text, 'utf8');
    ctx.bytesOut += buf.byteLength;
    ctx.res.cork(() => {
      if (!this.committed) {
        this.committed = true;
        ctx.status = 200;
        this.writeHead(ctx.res, 200, 'text/event-stream; charset=utf-8');
        ctx.res.writeHeader('cache-control', 'no-cache');
      }
      if (!ctx.res.write(buf) && !this.blocked) {
        this.blocked = true;
        ctx.res.onWritable(this.#onWritable);
      }
    });
  }

  /** Ends an SSE answer (sending the head if nothing was written) and finishes the request. */
  protected endOutput(): void {
    const ctx = this.ctx;
    ctx.finished = true;
    ctx.res.cork(() => {
      if (!this.committed) {
        this.committed = true;
        ctx.status = 200;
        this.writeHead(ctx.res, 200, 'text/event-stream; charset=utf-8');
      }
      ctx.res.end();
    });
    this.owner.finish(ctx);
  }

  #writable(): boolean {
    this.blocked = false;
    const resume = this.resume;
    if (resume !== null && !this.ctx.finished) resume();
    return true;
  }
}

export function isTimeout(err: Error): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
