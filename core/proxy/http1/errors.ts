/**
 * The errors the HTTP/1.1 client hands to a handler's onError. Each carries a `code`
 * that core/proxy/upstream-errors.ts maps to a status and a retry decision, and that
 * passive health (core/proxy/health/passive.ts) counts as a timeout or a TCP failure.
 * Socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND, …) keep Node's own code.
 */

export const H1Code = {
  /** The TCP connect did not finish within connect_timeout: retryable on another target, 504 at the end. */
  CONNECT_TIMEOUT: 'H1_CONNECT_TIMEOUT',
  /** No complete response head within read_timeout after the request was sent: 504. */
  HEADERS_TIMEOUT: 'H1_HEADERS_TIMEOUT',
  /** No body byte for read_timeout while reading the body: 504 (or a closed client connection). */
  BODY_TIMEOUT: 'H1_BODY_TIMEOUT',
  /** The upstream did not take request bytes for write_timeout: 504. */
  WRITE_TIMEOUT: 'H1_WRITE_TIMEOUT',
  /** The upstream closed the connection before the response ended: 502, retryable when idempotent. */
  CLOSED: 'H1_CLOSED',
  /** The response broke HTTP/1.1 framing or syntax: 502. */
  MALFORMED: 'H1_MALFORMED',
  /** The response head (or trailer section) was larger than MAX_HEAD_BYTES: 502. */
  HEAD_TOO_LARGE: 'H1_HEAD_TOO_LARGE',
  /** The request could not be written safely (a header with CR/LF or a non-Latin-1 character): 502. */
  INVALID_REQUEST: 'H1_INVALID_REQUEST',
  /** The pool was closed (config reload) before the request got a connection. */
  POOL_CLOSED: 'H1_POOL_CLOSED',
  /** The handler aborted the request (client gone, filter answered, body too large). */
  ABORTED: 'H1_ABORTED',
} as const;
export type H1Code = (typeof H1Code)[keyof typeof H1Code];

export class H1Error extends Error {
  readonly code: H1Code;
  constructor(code: H1Code, message: string) {
    super(message);
    this.name = 'H1Error';
    this.code = code;
  }
}

export function malformed(reason: string): H1Error {
  return new H1Error(H1Code.MALFORMED, `invalid upstream response: ${reason}`);
}
