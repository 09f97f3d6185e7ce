import { describe, expect, it } from 'vitest';
import { compareResults, formatComparisons } from '../../../bench/compare.js';
import { formatDeltaMicros, formatMarkdown, formatMicros, formatText, fractionRows, maxLoadRows } from '../../../bench/report.js';
import type { BenchResult, Measurement } from '../../../bench/results.js';

function measurement(target: Measurement['target'], rps: number, p99: number, extra: Partial<Measurement> = {}): Measurement {
  return {
    scenario: 'small-get',
    target,
    driver: 'autocannon',
    mode: 'max',
    offeredRps: null,
    rounds: 2,
    requests: rps * 20,
    rps,
    bytesPerSec: 2_500_000,
    errors: 0,
    non2xx: 0,
    latency: { p50: 400, p90: 700, p99, p999: p99 * 2, max: p99 * 3 },
    percentileSource: 'hdr-merged',
    roundRps: [rps, rps],
    ...extra,
  };
}

function result(measurements: Measurement[]): BenchResult {
  return {
    version: 1,
    startedAt: '2026-01-02T03:04:05.678Z',
    machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux x64', commandLine: 'npm run bench', pinning: 'none' },
    options: { scenarios: ['small-get'], durationS: null, connections: null, workers: 1, driver: 'autocannon', rounds: 2, loadFraction: 0.5, warmupS: 2 },
    measurements,
    skipped: [{ scenario: 'small-get', target: 'nginx', reason: 'nginx not on PATH' }],
  };
}

const sample = result([
  measurement('direct', 40_000, 1000),
  measurement('gatehouse', 30_000, 1500, { non2xx: 3 }),
  measurement('direct', 15_000, 800, { mode: 'fraction', offeredRps: 15_000 }),
  measurement('gatehouse', 15_000, 1_250, { mode: 'fraction', offeredRps: 15_000 }),
]);

describe('report formatting', () => {
  it('formats microseconds and signed differences', () => {
    expect(formatMicros(512.4)).toBe('512us');
    expect(formatMicros(1234)).toBe('1.23ms');
    expect(formatMicros(2_500_000)).toBe('2.50s');
    expect(formatMicros(Number.NaN)).toBe('-');
    expect(formatDeltaMicros(450)).toBe('+450us');
    expect(formatDeltaMicros(-1500)).toBe('-1.50ms');
  });

  it('computes throughput ratios against direct and marks a missing nginx', () => {
    const rows = maxLoadRows(sample);
    expect(rows[0]).toEqual(['small-get', 'direct', 'autocannon', '40,000', '2.5', '400us', '1.00ms', '2.00ms', '0', '1.00', '-']);
    expect(rows[1]?.slice(8)).toEqual(['0 (+3 non-2xx)', '0.75', '-']);
    expect(rows[2]?.slice(0, 4)).toEqual(['small-get', 'nginx', 'autocannon', 'skipped: nginx not on PATH']);
  });

  it('reports the p99 each proxy adds at the same offered rate', () => {
    const rows = fractionRows(sample);
    expect(rows.map((r) => [r[1], r[2], r[5], r[8]])).toEqual([
      ['direct', '15,000', '800us', '-'],
      ['gatehouse', '15,000', '1.25ms', '+450us'],
    ]);
  });

  it('prints machine info, both tables and an aligned header', () => {
    const text = formatText(sample);
    expect(text).toContain('cpu: Test CPU x 2');
    expect(text).toContain('node: v20.0.0');
    expect(text).toContain('command: npm run bench');
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('scenario   target'));
    expect(header).toBeDefined();
    const rule = lines[lines.indexOf(header ?? '') + 1] ?? '';
    // Each column of dashes starts where its header starts.
    expect(header?.indexOf('rps')).toBe(rule.split('  ').slice(0, 3).join('  ').length + 2);
    expect(text).toContain('fixed-rate pass (0.5 x');
  });

  it('writes markdown tables with one cell per column', () => {
    const md = formatMarkdown(sample);
    expect(md).toContain('# Gatehouse bench 2026-01-02T03:04:05.678Z');
    const rows = md.split('\n').filter((l) => l.startsWith('| small-get | gatehouse | autocannon'));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.split(' | ')).toHaveLength(11);
    expect(md).toContain('## Fixed rate');
  });
});

describe('compare', () => {
  const head = result([measurement('direct', 40_400, 1000), measurement('gatehouse', 25_000, 1500)]);

  it('flags an rps drop beyond the threshold and nothing within it', () => {
    const rows = compareResults(sample, head, 10, 'rps');
    expect(rows.map((r) => [r.target, r.regressed])).toEqual([
      ['direct', false],
      ['gatehouse', true],
    ]);
    expect(rows[1]?.improvementPct).toBeCloseTo(-16.67, 1);
    expect(compareResults(sample, head, 20, 'rps').some((r) => r.regressed)).toBe(false);
    expect(formatComparisons(rows)).toContain('REGRESSED');
  });

  it('flags a p99 rise, and compares only measurements present in both files', () => {
    const slower = result([measurement('gatehouse', 30_000, 2000)]);
    const rows = compareResults(sample, slower, 10, 'p99');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: 'gatehouse', metric: 'p99', base: 1500, head: 2000, regressed: true });
  });
});
