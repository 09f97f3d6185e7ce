/**
 * Where a route's extra cost goes: one gatehouse with a variant scenario's routes (wasm-cost:
 * `/none`, `/noop`, `/headers`; small-get-log: `/none`, `/log`, the access log switched
 * per slice as the runner does), run under V8's CPU profiler while the load alternates
 * between the routes in short slices, then each function's self time per request on each
 * route, from the same process and the same minutes (profile-split.ts). Diagnostic: the
 * profiler slows everything, so read differences, not absolute figures.
 *
 *   npm run build && node dist/bench/route-profile.js [--scenario wasm-cost] [--rounds 10]
 *     [--duration 2] [--top 40] [--routes none,noop] [--driver wrk|autocannon]
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './drivers/run-load.js';
import type { DriverName } from './results.js';
import { planCpus } from './pinning.js';
import { hasCommand } from './processes.js';
import { type CpuProfile, perRequestDiff, type Slice, splitProfile } from './profile-split.js';
import { findScenario } from './scenarios/index.js';
import { startFilterCostGatehouse } from './targets/gatehouse.js';
import { gatewayPlan, variantRoute } from './targets/gateways.js';
import { startUpstreamProcess } from './targets/upstream.js';

interface Options {
  scenario: string;
  rounds: number;
  durationS: number;
  top: number;
  /** Empty: the scenario's first two routes. */
  routes: string[];
  driver: DriverName;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { scenario: 'wasm-cost', rounds: 10, durationS: 2, top: 40, routes: [], driver: hasCommand('wrk') ? 'wrk' : 'autocannon' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i] ?? '';
    const count = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number >= 1, got ${JSON.stringify(value)}`);
      return n;
    };
    if (flag === '--scenario') o.scenario = value;
    else if (flag === '--rounds') o.rounds = count();
    else if (flag === '--duration') o.durationS = count();
    else if (flag === '--top') o.top = count();
    else if (flag === '--routes') o.routes = value.split(',').filter((r) => r !== '');
    else if (flag === '--driver' && (value === 'wrk' || value === 'autocannon')) o.driver = value;
    else throw new Error(`unknown flag or value: ${flag ?? ''} ${value}`);
  }
  if (o.routes.length === 1) throw new Error('--routes needs at least two routes, the first one the base');
  return o;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

async function main(argv: readonly string[]): Promise<void> {
  const o = parseArgs(argv);
  const scenario = findScenario(o.scenario);
  if (scenario?.variants === undefined) throw new Error(`${o.scenario} is not a scenario with variants`);
  const plan = gatewayPlan(scenario);
  if (o.routes.length === 0) o.routes = plan.slice(0, 2).map((g) => variantRoute(g.target));
  for (const r of o.routes) if (!plan.some((g) => variantRoute(g.target) === r)) throw new Error(`unknown route ${r} (have: ${plan.map((g) => variantRoute(g.target)).join(', ')})`);
  const pins = planCpus(cpus().length, 1, hasCommand('taskset'));
  const tmpDir = await mkdtemp(join(tmpdir(), 'gatehouse-route-profile-'));
  const profDir = join(tmpDir, 'profiles');
  const upstream = await startUpstreamProcess(pins.load);
  const slices: Slice[] = [];
  try {
    const targets = await startFilterCostGatehouse({ upstreamPort: upstream.port, cpus: pins.proxy, loadCpus: pins.load, workers: 1, tmpDir }, plan, ['--cpu-prof', `--cpu-prof-dir=${profDir}`], scenario.accessLogTo);
    try {
      const load = async (route: string, durationS: number) => {
        const t = targets.find((x) => variantRoute(x.name) === route);
        if (t === undefined) throw new Error(`no target for route ${route}`);
        if (t.prepare !== undefined) await t.prepare();
        return runLoad(o.driver, { url: `${t.baseUrl}${scenario.path}`, method: scenario.method, headers: scenario.headers ?? {}, body: null, connections: scenario.connections, durationS, warmupS: 0, rate: null }, pins.load);
      };
      for (const r of o.routes) await load(r, 2);
      for (let round = 0; round < o.rounds; round++) {
        for (let k = 0; k < o.routes.length; k++) {
          const route = o.routes[(k + round) % o.routes.length] as string;
          const t0 = nowUs();
          const sample = await load(route, o.durationS);
          slices.push({ label: route, t0, t1: nowUs(), requests: sample.requests });
        }
      }
    } finally {
      // The profiles are written as the gateway's threads exit.
      await targets[0]?.stop();
    }
    const profiles = await Promise.all((await readdir(profDir)).map(async (f) => JSON.parse(await readFile(join(profDir, f), 'utf8')) as CpuProfile));
    // The worker's profile is the one with the pipeline in it.
    const worker = profiles.find((p) => p.nodes.some((n) => n.callFrame.url.endsWith('worker/pipeline.js')));
    if (worker === undefined) throw new Error(`no worker profile among ${profiles.length}`);
    const split = splitProfile(worker, slices);
    const [base, ...others] = o.routes as [string, ...string[]];
    const line = (label: string): string => {
      const t = split.totals.get(label);
      return `${label} ${t && t.requests > 0 ? (t.busyUs / t.requests).toFixed(2) : '-'} busy µs/req (${t?.requests ?? 0} requests)`;
    };
    process.stdout.write(`${o.rounds} rounds x ${o.durationS}s per route, profiled: ${o.routes.map(line).join('; ')}\n`);
    for (const other of others) {
      process.stdout.write(`\nself µs/request, ${other} - ${base} (largest differences first)\n`);
      for (const [fn, a, b, d] of perRequestDiff(split, base, other, o.top)) {
        process.stdout.write(`${d.toFixed(3).padStart(8)} ${a.toFixed(3).padStart(8)} ${b.toFixed(3).padStart(8)}  ${fn}\n`);
      }
    }
  } finally {
    await upstream.stop();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`route-profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
