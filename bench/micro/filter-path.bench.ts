/**
 * Micro benchmark: what a route's WASM filter costs the worker per request, without
 * sockets. One cycle is what the pipeline does for a GET on a filtered route: a
 * RequestContext (over stand-ins for uWS's request and response), the chain's access
 * phase (the filter-chain step: request headers), the upstream's response headers and one
 * body chunk through the response and body phases (as ChainExchange does, and only when
 * the chain has them: the pipeline gives the others the plain exchange), and the log
 * phase (proxy_on_log / on_done / on_delete). `none` is the RequestContext alone.
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
import { SharedKv } from '../../core/shared/kv.js';
import { WasmInstance } from '../../core/wasm/instance.js';
import { DEFAULT_WASM_LIMITS } from '../../core/wasm/limits.js';
import { WasmMetrics } from '../../core/wasm/metrics.js';
import { prepareModuleSync } from '../../core/wasm/prepare/prepare.js';
import type { RequestContext } from '../../core/worker/context.js';
import { filterChainModule } from '../../core/worker/wasm-chain.js';
import { RouteChain, Step, runAccess, runBody, runLog, runResponse } from '../../core/plugins/chain.js';
import { ResponseHead } from '../../core/plugins/response-head.js';
import { microMain } from './cases.js';
import { standInContext, standInRequest } from './stand-ins.js';

const NOOP_WASM = fileURLToPath(new URL('../../wasm-filters/noop.wasm', import.meta.url));
const CASES = ['none', 'noop', 'headers'] as const;
type Case = (typeof CASES)[number];

const HEADERS: readonly [string, string][] = [['host', '127.0.0.1:8000'], ['x-bench-a', 'alpha'], ['user-agent', 'wrk']];
const req = standInRequest('/hello', HEADERS);
const RAW_RESPONSE = [Buffer.from('content-type'), Buffer.from('text/plain'), Buffer.from('content-length'), Buffer.from('13')];
const CHUNK = Buffer.from('Hello, World!');

function filterFor(name: Exclude<Case, 'none'>): WasmInstance {
  const limits = DEFAULT_WASM_LIMITS;
  const prepared = prepareModuleSync({ wasm: new Uint8Array(readFileSync(NOOP_WASM)), memoryPages: limits.memoryPages, fuel: limits.fuelPerCallback });
  return new WasmInstance(prepared, { name: 'noop', config: name === 'headers' ? { touch_headers: true } : null, limits, kv: SharedKv.create(), metrics: new WasmMetrics() });
}

const fail = (plugin: string, message: string): void => {
  throw new Error(`${plugin}: ${message}`);
};

function contextOf(chain: RouteChain | null): RequestContext {
  return standInContext(req, chain);
}

function chainOf(filters: readonly WasmInstance[]): RouteChain {
  const handler = filterChainModule(filters).create([0], null as never, undefined);
  return new RouteChain([new Step('filter-chain', 0, handler, null)], () => false);
}

function runCase(name: Case, iterations: number): void {
  const chain = name === 'none' ? null : chainOf([filterFor(name)]);
  let bytes = 0;
  const cycle = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const ctx = contextOf(chain);
      if (chain === null) {
        bytes += ctx.headers.length;
        continue;
      }
      if (runAccess(ctx, chain) !== undefined || ctx.answer !== null) throw new Error('the filter paused or answered');
      let out: Buffer = CHUNK;
      // As the pipeline does: the response phases only for a chain that has them.
      if (chain.response !== null || chain.body !== null) {
        ctx.responseHead = new ResponseHead(200, RAW_RESPONSE);
        if (chain.response !== null) runResponse(ctx, chain.response);
        if (chain.body !== null) out = runBody(ctx, chain.body, CHUNK, true);
      }
      bytes += out.byteLength;
      if (chain.log !== null) runLog(ctx, chain.log, fail);
    }
  };
  cycle(Math.min(iterations, 100_000)); // warm-up
  if (chain !== null && name === 'headers' && !filtersSetHeaders(chain)) throw new Error('headers filter did not set x-bench-seen');
  const start = process.hrtime.bigint();
  cycle(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(JSON.stringify({ case: name, iterations, nsPerCycle: ns / iterations, bytes }));
}

/** One request through the headers filter: its header changes are on ctx.headers. */
function filtersSetHeaders(chain: RouteChain): boolean {
  const ctx = contextOf(chain);
  runAccess(ctx, chain);
  if (chain.log !== null) runLog(ctx, chain.log, fail);
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
