/**
 * Base64 decoding as nginx does it (ngx_decode_base64, behind OpenResty's
 * ngx.decode_base64, which Kong's auth plugins use): the input ends at the first `=`,
 * any other character outside the alphabet refuses the whole input, and a length of
 * 4n+1 is refused. Node's Buffer.from(…, 'base64') skips bad characters instead, which
 * would let a malformed credential decode to something.
 */

const STD = 1;
const URL = 2;
const ALPHABET = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) ALPHABET[c] = STD | URL;
}
ALPHABET[43 /* + */] = STD | URL;
ALPHABET[47 /* / */] = STD | URL;
ALPHABET[45 /* - */] = URL;
ALPHABET[95 /* _ */] = URL;

/**
 * The bytes of `text`, or null when nginx would refuse it. `urlSafe` also accepts `-` and
 * `_` (Kong's JWT parser maps them to `+` and `/` before decoding).
 */
export function decodeBase64Strict(text: string, urlSafe = false): Buffer | null {
  const want = urlSafe ? URL : STD;
  let len = 0;
  for (; len < text.length; len++) {
    const c = text.charCodeAt(len);
    if (c === 61 /* = */) break;
    if (c >= 128 || ((ALPHABET[c] as number) & want) === 0) return null;
  }
  if (len % 4 === 1) return null;
  return Buffer.from(len === text.length ? text : text.slice(0, len), 'base64');
}
