/**
 * Per-target upstream state shared by every worker and the supervisor: health, the
 * health-check counters, in-flight requests and a latency EWMA. One SharedArrayBuffer,
 * a fixed number of slots; compile gives each target a slot (CompiledTarget.slot) and the
 * supervisor keeps slots stable across reloads (proxy/health/table.ts TargetSlots).
 *
 * Layout (Int32Array; slots are 64 bytes, one cache line, so two workers updating
 * neighbouring targets do not share a line):
 *
 *   header (64 bytes)
 *   +-------+----------+-------------+--------------+------------------------------+
 *   | magic | capacity | healthEpoch | (reserved..) | epochMs (Float64 at byte 16) |
 *   +-------+----------+-------------+--------------+------------------------------+
 *     [0]     [1]        [2]                          bytes 16..23
 *
 *   slot i at 64 + 64 * i
 *   +--------+--------+-----------+-----+---------------------------+----------+
 *   | health | reason | changedAt | gen | passive: succ http tcp to | inflight |
 *   +--------+--------+-----------+-----+---------------------------+----------+
 *     0        1        2           3     4     5    6   7             8
 *   +---------+---------+--------------------------+----------+
 *   | ewmaUs  | ewmaAt  | active: succ http tcp to | reserved |
 *   +---------+---------+--------------------------+----------+
 *     9         10        11    12   13  14          15
 *
 *   health    0 = healthy, 1 = unhealthy (zeroed memory = healthy, as Kong starts)
 *   reason    who made the last change: 0 initial, 1 active probe, 2 passive, 3 manual
 *   changedAt unix seconds (u32) of the last change
 *   gen       bumped when a slot is reset for a new target
 *   ewmaUs    latency EWMA in microseconds, 0 = no sample yet
 *   ewmaAt    ms since epochMs (u32, wraps; only differences are used) of the last sample
 *   healthEpoch bumped on every health change, so balancers can cache derived data
 *
 * Counting follows lua-resty-healthcheck (what Kong runs): a counter whose threshold is 0
 * is off; a success resets the failure counters, a failure resets the success counter;
 * an outcome that agrees with the current state is not counted (it only breaks the
 * opposite run); reaching a threshold flips the state and clears every counter of the slot.
 *
 * This file has no imports, so a test can transpile it alone into a worker thread.
 */

const MAGIC = 0x47485553; // 'GHUS'
const HEADER_INTS = 16;
const SLOT_INTS = 16;
const H_MAGIC = 0;
const H_CAPACITY = 1;
const H_EPOCH = 2;
const EPOCH_MS_BYTE = 16;

const S_HEALTH = 0;
const S_REASON = 1;
const S_CHANGED_AT = 2;
const S_GEN = 3;
const S_PASSIVE = 4;
const S_INFLIGHT = 8;
const S_EWMA = 9;
const S_EWMA_AT = 10;
const S_ACTIVE = 11;

/** Offsets of the four counters inside a counter group. */
const C_SUCCESSES = 0;
const C_HTTP = 1;
const C_TCP = 2;
const C_TIMEOUTS = 3;

/** EWMA decay time, as Kong's latency balancer (DECAY_TIME = 10 s). */
const DECAY_MS = 10_000;
const MAX_EWMA_US = 0x7fffffff;

export const HealthReason = { INITIAL: 0, ACTIVE: 1, PASSIVE: 2, MANUAL: 3 } as const;
export type HealthReason = (typeof HealthReason)[keyof typeof HealthReason];

/** Which counter group a report goes to. */
export const CheckKind = { PASSIVE: S_PASSIVE, ACTIVE: S_ACTIVE } as const;
export type CheckKind = (typeof CheckKind)[keyof typeof CheckKind];

/** An observed outcome of one request or probe. */
export const Outcome = { SUCCESS: C_SUCCESSES, HTTP_FAILURE: C_HTTP, TCP_FAILURE: C_TCP, TIMEOUT: C_TIMEOUTS } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface SlotSnapshot {
  healthy: boolean;
  reason: HealthReason;
  changedAt: number;
  generation: number;
  inflight: number;
  ewmaMs: number;
  passive: CounterSnapshot;
  active: CounterSnapshot;
}

export interface CounterSnapshot {
  successes: number;
  httpFailures: number;
  tcpFailures: number;
  timeouts: number;
}

export const DEFAULT_STATE_CAPACITY = 4096;

export class UpstreamState {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly #i32: Int32Array;
  readonly #epochMs: number;
  readonly #clock: () => number;

  private constructor(buffer: SharedArrayBuffer, clock: () => number) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer);
    if (this.#i32[H_MAGIC] !== MAGIC) throw new Error('not an upstream-state buffer');
    this.capacity = this.#i32[H_CAPACITY] as number;
    this.#epochMs = new Float64Array(buffer, EPOCH_MS_BYTE, 1)[0] as number;
    this.#clock = clock;
  }

  /** A fresh table (supervisor). `clock` returns wall-clock ms (tests pass a fake one). */
  static create(capacity = DEFAULT_STATE_CAPACITY, clock: () => number = Date.now): UpstreamState {
    const buffer = new SharedArrayBuffer((HEADER_INTS + SLOT_INTS * capacity) * 4);
    const i32 = new Int32Array(buffer);
    i32[H_MAGIC] = MAGIC;
    i32[H_CAPACITY] = capacity;
    new Float64Array(buffer, EPOCH_MS_BYTE, 1)[0] = clock();
    return new UpstreamState(buffer, clock);
  }

  /** The same table seen from another thread. */
  static attach(buffer: SharedArrayBuffer, clock: () => number = Date.now): UpstreamState {
    return new UpstreamState(buffer, clock);
  }

  #base(slot: number): number {
    if (!(slot >= 0 && slot < this.capacity)) throw new RangeError(`upstream-state slot ${slot} out of range`);
    return HEADER_INTS + slot * SLOT_INTS;
  }

  /** ms since the table's epoch, as an unsigned 32-bit value (wraps after 49 days). */
  #nowTick(): number {
    return (this.#clock() - this.#epochMs) >>> 0;
  }

  /** Bumped on every health change: balancers recompute cached health-derived data when it moves. */
  healthEpoch(): number {
    return Atomics.load(this.#i32, H_EPOCH);
  }

  // ---- health ----

  /** A slot of -1 (implicit target, no shared state) is always healthy. */
  isHealthy(slot: number): boolean {
    if (slot < 0) return true;
    return Atomics.load(this.#i32, this.#base(slot) + S_HEALTH) === 0;
  }

  /** Sets the health; returns true when it changed. Clears every counter on a change. */
  setHealthy(slot: number, healthy: boolean, reason: HealthReason): boolean {
    const base = this.#base(slot);
    const from = healthy ? 1 : 0;
    const to = healthy ? 0 : 1;
    if (Atomics.compareExchange(this.#i32, base + S_HEALTH, from, to) !== from) return false;
    const i32 = this.#i32;
    Atomics.store(i32, base + S_REASON, reason);
    Atomics.store(i32, base + S_CHANGED_AT, Math.floor(this.#clock() / 1000) | 0);
    for (let c = 0; c < 4; c++) {
      Atomics.store(i32, base + S_PASSIVE + c, 0);
      Atomics.store(i32, base + S_ACTIVE + c, 0);
    }
    // A target coming back starts with no latency history, so the latency balancer
    // tries it at once instead of judging it by the samples that made it fail.
    if (healthy) Atomics.store(i32, base + S_EWMA, 0);
    Atomics.add(i32, H_EPOCH, 1);
    return true;
  }

  /**
   * Counts one outcome against `threshold` (0 = this counter is off); flips the slot's
   * health when the threshold is reached. Returns true when the health changed.
   */
  report(slot: number, kind: CheckKind, outcome: Outcome, threshold: number, reason: HealthReason): boolean {
    if (threshold <= 0 || slot < 0) return false;
    const base = this.#base(slot);
    const i32 = this.#i32;
    const healthy = Atomics.load(i32, base + S_HEALTH) === 0;
    const success = outcome === Outcome.SUCCESS;
    const group = base + kind;
    if (success === healthy) {
      // Agrees with the current state: not counted, but it breaks a run of the opposite
      // outcome (Kong's "mostly_healthy"/"mostly_unhealthy" going back).
      if (success) {
        Atomics.store(i32, group + C_HTTP, 0);
        Atomics.store(i32, group + C_TCP, 0);
        Atomics.store(i32, group + C_TIMEOUTS, 0);
      } else {
        Atomics.store(i32, group + C_SUCCESSES, 0);
      }
      return false;
    }
    let count: number;
    if (success) {
      Atomics.store(i32, group + C_HTTP, 0);
      Atomics.store(i32, group + C_TCP, 0);
      Atomics.store(i32, group + C_TIMEOUTS, 0);
      count = Atomics.add(i32, group + C_SUCCESSES, 1) + 1;
    } else {
      Atomics.store(i32, group + C_SUCCESSES, 0);
      count = Atomics.add(i32, group + outcome, 1) + 1;
    }
    if (count < threshold) return false;
    return this.setHealthy(slot, success, reason);
  }

  /** Forgets everything about a slot (a new target takes it over). */
  reset(slot: number): void {
    const base = this.#base(slot);
    const i32 = this.#i32;
    const wasUnhealthy = Atomics.load(i32, base + S_HEALTH) !== 0;
    for (let f = 0; f < SLOT_INTS; f++) if (f !== S_GEN) Atomics.store(i32, base + f, 0);
    Atomics.add(i32, base + S_GEN, 1);
    if (wasUnhealthy) Atomics.add(i32, H_EPOCH, 1);
  }

  // ---- in-flight (least-connections) ----

  inflight(slot: number): number {
    if (slot < 0) return 0;
    const n = Atomics.load(this.#i32, this.#base(slot) + S_INFLIGHT);
    return n > 0 ? n : 0;
  }

  started(slot: number): void {
    if (slot >= 0) Atomics.add(this.#i32, this.#base(slot) + S_INFLIGHT, 1);
  }

  /** Never goes below zero: a request that started before a slot was reset must not skew it. */
  finished(slot: number): void {
    if (slot < 0) return;
    const i32 = this.#i32;
    const at = this.#base(slot) + S_INFLIGHT;
    for (;;) {
      const n = Atomics.load(i32, at);
      if (n <= 0) return;
      if (Atomics.compareExchange(i32, at, n, n - 1) === n) return;
    }
  }

  // ---- latency EWMA ----

  /** Folds one latency sample into the slot's EWMA (time-weighted, as Kong's latency balancer). */
  recordLatency(slot: number, latencyMs: number): void {
    if (slot < 0) return;
    const i32 = this.#i32;
    const base = this.#base(slot);
    const now = this.#nowTick();
    const sampleUs = Math.min(MAX_EWMA_US, Math.max(1, Math.round(latencyMs * 1000)));
    for (let tries = 0; tries < 8; tries++) {
      const old = Atomics.load(i32, base + S_EWMA);
      let next = sampleUs;
      if (old !== 0) {
        const elapsed = (now - Atomics.load(i32, base + S_EWMA_AT)) >>> 0;
        const w = Math.exp(-elapsed / DECAY_MS);
        next = Math.max(1, Math.round(old * w + sampleUs * (1 - w)));
      }
      if (Atomics.compareExchange(i32, base + S_EWMA, old, next) === old) {
        Atomics.store(i32, base + S_EWMA_AT, now | 0);
        return;
      }
    }
  }

  /**
   * The EWMA in ms decayed by the time since its last sample: an idle target's score
   * drifts to 0, so a target that stopped getting traffic is tried again. 0 = no sample.
   */
  latencyScore(slot: number): number {
    if (slot < 0) return 0;
    const i32 = this.#i32;
    const base = this.#base(slot);
    const ewma = Atomics.load(i32, base + S_EWMA);
    if (ewma === 0) return 0;
    const elapsed = (this.#nowTick() - Atomics.load(i32, base + S_EWMA_AT)) >>> 0;
    return (ewma / 1000) * Math.exp(-elapsed / DECAY_MS);
  }

  // ---- reading (admin, metrics, tests) ----

  snapshot(slot: number): SlotSnapshot {
    const i32 = this.#i32;
    const base = this.#base(slot);
    const group = (at: number): CounterSnapshot => ({
      successes: Atomics.load(i32, at + C_SUCCESSES),
      httpFailures: Atomics.load(i32, at + C_HTTP),
      tcpFailures: Atomics.load(i32, at + C_TCP),
      timeouts: Atomics.load(i32, at + C_TIMEOUTS),
    });
    return {
      healthy: Atomics.load(i32, base + S_HEALTH) === 0,
      reason: Atomics.load(i32, base + S_REASON) as HealthReason,
      changedAt: Atomics.load(i32, base + S_CHANGED_AT) >>> 0,
      generation: Atomics.load(i32, base + S_GEN),
      inflight: this.inflight(slot),
      ewmaMs: Atomics.load(i32, base + S_EWMA) / 1000,
      passive: group(base + S_PASSIVE),
      active: group(base + S_ACTIVE),
    };
  }
}
