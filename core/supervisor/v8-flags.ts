/**
 * V8 settings the gateway runs with, set once in the supervisor before any worker thread
 * starts (V8 flags are per process; a worker's isolate reads them as it is created).
 *
 * `--no-allocation-site-pretenuring`: V8 watches which object and array literals survive
 * scavenges and, when one allocation site's objects all survive one (as the first requests
 * of a route that has just warmed up can: they are all still in flight), allocates that
 * site's objects in old space from then on. A gateway's per-request objects die within a
 * request, so a pretenured site fills old space with garbage that only a full mark-compact
 * frees, and its pointers to young objects keep those alive through every scavenge. Measured
 * (issue 3, one gateway with a plain and a WASM-filtered route, plain route warmed first):
 * scavenges went from ~1.1 ms to ~5.5 ms, six mark-compacts per 4 s, and the filtered
 * route's CPU per request +15-22 %; with the flag, +2-6 %, and the plain route unchanged.
 */
import { setFlagsFromString } from 'node:v8';

export const GATEWAY_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

let applied = false;

/** Applies GATEWAY_V8_FLAGS to this process (idempotent); call before spawning workers. */
export function applyGatewayV8Flags(): void {
  if (applied) return;
  applied = true;
  for (const flag of GATEWAY_V8_FLAGS) setFlagsFromString(flag);
}
