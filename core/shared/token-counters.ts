/**
 * Token (or cost) counters for ai-rate-limiting-advanced, shared by every worker thread:
 * one SharedArrayBuffer the supervisor creates once and hands to each worker (as the kv
 * table), so a limit of N tokens per window is N across all workers, and a config reload
 * (which rebuilds runtimes, never this buffer) keeps the counts.
 *
 * A counter is keyed by bytes the caller builds (namespace, provider, window size and the
 * identifier value: core/ai/rate-limit.ts) and holds two windows aligned to the epoch, as
 * Kong counts them: the current one (index = floor(now / window)) and the one before it,
 * which a sliding window weighs by the part of it still inside the sliding span:
 *
 *   used = current + previous * (window - elapsed in current) / window    (sliding)
 *   used = current                                                        (fixed)
 *
 * Check-and-add is atomic across workers: one spin/wait lock (Atomics on the header)
 * guards the table, and a batch of counters (every provider and window size a request
 * is limited by) is checked and charged under one hold, all or nothing, so N concurrent
 * requests can never together pass a limit. Counts are integers (tokens, or cost in
 * micro-units) kept in float64 slots, exact to 2^53, read and written only under the lock.
 *
 * Open addressing with linear probing, at most MAX_PROBE slots from a key's home. Slots
 * are never emptied: a slot whose two windows are over is reused for another key found
 * on the same probe path, so the table holds every counter that is still live, and a
 * key that is not on its probe path has no live count. When no slot is free the batch is
 * not counted (TokenCountersResult.Full): the caller lets the request through and says so.
 *
 * Layout (offsets in bytes, little-endian):
 *
 *   header (32 bytes)
 *   +------+-------+----------+-----------+----------+
 *   | lock | magic | capacity | slotBytes | maxKey   | (pad)
 *   +------+-------+----------+-----------+----------+
 *     0      4       8          12          16
 *
 *   slot i at 32 + i * slotBytes (slotBytes = 48 + maxKey, rounded up to 8)
 *   +-------+------+--------+--------+-------------+-------------+-------------+-----+--------------+
 *   | state | hash | keyLen | window | windowIndex | current     | previous    | pad | key[maxKey]  |
 *   | i32   | u32  | i32    | i32 s  | f64         | f64         | f64         |     |              |
 *   +-------+------+--------+--------+-------------+-------------+-------------+-----+--------------+
 *     0       4      8        12       16            24            32            40    48
 *   state: 0 = empty (never used), 1 = used
 *
 * This file has no imports, so a test can load it alone into worker threads.
 */
import { fnv1a, lockTable, unlockTable } from './table-lock.js';

const MAGIC = 0x47485443; // 'GHTC'
const HEADER_BYTES = 32;
const H_LOCK = 0;
const H_MAGIC = 1;
const H_CAPACITY = 2;
const H_SLOT_BYTES = 3;
const H_MAX_KEY = 4;

const S_STATE = 0;
const S_HASH = 4;
const S_KEY_LEN = 8;
const S_WINDOW = 12;
const S_INDEX = 16;
const S_CURRENT = 24;
const S_PREVIOUS = 32;
const S_KEY = 48;

const MAX_PROBE = 64;

export interface TokenCountersOptions {
  /** Number of counters (key × window) the table can hold. */
  readonly capacity: number;
  /** Longest key in bytes; longer keys must be shortened by the caller (e.g. hashed). */
  readonly maxKeyBytes: number;
}

/** 32768 slots of 256 bytes: 8 MiB of address space, touched only as counters appear. */
export const DEFAULT_TOKEN_COUNTERS_OPTIONS: TokenCountersOptions = { capacity: 32_768, maxKeyBytes: 208 };

export const TokenCountersResult = {
  /** Every counter had room: the amounts were added. */
  Ok: 0,
  /** At least one counter would pass its limit: nothing was added. */
  Over: 1,
  /** No slot for a new counter: nothing was counted. */
  Full: 2,
} as const;
export type TokenCountersResult = (typeof TokenCountersResult)[keyof typeof TokenCountersResult];

/**
 * One counter of a batch: inputs set by the caller, outputs filled by reserve(). A fixed
 * shape, so the caller can build one per limit and request and hand them back to settle().
 */
export class CounterProbe {
  readonly key: Uint8Array;
  readonly hash: number;
  /** Window size in seconds. */
  readonly window: number;
  /** Allowed amount per window (same unit as the amounts). */
  readonly limit: number;
  /** Amount to add (the reservation). */
  amount = 0;
  /** Out: the amount counted in the sliding/fixed span before this request. */
  used = 0;
  /** Out: index of the window the amount was added to (-1: not added). */
  windowIndex = -1;
  /** Out: ms until the current window ends. */
  resetMs = 0;
  /** Out: this counter is the one (or one of those) over its limit. */
  over = false;
  /** Out: what is left of the limit after this reservation (before it, when refused), floored, never negative. */
  remaining = 0;

  constructor(key: Uint8Array, window: number, limit: number) {
    this.key = key;
    this.hash = fnv1a(key);
    this.window = window;
    this.limit = limit;
  }
}


export class TokenCounters {
  readonly buffer: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #view: DataView;
  readonly #capacity: number;
  readonly #slotBytes: number;
  readonly #maxKey: number;

  static create(options: TokenCountersOptions = DEFAULT_TOKEN_COUNTERS_OPTIONS): TokenCounters {
    const { capacity, maxKeyBytes } = options;
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new Error('token counters: capacity must be a positive integer');
    if (!Number.isSafeInteger(maxKeyBytes) || maxKeyBytes <= 0) throw new Error('token counters: maxKeyBytes must be a positive integer');
    const slotBytes = (S_KEY + maxKeyBytes + 7) & ~7;
    const sab = new SharedArrayBuffer(HEADER_BYTES + capacity * slotBytes);
    const i32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    i32[H_MAGIC] = MAGIC;
    i32[H_CAPACITY] = capacity;
    i32[H_SLOT_BYTES] = slotBytes;
    i32[H_MAX_KEY] = maxKeyBytes;
    return new TokenCounters(sab);
  }

  /** Attach to a table created elsewhere (the buffer posted to a worker thread). */
  static attach(buffer: SharedArrayBuffer): TokenCounters {
    return new TokenCounters(buffer);
  }

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
    if (this.#i32[H_MAGIC] !== MAGIC) throw new Error('token counters: buffer is not an initialised table');
    this.#capacity = this.#i32[H_CAPACITY] as number;
    this.#slotBytes = this.#i32[H_SLOT_BYTES] as number;
    this.#maxKey = this.#i32[H_MAX_KEY] as number;
  }

  get maxKeyBytes(): number {
    return this.#maxKey;
  }

  /**
   * Checks every probe against its limit and, only if all fit, adds each probe's amount
   * to its current window. Fills the probes' outputs either way. Atomic across threads.
   */
  reserve(probes: readonly CounterProbe[], nowMs: number, sliding: boolean): TokenCountersResult {
    lockTable(this.#i32, H_LOCK);
    try {
      const slots = this.#slotsFor(probes, nowMs, true);
      if (slots === null) {
        for (const p of probes) p.windowIndex = -1;
        return TokenCountersResult.Full;
      }
      let over = false;
      for (let i = 0; i < probes.length; i++) {
        const p = probes[i] as CounterProbe;
        const at = slots[i] as number;
        p.used = this.#used(at, p.window, nowMs, sliding);
        p.resetMs = resetMs(p.window, nowMs);
        p.over = p.used + p.amount > p.limit;
        p.remaining = Math.max(0, Math.floor(p.limit - p.used));
        if (p.over) over = true;
      }
      for (let i = 0; i < probes.length; i++) {
        const p = probes[i] as CounterProbe;
        if (over) {
          p.windowIndex = -1;
          continue;
        }
        const at = slots[i] as number;
        this.#view.setFloat64(at + S_CURRENT, this.#view.getFloat64(at + S_CURRENT, true) + p.amount, true);
        p.windowIndex = windowIndex(p.window, nowMs);
        p.remaining = Math.max(0, Math.floor(p.limit - p.used - p.amount));
      }
      return over ? TokenCountersResult.Over : TokenCountersResult.Ok;
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  /** Adds `amount` to each probe's current window without any check (a penalty). */
  add(probes: readonly CounterProbe[], amounts: readonly number[], nowMs: number): void {
    lockTable(this.#i32, H_LOCK);
    try {
      const slots = this.#slotsFor(probes, nowMs, true);
      if (slots === null) return;
      for (let i = 0; i < probes.length; i++) {
        const at = slots[i] as number;
        this.#view.setFloat64(at + S_CURRENT, this.#view.getFloat64(at + S_CURRENT, true) + (amounts[i] ?? 0), true);
      }
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  /**
   * Replaces each reserved probe's amount by `actual[i]`: the difference goes to the
   * window the reservation was counted in, while that window is still tracked (current
   * or previous); a reservation whose window is over no longer counts anyway.
   */
  settle(probes: readonly CounterProbe[], actual: readonly number[], nowMs: number): void {
    lockTable(this.#i32, H_LOCK);
    try {
      for (let i = 0; i < probes.length; i++) {
        const p = probes[i] as CounterProbe;
        if (p.windowIndex < 0) continue;
        const at = this.#find(p);
        if (at < 0) continue;
        this.#roll(at, p.window, nowMs);
        const delta = (actual[i] ?? 0) - p.amount;
        const idx = this.#view.getFloat64(at + S_INDEX, true);
        const field = idx === p.windowIndex ? S_CURRENT : idx === p.windowIndex + 1 ? S_PREVIOUS : -1;
        if (field >= 0) this.#view.setFloat64(at + field, Math.max(0, this.#view.getFloat64(at + field, true) + delta), true);
        p.windowIndex = -1;
      }
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  /** The amount counted for `probe` now (sliding or fixed), without changing anything. */
  used(probe: CounterProbe, nowMs: number, sliding: boolean): number {
    lockTable(this.#i32, H_LOCK);
    try {
      const at = this.#find(probe);
      if (at < 0) return 0;
      this.#roll(at, probe.window, nowMs);
      return this.#used(at, probe.window, nowMs, sliding);
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  // ---- internals (caller holds the lock) ----

  /** The slot of each probe (claimed when `claim`), rolled to now; null when the table is full. */
  #slotsFor(probes: readonly CounterProbe[], nowMs: number, claim: boolean): number[] | null {
    const slots: number[] = [];
    for (const p of probes) {
      if (p.key.byteLength > this.#maxKey) throw new Error(`token counters: key of ${p.key.byteLength} bytes exceeds ${this.#maxKey}`);
      let at = this.#find(p);
      if (at < 0 && claim) at = this.#claim(p, nowMs);
      if (at < 0) return null;
      this.#roll(at, p.window, nowMs);
      slots.push(at);
    }
    return slots;
  }

  #find(p: CounterProbe): number {
    let idx = p.hash % this.#capacity;
    for (let n = 0; n < MAX_PROBE && n < this.#capacity; n++) {
      const at = HEADER_BYTES + idx * this.#slotBytes;
      if (this.#view.getInt32(at + S_STATE, true) === 0) return -1;
      if (this.#matches(at, p)) return at;
      idx = idx + 1 === this.#capacity ? 0 : idx + 1;
    }
    return -1;
  }

  /** Takes the first empty or expired slot on the probe path for `p` (not present). */
  #claim(p: CounterProbe, nowMs: number): number {
    let idx = p.hash % this.#capacity;
    for (let n = 0; n < MAX_PROBE && n < this.#capacity; n++) {
      const at = HEADER_BYTES + idx * this.#slotBytes;
      const empty = this.#view.getInt32(at + S_STATE, true) === 0;
      if (empty || this.#expired(at, nowMs)) {
        this.#view.setInt32(at + S_STATE, 1, true);
        this.#view.setUint32(at + S_HASH, p.hash, true);
        this.#view.setInt32(at + S_KEY_LEN, p.key.byteLength, true);
        this.#view.setInt32(at + S_WINDOW, p.window, true);
        this.#view.setFloat64(at + S_INDEX, windowIndex(p.window, nowMs), true);
        this.#view.setFloat64(at + S_CURRENT, 0, true);
        this.#view.setFloat64(at + S_PREVIOUS, 0, true);
        this.#u8.set(p.key, at + S_KEY);
        return at;
      }
      idx = idx + 1 === this.#capacity ? 0 : idx + 1;
    }
    return -1;
  }

  #matches(at: number, p: CounterProbe): boolean {
    if (this.#view.getUint32(at + S_HASH, true) !== p.hash) return false;
    if (this.#view.getInt32(at + S_KEY_LEN, true) !== p.key.byteLength) return false;
    if (this.#view.getInt32(at + S_WINDOW, true) !== p.window) return false;
    const start = at + S_KEY;
    for (let i = 0; i < p.key.byteLength; i++) if (this.#u8[start + i] !== p.key[i]) return false;
    return true;
  }

  /** Both windows of the slot are over: nothing in it counts any more. */
  #expired(at: number, nowMs: number): boolean {
    const window = this.#view.getInt32(at + S_WINDOW, true);
    return this.#view.getFloat64(at + S_INDEX, true) + 1 < windowIndex(window, nowMs);
  }

  /** Moves the slot's windows forward to the one `nowMs` falls in. */
  #roll(at: number, window: number, nowMs: number): void {
    const now = windowIndex(window, nowMs);
    const idx = this.#view.getFloat64(at + S_INDEX, true);
    if (idx >= now) return;
    const current = this.#view.getFloat64(at + S_CURRENT, true);
    this.#view.setFloat64(at + S_PREVIOUS, idx + 1 === now ? current : 0, true);
    this.#view.setFloat64(at + S_CURRENT, 0, true);
    this.#view.setFloat64(at + S_INDEX, now, true);
  }

  #used(at: number, window: number, nowMs: number, sliding: boolean): number {
    const current = this.#view.getFloat64(at + S_CURRENT, true);
    if (!sliding) return current;
    const windowMs = window * 1000;
    const elapsed = nowMs - windowIndex(window, nowMs) * windowMs;
    return current + (this.#view.getFloat64(at + S_PREVIOUS, true) * (windowMs - elapsed)) / windowMs;
  }

}

export function windowIndex(windowSec: number, nowMs: number): number {
  return Math.floor(nowMs / (windowSec * 1000));
}

/** Milliseconds until the window `nowMs` falls in ends. */
export function resetMs(windowSec: number, nowMs: number): number {
  const windowMs = windowSec * 1000;
  return (windowIndex(windowSec, nowMs) + 1) * windowMs - nowMs;
}
