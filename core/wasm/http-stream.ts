/**
 * One HTTP request through one wasm filter: the guest's http context. The pipeline (or the
 * harness) calls the phase methods in order; each returns a Verdict synchronously, or a
 * Promise when the guest paused in a headers phase (resolved by proxy_continue_stream, a
 * local response, a fault, or the pause timeout). Bodies are buffered here: a body
 * callback answering Pause keeps the bytes until end of stream (capped by
 * maxBodyBufferBytes); Continue releases them, and the pipeline forwards what
 * `takeRequestBody()` / `takeResponseBody()` return.
 */
import { Action, type MapType, StreamType } from './abi/constants.js';
import { StreamCallback } from './abi/callbacks.js';
import type { GuestBuffer } from './abi/hostcalls.js';
import { FaultKind, GuestFault, OnError, faultResponse } from './faults.js';
import type { HostRequest, LocalResponse } from './host-request.js';
import type { WasmLimits } from './limits.js';

export const Verdict = {
  /** Go on with the request (forward what the take*Body methods return). */
  Continue: 0,
  /** Stop: send `stream.localResponse` to the client. */
  LocalResponse: 1,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The guest-side operations a stream needs; implemented by GuestVm. */
export interface StreamVm {
  readonly alive: boolean;
  readonly limits: WasmLimits;
  hasCallback(cb: StreamCallback): boolean;
  /** The guest runs proxy_on_log or proxy_on_done (either may read the response). */
  hasEndCallback(): boolean;
  /**
   * Run one request-phase callback for this stream (`n`: header count or body size).
   * Throws GuestFault when the guest faults.
   */
  callStream(stream: HttpStream, cb: StreamCallback, n: number, eos: boolean): Action;
  finishStream(stream: HttpStream): void;
}

/** The owner's policy and fault sink (WasmInstance). */
export interface StreamOwner {
  readonly onError: OnError;
  reportFault(fault: GuestFault, stuckOnly: boolean): void;
}

const EMPTY = new Uint8Array(0);
const TOO_LARGE = new TextEncoder().encode('{"message":"Request size limit exceeded"}');

function take(body: BodyState | null): Uint8Array {
  if (body === null) return EMPTY;
  const out = body.released;
  body.released = EMPTY;
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  if (b.byteLength === 0) return a;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

class BodyState implements GuestBuffer {
  bytes: Uint8Array = EMPTY;
  released: Uint8Array = EMPTY;
  endOfStream = false;
  replace(start: number, size: number, data: Uint8Array): void {
    const s = Math.min(start, this.bytes.byteLength);
    const e = Math.min(s + size, this.bytes.byteLength);
    const out = new Uint8Array(this.bytes.byteLength - (e - s) + data.byteLength);
    out.set(this.bytes.subarray(0, s), 0);
    out.set(data, s);
    out.set(this.bytes.subarray(e), s + data.byteLength);
    this.bytes = out;
  }
  release(): void {
    this.released = concat(this.released, this.bytes);
    this.bytes = EMPTY;
  }
}

interface Pending {
  readonly stream: number;
  readonly resolve: (v: Verdict) => void;
  readonly timer: NodeJS.Timeout;
}

export class HttpStream {
  readonly contextId: number;
  readonly request: HostRequest;
  /** Properties the guest set with proxy_set_property during this request (made on first set). */
  properties: Map<string, Uint8Array> | null = null;
  localResponse: LocalResponse | null = null;
  /** The fault that ended the guest's part in this request, if any. */
  fault: GuestFault | null = null;
  readonly #vm: StreamVm | null;
  readonly #owner: StreamOwner;
  /** Body buffers, made when a body first passes (most GETs never need one). */
  #requestBody: BodyState | null = null;
  #responseBody: BodyState | null = null;
  /** True once the guest is out of the picture (fault with fail_open, circuit open, finished). */
  #bypass: boolean;
  #pending: Pending | null = null;
  #finished = false;

  constructor(contextId: number, request: HostRequest, vm: StreamVm | null, owner: StreamOwner) {
    this.contextId = contextId;
    this.request = request;
    this.#vm = vm;
    this.#owner = owner;
    this.#bypass = vm === null;
  }

  get paused(): boolean {
    return this.#pending !== null;
  }

  /** Whether the guest runs `cb` in this request (false once it is bypassed). */
  handles(cb: StreamCallback): boolean {
    return this.#guestFor(cb) !== null;
  }

  /**
   * Whether the guest may look at the upstream response in this request: a response
   * callback, or proxy_on_log / proxy_on_done (which may read response headers).
   */
  seesResponse(): boolean {
    return (
      this.handles(StreamCallback.ResponseHeaders) ||
      this.handles(StreamCallback.ResponseBody) ||
      this.handles(StreamCallback.ResponseTrailers) ||
      (!this.#bypass && this.#vm !== null && this.#vm.hasEndCallback())
    );
  }

  /** The VM that runs `cb` for this request, or null (bypassed, or the guest lacks it). */
  #guestFor(cb: StreamCallback): StreamVm | null {
    const vm = this.#vm;
    return this.#bypass || vm === null || !vm.hasCallback(cb) ? null : vm;
  }

  /** The body buffer a hostcall sees in this stream. */
  body(stream: 'request' | 'response'): GuestBuffer {
    return stream === 'request' ? (this.#requestBody ??= new BodyState()) : (this.#responseBody ??= new BodyState());
  }

  requestHeaders(endOfStream: boolean): Verdict | Promise<Verdict> {
    return this.#headers(StreamCallback.RequestHeaders, StreamType.HttpRequest, 0, endOfStream);
  }

  responseHeaders(endOfStream: boolean): Verdict | Promise<Verdict> {
    return this.#headers(StreamCallback.ResponseHeaders, StreamType.HttpResponse, 2, endOfStream);
  }

  requestBody(chunk: Uint8Array, endOfStream: boolean): Verdict {
    return this.#body(StreamCallback.RequestBody, (this.#requestBody ??= new BodyState()), chunk, endOfStream, true);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): Verdict {
    return this.#body(StreamCallback.ResponseBody, (this.#responseBody ??= new BodyState()), chunk, endOfStream, false);
  }

  requestTrailers(): Verdict {
    return this.#trailers(StreamCallback.RequestTrailers, 1);
  }

  responseTrailers(): Verdict {
    return this.#trailers(StreamCallback.ResponseTrailers, 3);
  }

  /** Body bytes released to forward upstream (empty while the guest buffers). */
  takeRequestBody(): Uint8Array {
    return take(this.#requestBody);
  }

  takeResponseBody(): Uint8Array {
    return take(this.#responseBody);
  }

  /** End of request: proxy_on_log, proxy_on_done, proxy_on_delete (skipped when bypassed). Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearPending();
    if (this.#vm !== null && this.#vm.alive) {
      try {
        this.#vm.finishStream(this);
      } catch (err) {
        if (!(err instanceof GuestFault)) throw err;
        this.fail(err);
      }
    }
    this.#bypass = true;
  }

  /**
   * Resume a paused stream (proxy_continue_stream). Resuming a stream that is not paused
   * is a no-op, as in Envoy.
   */
  resume(stream: StreamType): void {
    if (this.#pending !== null && this.#pending.stream === stream) this.#settle(Verdict.Continue);
  }

  /** Record a local response from the guest; wakes a paused stream. */
  setLocalResponse(response: LocalResponse): void {
    this.localResponse = response;
    if (this.#pending !== null) this.#settle(Verdict.LocalResponse);
  }

  /** Apply the on_error policy to this stream (idempotent). Returns the resulting verdict. */
  fail(fault: GuestFault): Verdict {
    if (this.fault === null) {
      this.fault = fault;
      this.#bypass = true;
      const response = faultResponse(this.#owner.onError);
      if (response !== null) this.localResponse = response;
    }
    const verdict = this.localResponse !== null ? Verdict.LocalResponse : Verdict.Continue;
    if (this.#pending !== null) this.#settle(verdict);
    return verdict;
  }

  #headers(cb: StreamCallback, stream: StreamType, map: number, eos: boolean): Verdict | Promise<Verdict> {
    if (this.localResponse !== null) return Verdict.LocalResponse;
    const vm = this.#guestFor(cb);
    if (vm === null) return Verdict.Continue;
    let action: Action;
    try {
      action = vm.callStream(this, cb, this.#count(map as MapType), eos);
    } catch (err) {
      return this.#onThrow(err);
    }
    if (this.localResponse !== null) return Verdict.LocalResponse;
    if (action === Action.Pause) return this.#pause(stream);
    return Verdict.Continue;
  }

  #body(cb: StreamCallback, body: BodyState, chunk: Uint8Array, eos: boolean, isRequest: boolean): Verdict {
    if (this.localResponse !== null) return Verdict.LocalResponse;
    body.endOfStream = eos;
    if (body.bytes.byteLength + chunk.byteLength > (this.#vm?.limits.maxBodyBufferBytes ?? Infinity)) {
      this.localResponse = isRequest
        ? { status: 413, details: 'wasm_body_buffer_overflow', headers: [['content-type', 'application/json; charset=utf-8']], body: TOO_LARGE }
        : faultResponse(OnError.FailClosed);
      return Verdict.LocalResponse;
    }
    body.bytes = concat(body.bytes, chunk);
    const vm = this.#guestFor(cb);
    if (vm === null) {
      body.release();
      return Verdict.Continue;
    }
    let action: Action;
    try {
      action = vm.callStream(this, cb, body.bytes.byteLength, eos);
    } catch (err) {
      const verdict = this.#onThrow(err);
      if (verdict === Verdict.Continue) body.release();
      return verdict;
    }
    if (this.localResponse !== null) return Verdict.LocalResponse;
    if (action === Action.Continue || eos) body.release();
    // What stays buffered outlives this call; a response chunk is a view of the upstream
    // connection's read buffer (core/proxy/http1/connection.ts), valid only until it returns.
    // (A copy: `new Uint8Array(view)` copies, where Buffer#slice would not.)
    else if (body.bytes === chunk) body.bytes = new Uint8Array(chunk);
    return Verdict.Continue;
  }

  #trailers(cb: StreamCallback, map: number): Verdict {
    if (this.localResponse !== null) return Verdict.LocalResponse;
    const vm = this.#guestFor(cb);
    if (vm === null) return Verdict.Continue;
    try {
      vm.callStream(this, cb, this.#count(map as MapType), false);
    } catch (err) {
      return this.#onThrow(err);
    }
    return this.localResponse !== null ? Verdict.LocalResponse : Verdict.Continue;
  }

  #count(map: MapType): number {
    const request = this.request;
    return request.headerCount !== undefined ? request.headerCount(map) : (request.headers(map)?.size ?? 0);
  }

  #onThrow(err: unknown): Verdict {
    if (!(err instanceof GuestFault)) throw err;
    return this.fail(err);
  }

  #pause(stream: StreamType): Promise<Verdict> {
    const timeoutMs = this.#vm?.limits.pauseTimeoutMs ?? 0;
    return new Promise<Verdict>((resolve) => {
      const timer = setTimeout(() => {
        const fault = new GuestFault(FaultKind.Timeout, `stream paused for more than ${timeoutMs} ms without proxy_continue_stream`);
        this.#owner.reportFault(fault, true);
        this.fail(fault);
      }, timeoutMs);
      this.#pending = { stream, resolve, timer };
    });
  }

  #settle(verdict: Verdict): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve(verdict);
  }

  #clearPending(): void {
    if (this.#pending !== null) this.#settle(this.localResponse !== null ? Verdict.LocalResponse : Verdict.Continue);
  }
}
