/**
 * Micro benchmark: what fuel instrumentation costs per request cycle. The same filter
 * (wasm-plugins/noop: as a no-op, with `touch_headers` (read two headers, set two), and
 * with `work` (WORK loop iterations of pure guest CPU in the request-headers callback,
 * where the fuel ticks are the largest share of the work)) is prepared twice from the
 * same bytes and memory cap:
 *
 *   fuel     prepareModuleSync (core/wasm/prepare/prepare.ts): what the gateway loads
 *   no-fuel  the same instrumentation passes with an empty tick (`ticks: false`): the
 *            fuel global and its exports stay (the host refuels before every callback
 *            either way), nothing is counted at function entries, exits and loop heads
 *
 * The work cases run a hundredth of the cycles (each is ~100 plain ones).
 *
 * One request cycle is the harness's: a new http context, request headers, response
 * headers, then proxy_on_log / on_done / on_delete (WasmInstance.stream + HttpStream).
 * `none` is the host-side request objects alone (no filter), for reference.
 *
 * Plain Node script (no vitest). Without arguments it runs each case in a fresh child
 * process (so one case's JIT state never colours another's) and prints a table; with a
 * case name it runs that case only and prints one JSON line.
 *
 *   npm run build && node dist/bench/micro/wasm-fuel.bench.js [CASE] [--iterations N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimpleHostRequest } from '../../core/wasm/host-request.js';
import { Verdict } from '../../core/wasm/http-stream.js';
import { WasmInstance } from '../../core/wasm/instance.js';
import { DEFAULT_WASM_LIMITS } from '../../core/wasm/limits.js';
import { WasmMetrics } from '../../core/wasm/metrics.js';
import { instrumentModule } from '../../core/wasm/prepare/instrument.js';
import { contentHash, prepareModuleSync, type PreparedModule } from '../../core/wasm/prepare/prepare.js';
import { SharedKv } from '../../core/shared/kv.js';
import { microMain } from './cases.js';

const NOOP_WASM = fileURLToPath(new URL('../../wasm-filters/noop.wasm', import.meta.url));

const CASES = ['none', 'noop/no-fuel', 'noop/fuel', 'headers/no-fuel', 'headers/fuel', 'work/no-fuel', 'work/fuel'] as const;
/** Loop iterations of the `work` case: a compute-bound callback of 100+ µs. */
const WORK = 100_000;
type Case = (typeof CASES)[number];

const REQUEST = { method: 'GET', path: '/hello', headers: { 'x-bench-a': 'alpha', 'user-agent': 'bench/1', accept: '*/*' } };
const RESPONSE = { status: 200, headers: { 'content-type': 'text/plain', 'content-length': '13' } };

/**
 * The same guest through the same instrumentation passes, with an empty tick: the fuel
 * global and its exports are there (the host refuels either way), nothing is counted.
 */
function prepareWithoutFuel(wasm: Uint8Array): PreparedModule {
  const limits = DEFAULT_WASM_LIMITS;
  const bytes = instrumentModule(wasm, { memoryPages: limits.memoryPages, startFuel: limits.fuelPerCallback, ticks: false });
  // A distinct hash: the compile cache must not hand back the instrumented module.
  return { bytes, hash: `no-fuel:${contentHash(wasm, limits.memoryPages, 0)}`, abiVersion: '0.2.1' };
}

function filterFor(name: Exclude<Case, 'none'>): WasmInstance {
  const wasm = new Uint8Array(readFileSync(NOOP_WASM));
  const [mode, fuel] = name.split('/') as ['noop' | 'headers' | 'work', 'fuel' | 'no-fuel'];
  const limits = DEFAULT_WASM_LIMITS;
  const prepared = fuel === 'fuel' ? prepareModuleSync({ wasm, memoryPages: limits.memoryPages, fuel: limits.fuelPerCallback }) : prepareWithoutFuel(wasm);
  return new WasmInstance(prepared, {
    name: 'noop',
    config: mode === 'headers' ? { touch_headers: true } : mode === 'work' ? { work: WORK } : null,
    limits,
    kv: SharedKv.create(),
    metrics: new WasmMetrics(),
  });
}

function runCase(name: Case, requested: number): void {
  const instance = name === 'none' ? null : filterFor(name);
  // A work cycle costs ~100 times a plain one: fewer of them, still enough for V8 to have
  // tiered the loop up to optimised code for nearly all of the measured ones.
  const iterations = name.startsWith('work/') ? Math.max(1000, Math.floor(requested / 100)) : requested;
  let checked = 0;
  const cycle = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const host = new SimpleHostRequest(REQUEST);
      if (instance === null) {
        host.setResponse(RESPONSE);
        continue;
      }
      const stream = instance.stream(host);
      if (stream.requestHeaders(true) !== Verdict.Continue) throw new Error('request headers did not continue');
      host.setResponse(RESPONSE);
      if (stream.responseHeaders(true) !== Verdict.Continue) throw new Error('response headers did not continue');
      stream.finish();
      if (stream.fault !== null) throw new Error(`guest fault: ${stream.fault.message}`);
      // Prove the headers filter really did its work (once per run is enough).
      if (checked === 0 && name.startsWith('headers/')) {
        if (host.requestHeaders.get('x-bench-seen') !== 'alpha') throw new Error('headers filter did not set x-bench-seen');
        checked++;
      }
      if (checked === 0 && name.startsWith('work/')) {
        if (host.requestHeaders.get('x-bench-work') === undefined) throw new Error('work filter did not set x-bench-work');
        checked++;
      }
    }
  };
  cycle(Math.min(iterations, 50_000)); // warm-up (the whole count for work cases)
  const start = process.hrtime.bigint();
  cycle(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(JSON.stringify({ case: name, iterations, nsPerCycle: ns / iterations, generation: instance?.generation ?? 0 }));
}

const results = new Map<string, number>();
microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 300_000,
  run: runCase,
  header: (iterations) => {
    console.log(`wasm-fuel: ${iterations} request cycles per case, node ${process.version}`);
    console.log('case            | ns/cycle | fuel overhead');
  },
  report: (c, r) => {
    const ns = r['nsPerCycle'] as number;
    results.set(c, ns);
    const base = c.endsWith('/fuel') ? results.get(c.replace('/fuel', '/no-fuel')) : undefined;
    const overhead = base === undefined ? '' : `${(ns - base).toFixed(0)} ns (${(((ns - base) / base) * 100).toFixed(1)}%)`;
    console.log(`${c.padEnd(15)} | ${ns.toFixed(0).padStart(8)} | ${overhead}`);
  },
});
