/**
 * The request side of a route with WASM filters (routes without filters never create one).
 *
 *   uWS handler ──► start(): onData attached at once (chunks queue while headers run)
 *       request headers through the chain ── may pause (proxy_continue_stream / timeout)
 *         LocalResponse ──► the filter's response goes to the client; nothing upstream
 *         Continue      ──► header/`:path`/`:method`/`:authority` changes applied, then
 *           no filter has a request-body callback, no chunk came yet (the usual case):
 *                           the body takes the plain route's path (owner.forwardBody):
 *                           the client's Content-Length kept, a one-chunk body sent whole
 *           otherwise:      dispatch upstream with the body as a chunked stream,
 *                           each body chunk through the chain, released bytes forwarded
 *
 * The client's body is paused (uWS res.pause) while the headers phase is pending, so a
 * paused filter does not make the gateway buffer an upload it has not decided on.
 */
import { copyChunk, RequestBodyStream } from '../proxy/request-body.js';
import { FilterRun } from '../wasm/filter.js';
import { Verdict } from '../wasm/http-stream.js';
import type { LocalResponse } from '../wasm/host-request.js';
import type { WasmInstance } from '../wasm/instance.js';
import type { RequestContext } from './context.js';
import { GatewayHostRequest } from './wasm-host.js';

/** What a filtered request needs from the pipeline. */
export interface FilteredOwner {
  /** Dispatch upstream with `ctx.body` as it is (null or a stream). */
  dispatchFiltered(ctx: RequestContext): void;
  /**
   * A body chunk on the plain route's path (no filter reads the body): the owner counts,
   * limits, copies and dispatches it as it does for a route without filters. `declared`:
   * the client's Content-Length, -1 for a chunked body.
   */
  forwardBody(ctx: RequestContext, chunk: ArrayBuffer, isLast: boolean, declared: number): void;
  /** Answer with a response a filter produced. */
  respondLocal(ctx: RequestContext, response: LocalResponse): void;
  /** The body broke the size limit. */
  bodyTooLarge(ctx: RequestContext): void;
  fail(ctx: RequestContext, err: Error): void;
}

interface Queued {
  chunk: Buffer;
  last: boolean;
}

/** The request's host view (GatewayHostRequest) and its body flow, in one object per request. */
export class FilteredRequest extends GatewayHostRequest {
  readonly run: FilterRun;
  readonly #owner: FilteredOwner;
  readonly #maxBody: number;
  #headersDone = false;
  /** Body chunks that arrived while the headers phase was pending (made on the first). */
  #queued: Queued[] | null = null;
  #paused = false;
  #stream: RequestBodyStream | null = null;
  /** The body goes the plain route's way (owner.forwardBody), untouched by the chain. */
  #plainBody = false;
  /** The client's Content-Length (-1: chunked), for the plain way. */
  #declared = -1;

  constructor(ctx: RequestContext, filters: readonly WasmInstance[], owner: FilteredOwner, maxBodyBytes: number) {
    super(ctx);
    this.run = new FilterRun(filters, this);
    this.#owner = owner;
    this.#maxBody = maxBodyBytes;
  }

  /** `declared`: the client's Content-Length, -1 for a chunked body. */
  start(hasBody: boolean, declared: number): void {
    const ctx = this.ctx;
    this.#declared = declared;
    if (hasBody) ctx.res.onData((chunk, isLast) => this.#onData(chunk, isLast));
    const verdict = this.run.requestHeaders(!hasBody);
    if (verdict instanceof Promise) {
      verdict.then(
        (v) => this.#afterHeaders(v, hasBody),
        (err: unknown) => this.#owner.fail(ctx, err instanceof Error ? err : new Error(String(err))),
      );
    } else {
      this.#afterHeaders(verdict, hasBody);
    }
  }

  #afterHeaders(verdict: Verdict, hasBody: boolean): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    if (verdict === Verdict.LocalResponse) {
      this.#respondLocal();
      return;
    }
    this.applyRequestPseudoHeaders();
    this.#headersDone = true;
    if (!hasBody) {
      this.#owner.dispatchFiltered(ctx);
      return;
    }
    if (this.#queued === null && !this.run.filtersRequestBody) {
      // Dispatched with the first chunk, as on a plain route.
      this.#plainBody = true;
      return;
    }
    const stream = new RequestBodyStream(ctx.res);
    this.#stream = stream;
    ctx.body = stream;
    this.#owner.dispatchFiltered(ctx);
    const queued = this.#queued;
    this.#queued = null;
    if (this.#paused) {
      this.#paused = false;
      ctx.res.resume();
    }
    if (queued === null) return;
    for (const q of queued) {
      if (!this.#push(q.chunk, q.last)) return;
    }
  }

  #onData(chunk: ArrayBuffer, isLast: boolean): void {
    const ctx = this.ctx;
    if (this.#plainBody) {
      this.#owner.forwardBody(ctx, chunk, isLast, this.#declared);
      return;
    }
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    if (this.#maxBody > 0 && ctx.bytesIn > this.#maxBody) {
      this.#stream?.fail(new Error('request body over the limit'));
      this.#owner.bodyTooLarge(ctx);
      return;
    }
    const copy = copyChunk(chunk);
    if (!this.#headersDone) {
      (this.#queued ??= []).push({ chunk: copy, last: isLast });
      if (!this.#paused && !isLast) {
        this.#paused = true;
        ctx.res.pause();
      }
      return;
    }
    this.#push(copy, isLast);
  }

  /** One chunk through the chain; false when a filter answered locally. */
  #push(chunk: Buffer, last: boolean): boolean {
    const out = this.run.requestBody(chunk, last);
    if (out === null) {
      // Answer first (ctx.finished), then abort: the abort's onError must find the request done.
      const abort = this.ctx.abortUpstream;
      this.#respondLocal();
      const err = new Error('a WASM filter answered the request');
      if (abort !== null) abort(err);
      // The upstream attempt may not be connected yet (abortUpstream still null): failing
      // the body stream ends it too. Without this the dispatched request waited forever
      // for the rest of a body that would never come, holding an upstream connection
      // (found by test/integration/wasm/conformance.test.ts: a stop then hung 2 s).
      this.#stream?.fail(err);
      return false;
    }
    const stream = this.#stream;
    if (stream !== null && (out.byteLength > 0 || last)) {
      stream.feed(Buffer.from(out.buffer, out.byteOffset, out.byteLength), last);
    }
    return true;
  }

  #respondLocal(): void {
    const response = this.run.localResponse;
    if (response === null) {
      this.#owner.fail(this.ctx, new Error('a WASM filter stopped the request without a response'));
      return;
    }
    this.#owner.respondLocal(this.ctx, response);
  }
}
