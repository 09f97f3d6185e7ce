/**
 * Weighted round robin over a precomputed schedule (see proxy/compile.ts buildSchedule):
 * one array read and one increment per pick. `exclude` lets a retry skip the target
 * that just failed without a second data structure.
 */
export class RoundRobin {
  readonly #schedule: readonly number[];
  #cursor = 0;

  constructor(schedule: readonly number[]) {
    this.#schedule = schedule;
    // Spread workers over the schedule so N workers do not all start on target 0.
    this.#cursor = schedule.length > 0 ? Math.floor(Math.random() * schedule.length) : 0;
  }

  /** Returns a target index, or -1 when no target can take traffic. */
  pick(exclude: number): number {
    const schedule = this.#schedule;
    const n = schedule.length;
    if (n === 0) return -1;
    for (let tries = 0; tries < n; tries++) {
      const target = schedule[this.#cursor] ?? -1;
      this.#cursor = this.#cursor + 1 === n ? 0 : this.#cursor + 1;
      if (target !== exclude) return target;
    }
    return exclude;
  }
}
