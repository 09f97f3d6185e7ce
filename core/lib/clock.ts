/**
 * A coarse clock: one timer refreshes the wall-clock milliseconds every 250 ms, so log
 * lines and ids need no Date per request. Monotonic latency uses performance.now().
 * The timer is unref'd: it never keeps a thread alive on its own.
 */
let nowMs = Date.now();
let timer: NodeJS.Timeout | null = null;

export function startClock(): void {
  if (timer !== null) return;
  timer = setInterval(() => {
    nowMs = Date.now();
  }, 250);
  timer.unref();
}

export function stopClock(): void {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

/** Wall-clock milliseconds, at most ~250 ms stale. */
export function coarseNow(): number {
  return nowMs;
}
