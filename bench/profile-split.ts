/**
 * Splits a V8 CPU profile (`--cpu-prof`) by time slices: the self time of each function
 * while each slice ran, summed per label. With one gateway serving several routes and the
 * load alternating between them in short slices (route-profile.ts), the per-route figures
 * come from the same process and the same minutes, so what the machine does in between
 * weighs on every route alike, and a function's difference between two routes is what the
 * route's extra work costs, wherever it shows up.
 */

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: readonly { id: number; callFrame: { functionName: string; url: string } }[];
  /** Microseconds, on the monotonic clock (`process.hrtime`'s). */
  startTime: number;
  samples: readonly number[];
  timeDeltas: readonly number[];
}

/** One slice of load: `label`'s requests between t0 and t1 (µs, monotonic clock). */
export interface Slice {
  label: string;
  t0: number;
  t1: number;
  requests: number;
}

export interface SplitProfile {
  /** Per label: sampled busy µs (idle excluded) and requests. */
  totals: Map<string, { busyUs: number; requests: number }>;
  /** Per label: self µs by function (`name file`). */
  self: Map<string, Map<string, number>>;
}

/** `name dir/file` of a call frame, short enough for a table. */
function frameKey(cf: { functionName: string; url: string }): string {
  return `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}`.trim();
}

/**
 * Attributes each sample to the slice it fell in (samples between slices are dropped).
 * A sample's time is the gap to the next sample, as DevTools counts it. `slices` must be
 * in time order and must not overlap.
 */
export function splitProfile(profile: CpuProfile, slices: readonly Slice[]): SplitProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { busyUs: number; requests: number }>();
  const self = new Map<string, Map<string, number>>();
  for (const s of slices) {
    const t = totals.get(s.label) ?? { busyUs: 0, requests: 0 };
    t.requests += s.requests;
    totals.set(s.label, t);
    if (!self.has(s.label)) self.set(s.label, new Map());
  }
  let time = profile.startTime;
  let k = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    while (k < slices.length && time > (slices[k] as Slice).t1) k++;
    if (k >= slices.length) break;
    const slice = slices[k] as Slice;
    if (time < slice.t0) continue;
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    (totals.get(slice.label) as { busyUs: number }).busyUs += us;
    const fns = self.get(slice.label) as Map<string, number>;
    const key = frameKey(node.callFrame);
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  return { totals, self };
}

/** Rows `[function, µs/request of base, of other, other - base]`, largest difference first. */
export function perRequestDiff(split: SplitProfile, base: string, other: string, top: number): [string, number, number, number][] {
  const perReq = (label: string, key: string): number => {
    const requests = split.totals.get(label)?.requests ?? 0;
    return requests > 0 ? (split.self.get(label)?.get(key) ?? 0) / requests : 0;
  };
  const keys = new Set([...(split.self.get(base)?.keys() ?? []), ...(split.self.get(other)?.keys() ?? [])]);
  return [...keys]
    .map((key): [string, number, number, number] => [key, perReq(base, key), perReq(other, key), perReq(other, key) - perReq(base, key)])
    .sort((a, b) => Math.abs(b[3]) - Math.abs(a[3]))
    .slice(0, top);
}
