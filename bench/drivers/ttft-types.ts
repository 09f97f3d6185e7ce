/** What the runner asks the time-to-first-token probe to do, and what it reports. */
import type { Latency } from '../results.js';

export interface TtftJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Streamed calls: time to the first bytes containing `data:`; otherwise to the first body bytes. */
  sse: boolean;
  /** Measured probes (after `warmup` unmeasured ones). */
  requests: number;
  warmup: number;
  /** Probes in flight at once (1 = sequential). */
  concurrency: number;
}

export interface TtftSample {
  requests: number;
  errors: number;
  /** Microseconds. */
  latency: Latency;
  /** hdr-histogram-js compressed base64, merged across rounds by the runner. */
  histogram: string;
}
