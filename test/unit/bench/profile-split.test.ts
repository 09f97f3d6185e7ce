/**
 * Splitting a CPU profile by load slices (bench/profile-split.ts, used by route-profile.ts):
 * each sample's time goes to the function it was in and the slice it fell in; idle samples
 * and samples between slices count nowhere; per-request figures divide by each label's
 * requests over all its slices.
 */
import { describe, expect, it } from 'vitest';
import { type CpuProfile, perRequestDiff, splitProfile } from '../../../bench/profile-split.js';

const frame = (functionName: string, url: string) => ({ functionName, url });

/** Samples every 10 µs from t=1000: ids in order; the last sample has no following gap. */
function profile(ids: number[]): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(idle)', '') },
      { id: 2, callFrame: frame('writeNow', 'file:///x/dist/core/proxy/response-handler.js') },
      { id: 3, callFrame: frame('callStream', 'file:///x/dist/core/wasm/vm.js') },
      { id: 4, callFrame: frame('', 'file:///x/dist/core/worker/pipeline.js') },
    ],
    startTime: 1000,
    samples: ids,
    timeDeltas: ids.map((_, i) => (i === 0 ? 0 : 10)),
  };
}

describe('splitProfile', () => {
  it('puts each sample in its slice and function, and skips idle time and gaps between slices', () => {
    // Sample times: 1000, 1010, ..., 1110.
    const p = profile([2, 2, 1, 2, 4, 2, 3, 3, 2, 4, 3, 2]);
    const split = splitProfile(p, [
      { label: 'none', t0: 1000, t1: 1035, requests: 2 }, // samples at 1000..1030
      { label: 'noop', t0: 1050, t1: 1085, requests: 1 }, // 1050..1080 (1040 falls between slices)
      { label: 'none', t0: 1090, t1: 1120, requests: 2 }, // 1090..1110
    ]);
    expect(split.totals.get('none')).toEqual({ busyUs: 50, requests: 4 }); // 1000, 1010, 1030, 1090, 1100 (1020 idle, 1110 has no gap after it)
    expect(split.totals.get('noop')).toEqual({ busyUs: 40, requests: 1 });
    expect(Object.fromEntries(split.self.get('none') ?? [])).toEqual({ 'writeNow proxy/response-handler.js': 30, '(anonymous) worker/pipeline.js': 10, 'callStream wasm/vm.js': 10 });
    expect(Object.fromEntries(split.self.get('noop') ?? [])).toEqual({ 'writeNow proxy/response-handler.js': 20, 'callStream wasm/vm.js': 20 });
  });

  it('gives per-request differences against the base label, largest first', () => {
    const split = splitProfile(profile([2, 2, 1, 2, 4, 2, 3, 3, 2, 4, 3, 2]), [
      { label: 'none', t0: 1000, t1: 1035, requests: 2 },
      { label: 'noop', t0: 1050, t1: 1085, requests: 1 },
      { label: 'none', t0: 1090, t1: 1120, requests: 2 },
    ]);
    expect(perRequestDiff(split, 'none', 'noop', 10)).toEqual([
      ['callStream wasm/vm.js', 2.5, 20, 17.5],
      ['writeNow proxy/response-handler.js', 7.5, 20, 12.5],
      ['(anonymous) worker/pipeline.js', 2.5, 0, -2.5],
    ]);
    expect(perRequestDiff(split, 'none', 'noop', 1)).toHaveLength(1);
  });
});
