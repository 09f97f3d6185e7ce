/**
 * The deterministic body served by `/bytes/N` and `/chunked/N`: byte i is `i % 251`.
 *
 * 251 is prime, so a dropped, duplicated or reordered run of bytes shifts the pattern and
 * shows up in a content check, unlike a power-of-two period that a lost 256-byte block
 * would preserve. Bodies of any size are served as sub-views of one precomputed block:
 * the view starting at absolute offset `o` begins at `o % 251` inside the block.
 */
export const PATTERN_PERIOD = 251;

/** Largest single slice handed to the socket at once. */
export const PATTERN_CHUNK = 64 * 1024;

const block = new Uint8Array(PATTERN_CHUNK + PATTERN_PERIOD);
for (let i = 0; i < block.length; i++) block[i] = i % PATTERN_PERIOD;

/** A view (no copy) of the pattern bytes [offset, offset + length); length <= PATTERN_CHUNK. */
export function patternSlice(offset: number, length: number): Uint8Array {
  const start = offset % PATTERN_PERIOD;
  return block.subarray(start, start + Math.min(length, PATTERN_CHUNK));
}

/** Index of the first byte of `bytes` that differs from the pattern at `offset`, or -1. */
export function findPatternMismatch(bytes: Uint8Array, offset = 0): number {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== (offset + i) % PATTERN_PERIOD) return i;
  }
  return -1;
}
