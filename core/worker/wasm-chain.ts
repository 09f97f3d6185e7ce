/**
 * A route's WASM filter chain (filter_chains, service chain then route chain) as one step
 * of its plugin chain, at FILTER_CHAIN_PRIORITY (core/plugins/internal-steps.ts).
 *
 *   access       request headers through the filters (a filter may pause: the chain waits);
 *                a local response becomes the request's exit
 *   requestBody  each body chunk through the filters (only when some filter exports a
 *                request-body callback; otherwise the body takes the plain path)
 *   response     response headers (reverse order); the map the filters changed replaces
 *                the head (only when some filter may see the response)
 *   body         response chunks (only when some filter exports a response-body callback)
 *   log          proxy_on_log / on_done for each filter
 *
 * The handler object carries only the phases its filters use, so a chain whose filters
 * never look at the response leaves the response on the plain path.
 */
import { FilterRun } from '../wasm/filter.js';
import { StreamCallback } from '../wasm/abi/callbacks.js';
import { Verdict } from '../wasm/http-stream.js';
import type { LocalResponse } from '../wasm/host-request.js';
import type { WasmInstance } from '../wasm/instance.js';
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../plugins/contract.js';
import { FILTER_CHAIN } from '../plugins/internal-steps.js';
import type { RequestContext } from './context.js';
import { GatewayHostRequest } from './wasm-host.js';

const NO_BYTES = Buffer.alloc(0);

/** The per-request host view and filter run (the step's state). */
class FilteredHost extends GatewayHostRequest {
  readonly run: FilterRun;
  constructor(ctx: RequestContext, filters: readonly WasmInstance[]) {
    super(ctx);
    this.run = new FilterRun(filters, this);
  }

  applyPseudoHeaders(): void {
    this.applyRequestPseudoHeaders();
  }
}

function exitWith(req: PluginRequest, local: LocalResponse | null): void {
  if (local === null) {
    req.exit(500, { message: 'An unexpected error occurred' });
    return;
  }
  const headers: string[] = [];
  for (const [name, value] of local.headers) headers.push(name.toLowerCase(), value);
  req.exit(local.status, Buffer.from(local.body.buffer, local.body.byteOffset, local.body.byteLength), headers);
}

function hostOf(req: PluginRequest, slot: number): FilteredHost | null {
  const host = req.getState(slot);
  return host instanceof FilteredHost ? host : null;
}

function afterHeaders(req: PluginRequest, host: FilteredHost, verdict: Verdict): void {
  if (verdict === Verdict.LocalResponse) exitWith(req, host.run.localResponse);
  else host.applyPseudoHeaders();
}

function createHandler(filters: readonly WasmInstance[]): PluginHandler {
  const any = (cb: StreamCallback): boolean => filters.some((f) => f.exports(cb));
  const handler: PluginHandler = {
    access(req, slot) {
      const host = new FilteredHost(req as RequestContext, filters);
      req.setState(slot, host);
      const verdict = host.run.requestHeaders(!req.hasBody);
      if (verdict instanceof Promise) return verdict.then((v) => afterHeaders(req, host, v));
      afterHeaders(req, host, verdict);
      return undefined;
    },
    log(req, slot) {
      hostOf(req, slot)?.run.finish();
    },
  };
  if (any(StreamCallback.RequestBody)) {
    handler.requestBody = (req, slot, chunk, last) => {
      const host = hostOf(req, slot);
      if (host === null) return chunk;
      const out = host.run.requestBody(chunk, last);
      if (out === null) {
        exitWith(req, host.run.localResponse);
        return null;
      }
      return out === chunk ? chunk : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    };
  }
  if (filters.some((f) => f.seesResponse)) {
    handler.response = (req, slot) => {
      const host = hostOf(req, slot);
      if (host === null || host.run.localResponse !== null || !host.run.filtersResponse) return undefined;
      const head = req.response;
      host.setUpstreamResponse(head.status, head.list());
      const bodyless = req.method === 'HEAD' || head.status === 204 || head.status === 304;
      const verdict = host.run.responseHeaders(bodyless);
      if (verdict instanceof Promise) return verdict.then((v) => applyResponse(req, host, v));
      applyResponse(req, host, verdict);
      return undefined;
    };
  }
  if (any(StreamCallback.ResponseBody)) {
    handler.body = (req, slot, chunk, last) => {
      const host = hostOf(req, slot);
      if (host === null || host.run.localResponse !== null || !host.run.filtersResponseBody) return chunk;
      const out = host.run.responseBody(chunk, last);
      if (out === null) {
        exitWith(req, host.run.localResponse);
        return NO_BYTES;
      }
      return out === chunk ? chunk : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    };
  }
  return handler;
}

/** The header map the filters changed becomes the response head. */
function applyResponse(req: PluginRequest, host: FilteredHost, verdict: Verdict): void {
  if (verdict === Verdict.LocalResponse) {
    exitWith(req, host.run.localResponse);
    return;
  }
  const map = host.responseHeaderMap;
  if (map === null) return;
  const head = req.response;
  const list: string[] = [];
  for (let i = 0; i < map.size; i++) {
    const name = map.nameAt(i);
    if (name.charCodeAt(0) !== 58 /* ':' */) list.push(name, map.valueAt(i));
  }
  head.replace(Number(map.get(':status')) || head.status, list);
}

/** The internal handler module for filter-chain steps: the step's config is its filter indexes. */
export function filterChainModule(instances: readonly WasmInstance[]): PluginHandlerModule<number[], undefined> {
  return {
    name: FILTER_CHAIN,
    create(config) {
      return createHandler(
        config.map((i) => {
          const instance = instances[i];
          if (instance === undefined) throw new Error(`filter chain references missing filter ${i}`);
          return instance;
        }),
      );
    },
  };
}
