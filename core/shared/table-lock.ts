/**
 * What the shared-memory tables (kv.ts, token-counters.ts) have in common: one spin-then-
 * wait lock word in their header, taken by every worker thread around a short critical
 * section, and the FNV-1a hash of a key's bytes.
 */

const SPINS_BEFORE_WAIT = 64;

/** Takes the lock at `i32[index]` (0 free, 1 held): spins briefly, then waits 1 ms at a time. */
export function lockTable(i32: Int32Array, index: number): void {
  let spins = 0;
  while (Atomics.compareExchange(i32, index, 0, 1) !== 0) {
    if (++spins > SPINS_BEFORE_WAIT) Atomics.wait(i32, index, 1, 1);
  }
}

export function unlockTable(i32: Int32Array, index: number): void {
  Atomics.store(i32, index, 0);
  Atomics.notify(i32, index, 1);
}

/** FNV-1a (32-bit) of a key's bytes. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
