/**
 * Byte classes of HTTP/1.1 (RFC 9110 §5.6.2, RFC 9112), as 256-entry tables: the parser
 * and the head writer test a byte with one indexed load instead of a chain of compares.
 */

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;
export const SEMICOLON = 59;

/** 1 for tchar: the bytes of a token (header names, methods). */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

/** 1 for a byte allowed in a field value or reason phrase: HTAB, SP, VCHAR, obs-text. No CTL, no DEL. */
export const FIELD = new Uint8Array(256);
FIELD[HTAB] = 1;
for (let c = 0x20; c <= 0x7e; c++) FIELD[c] = 1;
for (let c = 0x80; c <= 0xff; c++) FIELD[c] = 1;

/** Hex digit value, or 255. */
export const HEX = new Uint8Array(256).fill(255);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

/** Lower-case ASCII bytes of a header name, for case-insensitive compares against a buffer. */
export function asciiBytes(lower: string): Uint8Array {
  return Uint8Array.from(lower, (c) => c.charCodeAt(0));
}

/** buf[at, at + name.length) equals `name` (lower-case ASCII) ignoring ASCII case; the bytes are tchars. */
export function equalsLower(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    // tchars only: `| 0x20` folds A-Z onto a-z and maps no other tchar onto a letter.
    if (((buf[at + i] as number) | 0x20) !== name[i]) return false;
  }
  return true;
}
