/**
 * Least connections, weighted: the usable target with the fewest in-flight requests per
 * unit of weight, (inflight + 1) / weight, as Kong's least-connections. The in-flight
 * counts live in the shared upstream state, so every worker sees one count per target.
 *
 * Ties are broken by a per-worker rotating start index, so idle targets share the load
 * instead of target 0 taking every request that finds the upstream idle.
 */
import type { Balancer, BalanceInput } from './types.js';
import type { UsableTargets } from './usable.js';

export class LeastConnections implements Balancer {
  readonly needsCaptures = false;
  readonly #targets: UsableTargets;
  #start = 0;

  constructor(targets: UsableTargets) {
    this.#targets = targets;
    this.#start = targets.count > 0 ? Math.floor(Math.random() * targets.count) : 0;
  }

  pick(_input: BalanceInput | null, exclude: number): number {
    const targets = this.#targets;
    const n = targets.count;
    if (n === 0 || !targets.upstreamUp()) return -1;
    const state = targets.state;
    let best = -1;
    let bestScore = Infinity;
    let excludedUsable = false;
    const start = this.#start;
    this.#start = start + 1 >= n ? 0 : start + 1;
    for (let k = 0; k < n; k++) {
      const i = start + k < n ? start + k : start + k - n;
      if (!targets.usable(i)) continue;
      if (i === exclude) {
        excludedUsable = true;
        continue;
      }
      const score = (state.inflight(targets.slots[i] ?? -1) + 1) / (targets.weights[i] ?? 1);
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best === -1 && excludedUsable) return exclude;
    return best;
  }

  started(target: number): void {
    this.#targets.state.started(this.#targets.slots[target] ?? -1);
  }

  finished(target: number, _ok: boolean, _latencyMs: number): void {
    this.#targets.state.finished(this.#targets.slots[target] ?? -1);
  }
}
