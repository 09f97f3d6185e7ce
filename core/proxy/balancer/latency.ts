/**
 * Lowest latency (Kong's `latency` algorithm, a peak-EWMA balancer after Finagle's):
 * each target's score is its response-latency EWMA, decayed by the time since its last
 * sample, times (in-flight + 1). The EWMA and in-flight counts live in the shared state,
 * so every worker learns from every response.
 *
 * Choice: power of two random choices among usable targets, keeping the lower score
 * (Kong's PICK_SET_SIZE = 2); with two targets both are compared every time. Exploration,
 * so a slow-then-recovered target gets traffic again:
 *   - a target with no sample scores 0 and wins (a target brought back healthy has its
 *     EWMA cleared by UpstreamState.setHealthy);
 *   - an idle target's score decays towards 0 (10 s decay time), so it is tried again;
 *   - 1 pick in EXPLORE_EVERY goes to a random usable target, keeping every EWMA fresh.
 * Weights only exclude (weight 0); they do not scale scores, as in Kong.
 */
import type { Balancer, BalanceInput } from './types.js';
import type { UsableTargets } from './usable.js';

const EXPLORE_EVERY = 64;

export class Latency implements Balancer {
  readonly needsCaptures = false;
  readonly #targets: UsableTargets;
  readonly #random: () => number;
  /** Usable candidates of the current pick (reused, never reallocated). */
  readonly #candidates: Int32Array;

  constructor(targets: UsableTargets, random: () => number = Math.random) {
    this.#targets = targets;
    this.#random = random;
    this.#candidates = new Int32Array(targets.count);
  }

  pick(_input: BalanceInput | null, exclude: number): number {
    const targets = this.#targets;
    const n = targets.count;
    if (n === 0 || !targets.upstreamUp()) return -1;
    const candidates = this.#candidates;
    let m = 0;
    let excludedUsable = false;
    for (let i = 0; i < n; i++) {
      if (!targets.usable(i)) continue;
      if (i === exclude) excludedUsable = true;
      else candidates[m++] = i;
    }
    if (m === 0) return excludedUsable ? exclude : -1;
    if (m === 1) return candidates[0] as number;
    const random = this.#random;
    const a = candidates[Math.floor(random() * m)] as number;
    if (random() * EXPLORE_EVERY < 1) return a;
    let b = candidates[Math.floor(random() * (m - 1))] as number;
    if (b === a) b = candidates[m - 1] as number;
    return this.#score(a) <= this.#score(b) ? a : b;
  }

  #score(i: number): number {
    const targets = this.#targets;
    const slot = targets.slots[i] ?? -1;
    return targets.state.latencyScore(slot) * (targets.state.inflight(slot) + 1);
  }

  started(target: number): void {
    this.#targets.state.started(this.#targets.slots[target] ?? -1);
  }

  finished(target: number, ok: boolean, latencyMs: number): void {
    const slot = this.#targets.slots[target] ?? -1;
    this.#targets.state.finished(slot);
    if (ok) this.#targets.state.recordLatency(slot, latencyMs);
  }
}
