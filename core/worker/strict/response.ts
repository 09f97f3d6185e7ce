/**
 * The strict front's HttpResponse: uWS's response semantics over a node:net socket.
 *
 *   writeStatus / writeHeader   kept in one string until the first body byte
 *   end(body)                   `Content-Length`; head and body in one write
 *   tryEnd(chunk, total)        `Content-Length: total`; the head goes with the first chunk
 *   write(chunk)                HTTP/1.1: chunked; HTTP/1.0: raw bytes, then close
 *   endWithoutBody(n)           `Content-Length: n` (HEAD) or none (204/304)
 *
 * A socket accepts every byte (it buffers): a write answers false when the socket is past
 * its high-water mark, and the onWritable handler runs on its next `drain` with the
 * offset of the body bytes written so far — so a tryEnd that answered `ok = false` is
 * always retried with an empty rest.
 */
import type { Socket } from 'node:net';
import type { Chunk, HttpResponse } from '../http-front.js';
import { currentDateLine } from './wire.js';

/** Head and body up to this size go out as one Buffer (one write); larger, as a corked pair. */
const COALESCE_BYTES = 16_384;

/** What the response asks of its connection. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** The response is complete: serve the next request, or close when `close`. */
  responseDone(res: StrictResponse, close: boolean): void;
  /** The request's body is not fully read yet (the connection cannot be reused). */
  bodyPending(): boolean;
  pauseReading(): void;
  resumeReading(): void;
  /** The pipeline asked for the body: answer an `Expect: 100-continue`. */
  bodyWanted(res: StrictResponse): void;
  remoteAddress(): ArrayBuffer;
  /** Close the connection now (the in-flight response is aborted). */
  destroy(): void;
}

function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

function text(chunk: Chunk): string {
  if (typeof chunk === 'string') return chunk;
  // Upstream header names and values arrive as Buffers (undici's raw headers).
  return Buffer.isBuffer(chunk) ? chunk.toString('latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
}

export class StrictResponse implements HttpResponse {
  readonly #owner: ResponseOwner;
  readonly #http10: boolean;
  readonly #keepAlive: boolean;
  #status = '200 OK';
  #headers = '';
  #headSent = false;
  /** Ended or aborted: every later call is a no-op. */
  #done = false;
  #close = false;
  /** Body bytes written (tryEnd offsets). */
  #written = 0;
  #total = -1;
  /** write() mode: HTTP/1.1 chunked framing (else raw bytes, closed at the end). */
  #chunked = false;
  #onAborted: (() => void) | null = null;
  #onData: ((chunk: ArrayBuffer, isLast: boolean) => void) | null = null;
  #onWritable: ((offset: number) => boolean) | null = null;
  /** Body chunks that arrived before onData was attached. */
  #queued: Buffer[] | null = null;
  #queuedLast = false;

  constructor(owner: ResponseOwner, http10: boolean, keepAlive: boolean) {
    this.#owner = owner;
    this.#http10 = http10;
    this.#keepAlive = keepAlive;
  }

  get ended(): boolean {
    return this.#done;
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  cork(cb: () => void): HttpResponse {
    cb();
    return this;
  }

  writeStatus(status: Chunk): HttpResponse {
    this.#status = text(status);
    return this;
  }

  writeHeader(key: Chunk, value: Chunk): HttpResponse {
    this.#headers += `${text(key)}: ${text(value)}\r\n`;
    return this;
  }

  end(body?: Chunk, closeConnection?: boolean): HttpResponse {
    if (this.#done) return this;
    if (closeConnection === true) this.#close = true;
    if (!this.#headSent) {
      const length = body === undefined ? 0 : byteLength(body);
      this.#send(this.#head(`Content-Length: ${length}\r\n`), body, length);
    } else if (this.#chunked) {
      const socket = this.#owner.socket;
      if (body !== undefined && byteLength(body) > 0) this.#writeChunk(body);
      socket.write('0\r\n\r\n', 'latin1');
    } else if (body !== undefined && byteLength(body) > 0) {
      this.#owner.socket.write(body);
    }
    this.#finish();
    return this;
  }

  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): HttpResponse {
    if (this.#done) return this;
    if (closeConnection === true) this.#close = true;
    if (!this.#headSent) {
      this.#send(this.#head(reportedContentLength === undefined ? '' : `Content-Length: ${reportedContentLength}\r\n`), undefined, 0);
    } else if (this.#chunked) this.#owner.socket.write('0\r\n\r\n', 'latin1');
    this.#finish();
    return this;
  }

  tryEnd(chunk: Chunk, totalSize: number): [boolean, boolean] {
    if (this.#done) return [true, true];
    const length = byteLength(chunk);
    let ok: boolean;
    if (!this.#headSent) {
      this.#total = totalSize;
      ok = this.#send(this.#head(`Content-Length: ${totalSize}\r\n`), chunk, length);
    } else ok = length === 0 ? !this.#owner.socket.writableNeedDrain : this.#owner.socket.write(chunk);
    this.#written += length;
    if (this.#written >= this.#total) {
      this.#finish();
      return [ok, true];
    }
    return [ok, false];
  }

  write(chunk: Chunk): boolean {
    if (this.#done) return true;
    const length = byteLength(chunk);
    if (!this.#headSent) {
      if (this.#http10) {
        // No chunked coding for an HTTP/1.0 client: the body ends when the connection does.
        this.#close = true;
        this.#send(this.#head(''), undefined, 0);
      } else {
        this.#chunked = true;
        this.#send(this.#head('Transfer-Encoding: chunked\r\n'), undefined, 0);
      }
    }
    this.#written += length;
    if (length === 0) return !this.#owner.socket.writableNeedDrain;
    return this.#chunked ? this.#writeChunk(chunk) : this.#owner.socket.write(chunk);
  }

  close(): HttpResponse {
    if (!this.#done) this.#owner.destroy();
    return this;
  }

  getWriteOffset(): number {
    return this.#written;
  }

  onWritable(handler: (offset: number) => boolean): HttpResponse {
    this.#onWritable = handler;
    return this;
  }

  onAborted(handler: () => void): HttpResponse {
    this.#onAborted = handler;
    return this;
  }

  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): HttpResponse {
    this.#onData = handler;
    this.#owner.bodyWanted(this);
    if (this.#queued !== null) queueMicrotask(() => this.#flushQueued());
    return this;
  }

  pause(): void {
    if (!this.#done) this.#owner.pauseReading();
  }

  resume(): void {
    if (!this.#done) this.#owner.resumeReading();
  }

  getRemoteAddressAsText(): ArrayBuffer {
    return this.#owner.remoteAddress();
  }

  // ---- called by the connection ----

  /** A run of request body bytes (valid until the next read: copied out as an ArrayBuffer). */
  deliver(chunk: Buffer, isLast: boolean): void {
    if (this.#done) return;
    const handler = this.#onData;
    if (handler === null || this.#queued !== null) {
      (this.#queued ??= []).push(chunk);
      this.#queuedLast = isLast;
      return;
    }
    handler(ownBuffer(chunk), isLast);
  }

  /** The socket drained: let a writer that backed off go on. */
  drained(): void {
    const handler = this.#onWritable;
    if (handler === null || this.#done) return;
    // Cleared first: the handler resumes the upstream, whose next chunk may block the
    // writer again and register a new handler before this call returns.
    this.#onWritable = null;
    if (!handler(this.#written) && this.#onWritable === null) this.#onWritable = handler;
  }

  /** The connection is gone (or refused the rest of the request): tell the pipeline once. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    const handler = this.#onAborted;
    this.#onAborted = null;
    if (handler !== null) handler();
  }

  // ---- internals ----

  #flushQueued(): void {
    const queued = this.#queued;
    const handler = this.#onData;
    if (queued === null || handler === null) return;
    this.#queued = null;
    for (let i = 0; i < queued.length && !this.#done; i++) handler(ownBuffer(queued[i] as Buffer), this.#queuedLast && i === queued.length - 1);
  }

  #head(framing: string): string {
    this.#headSent = true;
    if (!this.#keepAlive || this.#owner.bodyPending()) this.#close = true;
    const connection = this.#close ? 'Connection: close\r\n' : this.#http10 ? 'Connection: keep-alive\r\n' : '';
    return `HTTP/1.1 ${this.#status}\r\n${this.#headers}${framing}${currentDateLine()}${connection}\r\n`;
  }

  /** Head and (optional) body in one write when small; answers the socket's write verdict. */
  #send(head: string, body: Chunk | undefined, bodyLength: number): boolean {
    const socket = this.#owner.socket;
    if (body === undefined || bodyLength === 0) return socket.write(head, 'latin1');
    if (typeof body === 'string') {
      if (bodyLength === body.length) return socket.write(head + body, 'latin1'); // ASCII body
      const headLength = head.length;
      const out = Buffer.allocUnsafe(headLength + bodyLength);
      out.write(head, 0, 'latin1');
      out.write(body, headLength, 'utf8');
      return socket.write(out);
    }
    const headLength = head.length;
    if (headLength + bodyLength <= COALESCE_BYTES) {
      const out = Buffer.allocUnsafe(headLength + bodyLength);
      out.write(head, 0, 'latin1');
      out.set(body, headLength);
      return socket.write(out);
    }
    socket.cork();
    socket.write(head, 'latin1');
    const ok = socket.write(body);
    socket.uncork();
    return ok;
  }

  #writeChunk(chunk: Chunk): boolean {
    const socket = this.#owner.socket;
    const size = `${byteLength(chunk).toString(16)}\r\n`;
    socket.cork();
    socket.write(size, 'latin1');
    socket.write(chunk);
    const ok = socket.write('\r\n', 'latin1');
    socket.uncork();
    return ok;
  }

  #finish(): void {
    this.#done = true;
    this.#onWritable = null;
    this.#owner.responseDone(this, this.#close);
  }
}

/** A body run as an ArrayBuffer of its own (no copy when the read's buffer is exactly it). */
function ownBuffer(chunk: Buffer): ArrayBuffer {
  const ab = chunk.buffer as ArrayBuffer;
  if (chunk.byteOffset === 0 && chunk.byteLength === ab.byteLength) return ab;
  return ab.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
}
