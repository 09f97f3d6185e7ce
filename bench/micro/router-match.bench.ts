/**
 * Micro benchmark: Matcher.match() over 1, 100 and 1,000 routes.
 *
 * Plain Node script (no vitest). Without arguments it runs each size in a fresh child
 * process (so one size's JIT state and garbage never colour another's) and prints a table;
 * with a size argument it runs that size only and prints one JSON line.
 *
 *   npm run build && node dist/bench/micro/router-match.bench.js [SIZE] [--iterations N]
 *
 * Route mix per size (deterministic): 80% prefix paths on a host (some with methods),
 * 10% regex paths, 10% header routes. Requests: one per route that hits it, plus 10%
 * misses (404), cycled in a fixed shuffled order.
 */
import { fileURLToPath } from 'node:url';
import type { NormalizedRoute } from '../../core/config/types.js';
import { compileRouter } from '../../core/router/compile.js';
import { Matcher, MatchResult } from '../../core/router/match.js';
import { ROUTE_DEFAULTS } from '../../core/config/schema/route.js';
import { microMain } from './cases.js';

interface Req {
  method: string;
  host: string;
  path: string;
  headers: string[];
}

const SIZES = [1, 100, 1000];

function route(i: number, fields: Partial<NormalizedRoute>): NormalizedRoute {
  return {
    id: `route-${i}`,
    name: null,
    service: null,
    ...ROUTE_DEFAULTS,
    protocols: [...ROUTE_DEFAULTS.protocols],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    tags: [],
    ...fields,
  };
}

function build(size: number): { routes: NormalizedRoute[]; requests: Req[] } {
  const routes: NormalizedRoute[] = [];
  const requests: Req[] = [];
  for (let i = 0; i < size; i++) {
    const kind = size === 1 ? 0 : i % 10;
    const host = `api${i % 16}.example.com`;
    if (kind === 8) {
      routes.push(route(i, { paths: [`~/v${i}/items/(?<id>\\d+)$`] }));
      requests.push({ method: 'GET', host, path: `/v${i}/items/12345`, headers: [] });
    } else if (kind === 9) {
      routes.push(route(i, { paths: ['/tenant'], headers: { 'x-tenant': [`t${i}`] } }));
      requests.push({ method: 'GET', host, path: '/tenant/orders', headers: ['accept', '*/*', 'x-tenant', `t${i}`] });
    } else {
      const methods = i % 3 === 0 ? ['GET', 'POST'] : null;
      routes.push(route(i, { paths: [`/service${i}/api`], hosts: [host], methods }));
      requests.push({ method: 'GET', host, path: `/service${i}/api/users/42`, headers: ['accept', '*/*'] });
    }
  }
  const misses = Math.max(1, Math.floor(size / 10));
  for (let i = 0; i < misses; i++) {
    requests.push({ method: 'GET', host: 'nowhere.test', path: `/missing/${i}`, headers: [] });
  }
  // Fixed shuffle (LCG) so branch predictors do not see a sorted stream.
  let seed = 42;
  for (let i = requests.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    const t = requests[i] as Req;
    requests[i] = requests[j] as Req;
    requests[j] = t;
  }
  return { routes, requests };
}

function runSize(size: number, iterations: number): void {
  const { routes, requests } = build(size);
  const matcher = new Matcher(compileRouter(routes));
  const out = new MatchResult();
  let hits = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const r = requests[i % requests.length] as Req;
      if (matcher.match(r.method, r.host, 8000, r.path, r.headers, out)) hits++;
    }
  };
  run(Math.min(iterations, 200_000)); // warm-up
  hits = 0;
  const start = process.hrtime.bigint();
  run(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  const expectedHits = Math.round((iterations * size) / requests.length);
  console.log(
    JSON.stringify({ routes: size, iterations, nsPerOp: ns / iterations, hits, expectedHits: `~${expectedHits}` }),
  );
}

microMain({
  self: fileURLToPath(import.meta.url),
  cases: SIZES.map(String),
  defaultIterations: 2_000_000,
  run: (size, iterations) => runSize(Number(size), iterations),
  header: (iterations) => {
    console.log(`router-match: ${iterations} matches per size, node ${process.version}`);
    console.log('routes | ns/op  | hits');
  },
  report: (_size, r) => {
    console.log(`${String(r['routes']).padStart(6)} | ${(r['nsPerOp'] as number).toFixed(1).padStart(6)} | ${String(r['hits'])}`);
  },
});
