/** Builds CompiledUpstreams for balancer and health tests through the real compile step. */
import { validateConfig } from '../../../core/config/validate.js';
import { compileProxyTables } from '../../../core/proxy/compile.js';
import type { CompiledUpstream } from '../../../core/compile/types.js';

export interface TestTarget {
  target: string;
  weight?: number;
}

/** Compiles one upstream entity (plus a service that uses it) with Kong's defaults. */
export function makeUpstream(targets: readonly TestTarget[], fields: Record<string, unknown> = {}, name = 'svc.upstream'): CompiledUpstream {
  return compileUpstreams([{ name, targets, ...fields }])[0] as CompiledUpstream;
}

export function compileUpstreams(upstreams: readonly Record<string, unknown>[]): CompiledUpstream[] {
  const result = validateConfig({
    _format_version: '3.0',
    services: upstreams.map((u, i) => ({ name: `s${i}`, host: u['name'], port: 80 })),
    upstreams,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return compileProxyTables(result.config).upstreams;
}

/** Counts picks per target index. */
export function tally(n: number, pick: () => number, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) {
    const t = pick();
    if (t >= 0) counts[t] = (counts[t] ?? 0) + 1;
  }
  return counts;
}
