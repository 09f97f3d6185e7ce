import type { MetricsSnapshot } from '../observe/metrics.js';

/**
 * The supervisor -> worker contract: what a worker thread is started with and the
 * messages that cross between them. Plain data (structured-clone safe).
 */

export interface WorkerLimits {
  maxHeaderBytes: number;
  maxUrlLength: number;
  /** 0 = unlimited. */
  maxBodyBytes: number;
}

/** The HTTPS listener (Kong's proxy_listen `ssl`): where, and the process default certificate. */
export interface WorkerTlsSettings {
  host: string;
  /** A concrete port: every worker binds the same one (SO_REUSEPORT). */
  port: number;
  /** `--ssl-cert`/`--ssl-cert-key` contents (Kong's ssl_cert), or null. */
  defaultCertificate: { cert: string; key: string } | null;
}

export interface WorkerSettings {
  index: number;
  proxyHost: string;
  proxyPort: number;
  /** Absent = no HTTPS listener, whatever the config holds. */
  tls?: WorkerTlsSettings;
  limits: WorkerLimits;
  logLevel: string;
  /** `stdout`, `off`, or a file path. */
  accessLog: string;
  /** What reads plain-HTTP connections (core/config/settings.ts HTTP_FRONTS); absent = strict. */
  httpFront?: 'strict' | 'uws';
}

export interface WorkerData {
  settings: WorkerSettings;
  control: SharedArrayBuffer;
  snapshot: SharedArrayBuffer;
  /** proxy-wasm shared data table (core/shared/kv.ts), one for all workers. */
  kv: SharedArrayBuffer;
  /** Target health / in-flight / latency table (core/shared/upstream-state.ts). */
  upstreamState: SharedArrayBuffer;
  /** ai-rate-limiting-advanced token counters (core/shared/token-counters.ts), one for all workers. */
  tokenCounters: SharedArrayBuffer;
}

/** Supervisor -> worker. */
export type ToWorker =
  | { type: 'snapshot'; snapshot: SharedArrayBuffer }
  | { type: 'drain'; timeoutMs: number }
  | { type: 'metrics'; id: number }
  | { type: 'ping'; seq: number }
  /** Debug-only chaos hook (GATEHOUSE_DEBUG_ENDPOINTS=1): throw an uncaught exception. */
  | { type: 'crash' }
  /** Debug-only: block this worker's event loop for `ms` (heartbeat tests). */
  | { type: 'stall'; ms: number }
  /** Debug-only: switch a configured access log off or on again (the bench's log-cost scenario). */
  | { type: 'access-log'; on: boolean };

/** Worker -> supervisor. */
export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'listen-failed'; message: string }
  | { type: 'applied'; version: number }
  | { type: 'apply-failed'; version: number; message: string }
  | { type: 'drained' }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot }
  | { type: 'pong'; seq: number };
