/**
 * One upstream try of an AI request: an undici dispatch handler (the onConnect/onHeaders/
 * onData/onComplete/onError protocol the core calls directly, as proxy/response-handler.ts)
 * that decides per answer how it is read:
 *   2xx and a streamed request  -> each chunk to the exchange as it arrives (backpressure:
 *                                  a false return pauses undici until the client drains)
 *   anything else               -> buffered whole (an answer, or an error body to classify)
 * An attempt the exchange has moved past (failover, client gone) is ignored; its body is
 * still read to the end so the connection returns to the pool.
 */

/** Most of a non-streamed answer or error body kept (a provider answer is far smaller). */
const MAX_BUFFERED = 16 * 1024 * 1024;

export interface AttemptOwner {
  isCurrent(a: AiAttempt): boolean;
  connected(abort: (err?: Error) => void): void;
  headers(resume: () => void): void;
  streamChunk(chunk: Buffer): boolean;
  streamDone(): void;
  buffered(status: number, body: string, retryAfter: string | undefined): void;
  failed(err: Error): void;
}

export class AiAttempt {
  readonly #owner: AttemptOwner;
  readonly #stream: boolean;
  #streaming = false;
  #status = 0;
  #retryAfter: string | undefined = undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #abort: ((err?: Error) => void) | null = null;

  constructor(owner: AttemptOwner, stream: boolean) {
    this.#owner = owner;
    this.#stream = stream;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (!this.#owner.isCurrent(this)) {
      abort(new Error('attempt abandoned'));
      return;
    }
    this.#abort = abort;
    this.#owner.connected(abort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    if (!this.#owner.isCurrent(this)) return false;
    this.#status = statusCode;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as Buffer;
      // 'retry-after' is 11 bytes: compare only names of that length.
      if (name.length === 11 && name.toString('latin1').toLowerCase() === 'retry-after') this.#retryAfter = (rawHeaders[i + 1] as Buffer).toString('latin1');
    }
    this.#streaming = this.#stream && statusCode >= 200 && statusCode < 300;
    this.#owner.headers(resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    // An attempt the exchange is done with reads on to the end of the body: the rest is a
    // few bytes (the stream's terminator), and a paused socket would never go back to the
    // pool. Attempts abandoned mid-answer (failover, client gone) were aborted instead.
    if (!this.#owner.isCurrent(this)) return true;
    if (this.#streaming) return this.#owner.streamChunk(chunk);
    this.#size += chunk.byteLength;
    if (this.#size > MAX_BUFFERED) {
      this.#chunks = [];
      // Aborting reports the error through onError, the one failure path.
      this.#abort?.(new Error('upstream answer too large'));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(_trailers: unknown): void {
    if (!this.#owner.isCurrent(this)) return;
    if (this.#streaming) {
      this.#owner.streamDone();
      return;
    }
    const body = Buffer.concat(this.#chunks).toString('utf8');
    this.#chunks = [];
    this.#owner.buffered(this.#status, body, this.#retryAfter);
  }

  onError(err: Error): void {
    if (!this.#owner.isCurrent(this)) return;
    this.#owner.failed(err);
  }
}
