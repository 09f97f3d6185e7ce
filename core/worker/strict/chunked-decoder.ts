/**
 * A strict, resumable decoder of a chunked request body (RFC 9112 §7.1):
 *
 *   SIZE ──hex──► SIZE ──';'──► EXT ──CR──► SIZE_LF ──LF──► DATA (size > 0) or TRAILER
 *   DATA ──size bytes──► DATA_CR ──CR──► DATA_LF ──LF──► SIZE
 *   TRAILER ──token──► T_NAME ──':'──► T_VALUE ──CR──► T_LF ──LF──► TRAILER
 *   TRAILER ──CR──► END_LF ──LF──► done
 *
 * Anything else is a framing error, never skipped: exactly CRLF after chunk data (uWS
 * skips any two bytes there), no whitespace around the size, no size beyond 2^53, no bare
 * CR or LF, trailer fields held to header syntax (uWS ends the body at the last chunk's
 * size line and reads the trailer as the next request: a trailer could carry a whole
 * request). Trailer fields are read and dropped, as nginx does.
 */
import { CR, FIELD_VALUE, LF, TCHAR } from '../../lib/http-chars.js';

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER = 6;
const T_NAME = 7;
const T_VALUE = 8;
const T_LF = 9;
const END_LF = 10;
const DONE = 11;

/** A size line (digits and extensions) longer than this is refused. */
const MAX_SIZE_LINE = 4096;
/** The trailer section may take this many bytes. */
const MAX_TRAILER = 16_384;
const MAX_SIZE_BEFORE_DIGIT = Math.floor((Number.MAX_SAFE_INTEGER - 15) / 16);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

export class ChunkedDecoder {
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #lineBytes = 0;
  #trailerBytes = 0;
  /** Why the last feed failed. */
  reason = '';

  get done(): boolean {
    return this.#state === DONE;
  }

  reset(): void {
    this.#state = SIZE;
    this.#size = 0;
    this.#digits = 0;
    this.#lineBytes = 0;
    this.#trailerBytes = 0;
    this.reason = '';
  }

  /**
   * Decodes buf[from, to). Appends each run of body bytes to `spans` as `start, end`.
   * Returns the index after the last byte consumed (before `to` only when the body ended
   * there: what follows is the next request), or -1 on a framing error (`reason`).
   */
  feed(buf: Uint8Array, from: number, to: number, spans: number[]): number {
    let i = from;
    while (i < to) {
      const state = this.#state;
      if (state === DATA) {
        const n = Math.min(this.#size, to - i);
        spans.push(i, i + n);
        i += n;
        this.#size -= n;
        if (this.#size === 0) this.#state = DATA_CR;
        continue;
      }
      const c = buf[i] as number;
      i++;
      switch (state) {
        case SIZE: {
          if (++this.#lineBytes > MAX_SIZE_LINE) return this.#fail('chunk-size line too long');
          const v = hexValue(c);
          if (v >= 0) {
            if (this.#size > MAX_SIZE_BEFORE_DIGIT) return this.#fail('chunk-size too large');
            this.#size = this.#size * 16 + v;
            this.#digits++;
          } else if (this.#digits === 0) return this.#fail('chunk-size is not hex');
          else if (c === 0x3b /* ; */) this.#state = EXT;
          else if (c === CR) this.#state = SIZE_LF;
          else return this.#fail('chunk-size followed by something other than ; or CRLF');
          break;
        }
        case EXT:
          if (++this.#lineBytes > MAX_SIZE_LINE) return this.#fail('chunk-size line too long');
          if (c === CR) this.#state = SIZE_LF;
          else if (FIELD_VALUE[c] !== 1) return this.#fail('control char in a chunk extension');
          break;
        case SIZE_LF:
          if (c !== LF) return this.#fail('chunk-size line not ended by CRLF');
          this.#lineBytes = 0;
          this.#digits = 0;
          this.#state = this.#size === 0 ? TRAILER : DATA;
          break;
        case DATA_CR:
          if (c !== CR) return this.#fail('chunk data not followed by CRLF');
          this.#state = DATA_LF;
          break;
        case DATA_LF:
          if (c !== LF) return this.#fail('chunk data not followed by CRLF');
          this.#state = SIZE;
          break;
        case TRAILER:
          if (++this.#trailerBytes > MAX_TRAILER) return this.#fail('trailer section too large');
          if (c === CR) this.#state = END_LF;
          else if (TCHAR[c] === 1) this.#state = T_NAME;
          else return this.#fail('trailer line does not start with a field name');
          break;
        case T_NAME:
          if (++this.#trailerBytes > MAX_TRAILER) return this.#fail('trailer section too large');
          if (c === 0x3a /* : */) this.#state = T_VALUE;
          else if (TCHAR[c] !== 1) return this.#fail('trailer field name is not a token followed by a colon');
          break;
        case T_VALUE:
          if (++this.#trailerBytes > MAX_TRAILER) return this.#fail('trailer section too large');
          if (c === CR) this.#state = T_LF;
          else if (FIELD_VALUE[c] !== 1) return this.#fail('control char in a trailer field');
          break;
        case T_LF:
          if (c !== LF) return this.#fail('trailer field not ended by CRLF');
          this.#state = TRAILER;
          break;
        case END_LF:
          if (c !== LF) return this.#fail('trailer section not ended by CRLF');
          this.#state = DONE;
          return i;
        default:
          return i - 1; // DONE: nothing more belongs to this body
      }
    }
    return i;
  }

  #fail(reason: string): number {
    this.reason = reason;
    return -1;
  }
}
