import { describe, expect, it } from 'vitest';
import { aggregate, pacingBase } from '../../../bench/aggregate.js';
import { parseBenchArgs } from '../../../bench/cli-args.js';
import { createLatencyHistogram, encodeHistogram, recordLatency } from '../../../bench/histogram.js';
import { pinned, planCpus } from '../../../bench/pinning.js';
import type { RunSample } from '../../../bench/results.js';
import { scenarios } from '../../../bench/scenarios/index.js';

function sample(values: number[], requests: number, durationS: number): RunSample {
  const h = createLatencyHistogram();
  for (const v of values) recordLatency(h, v);
  const nan = Number.NaN;
  return {
    requests,
    durationS,
    rps: requests / durationS,
    bytesPerSec: 1000,
    errors: 1,
    non2xx: 0,
    latency: { p50: nan, p90: nan, p99: nan, p999: nan, max: nan },
    histogram: encodeHistogram(h),
  };
}

describe('aggregate', () => {
  const key = { scenario: 's', target: 'direct', driver: 'autocannon', mode: 'max', offeredRps: null } as const;

  it('merges raw histograms across rounds instead of averaging percentiles', () => {
    // Round 1: 99 fast; round 2: 99 slow. Merged p50 is in the fast half, p99 in the slow one.
    const m = aggregate(key, [sample(Array(99).fill(100), 1000, 1), sample(Array(99).fill(10_000), 3000, 3)]);
    expect(m.percentileSource).toBe('hdr-merged');
    expect(m.latency.p50).toBeCloseTo(100, -1);
    expect(m.latency.p99).toBeCloseTo(10_000, -2);
    expect(m.rps).toBe(1000);
    expect(m.errors).toBe(2);
    expect(m.roundRps).toEqual([1000, 1000]);
  });

  it('averages driver percentiles when a round has no histogram', () => {
    const a = { ...sample([1], 10, 1), histogram: null, latency: { p50: 100, p90: 200, p99: 300, p999: 400, max: 500 } };
    const b = { ...a, latency: { p50: 300, p90: 400, p99: 500, p999: 600, max: 900 } };
    const m = aggregate(key, [a, b]);
    expect(m.percentileSource).toBe('driver-reported');
    expect(m.latency).toEqual({ p50: 200, p90: 300, p99: 400, p999: 500, max: 900 });
  });
});

describe('fixed-rate pacing', () => {
  const key = { scenario: 's', driver: 'autocannon', mode: 'max', offeredRps: null } as const;

  it('reports no latency (not zero) when no request succeeded', () => {
    const m = aggregate({ ...key, target: 'gatehouse' }, [sample([], 0, 1)]);
    expect(Number.isNaN(m.latency.p99)).toBe(true);
  });

  it('paces at the slowest healthy target, ignoring one that mostly failed', () => {
    const direct = aggregate({ ...key, target: 'direct' }, [sample([100], 40_000, 1)]);
    const nginx = aggregate({ ...key, target: 'nginx' }, [sample([100], 20_000, 1)]);
    const broken = { ...aggregate({ ...key, target: 'gatehouse' }, [sample([100], 2_000, 1)]), errors: 1500 };
    expect(pacingBase([direct, nginx, broken])).toBe(20_000);
    expect(pacingBase([broken])).toBe(2_000);
  });

  it('ignores a target that answered nothing at all (a hung proxy reports 0 rps and 0 errors)', () => {
    const direct = aggregate({ ...key, target: 'direct' }, [sample([100], 40_000, 1)]);
    const hung = { ...aggregate({ ...key, target: 'gatehouse' }, [sample([], 0, 1)]), errors: 0 };
    expect(pacingBase([direct, hung])).toBe(40_000);
  });
});

describe('cli args', () => {
  it('has the documented defaults', () => {
    expect(parseBenchArgs([])).toMatchObject({ scenarios: [], workers: 1, driver: 'autocannon', rounds: 2, nginx: true, loadFraction: 0.5 });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const o = parseBenchArgs(['sse', '--scenario', 'small-get,post-1k', '--duration=3', '--connections', '10', '--workers', '2', '--driver', 'wrk', '--rounds', '3', '--no-nginx', '--uws', '--load-fraction', '0', '--warmup', '0', '--out', '/tmp/r']);
    expect(o).toEqual({ scenarios: ['sse', 'small-get', 'post-1k'], durationS: 3, connections: 10, workers: 2, driver: 'wrk', rounds: 3, nginx: false, uws: true, portkey: true, ttftRequests: 100, loadFraction: 0, warmupS: 0, outDir: '/tmp/r', help: false });
  });

  it('rejects bad values and unknown flags by name', () => {
    expect(() => parseBenchArgs(['--driver', 'ab'])).toThrow(/--driver/);
    expect(() => parseBenchArgs(['--rounds', '1.5'])).toThrow(/--rounds/);
    expect(() => parseBenchArgs(['--load-fraction', '1'])).toThrow(/--load-fraction/);
    expect(() => parseBenchArgs(['--connections'])).toThrow(/--connections/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown flag --fast/);
  });
});

describe('cpu pinning plan', () => {
  it('puts the proxy on core 0 and the load on core 1 of a 2-core machine', () => {
    expect(planCpus(2, 1, true)).toMatchObject({ proxy: '0', load: '1' });
    expect(planCpus(2, 4, true)).toMatchObject({ proxy: '0', load: '1' });
    expect(planCpus(8, 3, true)).toMatchObject({ proxy: '0-2', load: '3-7' });
  });

  it('does not pin without taskset or with one core', () => {
    expect(planCpus(1, 1, true).proxy).toBeNull();
    expect(planCpus(4, 1, false).load).toBeNull();
    expect(pinned(null, 'nginx', ['-t'])).toEqual(['nginx', ['-t']]);
    expect(pinned('1', 'wrk', ['-t1'])).toEqual(['taskset', ['-c', '1', 'wrk', '-t1']]);
  });
});

describe('scenarios', () => {
  it('has the named scenarios with unique names and a 1 KiB post body', () => {
    expect(scenarios.map((s) => s.name)).toEqual(['small-get', 'post-1k', 'response-1m', 'sse', 'wasm-none', 'wasm-noop', 'wasm-headers', 'wasm-cost', 'plugin-cost', 'small-get-log', 'small-get-log-stdout', 'ai-chat', 'ai-chat-stream']);
    const post = scenarios.find((s) => s.name === 'post-1k');
    expect(Buffer.byteLength(post?.body ?? '')).toBe(1024);
    expect(JSON.parse(post?.body ?? '')).toHaveProperty('data');
  });
});
