/**
 * Micro benchmark: what a route's plugin chain costs the worker per request, without
 * sockets. One cycle is what the pipeline does for an authenticated GET on a route with
 * plugins: a RequestContext (over stand-ins for the HTTP front's request and response), the chain's
 * access phase, and the upstream's response headers through the response phase (as
 * ChainExchange does). `none` is the RequestContext alone.
 *
 *   auth-cors  key-auth (a key in a header) + cors (one allowed origin, the request's)
 *   chain      the same + request-transformer adding one header
 *
 * The plugins and request are those of the plugin-cost bench scenario.
 * The difference between `chain` and `auth-cors` is request-transformer's hot path. Each
 * case reports the best of ROUNDS timed slices (ns per request).
 * Plain Node script (no vitest); the command line is cases.ts's.
 *
 *   npm run build && node dist/bench/micro/chain-run.bench.js [CASE] [--iterations N]
 */
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../../core/config/validate.js';
import { compilePlugins } from '../../core/plugins/compile.js';
import { materializeConsumers } from '../../core/plugins/consumer.js';
import type { PluginEnv } from '../../core/plugins/contract.js';
import { HANDLERS } from '../../core/plugins/handlers.js';
import { materializePlugins, runAccess, runResponse, type RouteChain } from '../../core/plugins/chain.js';
import { ResponseHead } from '../../core/plugins/response-head.js';
import type { RequestContext } from '../../core/worker/context.js';
import { microMain } from './cases.js';
import { standInContext, standInRequest } from './stand-ins.js';

const CASES = ['none', 'auth-cors', 'chain'] as const;
const ROUNDS = 10;
type Case = (typeof CASES)[number];

const HEADERS: readonly [string, string][] = [
  ['host', '127.0.0.1:8000'],
  ['user-agent', 'wrk'],
  ['accept', '*/*'],
  ['origin', 'https://app.example.com'],
  ['apikey', 'bench-key'],
];
const req = standInRequest('/hello', HEADERS);
const RAW_RESPONSE = [Buffer.from('content-type'), Buffer.from('text/plain'), Buffer.from('content-length'), Buffer.from('13')];

/** The route's chain for `name`, compiled and materialised as a worker does. */
function chainFor(name: Exclude<Case, 'none'>): RouteChain {
  const plugins: Record<string, unknown>[] = [{ name: 'key-auth' }, { name: 'cors', config: { origins: ['https://app.example.com'] } }];
  if (name === 'chain') plugins.push({ name: 'request-transformer', config: { add: { headers: ['x-bench:1'] } } });
  const doc = {
    _format_version: '3.0',
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/'], plugins }] }],
    consumers: [{ username: 'bench', keyauth_credentials: [{ key: 'bench-key' }] }],
  };
  const stage1 = validateConfig(doc);
  if (!stage1.ok) throw new Error(JSON.stringify(stage1.errors));
  const compiled = compilePlugins(stage1.config, stage1.config.routes);
  if (compiled.errors.length > 0) throw new Error(JSON.stringify(compiled.errors));
  const env: PluginEnv = {
    workerIndex: 0,
    listen: { host: '127.0.0.1', port: 8000 },
    consumers: materializeConsumers(compiled.plugins.consumers),
    tokenCounters: null as never,
    // Neither plugin of this chain counts anything.
    metrics: null as never,
    warn: (plugin, message) => {
      throw new Error(`${plugin}: ${message}`);
    },
  };
  const chain = materializePlugins(compiled.plugins, env, (n) => HANDLERS.get(n)).http.routes[0];
  if (chain === null || chain === undefined) throw new Error('no chain');
  return chain;
}

function contextOf(chain: RouteChain | null): RequestContext {
  return standInContext(req, chain);
}

/** One request through `chain`: access, then the upstream's head through the response phase. */
function oneRequest(chain: RouteChain): RequestContext {
  const ctx = contextOf(chain);
  if (runAccess(ctx, chain) !== undefined || ctx.answer !== null) throw new Error('the chain paused or answered');
  ctx.responseHead = new ResponseHead(200, RAW_RESPONSE);
  if (chain.response !== null && runResponse(ctx, chain.response) !== undefined) throw new Error('the response phase paused');
  return ctx;
}

function check(name: Case, chain: RouteChain): void {
  const ctx = oneRequest(chain);
  if (ctx.consumer === null) throw new Error('key-auth did not authenticate');
  if (ctx.response.get('access-control-allow-origin') !== 'https://app.example.com') throw new Error('cors added no header');
  if ((ctx.header('x-bench') === '1') !== (name === 'chain')) throw new Error('request-transformer did not add x-bench');
}

function runCase(name: Case, iterations: number): void {
  const chain = name === 'none' ? null : chainFor(name);
  let headers = 0;
  const cycle = (n: number): void => {
    for (let i = 0; i < n; i++) {
      if (chain === null) {
        headers += contextOf(null).headers.length;
        continue;
      }
      headers += oneRequest(chain).headers.length;
    }
  };
  if (chain !== null) check(name, chain);
  cycle(Math.min(iterations, 100_000)); // warm-up
  // The best of ROUNDS timed slices: on a shared machine the slower ones measure the neighbours.
  const slice = Math.max(1, Math.floor(iterations / ROUNDS));
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    cycle(slice);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / slice);
  }
  console.log(JSON.stringify({ case: name, iterations: slice * ROUNDS, nsPerRequest: best, headers }));
}

const seen: Partial<Record<Case, number>> = {};
microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 1_000_000,
  run: runCase,
  header: (iterations) => {
    console.log(`chain-run: ${iterations} requests per case, node ${process.version}`);
    console.log('case      | ns/request | over none | over auth-cors');
  },
  report: (c, r) => {
    const ns = r['nsPerRequest'] as number;
    seen[c] = ns;
    const over = (base: Case): string => (seen[base] === undefined || c === base ? '' : `${(ns - (seen[base] as number)).toFixed(0)} ns`);
    console.log(`${c.padEnd(9)} | ${ns.toFixed(0).padStart(10)} | ${over('none').padStart(9)} | ${c === 'chain' ? over('auth-cors') : ''}`);
  },
});
