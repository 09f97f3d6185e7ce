/**
 * Which targets of one upstream may take traffic right now: weight > 0 and, when the
 * upstream has health checks, healthy in the shared state. Every algorithm asks this;
 * it reads one Int32 per target with Atomics.
 *
 * Kong's `threshold` (minimum healthy weight percentage) is checked per pick from a
 * cached verdict, recomputed only when the shared health epoch moved.
 */
import type { CompiledUpstream } from '../../compile/types.js';
import type { UpstreamState } from '../../shared/upstream-state.js';

export class UsableTargets {
  readonly count: number;
  readonly slots: Int32Array;
  readonly weights: Int32Array;
  readonly state: UpstreamState;
  readonly #checked: boolean;
  readonly #threshold: number;
  readonly #totalWeight: number;
  #epoch = -1;
  #up = true;

  constructor(upstream: CompiledUpstream, state: UpstreamState) {
    const targets = upstream.targets;
    this.count = targets.length;
    this.slots = Int32Array.from(targets, (t) => t.slot);
    this.weights = Int32Array.from(targets, (t) => (t.weight > 0 ? t.weight : 0));
    this.state = state;
    this.#checked = upstream.healthchecks !== null;
    this.#threshold = upstream.healthchecks?.threshold ?? 0;
    let total = 0;
    for (const w of this.weights) total += w;
    this.#totalWeight = total;
  }

  /** Weight > 0 and healthy (always healthy when the upstream has no health checks). */
  usable(i: number): boolean {
    if ((this.weights[i] ?? 0) === 0) return false;
    return !this.#checked || this.state.isHealthy(this.slots[i] ?? -1);
  }

  /** False when the healthy weight is under Kong's `threshold` percentage: nothing may be picked. */
  upstreamUp(): boolean {
    if (this.#threshold <= 0 || !this.#checked) return true;
    const epoch = this.state.healthEpoch();
    if (epoch !== this.#epoch) {
      this.#epoch = epoch;
      let healthy = 0;
      for (let i = 0; i < this.count; i++) if (this.usable(i)) healthy += this.weights[i] ?? 0;
      this.#up = this.#totalWeight > 0 && (healthy * 100) / this.#totalWeight >= this.#threshold;
    }
    return this.#up;
  }
}
