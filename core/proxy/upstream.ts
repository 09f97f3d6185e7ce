/**
 * undici Pools per upstream origin, kept across config versions so a reload does not
 * throw away warm keep-alive connections. A pool is keyed by origin, connect timeout
 * and, for `https` services, the TLS settings' digest (undici sets the connect timeout
 * and TLS options per pool; read timeouts are set per request).
 */
import { Pool } from 'undici';
import type { CompiledUpstreamTls } from '../compile/types.js';
import { tlsConnector } from '../tls/upstream-connect.js';

/** Upper bound of connections per origin per worker (Kong's upstream keepalive pool is 60 idle). */
const CONNECTIONS_PER_ORIGIN = 512;
const KEEP_ALIVE_MS = 60_000;

const pools = new Map<string, Pool>();

export function poolKey(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null = null): string {
  return tls === null ? `${origin}|${connectTimeout}` : `${origin}|${connectTimeout}|${tls.key}`;
}

export function acquirePool(origin: string, connectTimeout: number, tls: CompiledUpstreamTls | null = null): Pool {
  const key = poolKey(origin, connectTimeout, tls);
  let pool = pools.get(key);
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
