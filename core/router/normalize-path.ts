/**
 * normalizePath: Kong's URI normalisation before routing (kong/tools/uri.lua `normalize`,
 * called with merge_slashes = true), on a path without its query string.
 *
 *   1. Percent-decode the escapes of unreserved characters (ALPHA / DIGIT / - . _ ~);
 *      every other escape stays encoded, its hex upper-cased (`%2f` -> `%2F`), so an
 *      encoded `/` never becomes a segment separator. Decoding comes first, so `/%2e%2E/`
 *      is a `..` segment, as in Kong.
 *      (Kong 3.x later also decodes "other" characters; we keep the RFC 3986 rule.)
 *   2. Resolve `.` and `..` segments (RFC 3986 remove_dot_segments; `..` never climbs
 *      above the root) and merge runs of `/` into one, in Kong's single left-to-right pass.
 *
 * Returns null for something that cannot be a request path: empty, not starting with `/`,
 * a bad escape (`%`, `%4`, `%zz`), or a raw control character, space or DEL.
 *
 * Fast path: almost every path needs no change; a single char-code scan proves it and
 * the input string itself is returned.
 */

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;

export function normalizePath(raw: string): string | null {
  const n = raw.length;
  if (n === 0 || raw.charCodeAt(0) !== SLASH) return null;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return null;
    if (c === PERCENT) return slowPath(raw);
    if (c === SLASH && i + 1 < n) {
      const c1 = raw.charCodeAt(i + 1);
      if (c1 === SLASH) return slowPath(raw);
      if (c1 === DOT && isDotSegmentEnd(raw, i + 2)) return slowPath(raw);
    }
  }
  return raw;
}

/** After `/.` at `at`: the segment is `.` or `..` (followed by `/` or the end). */
function isDotSegmentEnd(s: string, at: number): boolean {
  if (at >= s.length) return true;
  const c = s.charCodeAt(at);
  if (c === SLASH) return true;
  return c === DOT && (at + 1 >= s.length || s.charCodeAt(at + 1) === SLASH);
}

function slowPath(raw: string): string | null {
  const decoded = decodeUnreserved(raw);
  return decoded === null ? null : removeDotSegments(decoded);
}

function decodeUnreserved(raw: string): string | null {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return null;
    if (c !== PERCENT) continue;
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return null;
    const byte = hi * 16 + lo;
    out += raw.slice(from, i);
    out += isUnreserved(byte) ? String.fromCharCode(byte) : '%' + raw.slice(i + 1, i + 3).toUpperCase();
    i += 2;
    from = i + 1;
  }
  return from === 0 ? raw : out + raw.slice(from);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1; // also NaN past the end
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === DOT ||
    c === 0x5f || // _
    c === 0x7e // ~
  );
}

/**
 * Kong's loop: the input always starts with `/`; each step consumes `/./`, `/../` (and
 * pops the last output segment), one `/` of `//`, or one segment `/xyz` into the output.
 */
function removeDotSegments(s: string): string {
  const n = s.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : -1;
    if (c1 === DOT) {
      const c2 = i + 2 < n ? s.charCodeAt(i + 2) : -1;
      if (c2 === -1) {
        out += '/'; // "/." at the end -> "/"
        break;
      }
      if (c2 === SLASH) {
        i += 2; // "/./x" -> "/x"
        continue;
      }
      if (c2 === DOT) {
        const c3 = i + 3 < n ? s.charCodeAt(i + 3) : -1;
        if (c3 === -1 || c3 === SLASH) {
          if (out.length > 0) out = out.slice(0, out.lastIndexOf('/'));
          if (c3 === -1) {
            out += '/'; // "/.." at the end -> "/"
            break;
          }
          i += 3; // "/../x" -> "/x"
          continue;
        }
      }
    } else if (c1 === SLASH) {
      i += 1; // "//" -> "/"
      continue;
    }
    let j = s.indexOf('/', i + 1);
    if (j === -1) j = n;
    out += s.slice(i, j);
    i = j;
  }
  return out.length === 0 ? '/' : out;
}
