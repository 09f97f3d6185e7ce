import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { freePort, startChild, stopChild, waitForHttp } from '../processes.js';
import { BENCH_MODEL } from '../upstreams/fast-llm.js';
import { type BenchFilter, gatehouseAiConfig, gatehouseConfig, gatehouseFilterArgs, gatehouseVariantsConfig } from './gatehouse-config.js';
import { type GatewaySpec, variantRoute } from './gateways.js';
import type { RunningTarget, TargetContext } from './types.js';

/** dist/tools/cli/index.js, next to dist/bench/targets/ once built. */
export const GATEHOUSE_CLI = fileURLToPath(new URL('../../tools/cli/index.js', import.meta.url));

/** Why the gateway cannot be measured, or null when it can. */
export function gatehouseUnavailable(): string | null {
  return existsSync(GATEHOUSE_CLI) ? null : `${GATEHOUSE_CLI} not built (npm run build)`;
}

/** A gateway process the bench started. */
interface GatewayProcess {
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** How a gateway process writes its access log: `off` unless a variant measures it. */
interface LaunchLog {
  /** GATEHOUSE_ACCESS_LOG: 'off', 'stdout' or a path. */
  destination: string;
  /** With the debug endpoints on a known admin port, to switch the log per target. */
  adminPort: number | null;
}

const NO_ACCESS_LOG: LaunchLog = { destination: 'off', adminPort: null };

/**
 * Starts `gatehouse start` on `configYaml` (written as `<name>.yaml` in the temp dir) and
 * waits for it to answer. `nodeArgs` go to node before the CLI (e.g. `--cpu-prof`).
 */
async function launchGatehouse(
  ctx: TargetContext,
  name: string,
  configYaml: string,
  filters: readonly BenchFilter[],
  nodeArgs: readonly string[] = [],
  extraArgs: readonly string[] = [],
  log: LaunchLog = NO_ACCESS_LOG,
): Promise<GatewayProcess> {
  const config = join(ctx.tmpDir, `${name}.yaml`);
  await writeFile(config, configYaml);
  const port = await freePort();
  const [cmd, args] = pinned(ctx.cpus, process.execPath, [
    ...nodeArgs,
    GATEHOUSE_CLI,
    'start',
    '--config',
    config,
    '--workers',
    String(ctx.workers),
    '--proxy-listen',
    `127.0.0.1:${port}`,
    '--admin-listen',
    `127.0.0.1:${log.adminPort ?? 0}`,
    ...gatehouseFilterArgs(filters),
    ...extraArgs,
  ]);
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_ACCESS_LOG: log.destination };
  if (log.adminPort !== null) env['GATEHOUSE_DEBUG_ENDPOINTS'] = '1';
  const started = startChild(cmd, args, env);
  const stdout = started.child.stdout;
  let reader: ChildProcess | null = null;
  if (log.destination === 'stdout' && stdout !== null) {
    // The access log's reader is `cat` into /dev/null on the load cores, as a log collector
    // beside the gateway would be: this process's own reads could land on the proxy's core.
    const [readCmd, readArgs] = pinned(ctx.loadCpus ?? null, 'cat', []);
    reader = spawn(readCmd, readArgs, { stdio: [stdout, 'ignore', 'ignore'] });
    stdout.destroy();
  } else {
    // Read and discard stdout (process logs): a full pipe would stall the gateway's logger.
    stdout?.resume();
  }
  const stop = async (): Promise<void> => {
    await stopChild(started.child);
    if (reader !== null) await stopChild(reader);
  };
  try {
    await waitForHttp(port, started.child);
  } catch (err) {
    await stop();
    throw new Error(`${name}: ${(err as Error).message}\n${started.stderr.toString()}`);
  }
  // taskset execs the gateway in its own process: the pid is the gateway's.
  return { port, pid: started.child.pid, stop };
}

/**
 * Starts the gateway measured as `gatehouse` (default front), or as `gatehouse-uws` (the
 * same gateway with `--http-front uws`), with `ctx.filters` (if any) on its catch-all route.
 */
export async function startGatehouse(ctx: TargetContext, name: 'gatehouse' | 'gatehouse-uws' = 'gatehouse'): Promise<RunningTarget> {
  const filters = ctx.filters ?? [];
  const yaml = ctx.ai === undefined ? gatehouseConfig(ctx.upstreamPort, filters) : gatehouseAiConfig(ctx.upstreamPort, BENCH_MODEL);
  const gw = await launchGatehouse(ctx, name, yaml, filters, [], name === 'gatehouse-uws' ? ['--http-front', 'uws'] : []);
  const target: RunningTarget = { name, baseUrl: `http://127.0.0.1:${gw.port}`, stop: gw.stop };
  if (gw.pid !== undefined) target.pid = gw.pid;
  if (ctx.ai !== undefined) target.probe = { path: '/ttft/v1/chat/completions', headers: {} };
  return target;
}

/**
 * The gateway of a filter-cost scenario: one process with a route per target of `plan`
 * (gatehouse-config.ts), returned as one target per route. They share the process, so its
 * CPU time read around one target's run is that route's (the rounds load one at a time),
 * and what differs between the targets is the filter chain alone: not the process's heap,
 * JIT state or code layout, which differ from one process to the next by more than the
 * costs being measured. Stopping any of them stops the process once. `nodeArgs` as for
 * launchGatehouse (route-profile.ts profiles this gateway).
 */
export async function startFilterCostGatehouse(
  ctx: TargetContext,
  plan: readonly GatewaySpec[],
  nodeArgs: readonly string[] = [],
  accessLogTo: 'file' | 'stdout' = 'file',
  consumers: readonly Readonly<Record<string, unknown>>[] = [],
): Promise<RunningTarget[]> {
  const logged = plan.some((g) => g.accessLog === true);
  const log: LaunchLog = logged ? { destination: accessLogTo === 'stdout' ? 'stdout' : join(ctx.tmpDir, 'access.log'), adminPort: await freePort() } : NO_ACCESS_LOG;
  const gw = await launchGatehouse(ctx, 'gatehouse-variants', gatehouseVariantsConfig(ctx.upstreamPort, plan, consumers), plan.flatMap((g) => g.filters), nodeArgs, [], log);
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopped ??= gw.stop());
  return plan.map((g) => {
    const target: RunningTarget = { name: g.target, baseUrl: `http://127.0.0.1:${gw.port}/${variantRoute(g.target)}`, stop };
    if (gw.pid !== undefined) target.pid = gw.pid;
    const adminPort = log.adminPort;
    if (adminPort !== null) target.prepare = () => switchAccessLog(adminPort, g.accessLog === true);
    return target;
  });
}

/** Turns the gateway's access log on or off (its debug endpoint); every worker hears it before the warm-up ends. */
async function switchAccessLog(adminPort: number, on: boolean): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/debug/access-log?on=${on}`, { method: 'POST' });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`POST /debug/access-log?on=${on}: ${res.status}`);
}
