import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { filterCostRows, pairedCost } from '../../../bench/filter-cost.js';
import { formatMarkdown, formatText, maxLoadRows } from '../../../bench/report.js';
import type { BenchResult, Measurement } from '../../../bench/results.js';
import { findScenario } from '../../../bench/scenarios/index.js';
import type { Scenario } from '../../../bench/scenarios/types.js';
import { gatewayPlan, variantOf, variantRoute, variantTarget } from '../../../bench/targets/gateways.js';
import { gatehouseVariantsConfig } from '../../../bench/targets/gatehouse-config.js';

function measurement(target: Measurement['target'], roundRps: number[], extra: Partial<Measurement> = {}): Measurement {
  const rps = roundRps.reduce((sum, r) => sum + r, 0) / roundRps.length;
  return {
    scenario: 'wasm-cost',
    target,
    driver: 'wrk',
    mode: 'max',
    offeredRps: null,
    rounds: roundRps.length,
    requests: Math.round(rps * 4 * roundRps.length),
    rps,
    bytesPerSec: 1_000_000,
    errors: 0,
    non2xx: 0,
    latency: { p50: 400, p90: 700, p99: 900, p999: 1200, max: 2000 },
    percentileSource: 'driver-reported',
    roundRps,
    ...extra,
  };
}

function result(measurements: Measurement[], skipped: BenchResult['skipped'] = []): BenchResult {
  return {
    version: 1,
    startedAt: '2026-01-02T03:04:05.678Z',
    machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux x64', commandLine: 'npm run bench', pinning: 'none' },
    options: { scenarios: ['wasm-cost'], durationS: 4, connections: null, workers: 1, driver: 'wrk', rounds: 2, loadFraction: 0, warmupS: 2 },
    measurements,
    skipped,
  };
}

// noop: rounds cost 2% and 1% (mean 1.5%, goal < 3%). headers: 15% and 12.5% (mean 13.75%, goal < 10%).
const run = result([
  measurement('direct', [40_000, 44_000]),
  measurement('gatehouse', [10_000, 12_000]),
  measurement('gatehouse+noop', [9_800, 11_880]),
  measurement('gatehouse+headers', [8_500, 10_500]),
]);

describe('paired-round cost', () => {
  it('averages the cost of each pair of rounds, not the cost of the averages', () => {
    // Per round: 1% and 2% -> 1.5%. From the totals it would be 1 - 295/300 = 1.67%.
    const cost = pairedCost([100, 200], [99, 196]);
    expect(cost?.rounds).toBe(2);
    expect(cost?.meanPct).toBeCloseTo(1.5, 10);
    expect(cost?.minPct).toBeCloseTo(1, 10);
    expect(cost?.maxPct).toBeCloseTo(2, 10);
  });

  it('reports a faster variant as a negative cost and keeps the whole range', () => {
    const cost = pairedCost([100, 200, 100], [97, 190, 110]);
    expect(cost?.meanPct).toBeCloseTo((3 + 5 - 10) / 3, 10);
    expect([cost?.minPct, cost?.maxPct].map((x) => Math.round(x ?? Number.NaN))).toEqual([-10, 5]);
  });

  it('states the median of the pairs, which one bad round cannot move', () => {
    const cost = pairedCost([100, 100, 100], [98, 97, 70]);
    expect(cost?.medianPct).toBeCloseTo(3, 10);
    expect(cost?.meanPct).toBeCloseTo(35 / 3, 10);
    expect(pairedCost([100, 100, 100, 100], [99, 98, 97, 50])?.medianPct).toBeCloseTo(2.5, 10);
  });

  it('turns CPU per request into the throughput lost at equal CPU (1 - base / variant)', () => {
    // 36 µs -> 40 µs per request: 10% less throughput from the same core.
    expect(pairedCost([36, 36], [40, 40], 'cpu')?.medianPct).toBeCloseTo(10, 10);
    expect(pairedCost([36], [0], 'cpu')).toBeNull();
  });

  it('pairs only the rounds both sides have, and none whose baseline answered nothing', () => {
    expect(pairedCost([100, 100, 100], [75])).toMatchObject({ rounds: 1, meanPct: 25 });
    expect(pairedCost([0, 100], [50, 50])).toMatchObject({ rounds: 1, meanPct: 50 });
    expect(pairedCost([0], [50])).toBeNull();
    expect(pairedCost([], [])).toBeNull();
  });
});

describe('variant cost table', () => {
  it('states each variant against the no-filter gatehouse, with its goal and verdict', () => {
    expect(filterCostRows(run)).toEqual([
      ['wasm-cost', 'none', '11,000', 'baseline', '-', '-', 'baseline', '-', '2', '-', '-'],
      ['wasm-cost', 'noop', '10,840', '1.5%', '1.0% .. 2.0%', '-', '-', '-', '2', '< 3%', 'met'],
      ['wasm-cost', 'headers', '9,500', '13.8%', '12.5% .. 15.0%', '-', '-', '-', '2', '< 10%', 'MISSED'],
    ]);
  });

  it('judges on the CPU cost when the run has CPU figures, and shows both', () => {
    // Throughput says 20% (another process took the core in that round); CPU says 2%.
    const withCpu = result([
      measurement('gatehouse', [10_000, 10_000, 10_000], { roundCpuUs: [36, 35, 37] }),
      measurement('gatehouse+noop', [8_000, 8_000, 8_000], { roundCpuUs: [36.72, 35.7, 37.74] }),
    ]);
    const row = filterCostRows(withCpu)[1];
    expect(row).toEqual(['wasm-cost', 'noop', '8,000', '20.0%', '20.0% .. 20.0%', '36.72', '2.0%', '2.0% .. 2.0%', '3', '< 3%', 'met']);
    expect(filterCostRows(withCpu)[0]?.[5]).toBe('36.00');
  });

  it('misses the goal when the variant fails answers, however fast those failures are', () => {
    const failing = result([
      measurement('gatehouse', [10_000, 10_000]),
      measurement('gatehouse+noop', [10_000, 10_000], { non2xx: 5_000 }),
    ]);
    expect(filterCostRows(failing)[1]).toEqual(['wasm-cost', 'noop', '10,000', '0.0% (5000 failed)', '0.0% .. 0.0%', '-', '-', '-', '2', '< 3%', 'MISSED']);
  });

  it('gives no verdict without a healthy baseline, and lists a variant that was not measured', () => {
    const noBase = result([measurement('gatehouse+noop', [9_000])], [{ scenario: 'wasm-cost', target: 'gatehouse+headers', reason: 'failed to start: boom' }]);
    expect(filterCostRows(noBase)).toEqual([
      ['wasm-cost', 'none', 'not measured', 'baseline', '-', '-', 'baseline', '-', '-', '-', '-'],
      ['wasm-cost', 'noop', '9,000', '-', '-', '-', '-', '-', '-', '< 3%', 'n/a'],
      ['wasm-cost', 'headers', 'not measured', '-', '-', '-', '-', '-', '-', '< 10%', 'n/a'],
    ]);
    const brokenBase = result([measurement('gatehouse', [10_000], { errors: 1_000 }), measurement('gatehouse+noop', [9_000])]);
    expect(filterCostRows(brokenBase)[1]?.slice(3)).toEqual(['baseline failed', '-', '-', '-', '-', '-', '< 3%', 'n/a']);
  });

  it('uses only the max-load pass', () => {
    const paced = result([
      ...run.measurements,
      measurement('gatehouse', [5_000, 5_000], { mode: 'fraction', offeredRps: 5_000 }),
      measurement('gatehouse+noop', [1_000, 1_000], { mode: 'fraction', offeredRps: 5_000 }),
    ]);
    expect(filterCostRows(paced)).toEqual(filterCostRows(run));
  });

  it('has no rows for a scenario without variants', () => {
    const plain = result([{ ...measurement('gatehouse', [10_000]), scenario: 'wasm-noop' }, { ...measurement('direct', [20_000]), scenario: 'wasm-noop' }]);
    expect(filterCostRows(plain)).toEqual([]);
    expect(formatText(plain)).not.toContain('Variant cost');
    expect(formatMarkdown(plain)).not.toContain('Variant cost');
  });

  it('prints the table in the text report, aligned, and in the markdown report', () => {
    const text = formatText(run);
    expect(text).toContain('Variant cost (WASM filters, plugins, access log):\nper pair of rounds (round i of the variant and of the baseline gatehouse: no filter, access log off): rps cost = 1 - variant rps / baseline rps');
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('scenario   variant'));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 3]).toMatch(/^wasm-cost\s+noop\s+10,840\s+1\.5%\s+1\.0% \.\. 2\.0%\s+-\s+-\s+-\s+2\s+< 3%\s+met$/);
    expect(lines[header + 4]).toMatch(/^wasm-cost\s+headers\s+9,500\s+13\.8%\s+12\.5% \.\. 15\.0%\s+-\s+-\s+-\s+2\s+< 10%\s+MISSED$/);
    expect(lines[header + 3]?.indexOf('met')).toBe(lines[header]?.indexOf('verdict'));

    const md = formatMarkdown(run);
    expect(md).toContain('## Variant cost (WASM filters, plugins, access log)');
    expect(md).toContain('| scenario | variant | rps (mean) | rps cost | rps cost range | cpu us/req | cpu cost | cpu cost range | rounds | goal | verdict |');
    expect(md).toContain('| wasm-cost | headers | 9,500 | 13.8% | 12.5% .. 15.0% | - | - | - | 2 | < 10% | MISSED |');
  });

  it('lists the variants in the max-load table under their own target names', () => {
    const rows = maxLoadRows(result([...run.measurements], [{ scenario: 'wasm-cost', target: 'nginx', reason: 'filter-cost scenario: nginx runs no WASM filters, nothing to compare' }]));
    expect(rows.map((r) => [r[1], r[9], r[10]])).toEqual([
      ['direct', '1.00', '-'],
      ['gatehouse', '0.26', '-'],
      ['gatehouse+noop', '0.26', '-'],
      ['gatehouse+headers', '0.23', '-'],
      ['nginx', '', ''],
    ]);
    expect(rows[4]?.[3]).toBe('skipped: filter-cost scenario: nginx runs no WASM filters, nothing to compare');
  });
});

describe('gateway variants', () => {
  it('runs wasm-cost as the plain gatehouse plus one target per variant, each with its filters', () => {
    const s = findScenario('wasm-cost');
    expect(s).toMatchObject({ method: 'GET', path: '/hello', headers: { 'x-bench-a': 'alpha' }, connections: 50 });
    expect(gatewayPlan(s!)).toEqual([
      { target: 'gatehouse', filters: [], plugins: [] },
      { target: 'gatehouse+noop', filters: [{ name: 'noop' }], plugins: [] },
      { target: 'gatehouse+headers', filters: [{ name: 'noop', config: { touch_headers: true } }], plugins: [] },
    ]);
    expect(s?.variants?.map((v) => [v.name, v.maxCostPct])).toEqual([
      ['noop', 3],
      ['headers', 10],
    ]);
  });

  it('runs small-get-log as the plain gatehouse plus a target with the access log on', () => {
    expect(gatewayPlan(findScenario('small-get-log')!)).toEqual([
      { target: 'gatehouse', filters: [], plugins: [] },
      { target: 'gatehouse+log', filters: [], plugins: [], accessLog: true },
    ]);
    expect(findScenario('small-get-log')).toMatchObject({ path: '/hello', accessLogTo: 'file', variants: [{ name: 'log', maxCostPct: 10 }] });
    expect(findScenario('small-get-log-stdout')).toMatchObject({ accessLogTo: 'stdout', variants: [{ name: 'log', maxCostPct: 10 }] });
  });

  it('runs one gatehouse, with the scenario filters, for a scenario without variants', () => {
    expect(gatewayPlan(findScenario('wasm-headers')!)).toEqual([{ target: 'gatehouse', filters: [{ name: 'noop', config: { touch_headers: true } }], plugins: [] }]);
    expect(gatewayPlan(findScenario('small-get')!)).toEqual([{ target: 'gatehouse', filters: [], plugins: [] }]);
    expect(gatewayPlan(findScenario('plugin-cost')!).map((g) => [g.target, g.plugins.map((p) => p.name)])).toEqual([
      ['gatehouse', []],
      ['gatehouse+plugins', ['key-auth', 'cors', 'request-transformer']],
    ]);
  });

  it('names variant targets gatehouse+<variant> and reads the name back', () => {
    expect(variantTarget('noop')).toBe('gatehouse+noop');
    expect(variantOf('gatehouse+headers')).toBe('headers');
    expect(variantOf('gatehouse')).toBeNull();
    expect(variantOf('nginx')).toBeNull();
  });

  it('refuses empty, odd or repeated variant names', () => {
    const base: Scenario = { name: 'x', description: 'x', method: 'GET', path: '/', connections: 1, duration: 1 };
    expect(() => gatewayPlan({ ...base, variants: [{ name: '', filters: [] }] })).toThrow(/variant name ""/);
    expect(() => gatewayPlan({ ...base, variants: [{ name: 'a/b', filters: [] }] })).toThrow(/variant name "a\/b"/);
    expect(() => gatewayPlan({ ...base, variants: [{ name: 'a', filters: [] }, { name: 'a', filters: [] }] })).toThrow(/variant a is listed twice/);
    expect(() => gatewayPlan({ ...base, variants: [{ name: 'none', filters: [] }] })).toThrow(/variant name none is the baseline's/);
  });

  it('puts every target of a filter-cost scenario on a route of one gateway, the filters on the variants\' routes', () => {
    const plan = gatewayPlan(findScenario('wasm-cost')!);
    expect(plan.map((g) => variantRoute(g.target))).toEqual(['none', 'noop', 'headers']);
    const config = parseYaml(gatehouseVariantsConfig(19001, plan)) as {
      services: { url: string; routes: { name: string; paths: string[]; strip_path: boolean }[] }[];
      filter_chains: { route: string; filters: { name: string; config?: unknown }[] }[];
    };
    expect(config.services).toHaveLength(1);
    expect(config.services[0]?.url).toBe('http://127.0.0.1:19001');
    expect(config.services[0]?.routes).toEqual([
      { name: 'none', paths: ['/none'], strip_path: false },
      { name: 'noop', paths: ['/noop'], strip_path: false },
      { name: 'headers', paths: ['/headers'], strip_path: false },
    ]);
    expect(config.filter_chains.map((c) => [c.route, c.filters])).toEqual([
      ['noop', [{ name: 'noop' }]],
      ['headers', [{ name: 'noop', config: { touch_headers: true } }]],
    ]);
  });
});
