/**
 * The strict front's request-head parser, RFC 9112 §2-§5 without the leniencies that make
 * request smuggling possible. Two steps:
 *
 *   HeadScanner.scan   bytes as they arrive -> where the head ends (CRLF CRLF), resumable
 *                      across reads; refuses at once a byte no valid head can hold there
 *                      (a bare CR or LF, a control char, a request line that does not
 *                      start with a token char), so garbage is answered, never held
 *   parseHead          the complete head -> StrictRequest + Framing (framing.ts), or the
 *                      error to answer with
 *
 * What is refused (400 unless said): a method that is not a token; a request-target that
 * is not origin-form or http(s) absolute-form (`*`, authority-form, userinfo); a version
 * other than HTTP/1.0 and 1.1 (505 for a major other than 1); whitespace before a header
 * colon; obs-fold; a header name that is not a token; NUL, CR, LF or another control char
 * in a value (HTAB excepted); more than MAX_HEADER_LINES lines (431); CONNECT; then the
 * framing rules of framing.ts (501 for a Transfer-Encoding other than chunked).
 * Accepted as nginx does: empty lines before the request line, obs-text (bytes >= 0x80) in
 * values and targets, any token method (PROPFIND, PURGE), `_` in names, absolute-form
 * (its authority replaces Host, RFC 9112 §3.2.2).
 */
import { ErrorCode } from '../../lib/errors.js';
import { CR, FIELD_VALUE, HTAB, LF, SP, TARGET, TCHAR, isValidHost } from '../../lib/http-chars.js';
import { Framing, readFraming } from '../framing.js';
import type { StrictRequest } from './request.js';

/** More header lines than this is refused with 431, whatever their size (nginx has no count cap; uWS stops at 48). */
export const MAX_HEADER_LINES = 256;

/** scan(): more bytes are needed. */
export const HEAD_INCOMPLETE = -1;
/** scan(): a byte no valid head can hold at that place. */
export const HEAD_INVALID = -2;

/**
 * Finds the end of a head. Per byte it keeps only the previous byte and the length of the
 * current line, so a head that arrives one byte per read costs O(n), not O(n²).
 */
export class HeadScanner {
  #prevCR = false;
  #lineLength = 0;
  /** A non-empty line (the request line) was seen: empty lines before it are skipped. */
  #started = false;
  /** Bytes of the request line so far (-1 once it ended). */
  #requestLine = 0;

  reset(): void {
    this.#prevCR = false;
    this.#lineLength = 0;
    this.#started = false;
    this.#requestLine = 0;
  }

  /** Length of the request line so far, or -1 once it is complete (to tell 414 from 431). */
  get requestLineLength(): number {
    return this.#requestLine;
  }

  /**
   * Scans buf[from, to). Returns the index just past the head's last LF, HEAD_INCOMPLETE,
   * or HEAD_INVALID.
   */
  scan(buf: Uint8Array, from: number, to: number): number {
    let prevCR = this.#prevCR;
    let lineLength = this.#lineLength;
    let started = this.#started;
    for (let i = from; i < to; i++) {
      const c = buf[i] as number;
      if (prevCR) {
        if (c !== LF) return HEAD_INVALID;
        prevCR = false;
        if (lineLength === 0) {
          if (started) {
            this.reset();
            return i + 1;
          }
          continue; // an empty line before the request line
        }
        if (this.#requestLine >= 0) this.#requestLine = -1;
        lineLength = 0;
        continue;
      }
      if (c === CR) {
        prevCR = true;
        continue;
      }
      if (FIELD_VALUE[c] !== 1) return HEAD_INVALID; // bare LF, NUL, other controls
      if (!started) {
        // The first byte of a request must start a method: this refuses a TLS handshake
        // or binary garbage at once instead of waiting for a CRLF that never comes.
        if (TCHAR[c] !== 1) return HEAD_INVALID;
        started = true;
      }
      if (this.#requestLine >= 0) this.#requestLine++;
      lineLength++;
    }
    this.#prevCR = prevCR;
    this.#lineLength = lineLength;
    this.#started = started;
    return HEAD_INCOMPLETE;
  }
}


/** Records why (framing.reason, for tests and debug logs) and returns the code to answer. */
function refuse(framing: Framing, code: ErrorCode, reason: string): ErrorCode {
  framing.fail(code, reason);
  return code;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Parses the complete head buf[start, end) (end just past its final CRLF CRLF, as
 * HeadScanner found it) into `req` and `framing`. Returns null, or the error to answer
 * (`framing.reason` says which rule refused it).
 */
export function parseHead(buf: Buffer, start: number, end: number, req: StrictRequest, framing: Framing): ErrorCode | null {
  let i = start;
  while (buf[i] === CR) i += 2; // empty lines before the request line (the scanner checked each CRLF)

  // method SP
  const m0 = i;
  while (TCHAR[buf[i] as number] === 1) i++;
  if (i === m0 || buf[i] !== SP) return refuse(framing, ErrorCode.BAD_REQUEST, 'method is not a token followed by one space');
  const method = knownMethod(buf, m0, i) ?? buf.toString('latin1', m0, i);
  if (method === 'CONNECT') return refuse(framing, ErrorCode.BAD_REQUEST, 'CONNECT');
  i++;

  // request-target SP
  const t0 = i;
  let query = -1;
  while (TARGET[buf[i] as number] === 1) {
    if (query < 0 && buf[i] === 0x3f /* ? */) query = i;
    i++;
  }
  const t1 = i;
  if (t1 === t0 || buf[i] !== SP) return refuse(framing, ErrorCode.BAD_REQUEST, 'request-target is not followed by one space');
  i++;

  // HTTP-version CRLF
  if (buf[i] !== 0x48 || buf[i + 1] !== 0x54 || buf[i + 2] !== 0x54 || buf[i + 3] !== 0x50 || buf[i + 4] !== 0x2f) {
    return refuse(framing, ErrorCode.BAD_REQUEST, 'no HTTP-version');
  }
  const major = (buf[i + 5] as number) - 0x30;
  const minor = (buf[i + 7] as number) - 0x30;
  if (major < 0 || major > 9 || buf[i + 6] !== 0x2e || minor < 0 || minor > 9 || buf[i + 8] !== CR) {
    return refuse(framing, ErrorCode.BAD_REQUEST, 'malformed HTTP-version');
  }
  if (major !== 1) return refuse(framing, ErrorCode.VERSION_NOT_SUPPORTED, 'HTTP major version other than 1');
  const http10 = minor === 0;
  i += 10;

  // The target: origin-form, or absolute-form whose authority becomes the Host.
  let authority: string | null = null;
  let p0 = t0;
  if (buf[t0] !== 0x2f /* / */) {
    if (!isAlpha(buf[t0] as number)) return refuse(framing, ErrorCode.BAD_REQUEST, 'request-target is neither origin-form nor absolute-form');
    const colon = buf.indexOf(0x3a, t0);
    if (colon < 0 || colon >= t1 || buf[colon + 1] !== 0x2f || buf[colon + 2] !== 0x2f) {
      return refuse(framing, ErrorCode.BAD_REQUEST, 'request-target is neither origin-form nor absolute-form');
    }
    const scheme = buf.toString('latin1', t0, colon).toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') return refuse(framing, ErrorCode.BAD_REQUEST, 'absolute-form scheme other than http(s)');
    const a0 = colon + 3;
    let a1 = a0;
    while (a1 < t1 && buf[a1] !== 0x2f && buf[a1] !== 0x3f) a1++;
    authority = buf.toString('latin1', a0, a1);
    if (!isValidHost(authority)) return refuse(framing, ErrorCode.BAD_REQUEST, 'invalid absolute-form authority');
    p0 = a1;
  }
  if (query >= 0 && query < p0) query = -1;
  const pathEnd = query >= 0 ? query : t1;
  req.url = p0 === pathEnd ? '/' : buf.toString('latin1', p0, pathEnd);
  if (req.url.charCodeAt(0) !== 0x2f) return refuse(framing, ErrorCode.BAD_REQUEST, 'path does not start with /');
  req.query = query >= 0 ? buf.toString('latin1', query + 1, t1) : undefined;
  req.method = method;
  req.http10 = http10;

  // header-field CRLF ... CRLF
  const headers: string[] = [];
  let close = false;
  let keepAliveToken = false;
  let expectContinue = false;
  const last = end - 2;
  while (i < last) {
    const c = buf[i] as number;
    if (c === SP || c === HTAB) return refuse(framing, ErrorCode.BAD_REQUEST, 'obs-fold or whitespace before a header name');
    const n0 = i;
    let upper = false;
    for (let t = c; TCHAR[t] === 1; t = buf[++i] as number) if (t >= 0x41 && t <= 0x5a) upper = true;
    if (i === n0 || buf[i] !== 0x3a /* : */) return refuse(framing, ErrorCode.BAD_REQUEST, 'header name is not a token followed by a colon');
    let name = knownName(buf, n0, i);
    if (name === null) {
      name = buf.toString('latin1', n0, i);
      if (upper) name = name.toLowerCase();
    }
    i++;
    while (buf[i] === SP || buf[i] === HTAB) i++;
    const v0 = i;
    while (FIELD_VALUE[buf[i] as number] === 1) i++;
    if (buf[i] !== CR) return refuse(framing, ErrorCode.BAD_REQUEST, 'control char in a header value');
    let v1 = i;
    while (v1 > v0 && (buf[v1 - 1] === SP || buf[v1 - 1] === HTAB)) v1--;
    const value = v1 === v0 ? '' : buf.toString('latin1', v0, v1);
    i += 2;
    if (headers.length === MAX_HEADER_LINES * 2) return refuse(framing, ErrorCode.HEADERS_TOO_LARGE, 'too many header lines');
    headers.push(name, value);
    if (name.length === 10 && name === 'connection') {
      const tokens = value.toLowerCase();
      if (hasToken(tokens, 'close')) close = true;
      else if (hasToken(tokens, 'keep-alive')) keepAliveToken = true;
    }
    else if (name.length === 6 && name === 'expect' && !http10) expectContinue = value.toLowerCase() === '100-continue';
  }
  if (!readFraming(headers, http10, authority !== null, framing)) return (framing.error ?? ErrorCode.BAD_REQUEST);
  if (authority !== null) setHost(headers, authority);
  req.headers = headers;
  req.keepAlive = !close && (!http10 || keepAliveToken);
  req.expectContinue = expectContinue;
  return null;
}

/**
 * Interned strings for the methods and header names most requests carry: matched on the
 * bytes (names case-insensitively), so the common head allocates no string for them and
 * lower-cases nothing.
 */
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'];
const NAMES = [
  'host',
  'accept',
  'cookie',
  'origin',
  'referer',
  'user-agent',
  'connection',
  'content-type',
  'authorization',
  'cache-control',
  'content-length',
  'accept-encoding',
  'accept-language',
  'x-forwarded-for',
  'transfer-encoding',
];
/** By length: the candidates as [string, its bytes]. */
const methodsByLength: [string, Uint8Array][][] = [];
const namesByLength: [string, Uint8Array][][] = [];
for (const m of METHODS) (methodsByLength[m.length] ??= []).push([m, Buffer.from(m, 'latin1')]);
for (const n of NAMES) (namesByLength[n.length] ??= []).push([n, Buffer.from(n, 'latin1')]);

function knownMethod(buf: Uint8Array, start: number, end: number): string | null {
  const candidates = methodsByLength[end - start];
  if (candidates === undefined) return null;
  next: for (const [text, bytes] of candidates) {
    for (let k = 0; k < bytes.length; k++) if (buf[start + k] !== bytes[k]) continue next;
    return text;
  }
  return null;
}

function knownName(buf: Uint8Array, start: number, end: number): string | null {
  const candidates = namesByLength[end - start];
  if (candidates === undefined) return null;
  // `| 0x20` lower-cases a letter and leaves `-` as it is (the only other byte in NAMES).
  next: for (const [text, bytes] of candidates) {
    for (let k = 0; k < bytes.length; k++) if (((buf[start + k] as number) | 0x20) !== bytes[k]) continue next;
    return text;
  }
  return null;
}

/** `token` is one of the comma-separated tokens of a (lower-case) Connection value. */
function hasToken(list: string, token: string): boolean {
  if (list === token) return true;
  for (const part of list.split(',')) if (part.trim() === token) return true;
  return false;
}

/** An absolute-form target's authority replaces the Host header (or becomes it). */
function setHost(headers: string[], authority: string): void {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === 'host') {
      headers[i + 1] = authority;
      return;
    }
  }
  headers.push('host', authority);
}
