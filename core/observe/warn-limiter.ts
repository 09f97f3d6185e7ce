/**
 * Rate-limited warnings: a plugin whose log sink is down fails on every request, and one
 * stderr line per request would flood the process log (and cost a write each). Per key
 * (the plugin's name), the first warning of a window is written; the others are counted,
 * and the next one written after the window says how many were held back.
 */
export class WarnLimiter {
  readonly #windowMs: number;
  readonly #write: (line: string) => void;
  /** Per key: when its window opened and how many warnings it held back since. */
  readonly #state = new Map<string, { since: number; held: number }>();

  constructor(windowMs: number, write: (line: string) => void) {
    this.#windowMs = windowMs;
    this.#write = write;
  }

  /** Writes the warning unless one for `key` was written within the window; true when written. */
  warn(key: string, message: string, now = Date.now()): boolean {
    const state = this.#state.get(key);
    if (state !== undefined && now - state.since < this.#windowMs) {
      state.held++;
      return false;
    }
    const held = state?.held ?? 0;
    this.#state.set(key, { since: now, held: 0 });
    this.#write(held === 0 ? message : `${message} (${held} similar warnings held back)`);
    return true;
  }
}
