/**
 * The compile-cache key of a prepared module: sha256 of the original bytes and the caps
 * it was instrumented with. Kept apart from prepare.ts so callers that only need the key
 * do not load binaryen (a large module with its own memory).
 */
import { createHash } from 'node:crypto';

export function contentHash(wasm: Uint8Array, memoryPages: number, fuel: number): string {
  return createHash('sha256').update(wasm).update(`:${memoryPages}:${fuel}`).digest('hex');
}
