/**
 * Per-worker traffic metrics, recorded once per finished request and shipped to the
 * supervisor on demand (a scrape of the admin `/metrics`).
 *
 *   requests   count per (service, route, status code)
 *   latency    hdr histograms per (service, route): total request, upstream (time to the
 *              upstream's first byte), gateway (time spent before dispatch) — microseconds
 *   bandwidth  bytes per (service, route, direction ingress|egress)
 *
 * Label sets are interned once into a Series object, so recording is a Map look-up and a
 * few increments. Snapshots are cumulative since the worker started: the supervisor keeps
 * the last snapshot of a worker that dies so totals never go backwards.
 */
import hdr from 'hdr-histogram-js';
import type { RequestContext } from '../worker/context.js';
import type { MetricSnapshot as WasmMetricSnapshot, WasmMetrics } from '../wasm/metrics.js';

/** 1 µs .. 1 h, 2 significant digits: bucket boundaries are placed within 1%. */
const HIST_LOWEST = 1;
const HIST_HIGHEST = 3_600_000_000;
const HIST_DIGITS = 2;

export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: HIST_LOWEST,
    highestTrackableValue: HIST_HIGHEST,
    numberOfSignificantValueDigits: HIST_DIGITS,
    bitBucketSize: 'packed',
    useWebAssembly: false,
  });
}

class Series {
  readonly service: string;
  readonly route: string;
  readonly codes = new Map<number, number>();
  readonly total = newLatencyHistogram();
  readonly upstream = newLatencyHistogram();
  readonly kong = newLatencyHistogram();
  ingress = 0;
  egress = 0;
  constructor(service: string, route: string) {
    this.service = service;
    this.route = route;
  }
}

export interface SeriesSnapshot {
  service: string;
  route: string;
  /** [status, count] pairs. */
  codes: [number, number][];
  /** hdr compressed base64 encodings (µs). */
  total: string;
  upstream: string;
  kong: string;
  ingress: number;
  egress: number;
}

export interface MetricsSnapshot {
  series: SeriesSnapshot[];
  /** Metrics WASM guests defined (proxy_define_metric), and host-counted filter faults. */
  wasm: WasmMetricSnapshot[];
  wasmFaults: [string, string, number][];
}

function clampMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us > HIST_HIGHEST ? HIST_HIGHEST : us;
}

export class WorkerMetrics {
  readonly #series = new Map<string, Series>();

  record(ctx: RequestContext, now: number): void {
    const service = ctx.service === null ? '' : ctx.service.config.name;
    const route = ctx.route === null ? '' : ctx.route.name;
    const key = `${service}\u0000${route}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new Series(service, route);
      this.#series.set(key, series);
    }
    series.codes.set(ctx.status, (series.codes.get(ctx.status) ?? 0) + 1);
    series.total.recordValue(clampMicros(now - ctx.startTime));
    if (ctx.upstreamStart > 0) {
      series.kong.recordValue(clampMicros(ctx.upstreamStart - ctx.startTime));
      if (ctx.upstreamFirstByte > 0) series.upstream.recordValue(clampMicros(ctx.upstreamFirstByte - ctx.upstreamStart));
    }
    series.ingress += ctx.bytesIn;
    series.egress += ctx.bytesOut;
  }

  snapshot(wasm: WasmMetrics | null): MetricsSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const s of this.#series.values()) {
      series.push({
        service: s.service,
        route: s.route,
        codes: [...s.codes],
        total: hdr.encodeIntoCompressedBase64(s.total),
        upstream: hdr.encodeIntoCompressedBase64(s.upstream),
        kong: hdr.encodeIntoCompressedBase64(s.kong),
        ingress: s.ingress,
        egress: s.egress,
      });
    }
    return { series, wasm: wasm === null ? [] : wasm.snapshot(), wasmFaults: wasm === null ? [] : wasm.faults() };
  }
}
