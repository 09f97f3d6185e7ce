/**
 * Weighted round robin over a precomputed schedule (see proxy/compile.ts buildSchedule):
 * one array read and one increment per pick. `exclude` lets a retry skip the target
 * that just failed without a second data structure. With health checks, unusable
 * targets are stepped over; the walk is bounded by the schedule length.
 */
import type { Balancer, BalanceInput } from './types.js';
import type { UsableTargets } from './usable.js';

export class RoundRobin implements Balancer {
  readonly needsCaptures = false;
  readonly #schedule: readonly number[];
  readonly #targets: UsableTargets | null;
  #cursor = 0;

  /** `targets` null: every scheduled target is always usable (implicit upstreams). */
  constructor(schedule: readonly number[], targets: UsableTargets | null = null) {
    this.#schedule = schedule;
    this.#targets = targets;
    // Spread workers over the schedule so N workers do not all start on target 0.
    this.#cursor = schedule.length > 0 ? Math.floor(Math.random() * schedule.length) : 0;
  }

  /**
   * Returns a target index, or -1 when no target can take traffic. The one-argument form
   * is the pre-Balancer call (`pick(exclude)`) kept until the pipeline passes its input.
   */
  pick(exclude: number): number;
  pick(input: BalanceInput | null, exclude: number): number;
  pick(inputOrExclude: BalanceInput | null | number, excludeArg?: number): number {
    const exclude = typeof inputOrExclude === 'number' ? inputOrExclude : (excludeArg ?? -1);
    const schedule = this.#schedule;
    const n = schedule.length;
    if (n === 0) return -1;
    const targets = this.#targets;
    if (targets !== null && !targets.upstreamUp()) return -1;
    let excludedUsable = false;
    for (let tries = 0; tries < n; tries++) {
      const target = schedule[this.#cursor] ?? -1;
      this.#cursor = this.#cursor + 1 === n ? 0 : this.#cursor + 1;
      if (targets !== null && !targets.usable(target)) continue;
      if (target !== exclude) return target;
      excludedUsable = true;
    }
    return excludedUsable ? exclude : -1;
  }

  started(_target: number): void {}

  finished(_target: number, _ok: boolean, _latencyMs: number): void {}
}
