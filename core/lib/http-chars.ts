/**
 * Byte classes of HTTP/1.1 message syntax (RFC 9110 §5.6.2, RFC 9112 §3.2, §5), as
 * 256-entry tables built once: a parser asks `TCHAR[c] === 1` per byte instead of
 * branching on ranges.
 *
 *   TCHAR         token (method, header name): ALPHA DIGIT !#$%&'*+-.^_`|~
 *   FIELD_VALUE   header value bytes: HTAB SP VCHAR obs-text (0x80-0xFF); never NUL, CR, LF
 *                 or another control
 *   TARGET        request-target bytes: VCHAR and obs-text (nginx takes raw UTF-8 in paths)
 *   HOST          Host / absolute-form authority: unreserved, sub-delims, '%', ':', '[', ']'
 */

function table(accept: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = accept(c) ? 1 : 0;
  return t;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export const TCHAR = table((c) => isAlnum(c) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));

export const FIELD_VALUE = table((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

export const TARGET = table((c) => c > 0x20 && c !== 0x7f);

export const HOST = table((c) => isAlnum(c) || "-._~!$&'()*+,;=%:[]".includes(String.fromCharCode(c)));

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;

/** True when every char of `s` is a token char (and there is at least one). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** True when every char of `s` may stand in a header value (chars above 0xFF never can). */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] !== 1) return false;
  }
  return true;
}

/**
 * A Host value or an absolute-form authority: `host[:port]` with host a reg-name, an IPv4
 * address or a bracketed IPv6 literal. Rejects what nginx's ngx_http_validate_host
 * rejects (empty, `..`, `/`, `\`, NUL) and anything else outside the authority grammar
 * (userinfo `@`, spaces, controls).
 */
export function isValidHost(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let i = 0;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    const close = s.indexOf(']');
    if (close < 2) return false;
    for (let j = 1; j < close; j++) {
      const c = s.charCodeAt(j);
      const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
      if (!hex && c !== 0x3a /* : */ && c !== 0x2e /* . */) return false;
    }
    i = close + 1;
  } else {
    let prevDot = true; // a leading dot is as bad as `..`
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x3a /* : */) break;
      if (c > 0xff || HOST[c] !== 1 || c === 0x5b || c === 0x5d) return false;
      if (c === 0x2e /* . */) {
        if (prevDot) return false;
        prevDot = true;
      } else prevDot = false;
    }
    if (i === 0) return false;
  }
  if (i === n) return true;
  if (s.charCodeAt(i) !== 0x3a || i + 1 === n || n - i - 1 > 5) return false;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
