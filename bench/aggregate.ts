/** Folds the rounds of one target into one Measurement. */
import { latencyOf, mergeHistograms } from './histogram.js';
import {
  type DriverName,
  type Latency,
  type LoadMode,
  type Measurement,
  PERCENTILE_SOURCES,
  type RunSample,
  type TargetName,
} from './results.js';

export interface MeasurementKey {
  scenario: string;
  target: TargetName;
  driver: DriverName;
  mode: LoadMode;
  offeredRps: number | null;
}

/** No successful response, so no latency: shown as "-" rather than a flattering 0. */
const NO_LATENCY: Latency = { p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, p999: Number.NaN, max: Number.NaN };

function meanLatency(samples: readonly RunSample[]): Latency {
  const mean = (pick: (l: Latency) => number): number =>
    samples.reduce((sum, s) => sum + pick(s.latency), 0) / samples.length;
  return {
    p50: mean((l) => l.p50),
    p90: mean((l) => l.p90),
    p99: mean((l) => l.p99),
    p999: mean((l) => l.p999),
    max: Math.max(...samples.map((s) => s.latency.max)),
  };
}

/**
 * Throughput is total requests over total time. Percentiles come from the merged raw
 * histograms when every round has one; otherwise (wrk) they are the mean of the
 * driver's per-round percentiles, and the measurement says so.
 */
export function aggregate(key: MeasurementKey, samples: readonly RunSample[]): Measurement {
  if (samples.length === 0) throw new Error(`no samples for ${key.scenario}/${key.target}`);
  const seconds = samples.reduce((sum, s) => sum + s.durationS, 0);
  const encoded = samples.map((s) => s.histogram).filter((h): h is string => h !== null);
  const merged = encoded.length === samples.length ? mergeHistograms(encoded) : null;
  return {
    ...key,
    rounds: samples.length,
    requests: samples.reduce((sum, s) => sum + s.requests, 0),
    rps: samples.reduce((sum, s) => sum + s.requests, 0) / seconds,
    bytesPerSec: samples.reduce((sum, s) => sum + s.bytesPerSec * s.durationS, 0) / seconds,
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
    // wrk prints 0 percentiles for a run without a single response: that is no latency, not 0.
    latency: samples.every((s) => s.requests === 0) ? NO_LATENCY : merged === null ? meanLatency(samples) : merged.totalCount === 0 ? NO_LATENCY : latencyOf(merged),
    percentileSource: merged === null ? PERCENTILE_SOURCES.driver : PERCENTILE_SOURCES.hdr,
    roundRps: samples.map((s) => s.rps),
    ...(samples.every((s) => s.cpuUsPerRequest !== undefined) ? { roundCpuUs: samples.map((s) => s.cpuUsPerRequest ?? 0) } : {}),
  };
}

/**
 * The slowest healthy target's max rps (some answers, errors under 1%): a broken target —
 * one that answered nothing at all included — must not set the pace.
 */
export function pacingBase(max: readonly Measurement[]): number {
  const healthy = max.filter((m) => m.requests > 0 && m.errors + m.non2xx <= 0.01 * m.requests);
  return Math.min(...(healthy.length > 0 ? healthy : max).map((m) => m.rps));
}
