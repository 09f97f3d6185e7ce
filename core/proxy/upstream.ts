/**
 * Upstream pools per origin, kept across config versions so a reload does not throw away
 * warm keep-alive connections. A pool is keyed by origin, connect timeout and, for
 * `https` services, the TLS settings' digest (the connect timeout and TLS options are
 * per pool; read and write timeouts are set per request).
 *
 * The proxy path (acquireProxyPool) uses the HTTP/1.1 pool of core/proxy/http1/ for
 * `http` origins and an undici Pool for `https` ones; both are an UpstreamPool. The AI
 * providers (acquirePool) keep undici. The kinds never share a pool: an h1 key has its
 * own prefix.
 */
import { Pool } from 'undici';
import type { CompiledUpstreamTls } from '../compile/types.js';
import { tlsConnector } from '../tls/upstream-connect.js';
import { H1Pool } from './http1/pool.js';
import type { UpstreamPool } from './upstream-pool.js';

/** Upper bound of connections per origin per worker (Kong's upstream keepalive pool is 60 idle). */
const CONNECTIONS_PER_ORIGIN = 512;
const KEEP_ALIVE_MS = 60_000;

const pools = new Map<string, UpstreamPool>();

export function poolKey(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null = null): string {
  return tls === null ? `${origin}|${connectTimeout}` : `${origin}|${connectTimeout}|${tls.key}`;
}

/** The key of a proxied service's pool: the h1 pool for plain http, else undici's. */
export function proxyPoolKey(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null): string {
  return tls === null ? `h1|${origin}|${connectTimeout}` : poolKey(origin, connectTimeout, tls);
}

/** The pool a proxied service's target uses: HTTP/1.1 client for `http`, undici for `https`. */
export function acquireProxyPool(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null): UpstreamPool {
  if (tls !== null) return acquirePool(origin, connectTimeout, tls);
  const key = proxyPoolKey(origin, connectTimeout, tls);
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new H1Pool(origin, { connectTimeout });
    pools.set(key, pool);
  }
  return pool;
}

/** An undici Pool (AI providers, https services). */
export function acquirePool(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null = null): Pool {
  const key = poolKey(origin, connectTimeout, tls);
  // Keys without the h1 prefix only ever hold undici Pools.
  let pool = pools.get(key) as Pool | undefined;
  if (pool === undefined) {
    pool = new Pool(origin, {
      connections: CONNECTIONS_PER_ORIGIN,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      connect: tls === null ? { timeout: connectTimeout } : tlsConnector(origin, tls, connectTimeout),
      // Each request sets its own headers/body timeouts from its service.
      headersTimeout: 0,
      bodyTimeout: 0,
      strictContentLength: true,
    });
    pools.set(key, pool);
  }
  return pool;
}

/** Closes (gracefully: in-flight requests finish) every pool whose key is not in `keep`. */
export function releasePoolsExcept(keep: ReadonlySet<string>): void {
  for (const [key, pool] of pools) {
    if (keep.has(key)) continue;
    pools.delete(key);
    pool.close().catch(() => undefined);
  }
}

export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.allSettled(all.map((pool) => pool.close()));
}
