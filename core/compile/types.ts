/**
 * CompiledConfig: the main -> worker contract (stage 2 output, stage 3 payload).
 *
 * Plain data only: no functions, classes, Maps or RegExp objects, because it crosses
 * threads as msgpackr bytes. Workers materialize it into live objects (regexes, pools,
 * balancers) once per version in worker/runtime.ts. Everything a request needs that can
 * be derived from config is derived here, so the hot path never re-derives it.
 */
import type { RouterTable } from '../router/table.js';
import type { PathHandling, Protocol } from '../config/types.js';

export interface CompiledRoute {
  id: string;
  /** Name for logs and headers: route name, else id. */
  name: string;
  /** Index into CompiledConfig.services, or -1 (Kong answers 503 "no Service found"). */
  service: number;
  protocols: Protocol[];
  stripPath: boolean;
  preserveHost: boolean;
  pathHandling: PathHandling;
  httpsRedirectStatusCode: number;
}

export interface CompiledService {
  id: string;
  name: string;
  protocol: Protocol;
  /** Upstream path prefix or null. */
  path: string | null;
  retries: number;
  connectTimeout: number;
  writeTimeout: number;
  readTimeout: number;
  /** Index into CompiledConfig.upstreams (a bare host:port service gets an implicit upstream). */
  upstream: number;
}

export interface CompiledTarget {
  host: string;
  port: number;
  weight: number;
  /** `http://host:port` (or https), the undici pool key. */
  origin: string;
  /** Host header sent upstream unless the route preserves the client's host (Kong's upstream_host). */
  hostHeader: string;
}

export interface CompiledUpstream {
  name: string;
  algorithm: string;
  targets: CompiledTarget[];
  /**
   * Smooth weighted round-robin schedule: a sequence of target indexes whose counts are
   * proportional to the weights (reduced by their gcd). Walked with one integer cursor.
   */
  schedule: number[];
}

export interface CompiledConfig {
  /** Monotonic per supervisor; the SAB version slot carries the same number. */
  version: number;
  /** sha256 of the normalized config, hex (Kong's configuration hash). */
  hash: string;
  router: RouterTable;
  routes: CompiledRoute[];
  services: CompiledService[];
  upstreams: CompiledUpstream[];
}
