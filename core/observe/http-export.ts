/**
 * HTTP delivery for log and trace exporters (http-log, opentelemetry): undici Pools per
 * destination and timeouts, per worker, shared by every instance and config version;
 * an idle pool holds no socket (keep-alive closes them), so pools are never torn down.
 */
import { Pool } from 'undici';

export interface ExportTarget {
  /** `http(s)://host:port`. */
  readonly origin: string;
  readonly connectTimeoutMs: number;
  /** Waiting for the answer's head and body. */
  readonly readTimeoutMs: number;
  /** Whole request (connect, send, read). */
  readonly totalTimeoutMs: number;
  readonly keepaliveMs: number;
  /** Requests in flight at once (the queue's concurrency_limit: 1, or many). */
  readonly connections: number;
}

export interface ExportRequest {
  readonly path: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Flat `[name, value, …]`. */
  readonly headers: readonly string[];
  readonly body: string | Uint8Array;
}

/** A target whose connections follow the queue's concurrency_limit (1: one; -1: up to 16). */
export function exportTarget(origin: string, timeouts: { connectMs: number; readMs: number; totalMs: number }, keepaliveMs: number, concurrencyLimit: number): ExportTarget {
  return {
    origin,
    connectTimeoutMs: timeouts.connectMs,
    readTimeoutMs: timeouts.readMs,
    totalTimeoutMs: timeouts.totalMs,
    keepaliveMs,
    connections: concurrencyLimit === 1 ? 1 : 16,
  };
}

const pools = new Map<string, Pool>();

function poolFor(t: ExportTarget): Pool {
  const key = `${t.origin}|${t.connectTimeoutMs}|${t.readTimeoutMs}|${t.keepaliveMs}|${t.connections}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new Pool(t.origin, {
      connections: t.connections,
      keepAliveTimeout: Math.max(1, t.keepaliveMs),
      keepAliveMaxTimeout: Math.max(1, t.keepaliveMs),
      headersTimeout: t.readTimeoutMs,
      bodyTimeout: t.readTimeoutMs,
      // Kong's exporters send with ssl_verify = false.
      connect: { timeout: t.connectTimeoutMs, rejectUnauthorized: false },
    });
    pools.set(key, pool);
  }
  return pool;
}

/** What a failing server answered, cut short for the warning. */
const BODY_IN_ERROR = 200;

/**
 * Sends one request; resolves when `accepted(status)`, rejects otherwise (with the server's
 * status and the start of its body, or the connection error), so the queue retries it.
 */
export async function exportBatch(t: ExportTarget, req: ExportRequest, accepted: (status: number) => boolean): Promise<void> {
  const where = t.origin.replace(/^https?:\/\//, '');
  let res;
  try {
    res = await poolFor(t).request({ path: req.path, method: req.method, headers: [...req.headers], body: req.body, signal: AbortSignal.timeout(t.totalTimeoutMs) });
  } catch (err) {
    throw new Error(`failed request to ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (accepted(res.statusCode)) {
    await res.body.dump();
    return;
  }
  const text = (await res.body.text().catch(() => '')).slice(0, BODY_IN_ERROR);
  throw new Error(`request to ${where} returned status code ${res.statusCode} and body ${text}`);
}
