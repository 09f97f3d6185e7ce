/**
 * What the micro benchmarks give RequestContext in place of an HTTP front (uWS or the
 * strict one): the few calls its constructor makes on the request and the response, and
 * an owner that records nothing.
 */
import type { HttpRequest, HttpResponse } from '../../core/worker/http-front.js';
import { WorkerMetrics } from '../../core/observe/metrics.js';
import { RequestContext, type ContextOwner } from '../../core/worker/context.js';
import type { Runtime } from '../../core/worker/runtime.js';
import type { RouteChain } from '../../core/plugins/chain.js';

const ADDRESS = new TextEncoder().encode('127.0.0.1').buffer;

/** Only what RequestContext's constructor reads from the front's response. */
export const STAND_IN_RESPONSE = { getRemoteAddressAsText: () => ADDRESS } as unknown as HttpResponse;

/** A GET of `url` with these headers (lower-case names), as RequestContext's constructor reads it. */
export function standInRequest(url: string, headers: readonly [string, string][]): HttpRequest {
  return {
    getCaseSensitiveMethod: () => 'GET',
    getUrl: () => url,
    getQuery: () => undefined,
    forEach: (cb: (name: string, value: string) => void) => {
      for (const [n, v] of headers) cb(n, v);
    },
    getHeader: (name: string) => headers.find(([n]) => n === name)?.[1] ?? '',
  } as unknown as HttpRequest;
}

const OWNER: ContextOwner = { maxBodyBytes: 0, bodyTooLarge: () => undefined, finish: () => undefined, metrics: new WorkerMetrics() };

/** A fresh RequestContext for `req` on a route with `chain` (null: no plugins). */
export function standInContext(req: HttpRequest, chain: RouteChain | null): RequestContext {
  const ctx = new RequestContext(STAND_IN_RESPONSE, req, null as unknown as Runtime, OWNER, 'http', 8000, 'id', 0);
  ctx.chain = chain;
  return ctx;
}
