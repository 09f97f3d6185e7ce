/**
 * Latency histograms in microseconds (hdr-histogram-js), shared by the autocannon child
 * and the runner: the child records and encodes, the runner decodes and merges rounds so
 * p99 of a run is the p99 of all its requests, not an average of per-round p99s.
 */
import * as hdr from 'hdr-histogram-js';
import type { Latency } from './results.js';

/** 60 s in µs: anything slower is clamped (and would be a failed run anyway). */
const HIGHEST_US = 60_000_000;

export type LatencyHistogram = hdr.Histogram;

export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

/** Records one latency in µs (float accepted, clamped to the trackable range). */
export function recordLatency(h: LatencyHistogram, micros: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(micros))));
}

export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes and adds every encoded histogram; null when there is none. */
export function mergeHistograms(encoded: readonly string[]): LatencyHistogram | null {
  if (encoded.length === 0) return null;
  const total = createLatencyHistogram();
  for (const text of encoded) total.add(hdr.decodeFromCompressedBase64(text));
  return total;
}

export function latencyOf(h: LatencyHistogram): Latency {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}
