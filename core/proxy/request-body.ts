/**
 * The client's request body, streamed from uWS to undici with backpressure.
 *
 * uWS delivers chunks through res.onData (the ArrayBuffer is neutered when the callback
 * returns, so each chunk is copied once). When undici's side stops reading (push() returns
 * false) the client socket is paused with res.pause(); undici's next read() resumes it.
 * A body that arrives complete in its first chunk never becomes a stream: the pipeline
 * sends it as one Buffer (and can retry it).
 */
import { Readable } from 'node:stream';
import type { HttpResponse } from '../worker/http-front.js';

const HIGH_WATER_MARK = 64 * 1024;

export class RequestBodyStream extends Readable {
  readonly #res: HttpResponse;
  #paused = false;
  #ended = false;

  constructor(res: HttpResponse) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.#res = res;
  }

  /** Called from the uWS onData callback with an already-copied chunk. */
  feed(chunk: Buffer, isLast: boolean): void {
    if (this.destroyed || this.#ended) return;
    if (chunk.byteLength > 0 && !this.push(chunk) && !isLast && !this.#paused) {
      this.#paused = true;
      this.#res.pause();
    }
    if (isLast) {
      this.#ended = true;
      this.push(null);
    }
  }

  /**
   * True while no byte has left the stream: undici has not started writing it (a connect
   * failure happens before undici attaches its 'data' listener), so the same stream can
   * be handed to a retry on another target with its buffered chunks intact.
   */
  get replayable(): boolean {
    return !this.readableDidRead && !this.destroyed && this.listenerCount('data') === 0;
  }

  /** The client went away or the body broke a limit: fail the upstream request. */
  fail(err: Error): void {
    if (!this.destroyed) this.destroy(err);
  }

  override _read(): void {
    if (this.#paused) {
      this.#paused = false;
      // The response may already be gone (client aborted): resume() is then a no-op risk.
      try {
        this.#res.resume();
      } catch {
        /* aborted response: nothing to resume */
      }
    }
  }
}

/** Copies a uWS chunk (valid only during the callback) into a Buffer we own. */
export function copyChunk(chunk: ArrayBuffer): Buffer {
  const copy = Buffer.allocUnsafe(chunk.byteLength);
  copy.set(new Uint8Array(chunk));
  return copy;
}
