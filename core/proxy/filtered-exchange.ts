/**
 * The upstream exchange of a route with WASM filters: ProxyExchange plus the response
 * phases of the filter chain (core/wasm/filter.ts), in reverse chain order.
 *
 *   onHeaders   headers through the filters (they may pause: undici waits) ──► the map they
 *               changed becomes the raw header list the normal path writes; a local
 *               response replaces the upstream's (nothing reached the client yet)
 *   onData      each chunk through the filters; released bytes are written; the last byte
 *               of a sized body is end of stream for them (one guest call, not two)
 *   onComplete  end of stream through the filters (they release what they held back)
 *
 * When no filter in the chain has a response-body callback, the body takes the plain path.
 *
 * Routes without filters never create one, so the plain path carries no filter checks;
 * nor do routes whose filters cannot see the response (FilterRun.filtersResponse: no
 * response, log or done callback in the chain, e.g. a filter that only edits request
 * headers), whose responses take the plain path whole.
 */
import type { FilteredRequest } from '../worker/filtered-request.js';
import type { RequestContext } from '../worker/context.js';
import { Verdict } from '../wasm/http-stream.js';
import { contentLengthOf, MODE_EMPTY, ProxyExchange, type ExchangeOwner } from './response-handler.js';

const NO_BYTES = Buffer.alloc(0);

export class FilteredExchange extends ProxyExchange {
  readonly #filtered: FilteredRequest;
  /** The upstream's Content-Length (-1 unknown) and the bytes received so far. */
  #upstreamLength = -1;
  #upstreamBytes = 0;
  /** The filters already saw end of stream (on the last sized chunk), or never see the body. */
  #filtersEnded = false;

  constructor(ctx: RequestContext, owner: ExchangeOwner, target: number, filtered: FilteredRequest) {
    super(ctx, owner, target);
    this.#filtered = filtered;
  }

  override onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    if (!this.acceptHead(statusCode, rawHeaders, resume)) return false;
    const filtered = this.#filtered;
    const bodyless = this.headMode || statusCode === 204 || statusCode === 304;
    filtered.setUpstreamResponse(statusCode, rawHeaders);
    // No filter sees the body: it passes as on a plain route (onData, beforeEnd).
    if (!filtered.run.filtersResponseBody) this.#filtersEnded = true;
    else this.#upstreamLength = bodyless ? -1 : contentLengthOf(rawHeaders);
    const verdict = filtered.run.responseHeaders(bodyless);
    if (verdict instanceof Promise) {
      verdict.then(
        (v) => {
          if (this.#applyHead(v)) this.resume?.();
        },
        (err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))),
      );
      return false;
    }
    return this.#applyHead(verdict);
  }

  override onData(data: Buffer): boolean {
    if (this.ctx.finished) return false;
    if (this.mode === MODE_EMPTY || !this.#filtered.run.filtersResponseBody) return super.onData(data);
    this.#upstreamBytes += data.byteLength;
    const last = this.#upstreamLength >= 0 && this.#upstreamBytes >= this.#upstreamLength;
    if (last) this.#filtersEnded = true;
    const out = this.#body(data, last);
    if (out === null) return false;
    if (out.byteLength === 0) return true;
    return super.onData(out);
  }

  protected override beforeEnd(): boolean {
    if (this.mode === MODE_EMPTY || this.#filtersEnded) return true;
    const out = this.#body(NO_BYTES, true);
    if (out === null) return false;
    if (out.byteLength > 0) {
      this.ctx.bytesOut += out.byteLength;
      this.writeNow(out);
    }
    return !this.ctx.finished;
  }

  /** The filtered map becomes the raw header list the normal path writes. */
  #applyHead(verdict: Verdict): boolean {
    const ctx = this.ctx;
    if (ctx.finished) return false;
    if (verdict === Verdict.LocalResponse) {
      this.#answerLocally();
      return false;
    }
    const map = this.#filtered.responseHeaderMap;
    if (map === null) {
      // No filter looked at the response headers: the upstream's go out as they are.
      this.startBody(this.statusCode, this.rawHeaders as Buffer[]);
      return true;
    }
    const status = Number(map.get(':status')) || this.statusCode;
    const raw: Buffer[] = [];
    for (let i = 0; i < map.size; i++) {
      const name = map.nameAt(i);
      if (name.charCodeAt(0) !== 58 /* ':' */) raw.push(Buffer.from(name, 'latin1'), Buffer.from(map.valueAt(i), 'latin1'));
    }
    this.statusCode = status;
    ctx.status = status;
    this.rawHeaders = raw;
    this.startBody(status, raw);
    return true;
  }

  /** A body chunk through the filters; null when a filter answered (handled here). */
  #body(chunk: Buffer, endOfStream: boolean): Buffer | null {
    const out = this.#filtered.run.responseBody(chunk, endOfStream);
    if (out === null) {
      if (this.rawHeaders !== null) {
        this.#answerLocally();
      } else {
        // Headers already went out: the only honest signal left is closing.
        const ctx = this.ctx;
        ctx.finished = true;
        ctx.abortUpstream?.(new Error('a WASM filter stopped the response'));
        ctx.res.close();
        this.owner.finish(ctx);
      }
      return null;
    }
    return out === chunk ? chunk : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  #answerLocally(): void {
    const ctx = this.ctx;
    this.rawHeaders = null;
    const response = this.#filtered.run.localResponse;
    // Answer first (ctx.finished), then abort: the abort's onError must find the request done.
    if (response === null) this.owner.fail(ctx, new Error('a WASM filter stopped the response without one'));
    else this.owner.respondLocal(ctx, response);
    ctx.abortUpstream?.(new Error('a WASM filter answered the request'));
  }
}
