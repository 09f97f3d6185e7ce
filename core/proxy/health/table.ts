/**
 * Slot assignment for the shared upstream state (core/shared/upstream-state.ts).
 *
 * Compile numbers target slots 0..n-1 in table order (proxy/compile.ts numberSlots), which
 * is right for a fresh table. Across reloads the supervisor runs every new CompiledConfig
 * through one TargetSlots before publishing it, so a target whose `slotKey` (upstream
 * name + host:port) was already known keeps its slot, and with it its health, counters,
 * in-flight count and latency EWMA:
 *
 *   compile -> TargetSlots.assign(compiled.upstreams) -> encodeSnapshot -> workers
 *
 * Slots of targets that left the config are freed and reused last-freed-last: a freed
 * slot is taken only after every never-used slot, and then oldest first, so requests
 * still running on the previous config (which may call `finished` on it) are long gone
 * by the time it is reset for a new target. A config with more distinct targets than the
 * table holds is an error: the build fails and the running config stays.
 */
import type { CompiledUpstream } from '../../compile/types.js';
import type { UpstreamState } from '../../shared/upstream-state.js';

export class TargetSlots {
  readonly #state: UpstreamState;
  readonly #byKey = new Map<string, number>();
  /** Slots below this were handed out at least once. */
  #highWater = 0;
  /** Freed slots, oldest first. */
  #free: number[] = [];

  constructor(state: UpstreamState) {
    this.#state = state;
  }

  /** Number of slots in use. */
  get size(): number {
    return this.#byKey.size;
  }

  slotOf(key: string): number | undefined {
    return this.#byKey.get(key);
  }

  /**
   * Rewrites `slot` of every entity target in place (implicit targets keep -1). Throws
   * when the table is too small; then nothing changes.
   */
  assign(upstreams: readonly CompiledUpstream[]): void {
    const wanted = new Set<string>();
    for (const upstream of upstreams) for (const t of upstream.targets) if (t.slotKey !== '') wanted.add(t.slotKey);
    let fresh = 0;
    for (const key of wanted) if (!this.#byKey.has(key)) fresh++;
    let leaving = 0;
    for (const key of this.#byKey.keys()) if (!wanted.has(key)) leaving++;
    const available = this.#state.capacity - this.#highWater + this.#free.length + leaving;
    if (fresh > available) {
      throw new Error(`upstream state table is full: ${wanted.size} targets, capacity ${this.#state.capacity}`);
    }
    for (const [key, slot] of this.#byKey) {
      if (wanted.has(key)) continue;
      this.#byKey.delete(key);
      this.#free.push(slot);
    }
    for (const key of wanted) {
      if (this.#byKey.has(key)) continue;
      let slot: number;
      if (this.#highWater < this.#state.capacity) {
        slot = this.#highWater++;
      } else {
        slot = this.#free.shift() as number;
        this.#state.reset(slot);
      }
      this.#byKey.set(key, slot);
    }
    for (const upstream of upstreams) {
      for (const t of upstream.targets) t.slot = t.slotKey === '' ? -1 : (this.#byKey.get(t.slotKey) as number);
    }
  }
}
