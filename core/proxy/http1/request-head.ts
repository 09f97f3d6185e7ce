/**
 * The request head sent upstream, as one latin1 string:
 *
 *   METHOD SP path SP HTTP/1.1 CRLF
 *   name: value CRLF             for each header the pipeline built (forwarded.ts)
 *   content-length: N CRLF       or transfer-encoding: chunked, decided here from the body
 *   CRLF
 *
 * The framing headers are the client's own: a content-length or transfer-encoding in
 * the list (a WASM filter may set one) never goes out as given, so the upstream always
 * sees exactly one framing header that matches the bytes we send.
 *
 * Nothing that could split the head is written: methods and names must be tokens, the
 * path printable Latin-1 without spaces, values Latin-1 without CTLs (undici's rules,
 * which guarded this path before). uWS hands over header values decoded as UTF-8, so a
 * value can hold U+010A, whose latin1 byte is LF: the check covers it. A head that fails
 * yields null (the pool answers H1_INVALID_REQUEST: a 502, as undici's rejection did).
 */
import type { Readable } from 'node:stream';
import { TOKEN } from './chars.js';

export const Framing = {
  /** No body, no framing header (GET, HEAD, …). */
  NONE: 0,
  /** `content-length` (a Buffer body, a stream of declared length, or 0 for POST/PUT/PATCH without one). */
  LENGTH: 1,
  /** `transfer-encoding: chunked`: a stream of unknown length. */
  CHUNKED: 2,
} as const;
export type Framing = (typeof Framing)[keyof typeof Framing];

/** Out-values of the last buildRequestHead call (module scope: no object per request). */
export const lastHead = {
  framing: Framing.NONE as Framing,
  /** The declared body length for Framing.LENGTH (else -1). */
  length: -1,
};

/** A byte outside HTAB, printable ASCII and Latin-1 obs-text (NUL, CR, LF, other CTLs, DEL, > U+00FF). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A path character outside printable Latin-1 (space and CTLs included). */
const INVALID_PATH = /[^\x21-\x7e\x80-\xff]/;

/** Methods whose request carries a body by definition: an empty one is sent as `content-length: 0`. */
function expectsBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    // charCodeAt > 255 indexes past the table: undefined, not 1.
    if (TOKEN[s.charCodeAt(i)] !== 1) return false;
  }
  return true;
}

/** ASCII case-insensitive equality with a lower-case name (names are tokens, so ASCII). */
function isName(name: string, lower: string): boolean {
  return name.length === lower.length && (name === lower || name.toLowerCase() === lower);
}

/**
 * The head for `method path` with `headers` ([name, value, …]) and a body of the given
 * kind, or null when something in it cannot be written safely. Sets lastHead.
 */
export function buildRequestHead(method: string, path: string, headers: readonly string[], body: Buffer | Readable | null): string | null {
  if (!isToken(method) || path.length === 0 || INVALID_PATH.test(path)) return null;
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let declared = -1;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (!isToken(name) || INVALID_VALUE.test(value)) return null;
    const n = name.length;
    if (n === 14 && isName(name, 'content-length')) {
      declared = parseLength(value);
      continue;
    }
    if (n === 17 && isName(name, 'transfer-encoding')) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (body === null) {
    lastHead.length = -1;
    if (expectsBody(method)) {
      lastHead.framing = Framing.LENGTH;
      lastHead.length = 0;
      return `${head}content-length: 0\r\n\r\n`;
    }
    lastHead.framing = Framing.NONE;
    return `${head}\r\n`;
  }
  const length = Buffer.isBuffer(body) ? body.length : declared;
  if (length >= 0) {
    lastHead.framing = Framing.LENGTH;
    lastHead.length = length;
    return `${head}content-length: ${length}\r\n\r\n`;
  }
  lastHead.framing = Framing.CHUNKED;
  lastHead.length = -1;
  return `${head}transfer-encoding: chunked\r\n\r\n`;
}

/** A Content-Length value the pipeline computed (digits), or -1. */
function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
