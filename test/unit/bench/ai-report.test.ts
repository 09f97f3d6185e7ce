/**
 * The AI parts of the bench report: the `ratio vs portkey` column (only in runs that
 * measured Portkey), the low-load probe table with what each proxy adds over direct, the
 * AI goals table, and the gateway config of the AI scenarios.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aiTargetRows, formatMarkdown, formatText, maxLoadHeader, maxLoadRows, ttftRows } from '../../../bench/report.js';
import type { BenchResult, Measurement, TtftMeasurement } from '../../../bench/results.js';
import { gatehouseAiConfig } from '../../../bench/targets/gatehouse-config.js';
import { portkeyHeaders } from '../../../bench/targets/portkey.js';

function m(scenario: string, target: Measurement['target'], rps: number, p99: number, mode: Measurement['mode'] = 'max'): Measurement {
  return {
    scenario, target, driver: 'wrk', mode, offeredRps: mode === 'max' ? null : 500, rounds: 2, requests: rps * 10, rps,
    bytesPerSec: 1e6, errors: 0, non2xx: 0, latency: { p50: p99 / 2, p90: p99, p99, p999: p99, max: p99 },
    percentileSource: 'driver-reported', roundRps: [rps, rps],
  };
}

function probe(scenario: string, target: TtftMeasurement['target'], p50: number, p99: number, errors = 0): TtftMeasurement {
  return { scenario, target, mockTtftMs: 20, concurrency: 2, requests: 200, errors, latency: { p50, p90: p99, p99, p999: p99, max: p99 } };
}

function run(measurements: Measurement[], ttft?: TtftMeasurement[]): BenchResult {
  const r: BenchResult = {
    version: 1,
    startedAt: '2026-01-02T03:04:05.678Z',
    machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux x64', commandLine: 'npm run bench', pinning: 'none' },
    options: { scenarios: ['ai-chat-stream'], durationS: 6, connections: null, workers: 1, driver: 'wrk', rounds: 2, loadFraction: 0.5, warmupS: 2 },
    measurements,
    skipped: [],
  };
  if (ttft !== undefined) r.ttft = ttft;
  return r;
}

const stream = run(
  [
    m('ai-chat-stream', 'direct', 40_000, 1000),
    m('ai-chat-stream', 'gatehouse', 12_000, 3000),
    m('ai-chat-stream', 'portkey', 1_000, 90_000),
    m('ai-chat-stream', 'direct', 500, 2000, 'fraction'),
    m('ai-chat-stream', 'gatehouse', 500, 2600, 'fraction'),
    m('ai-chat-stream', 'portkey', 500, 60_000, 'fraction'),
  ],
  [probe('ai-chat-stream', 'direct', 21_000, 22_000), probe('ai-chat-stream', 'gatehouse', 21_300, 23_500), probe('ai-chat-stream', 'portkey', 47_000, 52_000)],
);

describe('AI bench report', () => {
  it('adds a ratio vs portkey column only when Portkey was measured', () => {
    expect(maxLoadHeader(stream).at(-1)).toBe('ratio vs portkey');
    const gw = maxLoadRows(stream).find((r) => r[1] === 'gatehouse');
    expect(gw?.at(-1)).toBe('12.00');
    const plain = run([m('small-get', 'direct', 1000, 100), m('small-get', 'gatehouse', 800, 200)]);
    expect(maxLoadHeader(plain)).not.toContain('ratio vs portkey');
    expect(maxLoadRows(plain)[0]).toHaveLength(maxLoadHeader(plain).length);
  });

  it('reports what each proxy adds to the time to first token', () => {
    const rows = ttftRows(stream);
    expect(rows.map((r) => r[1])).toEqual(['direct', 'gatehouse', 'portkey']);
    expect(rows[0]?.slice(8)).toEqual(['-', '-']);
    expect(rows[1]?.slice(8)).toEqual(['+300us', '+1.50ms']);
    expect(rows[2]?.slice(8)).toEqual(['+26.00ms', '+30.00ms']);
  });

  it('checks the AI goals: 3x Portkey, added p99 and TTFT overhead under 1 ms', () => {
    expect(aiTargetRows(stream)).toEqual([
      ['ai-chat-stream', 'throughput >= 3x portkey', '12.00x', 'met'],
      ['ai-chat-stream', 'added p99 at fixed rate < 1.00ms', '+600us', 'met'],
      ['ai-chat-stream', 'TTFT added p99 < 1.00ms', '+1.50ms', 'MISSED'],
    ]);
    const broken = run(stream.measurements, [probe('ai-chat-stream', 'direct', 21_000, 22_000), probe('ai-chat-stream', 'gatehouse', Number.NaN, Number.NaN, 200)]);
    expect(aiTargetRows(broken).at(-1)).toEqual(['ai-chat-stream', 'TTFT added p99 < 1.00ms', '- (200 probe errors)', 'MISSED']);
    // Scenarios that are not AI ones get no goals.
    expect(aiTargetRows(run([m('small-get', 'direct', 1000, 100), m('small-get', 'gatehouse', 800, 200)]))).toEqual([]);
  });

  it('prints the probe and goals tables in text and markdown', () => {
    expect(formatText(stream)).toContain('AI targets:');
    expect(formatText(stream)).toContain('low-load probe');
    const md = formatMarkdown(stream);
    expect(md).toContain('## Low-load probe: time to first token / to the answer');
    expect(md).toContain('## AI targets');
  });
});

describe('AI targets config', () => {
  it('gatehouse: two ai-proxy routes on the mock, the probe route on its delayed path', () => {
    const config = parse(gatehouseAiConfig(4321, 'gpt-4o-mini')) as { routes: { name: string; paths: string[]; plugins: { name: string; config: { route_type: string; model: { provider: string; name: string; options: { upstream_url: string } } } }[] }[] };
    expect(config.routes.map((r) => [r.name, r.paths[0], r.plugins[0]?.config.model.options.upstream_url])).toEqual([
      ['chat', '/v1/chat/completions', 'http://127.0.0.1:4321'],
      ['ttft', '/ttft/v1/chat/completions', 'http://127.0.0.1:4321/ttft/v1/chat/completions'],
    ]);
    for (const r of config.routes) expect(r.plugins[0]).toMatchObject({ name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o-mini' } } });
  });

  it('portkey: routed to the mock by its provider and custom-host headers', () => {
    expect(portkeyHeaders('http://127.0.0.1:4321/v1')).toMatchObject({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': 'http://127.0.0.1:4321/v1' });
  });
});
