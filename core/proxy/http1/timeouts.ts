/**
 * One coarse clock for every connection timeout of the worker (connect, read, write,
 * keep-alive idle), as undici's lib/util/timers.js does for its long timers.
 *
 * A connection keeps each deadline as a count of ticks left; arming it is a field write,
 * refreshing it on every read is a field write, and nothing is allocated or unlinked per
 * request (a setTimeout per request and per refresh costs a Timeout object or a
 * re-link in the timer list). One interval walks the live connections every TIMER_TICK_MS
 * and decrements their counters; it runs only while a connection exists and never keeps
 * the thread alive on its own.
 *
 * A deadline of `ms` is ceil(ms / tick) + 1 ticks: it fires between ms and ms + 2 ticks
 * after it was armed, never before.
 */
import { TIMER_TICK_MS } from './limits.js';

/** What the clock drives: a pool walks its connections. */
export interface TickTarget {
  tick(): void;
}

const targets = new Set<TickTarget>();
let timer: NodeJS.Timeout | null = null;

function onTick(): void {
  for (const target of targets) target.tick();
}

/** `target` has live connections: tick it until unwatch. */
export function watch(target: TickTarget): void {
  targets.add(target);
  if (timer === null) {
    timer = setInterval(onTick, TIMER_TICK_MS);
    timer.unref();
  }
}

export function unwatch(target: TickTarget): void {
  targets.delete(target);
  if (targets.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

/** Ticks for a timeout of `ms` (0 or less: none, also 0 ticks). */
export function ticksFor(ms: number): number {
  return ms > 0 ? Math.ceil(ms / TIMER_TICK_MS) + 1 : 0;
}
