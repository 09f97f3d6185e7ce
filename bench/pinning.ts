/**
 * CPU placement for a bench run. The proxy under test gets the low cores; the upstream
 * and the load generator share the rest, so the proxy never competes with the load it is
 * being measured under. On a 2-core machine: proxy on core 0, upstream + driver on core 1.
 */
export interface CpuPlan {
  /** taskset -c list for the gateway / nginx, or null for no pinning. */
  proxy: string | null;
  /** taskset -c list for the echo upstream and the load generator. */
  load: string | null;
  describe: string;
}

function range(first: number, last: number): string {
  return first === last ? `${first}` : `${first}-${last}`;
}

export function planCpus(cores: number, proxyWorkers: number, hasTaskset: boolean): CpuPlan {
  if (!hasTaskset) return { proxy: null, load: null, describe: 'none (taskset not found)' };
  if (cores < 2) return { proxy: null, load: null, describe: `none (${cores} core)` };
  const proxyCores = Math.max(1, Math.min(proxyWorkers, cores - 1));
  const proxy = range(0, proxyCores - 1);
  const load = range(proxyCores, cores - 1);
  return { proxy, load, describe: `proxy on cpu ${proxy}, upstream + load generator on cpu ${load}` };
}

/** Prefixes a command with `taskset -c CPUS` when a CPU list is given. */
export function pinned(cpus: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpus === null ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}
