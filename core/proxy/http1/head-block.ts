/**
 * One header block of an HTTP/1.1 response, parsed strictly: a head (status line and
 * header fields) or a chunked body's trailer section. Used by response-parser.ts.
 *
 * Strict where a lenient reading would let one response bleed into another: CRLF line
 * ends only (a bare LF is an error), no obs-fold, no whitespace before a header colon, no
 * CTL in a value, one Transfer-Encoding (exactly `chunked`, as nginx requires), equal
 * duplicates of Content-Length only. The fields that frame the message or steer the
 * connection (Content-Length, Transfer-Encoding, Connection, Keep-Alive) are read as
 * their lines are parsed; the rest are only validated.
 *
 * A block that arrives in one read is parsed in place. One split over reads is collected
 * in a buffer of MAX_HEAD_BYTES, and parsing resumes at the first incomplete line once an
 * LF has arrived, so a block that trickles in byte by byte costs O(n), not O(n^2). The
 * fields come out as subarrays of one copy of the block: they stay valid after the call.
 */
import { asciiBytes, COLON, CR, equalsLower, FIELD, HTAB, LF, SP, TOKEN } from './chars.js';
import { H1Code, H1Error, malformed } from './errors.js';
import { MAX_HEAD_BYTES } from './limits.js';

/** parse() results besides a position. */
export const NEED_MORE = -1;
export const FAILED = -2;

const CONTENT_LENGTH = asciiBytes('content-length');
const TRANSFER_ENCODING = asciiBytes('transfer-encoding');
const CONNECTION = asciiBytes('connection');
const KEEP_ALIVE = asciiBytes('keep-alive');
const HTTP_1_DOT = asciiBytes('HTTP/1.');
const CHUNKED = asciiBytes('chunked');
const CLOSE = asciiBytes('close');
const TIMEOUT_EQ = asciiBytes('timeout=');

const EMPTY: Buffer[] = [];

export class HeadBlock {
  /** Set when parse() returns FAILED. */
  error: H1Error | null = null;
  /** The fields of the block just completed ([name, value, …]); EMPTY for none or an interim head. */
  fields: Buffer[] = EMPTY;

  // ---- what the head said (a trailer section sets none of these) ----
  status = 0;
  reason = '';
  http10 = false;
  /** -1: none. */
  contentLength = -1;
  chunked = false;
  connectionClose = false;
  connectionKeepAlive = false;
  /** The Keep-Alive `timeout=` hint in ms, or -1. */
  keepAliveHintMs = -1;

  /** Holds a block split over reads (made on first need). */
  #acc: Buffer | null = null;
  #accLength = 0;
  /** Offset, from the block's start, of the first line not parsed yet. */
  #lineStart = 0;
  /** In a split block: no LF in the collected bytes before this offset (from #lineStart on). */
  #lfScanned = 0;
  #lines = 0;
  /** [nameStart, nameEnd, valueStart, valueEnd] per field, from the block's start. */
  readonly #offsets: number[] = [];

  /** Parses a block from buf[pos, end): the position after its blank line, NEED_MORE or FAILED. */
  parse(buf: Buffer, pos: number, end: number, trailers: boolean): number {
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
    this.http10 = minor === 48;
    this.status = d1 * 100 + d2 * 10 + d3;
    this.reason = i > reasonStart ? buf.toString('latin1', reasonStart, i) : '';
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
        if (this.chunked) return this.#fail(malformed('more than one Transfer-Encoding'), false);
        if (ve - vs !== CHUNKED.length || !equalsLowerAny(buf, vs, CHUNKED)) {
          return this.#fail(malformed('Transfer-Encoding other than chunked'), false);
        }
        this.chunked = true;
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
    if (this.contentLength >= 0 && this.contentLength !== n) return this.#fail(malformed('two different Content-Length values'), false);
    this.contentLength = n;
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
      if (length === CLOSE.length && equalsLowerAny(buf, start, CLOSE)) this.connectionClose = true;
      else if (length === KEEP_ALIVE.length && equalsLowerAny(buf, start, KEEP_ALIVE)) this.connectionKeepAlive = true;
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
      if (digits > 0) this.keepAliveHintMs = n * 1000;
      return;
    }
  }

  /** The block ended at `next`: a head (final or interim) or the trailer section. */
  #blockDone(buf: Buffer, base: number, next: number, trailers: boolean): void {
    const offsets = this.#offsets;
    // An interim (1xx) head is dropped: nothing of it is kept.
    if (offsets.length === 0 || (!trailers && this.status < 200)) {
      this.fields = EMPTY;
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
    this.fields = fields;
  }

  /** Ready for a new block (the head fields are kept until resetHead). */
  resetBlock(): void {
    this.#lineStart = 0;
    this.#lfScanned = 0;
    this.#lines = 0;
    this.#offsets.length = 0;
    this.#accLength = 0;
    this.fields = EMPTY;
  }

  resetHead(): void {
    this.error = null;
    this.status = 0;
    this.reason = '';
    this.http10 = false;
    this.contentLength = -1;
    this.chunked = false;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.keepAliveHintMs = -1;
  }

  #fail<T>(err: H1Error, result: T): T {
    this.error = err;
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
