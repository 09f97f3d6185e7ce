/**
 * The undici dispatch handler for one upstream attempt: streams the upstream response
 * into the uWS response with backpressure in both directions.
 *
 *   undici onHeaders ──► status + filtered headers (corked) ──► mode:
 *     EMPTY   HEAD / 204 / 304: no body bytes, end on completion
 *     FIXED   content-length known: uWS tryEnd(chunk, total); a partial write keeps the
 *             chunk and returns false to pause undici until onWritable drains it
 *     CHUNKED unknown length (SSE, chunked): uWS write(); false = paused until writable
 *   undici onComplete ──► end / nothing more (FIXED ends itself on the last byte)
 *   undici onError    ──► before headers: retry or a JSON error; after: close the socket
 *
 * It uses undici's handler protocol that the core calls directly (onConnect/onHeaders/
 * onData/onComplete/onError): the newer controller API is adapted by a wrapper per
 * request in undici 7, which this avoids. Callbacks that must run corked are bound once
 * per exchange, not once per chunk. Routes with plugins that see the response use the subclass in
 * chain-exchange.ts, which runs the response phases of the route's plugin chain.
 */
import { ERRORS } from '../lib/errors.js';
import { connectionTokens, isDroppedResponseHeader, VIA_TOKEN } from '../lib/headers.js';
import { statusLine } from '../lib/http-status.js';
import type { RequestContext } from '../worker/context.js';
import type { RawHeader } from '../plugins/response-head.js';
import { REQUEST_ID_HEADER } from './forwarded.js';
import { classifyUpstreamError, isRetryable } from './upstream-errors.js';

const MODE_NONE = 0;
/** HEAD / 204 / 304: no body bytes. */
export const MODE_EMPTY = 1;
const MODE_FIXED = 2;
/** Unknown length: held one loop turn, then streamed. */
export const MODE_CHUNKED = 3;

/** What the exchange needs from the pipeline that created it. */
export interface ExchangeOwner {
  /** Try again on another target; returns false when no retry is left. */
  retry(ctx: RequestContext, failedTarget: number, err: Error): boolean;
  /** The exchange answered with a local error (before any upstream header). */
  fail(ctx: RequestContext, err: Error): void;
  /** The response is complete, or the client's connection was closed. */
  finish(ctx: RequestContext): void;
  /** A plugin answered instead of the upstream (ctx.answer), before any byte reached the client. */
  respondLocal(ctx: RequestContext): void;
}

export class ProxyExchange {
  readonly ctx: RequestContext;
  readonly owner: ExchangeOwner;
  readonly target: number;
  protected resume: (() => void) | null = null;
  protected mode = MODE_NONE;
  #total = -1;
  #blocked = false;
  #pending: Buffer | null = null;
  #pendingOffset = 0;
  protected statusCode = 0;
  /** The head to write: the upstream's raw Buffers, or a list plugins edited. */
  protected rawHeaders: readonly RawHeader[] | null = null;
  /** Headers plugins added on top of rawHeaders, or null. */
  protected extraHeaders: readonly string[] | null = null;
  #chunk: Buffer | null = null;
  protected headMode = false;
  #settled = false;
  readonly #writeHead: () => void;
  readonly #writeChunk: () => void;
  readonly #end: () => void;
  readonly #onWritable: (offset: number) => boolean;
  readonly #flush: () => void;
  readonly #writeHeld: () => void;
  /** Unsized body: bytes held until the first flush; after it, chunks stream directly. */
  #held: Buffer[] | null = null;
  #streaming = false;
  #flushScheduled = false;

  constructor(ctx: RequestContext, owner: ExchangeOwner, target: number) {
    this.ctx = ctx;
    this.owner = owner;
    this.target = target;
    this.headMode = ctx.method === 'HEAD';
    ctx.noteTry(target);
    this.#writeHead = () => this.#doWriteHead();
    this.#writeChunk = () => this.#doWriteChunk();
    this.#end = () => this.#doEnd();
    this.#onWritable = (offset) => this.#doWritable(offset);
    this.#flush = () => this.#doFlush();
    this.#writeHeld = () => this.#doWriteHeld();
  }

  // ---- undici handler protocol ----

  onConnect(abort: (err?: Error) => void): void {
    if (this.ctx.aborted) {
      abort(new Error('client closed the connection'));
      return;
    }
    this.ctx.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    if (!this.acceptHead(statusCode, rawHeaders, resume)) return false;
    this.startBody(statusCode, rawHeaders);
    return true;
  }

  /** The upstream's status and headers arrived: bookkeeping; false when the request is already over. */
  protected acceptHead(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const ctx = this.ctx;
    ctx.upstreamFirstByte = performance.now();
    const passive = ctx.service?.upstream.passive;
    if (passive) passive.status(this.target, statusCode);
    if (ctx.finished) return false;
    this.resume = resume;
    ctx.status = statusCode;
    ctx.upstreamStatus = statusCode;
    ctx.upstreamRawHeaders = rawHeaders;
    this.statusCode = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  /**
   * A sized body sends status and headers with its first bytes: one write(2) instead of
   * two (measured: two writes per small response cost ~30% of small-GET throughput). An
   * unsized one (chunked, SSE) is held for one loop turn: if it completes within it, it
   * goes out as one Content-Length response in one write; if not, head and held bytes are
   * flushed then and the rest streams chunk by chunk (SSE sees its headers at once).
   */
  protected startBody(status: number, raw: readonly RawHeader[]): void {
    this.chooseMode(status, raw);
    if (this.mode === MODE_CHUNKED) this.scheduleFlush();
  }

  onData(data: Buffer): boolean {
    const ctx = this.ctx;
    if (ctx.finished) return false;
    ctx.bytesOut += data.byteLength;
    if (this.mode === MODE_EMPTY) return true;
    this.writeNow(data);
    return !this.#blocked;
  }

  /** One chunk into uWS (corked); a partial write parks it until onWritable. */
  protected writeNow(chunk: Buffer): void {
    this.#chunk = chunk;
    this.ctx.res.cork(this.#writeChunk);
    this.#chunk = null;
  }

  onComplete(_trailers: unknown): void {
    const ctx = this.ctx;
    ctx.abortUpstream = null;
    this.#settle(true);
    if (ctx.finished || !this.beforeEnd()) return;
    ctx.res.cork(this.#end);
  }

  /** Last bytes before the end (filters release what they held); false when the response is over. */
  protected beforeEnd(): boolean {
    return true;
  }

  onError(err: Error): void {
    const ctx = this.ctx;
    ctx.abortUpstream = null;
    if (this.mode === MODE_NONE && !ctx.aborted) {
      const passive = ctx.service?.upstream.passive;
      if (passive) passive.error(this.target, err);
    }
    this.#settle(this.mode !== MODE_NONE);
    if (ctx.finished) return;
    if (this.mode === MODE_NONE) {
      // Nothing sent to the client yet: another target, or a clean JSON error.
      if (isRetryable(err, ctx.method) && this.owner.retry(ctx, this.target, err)) return;
      this.owner.fail(ctx, err);
      return;
    }
    if (this.rawHeaders !== null) {
      // Upstream headers arrived but nothing reached the client: still a clean 502/504.
      this.rawHeaders = null;
      this.owner.fail(ctx, err);
      return;
    }
    // Mid-response: the status line is gone; closing is the only honest signal.
    ctx.finished = true;
    ctx.res.close();
    this.owner.finish(ctx);
  }

  /** Tells the balancer this attempt is over (in-flight counts, latency), exactly once. */
  #settle(ok: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    const ctx = this.ctx;
    const latency = ctx.upstreamFirstByte > 0 ? ctx.upstreamFirstByte - ctx.upstreamStart : performance.now() - ctx.upstreamStart;
    ctx.service?.upstream.balancer.finished(this.target, ok, latency);
  }

  // ---- writes into uWS (always corked) ----

  /** Picks how the body will be written, from the status and Content-Length. */
  protected chooseMode(status: number, raw: readonly RawHeader[]): void {
    const contentLength = contentLengthOf(raw);
    if (this.headMode || status === 204 || status === 304 || status < 200) {
      this.mode = MODE_EMPTY;
      this.#total = this.headMode && status !== 204 && status !== 304 ? contentLength : -1;
    } else if (contentLength >= 0 && Number.isSafeInteger(contentLength)) {
      this.mode = MODE_FIXED;
      this.#total = contentLength;
    } else {
      this.mode = MODE_CHUNKED;
    }
  }

  #doWriteHead(): void {
    const ctx = this.ctx;
    const res = ctx.res;
    const raw = this.rawHeaders;
    if (raw === null) return;
    this.rawHeaders = null;
    let via = '';
    // The names an upstream's Connection header lists are hop-by-hop for this response
    // too (RFC 9110 §7.6.1); looked for only when a Connection header is present.
    const listed = connectionListed(raw);
    res.writeStatus(statusLine(this.statusCode));
    for (let i = 0; i < raw.length; i += 2) {
      const nameRaw = raw[i] as RawHeader;
      const valueRaw = raw[i + 1] as RawHeader;
      const name = rawText(nameRaw).toLowerCase();
      if (isDroppedResponseHeader(name)) continue;
      if (listed !== null && listed.includes(name)) continue;
      if (name === 'via') {
        via = via === '' ? rawText(valueRaw) : `${via}, ${rawText(valueRaw)}`;
        continue;
      }
      res.writeHeader(nameRaw, valueRaw);
    }
    const extra = this.extraHeaders;
    if (extra !== null) for (let i = 0; i < extra.length; i += 2) res.writeHeader(extra[i] as string, extra[i + 1] as string);
    res.writeHeader('via', via === '' ? VIA_TOKEN : `${via}, ${VIA_TOKEN}`);
    res.writeHeader(REQUEST_ID_HEADER, ctx.requestId);
    if (ctx.setCookie !== null) res.writeHeader('set-cookie', ctx.setCookie);
    res.writeHeader('x-gatehouse-upstream-latency', String(Math.round(ctx.upstreamFirstByte - ctx.upstreamStart)));
    res.writeHeader('x-gatehouse-proxy-latency', String(Math.round(ctx.upstreamStart - ctx.startTime)));
  }

  #doWriteChunk(): void {
    const res = this.ctx.res;
    const chunk = this.#chunk as Buffer;
    if (this.mode === MODE_CHUNKED && !this.#streaming) {
      // Copied: the bytes outlive this callback until the flush.
      (this.#held ??= []).push(Buffer.from(chunk));
      this.scheduleFlush();
      return;
    }
    if (this.rawHeaders !== null) this.#doWriteHead();
    if (this.mode === MODE_CHUNKED) {
      if (!res.write(chunk)) this.#block();
      return;
    }
    const offset = res.getWriteOffset();
    const [ok, done] = res.tryEnd(chunk, this.#total);
    if (done) {
      this.#complete();
    } else if (!ok) {
      this.#pending = chunk;
      this.#pendingOffset = offset;
      this.#block();
    }
  }

  protected scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  /** One loop turn after the head of an unsized body: start streaming it. */
  #doFlush(): void {
    this.#flushScheduled = false;
    if (this.ctx.finished || this.#streaming) return;
    this.ctx.res.cork(this.#writeHeld);
  }

  #doWriteHeld(): void {
    const res = this.ctx.res;
    this.#streaming = true;
    if (this.rawHeaders !== null) this.#doWriteHead();
    const held = this.#held;
    this.#held = null;
    if (held !== null) for (const chunk of held) if (!res.write(chunk)) this.#block();
  }

  #block(): void {
    if (!this.#blocked) {
      this.#blocked = true;
      this.ctx.res.onWritable(this.#onWritable);
    }
  }

  #doWritable(offset: number): boolean {
    const ctx = this.ctx;
    if (ctx.finished) return true;
    if (this.mode === MODE_FIXED && this.#pending !== null) {
      const rest = this.#pending.subarray(offset - this.#pendingOffset);
      const [ok, done] = ctx.res.tryEnd(rest, this.#total);
      if (done) {
        this.#pending = null;
        this.#complete();
        return true;
      }
      if (!ok) return false;
      this.#pending = null;
    }
    this.#blocked = false;
    const resume = this.resume;
    if (resume !== null) resume();
    return true;
  }

  #doEnd(): void {
    const ctx = this.ctx;
    const res = ctx.res;
    if (this.rawHeaders !== null) this.#doWriteHead();
    switch (this.mode) {
      case MODE_EMPTY:
        if (this.#total >= 0) res.endWithoutBody(this.#total);
        else res.endWithoutBody();
        break;
      case MODE_FIXED:
        // tryEnd finished the response on its last byte; only a zero-length body is left.
        if (this.#total === 0) res.end();
        else if (this.#pending !== null) return; // the drain in #doWritable finishes it
        else if (ctx.bytesOut < this.#total) {
          res.close(); // upstream ended short of its content-length
        } else return;
        break;
      case MODE_CHUNKED:
        if (this.#streaming) {
          res.end();
        } else {
          // Completed within the hold: one response with a Content-Length, one write.
          const held = this.#held;
          this.#held = null;
          res.end(held === null ? '' : held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held));
        }
        break;
      default:
        // Completed without headers: cannot happen with undici, answer an error anyway.
        this.owner.fail(ctx, new Error('upstream completed without a response'));
        return;
    }
    this.#complete();
  }

  #complete(): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.finished = true;
    this.owner.finish(ctx);
  }
}

function rawText(v: RawHeader): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

/** The Content-Length of raw headers, or -1. */
export function contentLengthOf(raw: readonly RawHeader[]): number {
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as RawHeader;
    // 'content-length' is 14 bytes: compare only names of that length.
    if (name.length === 14 && rawText(name).toLowerCase() === 'content-length') {
      contentLength = Number(rawText(raw[i + 1] as RawHeader));
    }
  }
  return contentLength;
}

/** Header names listed by the raw headers' Connection values (other than close/keep-alive), or null. */
function connectionListed(raw: readonly RawHeader[]): string[] | null {
  let listed: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as RawHeader;
    // 'connection' is 10 bytes: compare only names of that length.
    if (name.length !== 10 || rawText(name).toLowerCase() !== 'connection') continue;
    const tokens = connectionTokens(rawText(raw[i + 1] as RawHeader));
    if (tokens.length > 0) listed = listed === null ? tokens : listed.concat(tokens);
  }
  return listed;
}

/** The JSON error for an upstream failure that happened before any response byte. */
export function upstreamErrorEntry(err: unknown): (typeof ERRORS)[keyof typeof ERRORS] {
  return ERRORS[classifyUpstreamError(err)];
}
