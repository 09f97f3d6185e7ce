/**
 * Adapts a route's WASM filters to the request pipeline's phases: one FilterRun per
 * request, holding one HttpStream per filter.
 *
 *   request headers / body : filters in chain order (first configured runs first)
 *   response headers / body: filters in reverse order (as Envoy encodes)
 *   end of request         : every stream finishes (proxy_on_log, on_done, on_delete)
 *
 * A phase answers synchronously unless a filter paused in a headers callback; then the
 * rest of the chain runs when that pause ends (continue, local response, fault, timeout).
 * Body bytes a filter holds back (Pause in a body callback) are not passed on until it
 * releases them; the last chunk (end of stream) always releases everything.
 */
import { StreamCallback } from './abi/callbacks.js';
import type { HostRequest, LocalResponse } from './host-request.js';
import { Verdict, type HttpStream } from './http-stream.js';
import type { WasmInstance } from './instance.js';

const EMPTY = new Uint8Array(0);

export class FilterRun {
  readonly streams: readonly HttpStream[];
  /**
   * Some filter has a response-body callback. When none has, response bodies pass through
   * untouched (nothing can buffer or answer there), and the caller may skip responseBody.
   */
  readonly filtersResponseBody: boolean;
  /** Some filter has a request-body callback (when none has, the body may go upstream as it is). */
  readonly filtersRequestBody: boolean;
  /**
   * Some filter may look at the upstream response (HttpStream.seesResponse). When none
   * may, the response is proxied as on a route without filters: no response phases.
   */
  readonly filtersResponse: boolean;
  #finished = false;

  constructor(instances: readonly WasmInstance[], request: HostRequest) {
    const streams: HttpStream[] = [];
    let requestBodies = false;
    let responseBodies = false;
    let responses = false;
    for (const instance of instances) {
      const stream = instance.stream(request);
      streams.push(stream);
      requestBodies ||= stream.handles(StreamCallback.RequestBody);
      responseBodies ||= stream.handles(StreamCallback.ResponseBody);
      responses ||= stream.seesResponse();
    }
    this.streams = streams;
    this.filtersRequestBody = requestBodies;
    this.filtersResponseBody = responseBodies;
    this.filtersResponse = responses;
  }

  /** The local response a filter (or a fault policy) produced, if any. */
  get localResponse(): LocalResponse | null {
    for (const stream of this.streams) if (stream.localResponse !== null) return stream.localResponse;
    return null;
  }

  requestHeaders(endOfStream: boolean): Verdict | Promise<Verdict> {
    return this.#forward(0, endOfStream);
  }

  #forward(from: number, eos: boolean): Verdict | Promise<Verdict> {
    const streams = this.streams;
    for (let i = from; i < streams.length; i++) {
      const verdict = (streams[i] as HttpStream).requestHeaders(eos);
      if (verdict instanceof Promise) {
        return verdict.then((v) => (v === Verdict.LocalResponse ? v : this.#forward(i + 1, eos)));
      }
      if (verdict === Verdict.LocalResponse) return verdict;
    }
    return Verdict.Continue;
  }

  responseHeaders(endOfStream: boolean): Verdict | Promise<Verdict> {
    return this.#backward(this.streams.length - 1, endOfStream);
  }

  #backward(from: number, eos: boolean): Verdict | Promise<Verdict> {
    const streams = this.streams;
    for (let i = from; i >= 0; i--) {
      const verdict = (streams[i] as HttpStream).responseHeaders(eos);
      if (verdict instanceof Promise) {
        return verdict.then((v) => (v === Verdict.LocalResponse ? v : this.#backward(i - 1, eos)));
      }
      if (verdict === Verdict.LocalResponse) return verdict;
    }
    return Verdict.Continue;
  }

  /** Runs a request body chunk through the chain; returns the bytes to send upstream, or null for a local response. */
  requestBody(chunk: Uint8Array, endOfStream: boolean): Uint8Array | null {
    let data = chunk;
    for (const stream of this.streams) {
      if (data.byteLength === 0 && !endOfStream) return EMPTY;
      if (stream.requestBody(data, endOfStream) === Verdict.LocalResponse) return null;
      data = stream.takeRequestBody();
    }
    return data;
  }

  /** Runs a response body chunk through the chain (reverse order); null for a local response. */
  responseBody(chunk: Uint8Array, endOfStream: boolean): Uint8Array | null {
    let data = chunk;
    const streams = this.streams;
    for (let i = streams.length - 1; i >= 0; i--) {
      if (data.byteLength === 0 && !endOfStream) return EMPTY;
      const stream = streams[i] as HttpStream;
      if (stream.responseBody(data, endOfStream) === Verdict.LocalResponse) return null;
      data = stream.takeResponseBody();
    }
    return data;
  }

  /** End of the request (also after errors and aborts). Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const stream of this.streams) stream.finish();
  }
}
