/** The shape of one bench run, as written to bench/results/<timestamp>.json. */

/**
 * `portkey` is Portkey's AI gateway, the competitor of the AI scenarios (nginx is for the
 * others). `gatehouse-uws` is the gateway with `--http-front uws` (`--uws`): the same
 * gateway on the uWebSockets.js front instead of the default strict front.
 */
export const TARGETS = ['direct', 'gatehouse', 'gatehouse-uws', 'nginx', 'portkey'] as const;
/** `gatehouse+<variant>`: a gateway variant of a filter-cost scenario (scenarios/types.ts GatewayVariant). */
export type TargetName = (typeof TARGETS)[number] | `gatehouse+${string}`;

export const DRIVERS = ['autocannon', 'wrk'] as const;
export type DriverName = (typeof DRIVERS)[number];

/** `max`: as fast as the target goes. `fraction`: a fixed offered rate below that. */
export const LOAD_MODES = { max: 'max', fraction: 'fraction' } as const;
export type LoadMode = (typeof LOAD_MODES)[keyof typeof LOAD_MODES];

/** Where the percentiles came from: merged raw hdr histograms, or the driver's own figures. */
export const PERCENTILE_SOURCES = { hdr: 'hdr-merged', driver: 'driver-reported' } as const;
export type PercentileSource = (typeof PERCENTILE_SOURCES)[keyof typeof PERCENTILE_SOURCES];

export interface Latency {
  /** Microseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** One driver run against one target (one round). */
export interface RunSample {
  requests: number;
  durationS: number;
  rps: number;
  bytesPerSec: number;
  errors: number;
  non2xx: number;
  latency: Latency;
  /** hdr-histogram-js compressed base64 of latencies in µs, when the driver exposes raw values. */
  histogram: string | null;
  /**
   * CPU time the target's process used per response in this run (µs; all its threads),
   * when the bench knows the process (gatehouse targets on Linux).
   */
  cpuUsPerRequest?: number;
}

export interface Measurement {
  scenario: string;
  target: TargetName;
  driver: DriverName;
  mode: LoadMode;
  /** Offered rate in req/s for `fraction` mode, null for `max`. */
  offeredRps: number | null;
  rounds: number;
  /** Responses received over all rounds. */
  requests: number;
  rps: number;
  bytesPerSec: number;
  errors: number;
  non2xx: number;
  latency: Latency;
  percentileSource: PercentileSource;
  /** Each round's rps, to show the spread. */
  roundRps: number[];
  /** Each round's CPU µs per response of the target's process, when measured (see RunSample). */
  roundCpuUs?: number[];
}

export interface SkippedTarget {
  scenario: string;
  target: TargetName;
  reason: string;
}

/**
 * The low-load probe of one target (AI scenarios): request written to the first SSE
 * `data:` bytes read (streamed: time to first token) or to the first body bytes (not
 * streamed: the answer's latency), against the mock's delayed path.
 */
export interface TtftMeasurement {
  scenario: string;
  target: TargetName;
  /** The mock's own time to first token on the probe path, ms. */
  mockTtftMs: number;
  /** Concurrent probe requests (1 = sequential). */
  concurrency: number;
  /** Probes that got a first chunk. */
  requests: number;
  errors: number;
  /** Microseconds, from an hdr histogram of every probe. */
  latency: Latency;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  commandLine: string;
  pinning: string;
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  machine: MachineInfo;
  options: {
    scenarios: string[];
    durationS: number | null;
    connections: number | null;
    workers: number;
    driver: DriverName;
    rounds: number;
    loadFraction: number;
    warmupS: number;
  };
  measurements: Measurement[];
  /** AI scenarios only; absent in runs without one. */
  ttft?: TtftMeasurement[];
  skipped: SkippedTarget[];
}
