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
import type { CompiledPlugins } from '../plugins/types.js';

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
  /** Target entity id, or null for a service's implicit host:port target. */
  id: string | null;
  /** `host:port` as Kong shows it (the admin `target` field). */
  target: string;
  host: string;
  port: number;
  weight: number;
  /**
   * Slot in the shared upstream state (core/shared/upstream-state.ts): health flags,
   * passive counters, in-flight count, latency EWMA. -1 = no shared state (implicit
   * targets: always healthy, never counted). Keyed by `slotKey` so a reload keeps the
   * state of unchanged targets (core/proxy/health/table.ts TargetSlots.assign).
   */
  slot: number;
  /** `<upstream name>|<host>:<port>`: the identity the slot is kept under across reloads. */
  slotKey: string;
  /** `http://host:port` (or https), the undici pool key. */
  origin: string;
  /** Host header sent upstream unless the route preserves the client's host (Kong's upstream_host). */
  hostHeader: string;
}

/** What consistent hashing hashes on (Kong's `hash_on` / `hash_fallback` values). */
export type HashOnKind = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture';

export interface CompiledHashing {
  on: HashOnKind;
  /** Lower-case header name, cookie name, query argument or capture name for `on`; '' when unused. */
  onName: string;
  fallback: HashOnKind;
  fallbackName: string;
  /** Path attribute of the cookie minted when the hash cookie is absent. */
  cookiePath: string;
}

/** Kong's `healthchecks.active`, resolved: seconds -> ms, 0 thresholds/intervals = disabled. */
export interface CompiledActiveChecks {
  type: 'http' | 'https' | 'tcp' | 'grpc' | 'grpcs';
  timeoutMs: number;
  concurrency: number;
  httpPath: string;
  httpsSni: string | null;
  httpsVerifyCertificate: boolean;
  /** Flat [name, value, name, value, …] probe headers. */
  headers: string[];
  healthyIntervalMs: number;
  healthyStatuses: number[];
  healthySuccesses: number;
  unhealthyIntervalMs: number;
  unhealthyStatuses: number[];
  unhealthyTcpFailures: number;
  unhealthyTimeouts: number;
  unhealthyHttpFailures: number;
}

/** Kong's `healthchecks.passive`, resolved; 0 thresholds = that counter is off. */
export interface CompiledPassiveChecks {
  healthyStatuses: number[];
  healthySuccesses: number;
  unhealthyStatuses: number[];
  unhealthyTcpFailures: number;
  unhealthyTimeouts: number;
  unhealthyHttpFailures: number;
}

export interface CompiledHealthchecks {
  /** null = no active probing (both intervals 0). */
  active: CompiledActiveChecks | null;
  /** null = passive checks off (every unhealthy threshold 0 and healthy successes 0). */
  passive: CompiledPassiveChecks | null;
  /** Kong's `threshold`: minimum healthy weight percentage for the upstream to take traffic. */
  threshold: number;
}

export interface CompiledUpstream {
  /** Upstream entity id, or null for a service's implicit upstream. */
  id: string | null;
  name: string;
  /** 'round-robin' | 'least-connections' | 'consistent-hashing' | 'latency'. */
  algorithm: string;
  /** Ring size for consistent-hashing (Kong's `slots`). */
  slots: number;
  hashing: CompiledHashing;
  /** null = health checks off ("HEALTHCHECKS_OFF"): targets are always healthy. */
  healthchecks: CompiledHealthchecks | null;
  /** false for an upstream entity no service uses: compiled for health checks only. */
  referenced: boolean;
  targets: CompiledTarget[];
  /**
   * Smooth weighted round-robin schedule: a sequence of target indexes whose counts are
   * proportional to the weights (reduced by their gcd). Walked with one integer cursor.
   */
  schedule: number[];
}

/** A prepared (validated, fuel-instrumented, memory-capped) guest module. */
export interface CompiledWasmModule {
  /** Content hash of original bytes + caps: the per-thread compile-cache key. */
  hash: string;
  bytes: Uint8Array;
  abiVersion: string;
}

export interface CompiledFilter {
  /** Filter name (file name without `.wasm`). */
  name: string;
  /** Index into CompiledWasm.modules. */
  module: number;
  /** Plugin configuration handed to proxy_on_configure ('' = none). */
  config: string;
  onError: 'fail_closed' | 'fail_open';
}

export interface CompiledWasm {
  modules: CompiledWasmModule[];
  filters: CompiledFilter[];
}

/** A PEM certificate (chain) and its private key. */
export interface CompiledPemPair {
  cert: string;
  key: string;
}

/**
 * What the HTTPS listener serves (Kong's `certificates` + `snis`). Names are lower-case,
 * exact or with one wildcard label (`*.example.com`, `example.*`), matched as Kong does:
 * exact first, then the leading wildcard, then the trailing one.
 */
export interface CompiledTlsListener {
  /** Distinct certificate/key pairs, in config order. */
  certificates: CompiledPemPair[];
  snis: { name: string; certificate: number }[];
  /**
   * Index into `certificates` served to clients without SNI or with an unknown name,
   * unless the process has its own default (`--ssl-cert`, Kong's ssl_cert).
   */
  defaultCertificate: number;
  /** sha256 of the above: a worker rebuilds its TLS context only when this changes. */
  hash: string;
}

/** TLS towards one `https` service's upstream (Kong's tls_verify, tls_verify_depth, ca_certificates, client_certificate). */
export interface CompiledUpstreamTls {
  verify: boolean;
  /** Most CA certificates allowed above the peer's (trust anchor excluded); -1 = no limit. */
  verifyDepth: number;
  /** Trusted CAs (PEM), or null for the system store. */
  ca: string[] | null;
  /** Presented to the upstream (mTLS), or null. */
  clientCertificate: CompiledPemPair | null;
  /** Short digest of the above: part of the undici pool key. */
  key: string;
}

export interface CompiledTls {
  /** null = the config has no certificate bound to an SNI. */
  listener: CompiledTlsListener | null;
  /** Indexed like CompiledConfig.services; null for `http` services. */
  services: (CompiledUpstreamTls | null)[];
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
  wasm: CompiledWasm;
  tls: CompiledTls;
  /** Consumers, plugin instances and each route's chain (core/plugins/types.ts). */
  plugins: CompiledPlugins;
}
