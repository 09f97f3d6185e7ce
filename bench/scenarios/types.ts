import type { BenchFilter, BenchPlugin } from '../targets/gatehouse-config.js';

/**
 * An AI scenario: the upstream is the mock OpenAI provider (upstreams/fast-llm.ts), the
 * gateway serves it through an ai-proxy route, and the competitor is Portkey's gateway
 * instead of nginx (a plain reverse proxy has nothing to compare on an LLM call).
 */
export interface AiScenario {
  /** `stream: true` requests; also turns on the time-to-first-token probe. */
  readonly stream: boolean;
  /** Reply words = stream token frames. */
  readonly tokens: number;
}

/**
 * One variant of a filter-cost scenario: a route of its own (`/<name>`) with `filters`
 * and/or Kong `plugins` on it, in the same gatehouse process as the baseline route (`/none`, with the scenario's
 * own `filters`, none for wasm-cost), measured as target `gatehouse+<name>` in the same
 * interleaved rounds as the baseline (`gatehouse`). The report states its cost against it.
 */
export interface GatewayVariant {
  /** Target suffix and route: non-empty, unique within the scenario, not `none` (the baseline's route). */
  readonly name: string;
  readonly filters?: readonly BenchFilter[];
  /** Kong plugins on the variant's route. */
  readonly plugins?: readonly BenchPlugin[];
  /**
   * Measure this target with the gateway's access log on (to the scenario's `accessLogTo`)
   * and every other target with it off: the process is started with the access log and
   * the debug endpoints, and the runner switches the log before each target's run
   * (POST /debug/access-log), so the log is the only difference between the targets.
   */
  readonly accessLog?: boolean;
  /** The goal: at most this % of the baseline's throughput lost (no verdict when absent). */
  readonly maxCostPct?: number;
}

/** One macro-benchmark scenario: a single request shape driven at one target. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query sent to every target (the gateway routes `/` to the echo upstream). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Default concurrent connections (overridden by --connections). */
  readonly connections: number;
  /** Default measured seconds per round (overridden by --duration). */
  readonly duration: number;
  /** WASM filters the gateway target runs on its route (none when absent). */
  readonly filters?: readonly BenchFilter[];
  /**
   * Gateway variants measured next to the plain gatehouse (filter-cost scenarios). With
   * variants, nginx is skipped: it runs no WASM filter, so it has nothing to compare.
   */
  readonly variants?: readonly GatewayVariant[];
  /** Consumers in the gateway's config (for variants with auth plugins). */
  readonly consumers?: readonly Readonly<Record<string, unknown>>[];
  /**
   * Where the gateway writes its access log when a variant has `accessLog`: `file` (a file
   * in the run's temp dir, default) or `stdout` (a pipe the runner reads and discards).
   */
  readonly accessLogTo?: 'file' | 'stdout';
  /** Present for the AI scenarios (mock LLM upstream, Portkey as the competitor). */
  readonly ai?: AiScenario;
}
