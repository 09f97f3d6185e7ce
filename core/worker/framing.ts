/**
 * Request framing, decided once per request before any byte goes upstream: how long the
 * body is, or why the request is refused. Both fronts use it: the strict front
 * (strict/head-parser.ts) before it hands a request over, the uWS front from the
 * pipeline's first step (see `uwsFraming`).
 *
 * The rules are nginx 1.22's (Kong's proxy), answered from the error table:
 *
 *   Content-Length twice (equal or not), or not 1-15 digits      400
 *   Transfer-Encoding twice, or in an HTTP/1.0 request           400
 *   Transfer-Encoding other than exactly `chunked`               501 (nginx: "unknown
 *                                                                    Transfer-Encoding")
 *   Transfer-Encoding: chunked together with Content-Length      400
 *   Host twice, Host not `host[:port]`, HTTP/1.1 without Host    400
 *     (an absolute-form target carries its own authority: Host may then be absent)
 *
 * Each of these is how a request-smuggling attempt looks (CL.CL, CL.TE, TE.CL, TE.TE,
 * Host confusion): two parsers on the path could disagree on where the request ends or
 * where it goes, so the request is refused and its connection closed.
 */
import { ErrorCode } from '../lib/errors.js';
import { isDigits } from '../lib/digits.js';
import { isFieldValue, isToken, isValidHost } from '../lib/http-chars.js';
import type { RequestContext } from './context.js';

export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;

/** The verdict on one request head (reused: one per connection or per worker). */
export class Framing {
  /** BODY_NONE, BODY_LENGTH or BODY_CHUNKED. */
  body = BODY_NONE;
  /** The Content-Length (BODY_LENGTH only). */
  length = 0;
  error: ErrorCode | null = null;
  /** Which rule refused the request (for tests and debug logs). */
  reason = '';

  fail(error: ErrorCode, reason: string): false {
    this.error = error;
    this.reason = reason;
    return false;
  }
}

/**
 * Fills `out` from the headers (flat `[name, value, …]`, names lower-case, values trimmed).
 * `authority`: the request-target was absolute-form (it names the host itself).
 * Returns false (with `out.error`) when the request must be refused.
 */
export function readFraming(headers: readonly string[], http10: boolean, authority: boolean, out: Framing): boolean {
  out.body = BODY_NONE;
  out.length = 0;
  out.error = null;
  out.reason = '';
  let contentLength: string | null = null;
  let transferEncoding: string | null = null;
  let host: string | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    // Compare by length first: most names are none of the three.
    if (name.length === 14 && name === 'content-length') {
      if (contentLength !== null) return out.fail(ErrorCode.BAD_REQUEST, 'repeated Content-Length');
      contentLength = headers[i + 1] as string;
    } else if (name.length === 17 && name === 'transfer-encoding') {
      if (transferEncoding !== null) return out.fail(ErrorCode.BAD_REQUEST, 'repeated Transfer-Encoding');
      transferEncoding = headers[i + 1] as string;
    } else if (name.length === 4 && name === 'host') {
      if (host !== null) return out.fail(ErrorCode.BAD_REQUEST, 'repeated Host');
      host = headers[i + 1] as string;
    }
  }
  if (host === null) {
    if (!http10 && !authority) return out.fail(ErrorCode.BAD_REQUEST, 'HTTP/1.1 request without Host');
  } else if (!isValidHost(host)) return out.fail(ErrorCode.BAD_REQUEST, 'invalid Host');
  if (transferEncoding !== null) {
    if (http10) return out.fail(ErrorCode.BAD_REQUEST, 'Transfer-Encoding in an HTTP/1.0 request');
    if (transferEncoding.length !== 7 || transferEncoding.toLowerCase() !== 'chunked') {
      return out.fail(ErrorCode.NOT_IMPLEMENTED, 'Transfer-Encoding other than chunked');
    }
    if (contentLength !== null) return out.fail(ErrorCode.BAD_REQUEST, 'Content-Length with Transfer-Encoding');
    out.body = BODY_CHUNKED;
    return true;
  }
  if (contentLength !== null) {
    if (!isDigits(contentLength)) return out.fail(ErrorCode.BAD_REQUEST, 'invalid Content-Length');
    const length = Number(contentLength);
    if (length > 0) {
      out.body = BODY_LENGTH;
      out.length = length;
    }
  }
  return true;
}

const uwsVerdict = new Framing();

/**
 * The uWS front's check, run first in the pipeline (uWS parsed the head; this refuses what
 * it let through): the framing rules above, plus what a strict parser refuses while
 * reading — a header name that is not a token, a value with a control char, a target that
 * is not origin-form. uWS's parser keeps the first of two Content-Length values and takes
 * any Transfer-Encoding as chunked, so without this check both reached the upstream.
 * Returns the error to answer with, or null.
 */
export function uwsFraming(ctx: RequestContext): ErrorCode | null {
  const headers = ctx.headers;
  for (let i = 0; i < headers.length; i += 2) {
    if (!isToken(headers[i] as string)) return ErrorCode.BAD_REQUEST;
    if (!isFieldValue(headers[i + 1] as string)) return ErrorCode.BAD_REQUEST;
  }
  if (ctx.url.charCodeAt(0) !== 0x2f /* / */) return ErrorCode.BAD_REQUEST;
  // uWS never hands over an HTTP/1.0 request, so every request here is HTTP/1.1.
  return readFraming(headers, false, false, uwsVerdict) ? null : uwsVerdict.error;
}
