/**
 * Micro benchmark: what a route's WASM filter costs the worker per request, without
 * sockets. One cycle is what the pipeline does for a GET on a filtered route: a
 * RequestContext (over stand-ins for uWS's request and response), FilteredRequest.start
 * (the request-headers phase, then dispatch), the upstream's response headers and one
 * body chunk through the FilterRun (as FilteredExchange does, and only for a chain that
 * may see the response: the pipeline gives the others the plain exchange), and the end of
 * the request (proxy_on_log / on_done / on_delete). `none` is the RequestContext alone.
 *
 *   noop     wasm-plugins/noop, every callback empty
 *   headers  noop with touch_headers: reads two request headers, sets two
 *
 * Plain Node script (no vitest); the command line is cases.ts's.
 *
 *   npm run build && node dist/bench/micro/filter-path.bench.js [CASE] [--iterations N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { SharedKv } from '../../core/shared/kv.js';
import { WasmInstance } from '../../core/wasm/instance.js';
import { DEFAULT_WASM_LIMITS } from '../../core/wasm/limits.js';
import { WasmMetrics } from '../../core/wasm/metrics.js';
import { prepareModuleSync } from '../../core/wasm/prepare/prepare.js';
import { RequestContext } from '../../core/worker/context.js';
import { FilteredRequest, type FilteredOwner } from '../../core/worker/filtered-request.js';
import type { Runtime } from '../../core/worker/runtime.js';
import { microMain } from './cases.js';

const NOOP_WASM = fileURLToPath(new URL('../../wasm-filters/noop.wasm', import.meta.url));
const CASES = ['none', 'noop', 'headers'] as const;
type Case = (typeof CASES)[number];

const ADDRESS = new TextEncoder().encode('127.0.0.1').buffer;
const HEADERS: readonly [string, string][] = [['host', '127.0.0.1:8000'], ['x-bench-a', 'alpha'], ['user-agent', 'wrk']];
/** Only what RequestContext's constructor reads from uWS. */
const res = { getRemoteAddressAsText: () => ADDRESS } as unknown as HttpResponse;
const req = {
  getCaseSensitiveMethod: () => 'GET',
  getUrl: () => '/hello',
  getQuery: () => undefined,
  forEach: (cb: (name: string, value: string) => void) => {
    for (const [n, v] of HEADERS) cb(n, v);
  },
  getHeader: (name: string) => (name === 'host' ? '127.0.0.1:8000' : ''),
} as unknown as HttpRequest;
const RAW_RESPONSE = [Buffer.from('content-type'), Buffer.from('text/plain'), Buffer.from('content-length'), Buffer.from('13')];
const CHUNK = Buffer.from('Hello, World!');

function filterFor(name: Exclude<Case, 'none'>): WasmInstance {
  const limits = DEFAULT_WASM_LIMITS;
  const prepared = prepareModuleSync({ wasm: new Uint8Array(readFileSync(NOOP_WASM)), memoryPages: limits.memoryPages, fuel: limits.fuelPerCallback });
  return new WasmInstance(prepared, { name: 'noop', config: name === 'headers' ? { touch_headers: true } : null, limits, kv: SharedKv.create(), metrics: new WasmMetrics() });
}

function runCase(name: Case, iterations: number): void {
  const filters = name === 'none' ? [] : [filterFor(name)];
  let dispatched = 0;
  const owner: FilteredOwner = {
    dispatchFiltered: () => void dispatched++,
    forwardBody: () => undefined,
    respondLocal: () => {
      throw new Error('unexpected local response');
    },
    bodyTooLarge: () => undefined,
    fail: (_ctx, err) => {
      throw err;
    },
  };
  let bytes = 0;
  const cycle = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const ctx = new RequestContext(res, req, null as unknown as Runtime, 8000, 'id', 0);
      if (filters.length === 0) {
        bytes += ctx.headers.length;
        continue;
      }
      const filtered = new FilteredRequest(ctx, filters, owner, 0);
      ctx.filtered = filtered;
      filtered.start(false, -1);
      const run = filtered.run;
      let out: Uint8Array | null = CHUNK;
      // As the pipeline does: the response phases only for a chain that may see the response.
      if (run.filtersResponse) {
        filtered.setUpstreamResponse(200, RAW_RESPONSE);
        run.responseHeaders(false);
        if (run.filtersResponseBody) out = run.responseBody(CHUNK, true);
      }
      bytes += out?.byteLength ?? 0;
      run.finish();
    }
  };
  cycle(Math.min(iterations, 100_000)); // warm-up
  if (name === 'headers' && !filtersSetHeaders(filters[0] as WasmInstance, owner)) throw new Error('headers filter did not set x-bench-seen');
  const start = process.hrtime.bigint();
  cycle(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  if (name !== 'none' && dispatched === 0) throw new Error('nothing was dispatched');
  console.log(JSON.stringify({ case: name, iterations, nsPerCycle: ns / iterations, bytes }));
}

/** One request through the headers filter: its header changes are on ctx.headers. */
function filtersSetHeaders(filter: WasmInstance, owner: FilteredOwner): boolean {
  const ctx = new RequestContext(res, req, null as unknown as Runtime, 8000, 'id', 0);
  const filtered = new FilteredRequest(ctx, [filter], owner, 0);
  filtered.start(false, -1);
  filtered.run.finish();
  return ctx.header('x-bench-seen') === 'alpha';
}

let none = 0;
microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 1_000_000,
  run: runCase,
  header: (iterations) => {
    console.log(`filter-path: ${iterations} request cycles per case, node ${process.version}`);
    console.log('case    | ns/cycle | filter cost');
  },
  report: (c, r) => {
    const ns = r['nsPerCycle'] as number;
    if (c === 'none') none = ns;
    console.log(`${c.padEnd(7)} | ${ns.toFixed(0).padStart(8)} | ${c === 'none' ? '' : `${(ns - none).toFixed(0)} ns`}`);
  },
});
