/**
 * `npm run bench`: for each scenario, start the upstream in its own process (the echo
 * server, or the mock LLM for the AI scenarios), start every available target (direct,
 * gatehouse, and nginx — or Portkey for the AI scenarios), and measure them interleaved
 * (A B C, B C A, C A B, ...) so drift over the run (thermal, noisy neighbours) and the
 * order within a round spread evenly. Gatehouse targets also report the CPU time their
 * process used per request (process-cpu.ts).
 * A filter-cost scenario (with `variants`, e.g. wasm-cost) starts one gatehouse with a
 * route per variant next to the plain route and measures them in the same interleaved
 * rounds.
 * Then an optional fixed-rate pass at a fraction of the slowest target's max rps, so
 * the latency each proxy adds can be read at equal offered load, and for streamed AI
 * scenarios a time-to-first-token probe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { aggregate, pacingBase } from './aggregate.js';
import { BENCH_USAGE, type BenchOptions, parseBenchArgs } from './cli-args.js';
import { runLoad } from './drivers/run-load.js';
import { runTtft } from './drivers/run-ttft.js';
import type { TtftSample } from './drivers/ttft-types.js';
import { latencyOf, mergeHistograms } from './histogram.js';
import type { LoadJob } from './drivers/types.js';
import { type CpuPlan, planCpus } from './pinning.js';
import { processCpuSeconds } from './process-cpu.js';
import { hasCommand } from './processes.js';
import { formatText, machineInfo, writeResult } from './report.js';
import type { BenchResult, DriverName, Measurement, RunSample, SkippedTarget, TargetName, TtftMeasurement } from './results.js';
import { findScenario, scenarios as allScenarios } from './scenarios/index.js';
import type { Scenario } from './scenarios/types.js';
import { gatewayPlan } from './targets/gateways.js';
import { gatehouseUnavailable, startFilterCostGatehouse, startGatehouse } from './targets/gatehouse.js';
import { startNginx } from './targets/nginx.js';
import { portkeyUnavailable, startPortkey } from './targets/portkey.js';
import type { RunningTarget, TargetContext } from './targets/types.js';
import { PROBE_TTFT_MS, startUpstreamProcess } from './targets/upstream.js';

/** TTFT probes in flight at once: low, so the probe measures latency, not queueing. */
const TTFT_CONCURRENCY = 2;
/** Unmeasured probes before each measured batch (connections, JIT). */
const TTFT_WARMUP = 20;

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...allScenarios];
  return names.map((name) => {
    const s = findScenario(name);
    if (s === undefined) throw new Error(`unknown scenario ${name} (have: ${allScenarios.map((x) => x.name).join(', ')})`);
    return s;
  });
}

function jobFor(s: Scenario, o: BenchOptions, t: RunningTarget, rate: number | null): LoadJob {
  return {
    url: t.baseUrl + s.path,
    method: s.method,
    headers: { ...(s.headers ?? {}), ...(t.headers ?? {}) },
    body: s.body ?? null,
    connections: o.connections ?? s.connections,
    durationS: o.durationS ?? s.duration,
    warmupS: o.warmupS,
    rate,
  };
}

/** Starts every target that can run; the others are recorded as skipped with the reason. */
async function startTargets(s: Scenario, o: BenchOptions, ctx: TargetContext, skipped: SkippedTarget[]): Promise<RunningTarget[]> {
  const direct: RunningTarget = { name: 'direct', baseUrl: `http://127.0.0.1:${ctx.upstreamPort}`, stop: () => Promise.resolve() };
  if (s.ai !== undefined) direct.probe = { path: '/ttft/v1/chat/completions', headers: {} };
  const running: RunningTarget[] = [direct];
  const skip = (target: TargetName, reason: string): void => {
    log(`  ${target}: skipped (${reason})`);
    skipped.push({ scenario: s.name, target, reason });
  };
  const failed = (target: TargetName, err: unknown): void => skip(target, `failed to start: ${(err as Error).message.split('\n')[0] ?? ''}`);
  const tryStart = async (target: TargetName, start: () => Promise<RunningTarget>): Promise<void> => {
    try {
      running.push(await start());
    } catch (err) {
      failed(target, err);
    }
  };
  const notBuilt = gatehouseUnavailable();
  const gateways = gatewayPlan(s);
  if (notBuilt !== null) for (const g of gateways) skip(g.target, notBuilt);
  else if (s.variants !== undefined) {
    // A filter-cost scenario: one gateway, a route per variant (targets/gatehouse.ts).
    try {
      running.push(...(await startFilterCostGatehouse(ctx, gateways, [], s.accessLogTo, s.consumers ?? [])));
    } catch (err) {
      for (const g of gateways) failed(g.target, err);
    }
  } else {
    await tryStart('gatehouse', () => startGatehouse({ ...ctx, filters: s.filters ?? [] }));
    if (o.uws) await tryStart('gatehouse-uws', () => startGatehouse({ ...ctx, filters: s.filters ?? [] }, 'gatehouse-uws'));
  }
  if (s.ai !== undefined) {
    // An LLM call has nothing for nginx to compare on; the competitor is Portkey's AI gateway.
    const missing = portkeyUnavailable();
    if (!o.portkey) skip('portkey', '--no-portkey');
    else if (missing !== null) skip('portkey', missing);
    else await tryStart('portkey', () => startPortkey(ctx));
    return running;
  }
  if (s.variants?.some((v) => v.accessLog === true) === true) skip('nginx', 'access-log cost scenario: the baseline is the same gateway with its log off');
  else if (s.variants !== undefined) skip('nginx', 'filter-cost scenario: nginx runs no WASM filters, nothing to compare');
  else if (!o.nginx) skip('nginx', '--no-nginx');
  else if (!hasCommand('nginx')) skip('nginx', 'nginx not on PATH');
  else await tryStart('nginx', () => startNginx(ctx));
  return running;
}

async function measureInterleaved(
  s: Scenario,
  o: BenchOptions,
  targets: readonly RunningTarget[],
  driver: DriverName,
  rate: number | null,
  loadCpus: string | null,
): Promise<Map<TargetName, RunSample[]>> {
  const samples = new Map<TargetName, RunSample[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= o.rounds; round++) {
    // Each round starts one target later (A B C, B C A, C A B, ...): no target is always
    // the one measured right after another's load, or after the longest idle gap.
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + round - 1) % targets.length] as RunningTarget;
      if (t.prepare !== undefined) await t.prepare();
      const sample = await measureOne(driver, jobFor(s, o, t, rate), loadCpus, t.pid);
      const cpu = sample.cpuUsPerRequest === undefined ? '' : `, ${sample.cpuUsPerRequest.toFixed(2)} cpu-us/req`;
      log(`  round ${round} ${t.name}${rate === null ? '' : ` @${Math.round(rate)}/s`}: ${Math.round(sample.rps)} rps, p99 ${sample.latency.p99}us${cpu}`);
      samples.get(t.name)?.push(sample);
    }
  }
  return samples;
}

/**
 * One run. For a target with a known process, the warm-up runs on its own first, so the
 * process's CPU time can be read around the measured run alone.
 */
async function measureOne(driver: DriverName, job: LoadJob, loadCpus: string | null, pid: number | undefined): Promise<RunSample> {
  if (pid === undefined) return runLoad(driver, job, loadCpus);
  if (job.warmupS > 0) await runLoad(driver, { ...job, durationS: job.warmupS, warmupS: 0 }, loadCpus);
  const before = processCpuSeconds(pid);
  const sample = await runLoad(driver, { ...job, warmupS: 0 }, loadCpus);
  const after = processCpuSeconds(pid);
  if (before !== null && after !== null && sample.requests > 0) sample.cpuUsPerRequest = ((after - before) * 1e6) / sample.requests;
  return sample;
}

/**
 * The low-load latency probe of the AI scenarios, interleaved per round like the load
 * passes: time to first token (streamed) or to the answer's first bytes (not streamed),
 * against the mock's delayed path, two requests in flight.
 */
async function measureTtft(s: Scenario, o: BenchOptions, targets: readonly RunningTarget[], loadCpus: string | null): Promise<TtftMeasurement[]> {
  const samples = new Map<TargetName, TtftSample[]>();
  const probed = targets.filter((t) => t.probe !== undefined);
  for (let round = 1; round <= o.rounds; round++) {
    for (const t of probed) {
      if (t.prepare !== undefined) await t.prepare();
      const probe = t.probe!;
      const sample = await runTtft(
        {
          url: t.baseUrl + probe.path,
          headers: { ...(s.headers ?? {}), ...probe.headers },
          body: s.body ?? '',
          sse: s.ai?.stream === true,
          requests: o.ttftRequests,
          warmup: TTFT_WARMUP,
          concurrency: TTFT_CONCURRENCY,
        },
        loadCpus,
      );
      log(`  ttft round ${round} ${t.name}: p50 ${sample.latency.p50}us, p99 ${sample.latency.p99}us, ${sample.errors} errors`);
      samples.set(t.name, [...(samples.get(t.name) ?? []), sample]);
    }
  }
  return [...samples].map(([target, list]) => {
    const merged = mergeHistograms(list.map((x) => x.histogram));
    const requests = list.reduce((sum, x) => sum + x.requests, 0);
    const nan = Number.NaN;
    return {
      scenario: s.name,
      target,
      mockTtftMs: PROBE_TTFT_MS,
      concurrency: TTFT_CONCURRENCY,
      requests,
      errors: list.reduce((sum, x) => sum + x.errors, 0),
      latency: merged === null || requests === 0 ? { p50: nan, p90: nan, p99: nan, p999: nan, max: nan } : latencyOf(merged),
    };
  });
}

interface ScenarioOutcome {
  measurements: Measurement[];
  ttft: TtftMeasurement[];
}

async function benchScenario(s: Scenario, o: BenchOptions, plan: CpuPlan, skipped: SkippedTarget[]): Promise<ScenarioOutcome> {
  log(`${s.name}: ${s.description}`);
  const upstream = await startUpstreamProcess(plan.load, s.ai === undefined ? { kind: 'echo' } : { kind: 'llm', tokens: s.ai.tokens });
  const tmpDir = await mkdtemp(join(tmpdir(), `gatehouse-bench-${s.name}-`));
  const targets: RunningTarget[] = [];
  try {
    const ctx: TargetContext = { upstreamPort: upstream.port, cpus: plan.proxy, loadCpus: plan.load, workers: o.workers, tmpDir };
    if (s.ai !== undefined) ctx.ai = s.ai;
    targets.push(...(await startTargets(s, o, ctx, skipped)));
    const out: Measurement[] = [];
    const maxSamples = await measureInterleaved(s, o, targets, o.driver, null, plan.load);
    for (const [target, list] of maxSamples) {
      out.push(aggregate({ scenario: s.name, target, driver: o.driver, mode: 'max', offeredRps: null }, list));
    }
    if (o.loadFraction > 0) {
      const rate = Math.max(1, Math.floor(pacingBase(out) * o.loadFraction));
      // wrk cannot pace requests, so the fixed-rate pass always uses autocannon.
      const paced = await measureInterleaved(s, o, targets, 'autocannon', rate, plan.load);
      for (const [target, list] of paced) {
        out.push(aggregate({ scenario: s.name, target, driver: 'autocannon', mode: 'fraction', offeredRps: rate }, list));
      }
    }
    const ttft = s.ai !== undefined && o.ttftRequests > 0 ? await measureTtft(s, o, targets, plan.load) : [];
    return { measurements: out, ttft };
  } finally {
    for (const t of targets) await t.stop();
    await upstream.stop();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** Runs the whole bench and returns the result (also used by `gatehouse bench`). */
export async function runBench(o: BenchOptions, commandLine: string): Promise<BenchResult> {
  const scenarios = selectScenarios(o.scenarios);
  if (o.driver === 'wrk' && !hasCommand('wrk')) throw new Error('--driver wrk: wrk is not on PATH');
  const plan = planCpus(cpus().length, o.workers, hasCommand('taskset'));
  const result: BenchResult = {
    version: 1,
    startedAt: new Date().toISOString(),
    machine: machineInfo(commandLine, plan.describe),
    options: {
      scenarios: scenarios.map((s) => s.name),
      durationS: o.durationS,
      connections: o.connections,
      workers: o.workers,
      driver: o.driver,
      rounds: o.rounds,
      loadFraction: o.loadFraction,
      warmupS: o.warmupS,
    },
    measurements: [],
    skipped: [],
  };
  for (const s of scenarios) {
    const outcome = await benchScenario(s, o, plan, result.skipped);
    result.measurements.push(...outcome.measurements);
    if (outcome.ttft.length > 0) (result.ttft ??= []).push(...outcome.ttft);
  }
  return result;
}

async function main(argv: readonly string[]): Promise<void> {
  const o = parseBenchArgs(argv);
  if (o.help) {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const result = await runBench(o, ['npm run bench --', ...argv].join(' '));
  process.stdout.write(formatText(result));
  const files = await writeResult(result, o.outDir ?? RESULTS_DIR);
  process.stdout.write(`\nwrote ${files.json}\nwrote ${files.markdown}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${BENCH_USAGE}`);
    process.exit(1);
  });
}
