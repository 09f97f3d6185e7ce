/**
 * A real RequestContext (the PluginRequest plugins get) without a server, for plugin unit
 * tests that depend on what the context itself does with a change (setHeader('host') is
 * the upstream Host, setPath the whole upstream path, readBody() a body already read):
 * stand-ins for the few front calls its constructor makes, and the route's regex match for
 * uriCaptures(). fake-request.ts is the lighter stand-in that records changes instead.
 */
import type { HttpRequest, HttpResponse } from '../../core/worker/http-front.js';
import { RequestContext, type ContextOwner } from '../../core/worker/context.js';
import type { Runtime } from '../../core/worker/runtime.js';
import { WorkerMetrics } from '../../core/observe/metrics.js';

export interface ContextInit {
  method?: string;
  url?: string;
  query?: string;
  /** Lower-case names, in order; a name may repeat. */
  headers?: readonly [string, string][];
  body?: Buffer | string;
  /** The route's regex and the path it matched (uriCaptures). */
  route?: { regex: RegExp; path: string };
}

const OWNER: ContextOwner = { maxBodyBytes: 0, bodyTooLarge: () => undefined, finish: () => undefined, metrics: new WorkerMetrics() };
const ADDRESS = new TextEncoder().encode('127.0.0.1').buffer;

export function requestContext(r: ContextInit = {}): RequestContext {
  const headers = r.headers ?? [['host', 'gateway.test']];
  const res = { getRemoteAddressAsText: () => ADDRESS } as unknown as HttpResponse;
  const req = {
    getCaseSensitiveMethod: () => r.method ?? 'GET',
    getUrl: () => r.url ?? '/',
    getQuery: () => r.query,
    forEach: (cb: (name: string, value: string) => void) => {
      for (const [n, v] of headers) cb(n, v);
    },
    getHeader: (name: string) => headers.find(([n]) => n === name)?.[1] ?? '',
  } as unknown as HttpRequest;
  const route = r.route;
  const runtime = {
    matcher: { uriCaptures: () => (route === undefined ? null : new RegExp(route.regex.source, route.regex.flags.replace('y', '')).exec(route.path)) },
  } as unknown as Runtime;
  const ctx = new RequestContext(res, req, runtime, OWNER, 'http', 8000, 'req-1', 0);
  if (route !== undefined) ctx.matchEntry = 0;
  if (r.body !== undefined) {
    ctx.body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    ctx.hasBody = ctx.body.byteLength > 0;
  }
  return ctx;
}
