/**
 * Streams a request body (the client's upload, core/proxy/request-body.ts) into an
 * upstream socket, one per connection, reused request after request:
 *
 *   'data' ──► socket.write (chunked: size line, data and CRLF in one corked write)
 *          └─ write returns false ──► stream paused; the owner arms write_timeout
 *   'drain' (owner) ──► resume()
 *   'end'  ──► terminal chunk (chunked) ──► the owner hears the request is out
 *
 * A declared Content-Length is enforced both ways: more bytes, or fewer at the end, fail
 * the request rather than desynchronise the upstream's framing. The stream's 'error' is
 * the request's business (request.ts), since it can fail before a connection has it.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { H1Code, H1Error } from './errors.js';
import { Framing } from './request-head.js';

export interface BodyWriterOwner {
  /** The socket is backed up: the stream is paused until resume(). */
  bodyBackedUp(): void;
  /** The whole body was handed to the socket; `flushed`: and the socket took it all. */
  bodyWritten(flushed: boolean): void;
  bodyFailed(err: H1Error): void;
}

const TERMINAL_CHUNK = '0\r\n\r\n';

export class BodyWriter {
  readonly #owner: BodyWriterOwner;
  readonly #socket: Socket;
  #stream: Readable | null = null;
  #chunked = false;
  #declared = -1;
  #sent = 0;
  readonly #onData: (chunk: Buffer) => void;
  readonly #onEnd: () => void;

  constructor(owner: BodyWriterOwner, socket: Socket) {
    this.#owner = owner;
    this.#socket = socket;
    this.#onData = (chunk) => this.#data(chunk);
    this.#onEnd = () => this.#end();
  }

  /** A body is being streamed (not yet all handed to the socket). */
  get active(): boolean {
    return this.#stream !== null;
  }

  /** `declared`: the Content-Length sent in the head, or -1 (chunked or none). */
  start(stream: Readable, framing: Framing, declared: number): void {
    this.#stream = stream;
    this.#chunked = framing === Framing.CHUNKED;
    this.#declared = declared;
    this.#sent = 0;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.resume();
  }

  resume(): void {
    this.#stream?.resume();
  }

  /** Stops reading the stream (the request is over, or failed). */
  detach(): void {
    const stream = this.#stream;
    if (stream === null) return;
    this.#stream = null;
    stream.off('data', this.#onData);
    stream.off('end', this.#onEnd);
    // Stop the flow: a retry elsewhere resumes it (adding a 'data' listener alone would not).
    stream.pause();
  }

  #data(chunk: Buffer): void {
    if (this.#stream === null) return;
    this.#sent += chunk.length;
    if (this.#declared >= 0 && this.#sent > this.#declared) {
      this.#fail('request body longer than its content-length');
      return;
    }
    const socket = this.#socket;
    let flushed: boolean;
    if (this.#chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      flushed = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      flushed = socket.write(chunk);
    }
    if (!flushed) {
      this.#stream.pause();
      this.#owner.bodyBackedUp();
    }
  }

  #end(): void {
    if (this.#stream === null) return;
    if (this.#declared >= 0 && this.#sent !== this.#declared) {
      this.#fail('request body shorter than its content-length');
      return;
    }
    this.detach();
    const flushed = this.#chunked ? this.#socket.write(TERMINAL_CHUNK, 'latin1') : !this.#socket.writableNeedDrain;
    this.#owner.bodyWritten(flushed);
  }

  #fail(reason: string): void {
    this.detach();
    this.#owner.bodyFailed(new H1Error(H1Code.INVALID_REQUEST, reason));
  }
}
