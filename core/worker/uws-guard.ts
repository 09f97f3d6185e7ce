/**
 * What the gateway can close, from its side, of uWS 20.30's parser holes (measured with
 * the corpus in test/fixtures/front-cases.ts):
 *
 * 1. uWS keeps parsing the bytes after a request in the same read, even when the handler
 *    has just ended the response with `closeConnection`: a request after a refused one
 *    was served. If the response is still pending when uWS reaches the next request, it
 *    closes the connection instead. So a refusal is answered one loop turn later
 *    (`refuseOnUws`): pipelined bytes close the connection, nothing after the refused
 *    request reaches the pipeline.
 * 2. uWS ends a chunked body at the last chunk's size line and parses the trailer (and
 *    anything after it) as the next request. A request with Transfer-Encoding therefore
 *    gets a GuardedResponse: its answer is never written inside the handler (same reason)
 *    and always closes the connection, so nothing after its body is ever served.
 *
 * What stays open with uWS (README "What the gateway adds and removes"): heads it cannot
 * parse — HTTP/1.0, absolute-form, `_` or other token chars in names, more than 48
 * headers, extension methods, bad request lines — are held unanswered until its 10 s
 * timeout; non-ASCII bytes in header values are mangled. The strict front has none of it.
 */
import type { HttpRequest as UwsRequest, HttpResponse as UwsResponse } from 'uWebSockets.js';
import { ERRORS } from '../lib/errors.js';
import type { Chunk, HttpResponse, RequestHandler } from './http-front.js';
import type { RequestContext } from './context.js';
import { uwsFraming } from './framing.js';
import { writeError } from './respond.js';

/**
 * The handler uWS calls (plain and TLS listeners): a request with a Transfer-Encoding
 * header gets a GuardedResponse; every other request the uWS response itself (one
 * getHeader per request on the fast path).
 */
export function guardedUwsHandler(handler: RequestHandler): (res: UwsResponse, req: UwsRequest) => void {
  return (res, req) => {
    if (req.getHeader('transfer-encoding') === '') {
      handler(res, req);
      return;
    }
    const guarded = new GuardedResponse(res);
    try {
      handler(guarded, req);
    } finally {
      guarded.release();
    }
  };
}

/**
 * The uWS front's first step: refuses a request framing.ts rejects, answering a loop turn
 * later with `Connection: close`. Returns the status answered, or 0 to go on.
 */
export function refuseOnUws(ctx: RequestContext): number {
  const code = uwsFraming(ctx);
  if (code === null) return 0;
  const res = ctx.res;
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  setImmediate(() => {
    if (!aborted) res.cork(() => writeError(res, code, ctx.requestId, true));
  });
  return ERRORS[code].status;
}

/**
 * The response of a request with a chunked body on the uWS front: everything written
 * inside the handler is held and replayed a loop turn later, and the response always
 * closes the connection. The body is collected and written by one `end(body, true)`:
 * uWS 20.30 writes the `Connection: close` of an `end(…, true)` that follows `write()`
 * calls into the chunked body (a corrupt response), and tryEnd cannot close at all. So a
 * chunked upload's answer is buffered whole, SSE included (README).
 */
export class GuardedResponse implements HttpResponse {
  readonly #res: UwsResponse;
  #held: Array<() => void> | null = [];
  #aborted = false;
  #onAborted: (() => void) | null = null;
  #body: Buffer[] = [];
  #written = 0;
  #ended = false;

  constructor(res: UwsResponse) {
    this.#res = res;
    res.onAborted(() => {
      this.#aborted = true;
      this.#held = null;
      const handler = this.#onAborted;
      if (handler !== null) handler();
    });
  }

  /** Called when the uWS handler returns: replay what it wrote, a loop turn later. */
  release(): void {
    const held = this.#held;
    this.#held = null;
    if (held === null || held.length === 0) return;
    setImmediate(() => {
      if (this.#aborted) return;
      this.#res.cork(() => {
        for (const call of held) call();
      });
    });
  }

  #run(call: () => void): void {
    if (this.#held !== null) this.#held.push(call);
    else if (!this.#aborted) this.#res.cork(call);
  }

  #collect(chunk: Chunk | undefined): void {
    if (chunk === undefined) return;
    const copy = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (copy.byteLength === 0) return;
    this.#body.push(copy);
    this.#written += copy.byteLength;
  }

  #endWithBody(): void {
    if (this.#ended) return;
    this.#ended = true;
    const body = this.#body.length === 1 ? (this.#body[0] as Buffer) : Buffer.concat(this.#body);
    this.#body = [];
    this.#run(() => this.#res.end(body, true));
  }

  cork(cb: () => void): HttpResponse {
    cb();
    return this;
  }

  writeStatus(status: Chunk): HttpResponse {
    this.#run(() => this.#res.writeStatus(status));
    return this;
  }

  writeHeader(key: Chunk, value: Chunk): HttpResponse {
    const k = typeof key === 'string' ? key : Buffer.from(key);
    const v = typeof value === 'string' ? value : Buffer.from(value);
    this.#run(() => this.#res.writeHeader(k, v));
    return this;
  }

  write(chunk: Chunk): boolean {
    this.#collect(chunk);
    return true;
  }

  end(body?: Chunk, _closeConnection?: boolean): HttpResponse {
    this.#collect(body);
    this.#endWithBody();
    return this;
  }

  endWithoutBody(reportedContentLength?: number, _closeConnection?: boolean): HttpResponse {
    if (this.#ended) return this;
    this.#ended = true;
    this.#run(() => this.#res.endWithoutBody(reportedContentLength, true));
    return this;
  }

  tryEnd(chunk: Chunk, totalSize: number): [boolean, boolean] {
    this.#collect(chunk);
    if (this.#written < totalSize) return [true, false];
    this.#endWithBody();
    return [true, true];
  }

  close(): HttpResponse {
    this.#ended = true;
    this.#run(() => this.#res.close());
    return this;
  }

  getWriteOffset(): number {
    return this.#written;
  }

  onWritable(_handler: (offset: number) => boolean): HttpResponse {
    return this; // every write is accepted (collected): nothing ever waits for writable
  }

  onAborted(handler: () => void): HttpResponse {
    this.#onAborted = handler;
    return this;
  }

  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): HttpResponse {
    this.#res.onData(handler);
    return this;
  }

  pause(): void {
    if (!this.#aborted) this.#res.pause();
  }

  resume(): void {
    if (!this.#aborted) this.#res.resume();
  }

  getRemoteAddressAsText(): ArrayBuffer {
    return this.#res.getRemoteAddressAsText();
  }
}
