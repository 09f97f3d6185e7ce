import { describe, expect, it } from 'vitest';
import hdr from 'hdr-histogram-js';
import { bucketCounts, renderPrometheus, LATENCY_BUCKETS_MS } from '../../../core/observe/prometheus.js';
import { newLatencyHistogram, type MetricsSnapshot } from '../../../core/observe/metrics.js';

function snapshot(service: string, route: string, latenciesMs: number[], codes: [number, number][], bytes: [number, number]): MetricsSnapshot {
  const total = newLatencyHistogram();
  for (const ms of latenciesMs) total.recordValue(Math.round(ms * 1000));
  const enc = hdr.encodeIntoCompressedBase64(total);
  return { series: [{ service, route, codes, total: enc, upstream: enc, kong: enc, ingress: bytes[0], egress: bytes[1] }], wasm: [], wasmFaults: [] };
}

const facts = { workers: 2, workersAlive: 2, workersUnresponsive: 0, workerRestarts: 1, configReloads: 3, configVersion: 4, targets: [] };

describe('prometheus exposition', () => {
  it('counts each latency in the first bucket at or above it (cumulative)', () => {
    const h = newLatencyHistogram();
    for (const ms of [0.5, 1.5, 3, 80, 2500]) h.recordValue(Math.round(ms * 1000));
    const counts = bucketCounts(h, LATENCY_BUCKETS_MS);
    const at = (le: number): number => counts[LATENCY_BUCKETS_MS.indexOf(le)] ?? -1;
    expect(at(1)).toBe(1);
    expect(at(2)).toBe(2);
    expect(at(5)).toBe(3);
    expect(at(70)).toBe(3);
    expect(at(80)).toBe(4);
    expect(at(2000)).toBe(4);
    expect(at(5000)).toBe(5);
    expect(at(60000)).toBe(5);
  });

  it('merges workers: requests, histograms and bandwidth are summed per service/route', async () => {
    const text = await renderPrometheus(
      [snapshot('api', 'r1', [3, 4], [[200, 2]], [10, 100]), snapshot('api', 'r1', [30], [[200, 1], [502, 4]], [5, 50])],
      facts,
    );
    expect(text).toContain('kong_http_requests_total{service="api",route="r1",code="200",source="service",workspace="default",consumer=""} 3');
    expect(text).toContain('kong_http_requests_total{service="api",route="r1",code="502",source="service",workspace="default",consumer=""} 4');
    expect(text).toContain('kong_request_latency_ms_bucket{service="api",route="r1",workspace="default",le="5"} 2');
    expect(text).toContain('kong_request_latency_ms_bucket{service="api",route="r1",workspace="default",le="+Inf"} 3');
    expect(text).toContain('kong_request_latency_ms_count{service="api",route="r1",workspace="default"} 3');
    expect(text).toContain('kong_bandwidth_bytes{service="api",route="r1",direction="egress",workspace="default",consumer=""} 150');
    expect(text).toContain('gatehouse_worker_restarts_total 1');
    expect(text).toMatch(/# TYPE kong_request_latency_ms histogram/);
  });

  it('sums WASM guest metrics and filter faults over workers', async () => {
    const w = (value: number, faults: number): MetricsSnapshot => ({
      series: [],
      wasm: [{ name: 'example_headers_requests_total', type: 'counter', value, count: 0, sum: 0 }],
      wasmFaults: [['loop', 'fuel', faults]],
    });
    const text = await renderPrometheus([w(3, 1), w(4, 2)], facts);
    expect(text).toContain('example_headers_requests_total 7');
    expect(text).toContain('gatehouse_wasm_faults_total{filter="loop",kind="fuel"} 3');
  });

  it('sums the access-log lines the workers dropped (0 when none did, or for snapshots without the field)', async () => {
    const base = snapshot('api', 'r1', [1], [[200, 1]], [1, 1]);
    expect(await renderPrometheus([base], facts)).toContain('gatehouse_access_log_dropped_total 0');
    const text = await renderPrometheus([{ ...base, accessLogDropped: 7 }, { ...base, accessLogDropped: 5 }, base], facts);
    expect(text).toContain('# TYPE gatehouse_access_log_dropped_total counter');
    expect(text).toContain('gatehouse_access_log_dropped_total 12');
  });
});

describe('prometheus exposition: plugin-driven series', () => {
  const enc = (): string => hdr.encodeIntoCompressedBase64(newLatencyHistogram());
  it('labels consumers, splits codes by source, omits bandwidth a series does not count, sums plugin failures', async () => {
    const snap: MetricsSnapshot = {
      series: [{ service: 'api', route: 'r1', consumer: 'alice', codes: [[200, 2]], kongCodes: [[401, 1]], bandwidth: false, total: enc(), upstream: enc(), kong: enc(), ingress: 0, egress: 0 }],
      wasm: [],
      wasmFaults: [],
      pluginFailures: [['http-log', 'send_failed', 2]],
    };
    const text = await renderPrometheus([snap, { series: [], wasm: [], wasmFaults: [], pluginFailures: [['http-log', 'send_failed', 3]] }], { ...facts, upstreamHealth: false, targets: [{ upstream: 'u', target: 't:1', address: 't:1', state: 'healthy' }] });
    expect(text).toContain('kong_http_requests_total{service="api",route="r1",code="200",source="service",workspace="default",consumer="alice"} 2');
    expect(text).toContain('kong_http_requests_total{service="api",route="r1",code="401",source="kong",workspace="default",consumer="alice"} 1');
    expect(text).not.toContain('kong_bandwidth_bytes{');
    expect(text).not.toContain('kong_upstream_target_health{');
    expect(text).toContain('gatehouse_plugin_failures_total{plugin="http-log",kind="send_failed"} 5');
  });
});
