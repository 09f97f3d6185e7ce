/**
 * The upstream exchange of a route whose plugins see the response: ProxyExchange plus the
 * chain's response (header_filter) and body (body_filter) phases.
 *
 *   onHeaders   ResponseHead over the upstream's raw headers ──► response phase (a step may
 *               return a promise: the upstream read waits) ──► the head plugins left is
 *               what the plain path writes; an exit replaces the upstream's response
 *               (nothing reached the client yet)
 *   onData      each chunk through the body steps; the last byte of a sized body is the
 *               `last` chunk for them (one call, not two)
 *   onComplete  a final empty `last` chunk when the body was not sized (they release what
 *               they held)
 *
 * A body step that changes the length removes Content-Length in the response phase (as
 * Kong's response-transformer does); the body then goes out chunked. Routes whose chain
 * has neither phase take the plain ProxyExchange.
 */
import type { RequestContext } from './context.js';
import { runBody, runResponse, type RouteChain } from '../plugins/chain.js';
import { ResponseHead } from '../plugins/response-head.js';
import { contentLengthOf, MODE_EMPTY, ProxyExchange, type ExchangeOwner } from '../proxy/response-handler.js';

const NO_BYTES = Buffer.alloc(0);

export class ChainExchange extends ProxyExchange {
  readonly #chain: RouteChain;
  /** The upstream's Content-Length (-1 unknown) and the bytes received so far. */
  #upstreamLength = -1;
  #upstreamBytes = 0;
  /** The body steps already saw their last chunk, or there are none. */
  #bodyEnded = false;

  constructor(ctx: RequestContext, owner: ExchangeOwner, target: number, chain: RouteChain) {
    super(ctx, owner, target);
    this.#chain = chain;
  }

  override onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    if (!this.acceptHead(statusCode, rawHeaders, resume)) return false;
    const ctx = this.ctx;
    const chain = this.#chain;
    ctx.responseHead = new ResponseHead(statusCode, rawHeaders);
    if (chain.body === null) this.#bodyEnded = true;
    else this.#upstreamLength = this.headMode || statusCode === 204 || statusCode === 304 ? -1 : contentLengthOf(rawHeaders);
    const steps = chain.response;
    const r = steps === null ? undefined : runResponse(ctx, steps);
    if (r === undefined) return this.#applyHead();
    r.then(
      () => {
        if (this.#applyHead()) this.resume?.();
      },
      (err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))),
    );
    return false;
  }

  override onData(data: Buffer): boolean {
    if (this.ctx.finished) return false;
    if (this.mode === MODE_EMPTY || this.#bodyEnded) return super.onData(data);
    this.#upstreamBytes += data.byteLength;
    const last = this.#upstreamLength >= 0 && this.#upstreamBytes >= this.#upstreamLength;
    if (last) this.#bodyEnded = true;
    const out = this.#body(data, last);
    if (out === null) return false;
    if (out.byteLength === 0) return true;
    return super.onData(out);
  }

  protected override beforeEnd(): boolean {
    if (this.mode === MODE_EMPTY || this.#bodyEnded) return true;
    this.#bodyEnded = true;
    const out = this.#body(NO_BYTES, true);
    if (out === null) return false;
    if (out.byteLength > 0) {
      this.ctx.bytesOut += out.byteLength;
      this.writeNow(out);
    }
    return !this.ctx.finished;
  }

  /** The head the plugins left becomes the one the plain path writes. */
  #applyHead(): boolean {
    const ctx = this.ctx;
    if (ctx.finished) return false;
    if (ctx.answer !== null) {
      this.#answerLocally();
      return false;
    }
    const head = ctx.responseHead as ResponseHead;
    this.statusCode = head.status;
    ctx.status = head.status;
    this.rawHeaders = head.headers;
    this.extraHeaders = head.added;
    this.startBody(head.status, head.headers);
    return true;
  }

  /** A chunk through the body steps; null when a step answered instead (handled here). */
  #body(chunk: Buffer, last: boolean): Buffer | null {
    const ctx = this.ctx;
    const out = runBody(ctx, this.#chain.body ?? [], chunk, last);
    if (ctx.answer === null) return out;
    if (this.rawHeaders !== null) {
      this.#answerLocally();
    } else {
      // Headers already went out: the only honest signal left is closing.
      ctx.finished = true;
      ctx.abortUpstream?.(new Error('a plugin stopped the response'));
      ctx.res.close();
      this.owner.finish(ctx);
    }
    return null;
  }

  #answerLocally(): void {
    const ctx = this.ctx;
    this.rawHeaders = null;
    const abort = ctx.abortUpstream;
    // Answer first (ctx.finished), then abort: the abort's onError must find the request done.
    this.owner.respondLocal(ctx);
    abort?.(new Error('a plugin answered the request'));
  }
}
