/**
 * One client connection of the strict front: read -> parse -> dispatch, one request at a
 * time.
 *
 *   HEAD ──head complete──► handler(res, req) ──► BODY_LENGTH | BODY_CHUNKED | HEAD
 *     │                                             (body bytes go to res.onData)
 *     └─ a refused head: the error answer, `Connection: close`, nothing more is read
 *
 * Pipelined requests wait, unparsed, until the response before them has ended (held bytes
 * past PIPELINE_HOLD pause the socket), so requests are answered in order and a request
 * never starts while another's body is being read. A chunked body is validated a whole
 * read at a time before any of that read is handed over: a framing error found in the
 * same read as the rest of the body means the upstream never sees the request.
 *
 * Timeouts (checked by the front's one-second sweep, no timer per request): a connection
 * waiting for client bytes — idle between requests, inside a head, or inside a body
 * nobody is pausing — is closed after IDLE_MS without a byte (uWS's 10 s); a head must
 * also be complete IDLE_MS after its first byte (a head sent a byte at a time cannot hold
 * the connection longer); one closing after a refusal is given LINGER_MS to take the
 * answer before it is destroyed.
 */
import type { Socket } from 'node:net';
import { ErrorCode } from '../../lib/errors.js';
import { coarseNow } from '../../lib/clock.js';
import type { RequestHandler } from '../http-front.js';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, Framing } from '../framing.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { HEAD_INCOMPLETE, HEAD_INVALID, HeadScanner, parseHead } from './head-parser.js';
import { StrictRequest } from './request.js';
import { StrictResponse, type ResponseOwner } from './response.js';
import { CONTINUE_100, refusal } from './wire.js';

const HEAD = 0;
const BODY_FIXED = 1;
const BODY_CHUNKS = 2;
/** Refused or ending: whatever arrives is dropped. */
const CLOSING = 3;
const CLOSED = 4;

export const IDLE_MS = 10_000;
const LINGER_MS = 2_000;
/** Bytes of pipelined requests held while a response is in flight before reading pauses. */
const PIPELINE_HOLD = 64 * 1024;
/** A response that ends before its request's body arrived: the rest is read and dropped if this small, else the connection closes. */
const DISCARD_MAX = 64 * 1024;

/** What a connection needs from its front. */
export interface ConnectionOwner {
  readonly handler: RequestHandler;
  /** Request line + headers beyond this are refused (414 inside the request line, else 431). */
  readonly maxHeadBytes: number;
  readonly maxRequestLine: number;
  forget(conn: StrictConnection): void;
}

const encoder = new TextEncoder();

export class StrictConnection implements ResponseOwner {
  readonly socket: Socket;
  readonly #owner: ConnectionOwner;
  #state = HEAD;
  /** Unconsumed input from #pos on, or null. */
  #buf: Buffer | null = null;
  #pos = 0;
  /** Bytes from #pos already scanned for the end of the head. */
  #scanned = 0;
  readonly #scanner = new HeadScanner();
  readonly #framing = new Framing();
  #decoder: ChunkedDecoder | null = null;
  readonly #spans: number[] = [];
  #remaining = 0;
  /** The response in flight, or null. */
  #res: StrictResponse | null = null;
  #req: StrictRequest | null = null;
  /** The in-flight request's message (head and body) has been read completely. */
  #messageDone = true;
  #driving = false;
  #userPaused = false;
  #holdPaused = false;
  #lastActivity = coarseNow();
  /** When the head being read began: a head gets IDLE_MS in all, however it trickles in. */
  #headStart = 0;
  #address: ArrayBuffer | null = null;
  readonly #onData: (data: Buffer) => void;

  constructor(socket: Socket, owner: ConnectionOwner) {
    this.socket = socket;
    this.#owner = owner;
    this.#onData = (data) => this.#read(data);
    socket.on('data', this.#onData);
    socket.on('drain', () => this.#res?.drained());
    socket.on('end', () => this.destroy());
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.#closed());
  }

  // ---- ResponseOwner ----

  responseDone(res: StrictResponse, close: boolean): void {
    if (this.#res !== res) return;
    this.#res = null;
    this.#req = null;
    this.#lastActivity = coarseNow();
    this.#headStart = this.#lastActivity; // a pipelined head waiting in #buf starts its clock now
    if (this.#state >= CLOSING) return;
    if (close) return this.#closeGracefully();
    if (!this.#messageDone && (this.#state !== BODY_FIXED || this.#remaining > DISCARD_MAX)) return this.#closeGracefully();
    // The pipeline's pause (request-body backpressure) ends with its response.
    if (this.#holdPaused || this.#userPaused) {
      this.#holdPaused = false;
      this.#userPaused = false;
      this.socket.resume();
    }
    // A response that ends inside the handler leaves the rest to the loop that called it.
    if (!this.#driving && this.#buf !== null) this.#drive();
  }

  bodyPending(): boolean {
    return !this.#messageDone && (this.#state !== BODY_FIXED || this.#remaining > DISCARD_MAX);
  }

  pauseReading(): void {
    if (this.#userPaused) return;
    this.#userPaused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.#userPaused) return;
    this.#userPaused = false;
    if (!this.#holdPaused && this.#state < CLOSING) this.socket.resume();
  }

  bodyWanted(res: StrictResponse): void {
    const req = this.#req;
    if (req === null || !req.expectContinue || res.headSent || this.#messageDone) return;
    req.expectContinue = false;
    this.socket.write(CONTINUE_100, 'latin1');
  }

  remoteAddress(): ArrayBuffer {
    return (this.#address ??= encoder.encode(this.socket.remoteAddress ?? '').buffer as ArrayBuffer);
  }

  destroy(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#buf = null;
    this.socket.destroy();
    this.#abortInFlight();
  }

  /** The sweep: close a connection that waited for the client too long. */
  sweep(now: number): void {
    if (this.#state === CLOSING) {
      if (now - this.#lastActivity > LINGER_MS) this.destroy();
      return;
    }
    const waitingForClient = this.#res === null || (!this.#messageDone && !this.#userPaused);
    if (waitingForClient && now - this.#lastActivity > IDLE_MS) this.destroy();
    else if (this.#res === null && this.#buf !== null && now - this.#headStart > IDLE_MS) this.destroy();
  }

  // ---- reading ----

  #read(data: Buffer): void {
    this.#lastActivity = coarseNow();
    if (this.#state >= CLOSING) return;
    const buf = this.#buf;
    if (buf === null) {
      if (this.#state === HEAD && this.#res === null) this.#headStart = this.#lastActivity;
      this.#buf = data;
      this.#pos = 0;
    } else {
      this.#buf = Buffer.concat([buf.subarray(this.#pos), data]);
      this.#pos = 0;
    }
    this.#drive();
  }

  #drive(): void {
    this.#driving = true;
    try {
      for (;;) {
        const buf = this.#buf;
        if (buf === null || this.#pos >= buf.length) {
          this.#buf = null;
          this.#pos = 0;
          return;
        }
        const state = this.#state;
        if (state === HEAD) {
          if (this.#res !== null) {
            if (buf.length - this.#pos > PIPELINE_HOLD && !this.#holdPaused) {
              this.#holdPaused = true;
              this.socket.pause();
            }
            return;
          }
          if (!this.#readHead(buf)) return;
        } else if (state === BODY_FIXED) {
          this.#readFixed(buf);
        } else if (state === BODY_CHUNKS) {
          if (!this.#readChunks(buf)) return;
        } else return;
      }
    } finally {
      this.#driving = false;
    }
  }

  /** Parses a head from buf[#pos..] and dispatches it; false when it must wait or was refused. */
  #readHead(buf: Buffer): boolean {
    const start = this.#pos;
    const end = this.#scanner.scan(buf, start + this.#scanned, buf.length);
    if (end === HEAD_INVALID) {
      this.#refuse(ErrorCode.BAD_REQUEST);
      return false;
    }
    if (end === HEAD_INCOMPLETE) {
      this.#scanned = buf.length - start;
      const owner = this.#owner;
      const line = this.#scanner.requestLineLength;
      if (line > owner.maxRequestLine) this.#refuse(ErrorCode.URI_TOO_LONG);
      else if (this.#scanned > owner.maxHeadBytes) this.#refuse(ErrorCode.HEADERS_TOO_LARGE);
      return false;
    }
    this.#scanned = 0;
    if (end - start > this.#owner.maxHeadBytes) {
      this.#refuse(ErrorCode.HEADERS_TOO_LARGE);
      return false;
    }
    const req = new StrictRequest();
    const framing = this.#framing;
    const code = parseHead(buf, start, end, req, framing);
    if (code !== null) {
      this.#refuse(code);
      return false;
    }
    this.#pos = end;
    const res = new StrictResponse(this, req.http10, req.keepAlive);
    this.#res = res;
    this.#req = req;
    if (framing.body === BODY_NONE) {
      this.#messageDone = true;
    } else if (framing.body === BODY_LENGTH) {
      this.#messageDone = false;
      this.#state = BODY_FIXED;
      this.#remaining = framing.length;
    } else if (framing.body === BODY_CHUNKED) {
      this.#messageDone = false;
      this.#state = BODY_CHUNKS;
      (this.#decoder ??= new ChunkedDecoder()).reset();
    }
    try {
      this.#owner.handler(res, req);
    } catch (err) {
      process.stderr.write(`gatehouse: request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (!res.ended) this.#refuse(ErrorCode.INTERNAL);
    }
    return this.#state < CLOSING;
  }

  #readFixed(buf: Buffer): void {
    const start = this.#pos;
    const n = Math.min(this.#remaining, buf.length - start);
    this.#pos = start + n;
    this.#remaining -= n;
    const last = this.#remaining === 0;
    if (last) {
      this.#state = HEAD;
      this.#messageDone = true;
    }
    const res = this.#res;
    if (res !== null) res.deliver(buf.subarray(start, start + n), last);
  }

  /** Decodes (and checks) everything buffered before handing any of it over. */
  #readChunks(buf: Buffer): boolean {
    const decoder = this.#decoder as ChunkedDecoder;
    const spans = this.#spans;
    spans.length = 0;
    const next = decoder.feed(buf, this.#pos, buf.length, spans);
    if (next < 0) {
      this.#refuse(ErrorCode.BAD_REQUEST);
      return false;
    }
    this.#pos = next;
    const done = decoder.done;
    if (done) {
      this.#state = HEAD;
      this.#messageDone = true;
    }
    const res = this.#res;
    if (res === null) return true;
    if (spans.length === 0) {
      if (done) res.deliver(buf.subarray(0, 0), true);
      return true;
    }
    for (let i = 0; i < spans.length; i += 2) {
      res.deliver(buf.subarray(spans[i] as number, spans[i + 1] as number), done && i === spans.length - 2);
    }
    return true;
  }

  // ---- closing ----

  /**
   * Refuses the request being read: the pipeline drops its part (onAborted), the client
   * gets the error (unless a response had already started) and the connection closes
   * without reading further.
   */
  #refuse(code: ErrorCode): void {
    const res = this.#res;
    // A response already started (or, when none is in flight, already sent for the
    // message being read) is the client's answer: no second one after it.
    const answered = res !== null ? res.headSent : !this.#messageDone;
    this.#res = null;
    this.#req = null;
    if (res !== null) res.abort();
    if (this.#state === CLOSED) return;
    if (!answered) this.socket.write(refusal(code), 'latin1');
    this.#closeGracefully();
  }

  /** Send what is queued, then FIN; drop whatever else arrives; destroy after LINGER_MS at most. */
  #closeGracefully(): void {
    if (this.#state >= CLOSING) return;
    this.#state = CLOSING;
    this.#buf = null;
    this.#lastActivity = coarseNow();
    this.socket.end();
    if (this.#userPaused || this.#holdPaused) this.socket.resume();
  }

  #abortInFlight(): void {
    const res = this.#res;
    this.#res = null;
    this.#req = null;
    if (res !== null) res.abort();
  }

  #closed(): void {
    this.#state = CLOSED;
    this.#buf = null;
    this.#abortInFlight();
    this.#owner.forget(this);
  }
}
