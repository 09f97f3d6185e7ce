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
 * Strict where a lenient reading would let one response bleed into another: CRLF line
 * ends only (a bare LF is an error), no obs-fold, no whitespace before a header colon, no
 * CTL in a value, one Transfer-Encoding (exactly `chunked`, as nginx requires), equal
 * duplicates of Content-Length only, never both, and no byte past the end of a response:
 * bytes after a Content-Length body (or after a body-less response) in the same read are
 * an error *before* any of that body is delivered, so such a response ends as a 502.
 *
 * Why not Node's llhttp binding (`_http_common`'s HTTPParser): it hands headers over as
 * JS strings, built in C++ for every response, and the handler contract wants Buffers
 * that outlive the call; converting costs more than parsing here. bench/micro/http1.bench.ts
 * measures both on the same bytes.
 *
 * The head is parsed in place when it arrives in one read (the common case); a head split
 * over reads is collected in a per-parser buffer and parsing resumes at the first
 * incomplete line, so a head that trickles in byte by byte costs O(n). Header Buffers
 * handed to the sink are subarrays of one copy of the head block: they stay valid after
 * the call. Body chunks are views of the caller's buffer (see connection.ts for their lifetime).
 */
import { asciiBytes, COLON, CR, equalsLower, FIELD, HEX, HTAB, LF, SEMICOLON, SP, TOKEN } from './chars.js';
import { H1Code, H1Error, malformed } from './errors.js';
import { MAX_CHUNK_LINE_BYTES, MAX_HEAD_BYTES, MAX_INTERIM_RESPONSES } from './limits.js';

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

/** Results of the line parsers (a non-negative result is a position). */
const NEED_MORE = -1;
const FAILED = -2;

/** How the body of the final response is framed (for logs and tests). */
export const BodyKind = { NONE: 0, LENGTH: 1, CHUNKED: 2, EOF: 3 } as const;
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

const CONTENT_LENGTH = asciiBytes('content-length');
const TRANSFER_ENCODING = asciiBytes('transfer-encoding');
const CONNECTION = asciiBytes('connection');
const KEEP_ALIVE = asciiBytes('keep-alive');
const HTTP_1_DOT = asciiBytes('HTTP/1.');
const CHUNKED = asciiBytes('chunked');
const CLOSE = asciiBytes('close');
const TIMEOUT_EQ = asciiBytes('timeout=');

const EMPTY: Buffer[] = [];

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

  // ---- the block being parsed (a head or a trailer section) ----
  /** Holds a block split over reads (made on first need, MAX_HEAD_BYTES). */
  #acc: Buffer | null = null;
  #accLength = 0;
  /** Offset, from the block's start, of the first line not parsed yet. */
  #lineStart = 0;
  /** In a split block: no LF in the collected bytes before this offset (from #lineStart on). */
  #lfScanned = 0;
  #lines = 0;
  /** [nameStart, nameEnd, valueStart, valueEnd] per header, from the block's start. */
  readonly #offsets: number[] = [];
  #interim = 0;

  // ---- what the current head said ----
  #status = 0;
  #reason = '';
  #http10 = false;
  #contentLength = -1;
  #chunked = false;
  #connectionClose = false;
  #connectionKeepAlive = false;
  #keepAliveHintMs = -1;

  // ---- body ----
  #bodyKind: BodyKind = BodyKind.NONE;
  #remaining = 0;
  #sizeDigits = 0;
  #lineLength = 0;
  #trailers: Buffer[] | null = null;
  /** The fields of the head just parsed, until it goes to the sink. */
  #pendingHeaders: Buffer[] = EMPTY;

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
    this.#accLength = 0;
    this.#interim = 0;
    this.#trailers = null;
    this.#bodyKind = BodyKind.NONE;
    this.#resetBlock();
    this.#resetHead();
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
    return this.#http10 ? this.#connectionKeepAlive && !this.#connectionClose : !this.#connectionClose;
  }

  /** The upstream's Keep-Alive `timeout=` hint in ms, or -1. */
  get keepAliveHintMs(): number {
    return this.#keepAliveHintMs;
  }

  get status(): number {
    return this.#status;
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
          const next = this.#block(buf, pos, end, false);
          if (next < 0) return next === NEED_MORE ? end : pos;
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
            this.#resetBlock();
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
          const next = this.#block(buf, pos, end, true);
          if (next < 0) return next === NEED_MORE ? end : pos;
          pos = next;
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

  // ---- blocks: a head or a trailer section ----

  /** Parses a block from buf[pos, end): the position after its blank line, NEED_MORE or FAILED. */
  #block(buf: Buffer, pos: number, end: number, trailers: boolean): number {
    if (this.#accLength === 0) {
      // The block starts in this buffer: parse in place.
      const next = this.#parseLines(buf, pos, pos, end, trailers);
      if (next >= 0) {
        if (next - pos > MAX_HEAD_BYTES) return this.#fail(this.#tooLarge(trailers), FAILED);
        this.#blockDone(buf, pos, next, trailers);
        return next;
      }
      if (next === FAILED) return FAILED;
      if (end - pos >= MAX_HEAD_BYTES) return this.#fail(this.#tooLarge(trailers), FAILED);
      // Split over reads: keep what came so far; resume at the incomplete line.
      const acc = (this.#acc ??= Buffer.allocUnsafe(MAX_HEAD_BYTES));
      buf.copy(acc, 0, pos, end);
      this.#accLength = end - pos;
      this.#lineStart -= pos;
      return NEED_MORE;
    }
    const acc = this.#acc as Buffer;
    const before = this.#accLength;
    const n = Math.min(end - pos, MAX_HEAD_BYTES - before);
    buf.copy(acc, before, pos, pos + n);
    this.#accLength = before + n;
    // Parse only once a line can be complete: a long line that trickles in is scanned
    // for its LF once per read (memchr), not re-parsed from its start each time.
    const lf = acc.indexOf(LF, Math.max(this.#lfScanned, this.#lineStart));
    if (lf === -1 || lf >= this.#accLength) {
      if (this.#accLength >= MAX_HEAD_BYTES) return this.#fail(this.#tooLarge(trailers), FAILED);
      this.#lfScanned = this.#accLength;
      return NEED_MORE;
    }
    const next = this.#parseLines(acc, 0, this.#lineStart, this.#accLength, trailers);
    if (next >= 0) {
      this.#accLength = 0;
      this.#blockDone(acc, 0, next, trailers);
      return pos + (next - before);
    }
    if (next === FAILED) return FAILED;
    if (this.#accLength >= MAX_HEAD_BYTES) return this.#fail(this.#tooLarge(trailers), FAILED);
    return NEED_MORE;
  }

  #tooLarge(trailers: boolean): H1Error {
    return new H1Error(H1Code.HEAD_TOO_LARGE, `upstream response ${trailers ? 'trailers' : 'head'} larger than ${MAX_HEAD_BYTES} bytes`);
  }

  /** Lines of the block starting at `base`, from `p`: the position after the blank line, NEED_MORE or FAILED. */
  #parseLines(buf: Buffer, base: number, p: number, end: number, trailers: boolean): number {
    for (;;) {
      if (p >= end) {
        this.#lineStart = p;
        return NEED_MORE;
      }
      let next: number;
      if (!trailers && this.#lines === 0) {
        next = this.#statusLine(buf, p, end);
      } else if (buf[p] === CR) {
        if (p + 1 >= end) {
          this.#lineStart = p;
          return NEED_MORE;
        }
        if (buf[p + 1] !== LF) return this.#fail(malformed('header block not ended by CRLF'), FAILED);
        return p + 2;
      } else {
        next = this.#headerLine(buf, base, p, end, trailers);
      }
      if (next === NEED_MORE) {
        this.#lineStart = p;
        return NEED_MORE;
      }
      if (next === FAILED) return FAILED;
      this.#lines++;
      p = next;
    }
  }

  /** `HTTP/1.x NNN[ reason]CRLF`: the position after it, NEED_MORE or FAILED. */
  #statusLine(buf: Buffer, p: number, end: number): number {
    // Check the prefix as far as it has arrived, so garbage fails at once, not at the timeout.
    for (let i = 0; i < HTTP_1_DOT.length; i++) {
      if (p + i >= end) return NEED_MORE;
      if (buf[p + i] !== HTTP_1_DOT[i]) return this.#fail(malformed('invalid status line'), FAILED);
    }
    if (p + 12 >= end) return NEED_MORE;
    const minor = buf[p + 7] as number;
    const d1 = (buf[p + 9] as number) - 48;
    const d2 = (buf[p + 10] as number) - 48;
    const d3 = (buf[p + 11] as number) - 48;
    if (
      (minor !== 48 && minor !== 49) ||
      buf[p + 8] !== SP ||
      d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9
    ) {
      return this.#fail(malformed('invalid status line'), FAILED);
    }
    let i = p + 12;
    let reasonStart = i;
    if (buf[i] === SP) {
      reasonStart = ++i;
      while (i < end && FIELD[buf[i] as number] === 1) i++;
      if (i >= end) return NEED_MORE;
    }
    if (buf[i] !== CR) return this.#fail(malformed('invalid status line'), FAILED);
    if (i + 1 >= end) return NEED_MORE;
    if (buf[i + 1] !== LF) return this.#fail(malformed('status line not ended by CRLF'), FAILED);
    this.#http10 = minor === 48;
    this.#status = d1 * 100 + d2 * 10 + d3;
    this.#reason = i > reasonStart ? buf.toString('latin1', reasonStart, i) : '';
    return i + 2;
  }

  /** `name: value CRLF`: the position after it, NEED_MORE or FAILED. Records the field. */
  #headerLine(buf: Buffer, base: number, p: number, end: number, trailers: boolean): number {
    let i = p;
    while (i < end && TOKEN[buf[i] as number] === 1) i++;
    if (i >= end) return NEED_MORE;
    const nameEnd = i;
    if (buf[i] !== COLON || nameEnd === p) {
      const c = buf[i] as number;
      if (c === SP || c === HTAB) return this.#fail(malformed(nameEnd === p ? 'obsolete line folding' : 'whitespace before a header colon'), FAILED);
      return this.#fail(malformed(c === LF ? 'bare LF in the header block' : 'invalid header name'), FAILED);
    }
    i++;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    const valueStart = i;
    let valueEnd = i;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (FIELD[c] === 0) break;
      if (c !== SP && c !== HTAB) valueEnd = i + 1;
    }
    if (i >= end) return NEED_MORE;
    if (buf[i] !== CR) return this.#fail(malformed(buf[i] === LF ? 'bare LF in a header' : 'invalid byte in a header value'), FAILED);
    if (i + 1 >= end) return NEED_MORE;
    if (buf[i + 1] !== LF) return this.#fail(malformed('CR without LF in a header'), FAILED);
    this.#offsets.push(p - base, nameEnd - base, valueStart - base, valueEnd - base);
    if (!trailers && !this.#fieldSemantics(buf, p, nameEnd - p, valueStart, valueEnd)) return FAILED;
    return i + 2;
  }

  /** Reads the fields that frame the message or steer the connection; false on a framing error. */
  #fieldSemantics(buf: Buffer, at: number, nameLength: number, vs: number, ve: number): boolean {
    switch (nameLength) {
      case 14:
        if (!equalsLower(buf, at, CONTENT_LENGTH)) return true;
        return this.#contentLengthField(buf, vs, ve);
      case 17:
        if (!equalsLower(buf, at, TRANSFER_ENCODING)) return true;
        if (this.#chunked) return this.#fail(malformed('more than one Transfer-Encoding'), false);
        if (ve - vs !== CHUNKED.length || !equalsLowerAny(buf, vs, CHUNKED)) {
          return this.#fail(malformed('Transfer-Encoding other than chunked'), false);
        }
        this.#chunked = true;
        return true;
      case 10:
        if (equalsLower(buf, at, CONNECTION)) this.#connectionField(buf, vs, ve);
        else if (equalsLower(buf, at, KEEP_ALIVE)) this.#keepAliveField(buf, vs, ve);
        return true;
      default:
        return true;
    }
  }

  #contentLengthField(buf: Buffer, vs: number, ve: number): boolean {
    if (ve === vs || ve - vs > 16) return this.#fail(malformed('invalid Content-Length'), false);
    let n = 0;
    for (let i = vs; i < ve; i++) {
      const d = (buf[i] as number) - 48;
      if (d < 0 || d > 9) return this.#fail(malformed('invalid Content-Length'), false);
      n = n * 10 + d;
    }
    if (n > Number.MAX_SAFE_INTEGER) return this.#fail(malformed('invalid Content-Length'), false);
    if (this.#contentLength >= 0 && this.#contentLength !== n) return this.#fail(malformed('two different Content-Length values'), false);
    this.#contentLength = n;
    return true;
  }

  /** Connection tokens: `close` and `keep-alive` matter here; the exchange drops the others' fields. */
  #connectionField(buf: Buffer, vs: number, ve: number): void {
    let i = vs;
    while (i < ve) {
      while (i < ve && (buf[i] === SP || buf[i] === HTAB || buf[i] === 44)) i++;
      const start = i;
      while (i < ve && buf[i] !== 44) i++;
      let stop = i;
      while (stop > start && (buf[stop - 1] === SP || buf[stop - 1] === HTAB)) stop--;
      const length = stop - start;
      if (length === CLOSE.length && equalsLowerAny(buf, start, CLOSE)) this.#connectionClose = true;
      else if (length === KEEP_ALIVE.length && equalsLowerAny(buf, start, KEEP_ALIVE)) this.#connectionKeepAlive = true;
    }
  }

  /** `Keep-Alive: timeout=N[, max=M]`: the upstream closes idle connections after N seconds. */
  #keepAliveField(buf: Buffer, vs: number, ve: number): void {
    for (let i = vs; i + TIMEOUT_EQ.length <= ve; i++) {
      if (!equalsLowerAny(buf, i, TIMEOUT_EQ)) continue;
      let n = 0;
      let digits = 0;
      for (let j = i + TIMEOUT_EQ.length; j < ve && digits < 9; j++, digits++) {
        const d = (buf[j] as number) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (digits > 0) this.#keepAliveHintMs = n * 1000;
      return;
    }
  }

  /** The block ended at `next`: a head (final or interim) or the trailer section. */
  #blockDone(buf: Buffer, base: number, next: number, trailers: boolean): void {
    const offsets = this.#offsets;
    // An interim (1xx) head is dropped: nothing of it is kept.
    if (offsets.length === 0 || (!trailers && this.#status < 200)) {
      this.#pendingHeaders = EMPTY;
      return;
    }
    // One copy of the block; every field is a view of it, valid as long as anyone holds it.
    const block = Buffer.allocUnsafe(next - base);
    buf.copy(block, 0, base, next);
    const fields: Buffer[] = new Array<Buffer>(offsets.length >> 1);
    for (let i = 0, f = 0; i < offsets.length; i += 4, f += 2) {
      fields[f] = block.subarray(offsets[i] as number, offsets[i + 1] as number);
      fields[f + 1] = block.subarray(offsets[i + 2] as number, offsets[i + 3] as number);
    }
    this.#pendingHeaders = fields;
    if (trailers) this.#trailers = fields;
  }

  /**
   * A head ended: consume a 1xx, or decide the framing of the final response and hand
   * it to the sink. `available`: bytes after the head in this read. False to stop.
   */
  #finishHead(available: number): boolean {
    const status = this.#status;
    if (status < 200) {
      if (status === 101) return this.#fail(malformed('101 Switching Protocols to a request without Upgrade'), false);
      if (++this.#interim > MAX_INTERIM_RESPONSES) return this.#fail(malformed(`more than ${MAX_INTERIM_RESPONSES} interim (1xx) responses`), false);
      this.#resetBlock();
      this.#resetHead();
      return true;
    }
    if (this.#chunked && this.#contentLength >= 0) return this.#fail(malformed('both Transfer-Encoding and Content-Length'), false);
    if (this.#chunked && this.#http10) return this.#fail(malformed('Transfer-Encoding in an HTTP/1.0 response'), false);
    if (this.#headRequest || status === 204 || status === 304) {
      this.#bodyKind = BodyKind.NONE;
      this.#state = S_NONE;
      if (available > 0) return this.#fail(malformed(`bytes after a ${this.#headRequest ? 'HEAD' : status} response, which has no body`), false);
    } else if (this.#chunked) {
      this.#bodyKind = BodyKind.CHUNKED;
      this.#state = S_CHUNK_SIZE;
      this.#remaining = 0;
      this.#sizeDigits = 0;
      this.#lineLength = 0;
    } else if (this.#contentLength >= 0) {
      this.#bodyKind = BodyKind.LENGTH;
      this.#remaining = this.#contentLength;
      this.#state = this.#contentLength === 0 ? S_NONE : S_LENGTH;
      if (available > this.#contentLength) return this.#fail(malformed('more body bytes than its Content-Length'), false);
    } else {
      this.#bodyKind = BodyKind.EOF;
      this.#state = S_EOF;
    }
    const headers = this.#pendingHeaders;
    this.#pendingHeaders = EMPTY;
    if (!this.#sink.onResponseHead(status, this.#reason, headers === EMPTY ? [] : headers)) this.#holdAll = true;
    return (this.#state as number) !== S_HALTED;
  }

  #resetBlock(): void {
    this.#lineStart = 0;
    this.#lfScanned = 0;
    this.#lines = 0;
    this.#offsets.length = 0;
    this.#accLength = 0;
  }

  #resetHead(): void {
    this.#status = 0;
    this.#reason = '';
    this.#http10 = false;
    this.#contentLength = -1;
    this.#chunked = false;
    this.#connectionClose = false;
    this.#connectionKeepAlive = false;
    this.#keepAliveHintMs = -1;
  }

  #fail<T>(err: H1Error, result: T): T {
    this.#error = err;
    this.#state = S_ERROR;
    return result;
  }
}

/** Like equalsLower, for bytes that are not known to be tchars (values): folds letters only. */
function equalsLowerAny(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = buf[at + i] as number;
    const lower = c >= 65 && c <= 90 ? c | 0x20 : c;
    if (lower !== name[i]) return false;
  }
  return true;
}
