/**
 * A strict, incremental HTTP/1.1 response parser (RFC 9112), one per upstream connection.
 *
 *   HEAD ──► status line + header lines ──► 1xx (not 101)? consumed, back to HEAD
 *                                       └─► final: framing decided from the headers
 *     NONE     HEAD request, 204, 304
 *     LENGTH   Content-Length
 *     CHUNK_*  Transfer-Encoding: chunked (size line, extensions, data, CRLF, trailers)
 *     EOF      neither: the body ends when the upstream closes (never reused)
 *   ──► DONE
 *
 * Strict where a lenient reading would let one response bleed into another (the header
 * rules are in head-block.ts): never both Content-Length and Transfer-Encoding, chunk
 * sizes and extensions bounded, CRLF after every chunk, and no byte past the end of a
 * response: bytes after a Content-Length body (or after a body-less response) in the same
 * read are an error *before* any of that body is delivered, so such a response ends as a
 * 502. 1xx responses are consumed here (at most MAX_INTERIM_RESPONSES); a 101 is an error.
 *
 * Why not Node's llhttp binding (`_http_common`'s HTTPParser): it hands headers over as
 * JS strings, built in C++ for every response, and the handler contract wants Buffers
 * that outlive the call; with the conversion it costs about 3x this parser on a small
 * answer, and each body chunk is a C++ -> JS call (about 5x on a 10-chunk SSE answer).
 * bench/micro/http1.bench.ts measures both on the same bytes.
 *
 * Body chunks are views of the caller's buffer (see connection.ts for their lifetime).
 */
import { CR, FIELD, HEX, LF, SEMICOLON } from './chars.js';
import { H1Code, H1Error, malformed } from './errors.js';
import { FAILED, HeadBlock, NEED_MORE } from './head-block.js';
import { MAX_CHUNK_LINE_BYTES, MAX_INTERIM_RESPONSES } from './limits.js';

/** Where the parser's events go (the connection). */
export interface ResponseSink {
  /** A final response head (1xx responses were consumed). false = hold everything until unhold(). */
  onResponseHead(status: number, reason: string, headers: Buffer[]): boolean;
  /** Body bytes (a view of the buffer given to execute). false = hold body data until unhold(). */
  onResponseBody(chunk: Buffer): boolean;
}

const S_HEAD: number = 0;
const S_NONE: number = 1;
const S_LENGTH: number = 2;
const S_CHUNK_SIZE: number = 3;
const S_CHUNK_EXT: number = 4;
const S_CHUNK_SIZE_LF: number = 5;
const S_CHUNK_DATA: number = 6;
const S_CHUNK_DATA_CR: number = 7;
const S_CHUNK_DATA_LF: number = 8;
const S_TRAILERS: number = 9;
const S_EOF: number = 10;
const S_DONE: number = 11;
const S_ERROR: number = 12;
const S_HALTED: number = 13;

/** How the body of the final response is framed (for logs and tests). */
export const BodyKind = { NONE: 0, LENGTH: 1, CHUNKED: 2, EOF: 3 } as const;
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

const NO_FIELDS: Buffer[] = [];

/** Largest Content-Length / chunk size we accept: 2^53 - 1, so sizes stay exact doubles. */
const MAX_SIZE_HEX_DIGITS = 13;

export class ResponseParser {
  readonly #sink: ResponseSink;
  #state = S_HEAD;
  #headRequest = false;
  #error: H1Error | null = null;
  /** Hold flags: after a head the sink wants nothing more; after a chunk, no more body data. */
  #holdAll = false;
  #holdData = false;
  /** A byte of this response (interim ones included) arrived. */
  #received = false;

  readonly #head = new HeadBlock();
  #interim = 0;

  // ---- body ----
  #bodyKind: BodyKind = BodyKind.NONE;
  #remaining = 0;
  #sizeDigits = 0;
  #lineLength = 0;
  #trailers: Buffer[] | null = null;

  constructor(sink: ResponseSink) {
    this.#sink = sink;
  }

  /** Ready for the response to a new request (`headRequest`: the request was HEAD: no body). */
  reset(headRequest: boolean): void {
    this.#state = S_HEAD;
    this.#headRequest = headRequest;
    this.#error = null;
    this.#holdAll = false;
    this.#holdData = false;
    this.#received = false;
    this.#interim = 0;
    this.#trailers = null;
    this.#bodyKind = BodyKind.NONE;
    this.#head.resetBlock();
    this.#head.resetHead();
  }

  /** The sink asked to stop: no more callbacks (the connection is being torn down). */
  halt(): void {
    this.#state = S_HALTED;
  }

  get error(): H1Error | null {
    return this.#error;
  }

  /** The response is complete (the sink is not holding its head). */
  get done(): boolean {
    return this.#state === S_DONE;
  }

  /** The sink holds the head, or body data with body bytes still to deliver. */
  get holding(): boolean {
    return this.#holdAll || this.#holdData;
  }

  get receivedAny(): boolean {
    return this.#received;
  }

  /** After a final head: whether the connection may carry another request. */
  get keepAlive(): boolean {
    if (this.#bodyKind === BodyKind.EOF) return false;
    const head = this.#head;
    return head.http10 ? head.connectionKeepAlive && !head.connectionClose : !head.connectionClose;
  }

  /** The upstream's Keep-Alive `timeout=` hint in ms, or -1. */
  get keepAliveHintMs(): number {
    return this.#head.keepAliveHintMs;
  }

  get status(): number {
    return this.#head.status;
  }

  get bodyKind(): BodyKind {
    return this.#bodyKind;
  }

  /** The trailer fields of a chunked response ([name, value, …]), or null. */
  get trailers(): Buffer[] | null {
    return this.#trailers;
  }

  /** In the head of a response (no final head yet). */
  get inHead(): boolean {
    return this.#state === S_HEAD;
  }

  unhold(): void {
    this.#holdAll = false;
    this.#holdData = false;
  }

  /**
   * Parses buf[start, end). Returns the position reached: `end`, or less when the sink
   * holds (the rest must be handed in again after unhold()) or the response is done (any
   * byte left is an upstream error the caller reports). Check `error` after each call.
   */
  execute(buf: Buffer, start: number, end: number): number {
    let pos = start;
    if (end > start && this.#state === S_HEAD) this.#received = true;
    for (;;) {
      if (this.#holdAll) return pos;
      switch (this.#state) {
        case S_HEAD: {
          if (pos >= end) return pos;
          const next = this.#head.parse(buf, pos, end, false);
          if (next === NEED_MORE) return end;
          if (next === FAILED) return this.#fail(this.#head.error as H1Error, pos);
          pos = next;
          if (!this.#finishHead(end - pos)) return pos;
          break;
        }
        case S_NONE:
          this.#state = S_DONE;
          return pos;
        case S_LENGTH: {
          const available = end - pos;
          if (available === 0 || this.#holdData) return pos;
          if (available > this.#remaining) return this.#fail(malformed('more body bytes than its Content-Length'), pos);
          this.#remaining -= available;
          const more = this.#sink.onResponseBody(buf.subarray(pos, end));
          if (this.#state === S_HALTED) return end;
          if (this.#remaining === 0) {
            this.#state = S_DONE;
            return end;
          }
          if (!more) this.#holdData = true;
          return end;
        }
        case S_EOF: {
          if (pos >= end || this.#holdData) return pos;
          const more = this.#sink.onResponseBody(buf.subarray(pos, end));
          if (this.#state === S_HALTED) return end;
          if (!more) this.#holdData = true;
          return end;
        }
        case S_CHUNK_SIZE:
          for (;;) {
            if (pos >= end) return pos;
            const c = buf[pos] as number;
            const digit = HEX[c] as number;
            if (digit === 255) break;
            if (++this.#sizeDigits > MAX_SIZE_HEX_DIGITS) return this.#fail(malformed('chunk size too large'), pos);
            this.#remaining = this.#remaining * 16 + digit;
            this.#lineLength++;
            pos++;
          }
          if (this.#sizeDigits === 0 || (buf[pos] !== SEMICOLON && buf[pos] !== CR)) return this.#fail(malformed('invalid chunk size'), pos);
          if (this.#remaining > Number.MAX_SAFE_INTEGER) return this.#fail(malformed('chunk size too large'), pos);
          this.#state = S_CHUNK_EXT;
          break;
        case S_CHUNK_EXT:
          for (;;) {
            if (pos >= end) return pos;
            const c = buf[pos] as number;
            if (c === CR) break;
            if (FIELD[c] === 0) return this.#fail(malformed('invalid byte in a chunk extension'), pos);
            if (++this.#lineLength > MAX_CHUNK_LINE_BYTES) return this.#fail(malformed('chunk extension too long'), pos);
            pos++;
          }
          pos++;
          this.#state = S_CHUNK_SIZE_LF;
          break;
        case S_CHUNK_SIZE_LF:
          if (pos >= end) return pos;
          if (buf[pos] !== LF) return this.#fail(malformed('chunk size line not ended by CRLF'), pos);
          pos++;
          if (this.#remaining === 0) {
            this.#state = S_TRAILERS;
            this.#head.resetBlock();
          } else {
            this.#state = S_CHUNK_DATA;
          }
          break;
        case S_CHUNK_DATA: {
          if (pos >= end || this.#holdData) return pos;
          const n = Math.min(this.#remaining, end - pos);
          this.#remaining -= n;
          const more = this.#sink.onResponseBody(buf.subarray(pos, pos + n));
          pos += n;
          if (this.#state === S_HALTED) return pos;
          if (this.#remaining === 0) this.#state = S_CHUNK_DATA_CR;
          if (!more) this.#holdData = true;
          break;
        }
        case S_CHUNK_DATA_CR:
          if (pos >= end) return pos;
          if (buf[pos] !== CR) return this.#fail(malformed('chunk data not followed by CRLF'), pos);
          pos++;
          this.#state = S_CHUNK_DATA_LF;
          break;
        case S_CHUNK_DATA_LF:
          if (pos >= end) return pos;
          if (buf[pos] !== LF) return this.#fail(malformed('chunk data not followed by CRLF'), pos);
          pos++;
          this.#state = S_CHUNK_SIZE;
          this.#remaining = 0;
          this.#sizeDigits = 0;
          this.#lineLength = 0;
          break;
        case S_TRAILERS: {
          if (pos >= end) return pos;
          const head = this.#head;
          const next = head.parse(buf, pos, end, true);
          if (next === NEED_MORE) return end;
          if (next === FAILED) return this.#fail(head.error as H1Error, pos);
          pos = next;
          if (head.fields.length > 0) this.#trailers = head.fields;
          this.#state = S_DONE;
          return pos;
        }
        default:
          // DONE, ERROR, HALTED: nothing more is consumed.
          return pos;
      }
    }
  }

  /**
   * The upstream closed its side. Returns null when that ends the response (a
   * close-delimited body, or a response already done), else the error to report.
   */
  finishEof(): H1Error | null {
    if (this.#state === S_EOF) {
      this.#state = S_DONE;
      return null;
    }
    if (this.#state === S_DONE) return null;
    if (this.#state === S_HEAD && !this.#received) return new H1Error(H1Code.CLOSED, 'upstream closed the connection before sending a response');
    return new H1Error(H1Code.CLOSED, 'upstream closed the connection before the response ended');
  }

  /**
   * A head ended: consume a 1xx, or decide the framing of the final response and hand
   * it to the sink. `available`: bytes after the head in this read. False to stop.
   */
  #finishHead(available: number): boolean {
    const head = this.#head;
    const status = head.status;
    if (status < 200) {
      if (status === 101) return this.#fail(malformed('101 Switching Protocols to a request without Upgrade'), false);
      if (++this.#interim > MAX_INTERIM_RESPONSES) return this.#fail(malformed(`more than ${MAX_INTERIM_RESPONSES} interim (1xx) responses`), false);
      head.resetBlock();
      head.resetHead();
      return true;
    }
    const contentLength = head.contentLength;
    if (head.chunked && contentLength >= 0) return this.#fail(malformed('both Transfer-Encoding and Content-Length'), false);
    if (head.chunked && head.http10) return this.#fail(malformed('Transfer-Encoding in an HTTP/1.0 response'), false);
    if (this.#headRequest || status === 204 || status === 304) {
      this.#bodyKind = BodyKind.NONE;
      this.#state = S_NONE;
      if (available > 0) return this.#fail(malformed(`bytes after a ${this.#headRequest ? 'HEAD' : status} response, which has no body`), false);
    } else if (head.chunked) {
      this.#bodyKind = BodyKind.CHUNKED;
      this.#state = S_CHUNK_SIZE;
      this.#remaining = 0;
      this.#sizeDigits = 0;
      this.#lineLength = 0;
    } else if (contentLength >= 0) {
      this.#bodyKind = BodyKind.LENGTH;
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? S_NONE : S_LENGTH;
      if (available > contentLength) return this.#fail(malformed('more body bytes than its Content-Length'), false);
    } else {
      this.#bodyKind = BodyKind.EOF;
      this.#state = S_EOF;
    }
    const headers = head.fields;
    head.fields = NO_FIELDS;
    if (!this.#sink.onResponseHead(status, head.reason, headers.length === 0 ? [] : headers)) this.#holdAll = true;
    return (this.#state as number) !== S_HALTED;
  }

  #fail<T>(err: H1Error, result: T): T {
    this.#error = err;
    this.#state = S_ERROR;
    return result;
  }
}
