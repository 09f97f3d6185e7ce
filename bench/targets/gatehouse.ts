import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { freePort, startChild, stopChild, waitForHttp } from '../processes.js';
import type { TargetName } from '../results.js';
import { BENCH_MODEL } from '../upstreams/fast-llm.js';
import { gatehouseAiConfig, gatehouseConfig, gatehouseFilterArgs } from './gatehouse-config.js';
import type { RunningTarget, TargetContext } from './types.js';

/** dist/tools/cli/index.js, next to dist/bench/targets/ once built. */
export const GATEHOUSE_CLI = fileURLToPath(new URL('../../tools/cli/index.js', import.meta.url));

/** Why the gateway cannot be measured, or null when it can. */
export function gatehouseUnavailable(): string | null {
  return existsSync(GATEHOUSE_CLI) ? null : `${GATEHOUSE_CLI} not built (npm run build)`;
}

/**
 * Starts one gateway process. `name` is the target it is measured as: `gatehouse`, or
 * `gatehouse+<variant>` for a variant of a filter-cost scenario (its own config file, so
 * several gateways can share the scenario's temp dir).
 */
export async function startGatehouse(ctx: TargetContext, name: TargetName = 'gatehouse'): Promise<RunningTarget> {
  const config = join(ctx.tmpDir, `${name}.yaml`);
  const filters = ctx.filters ?? [];
  await writeFile(config, ctx.ai === undefined ? gatehouseConfig(ctx.upstreamPort, filters) : gatehouseAiConfig(ctx.upstreamPort, BENCH_MODEL));
  const port = await freePort();
  const [cmd, args] = pinned(ctx.cpus, process.execPath, [
    GATEHOUSE_CLI,
    'start',
    '--config',
    config,
    '--workers',
    String(ctx.workers),
    '--proxy-listen',
    `127.0.0.1:${port}`,
    '--admin-listen',
    '127.0.0.1:0',
    ...gatehouseFilterArgs(filters),
  ]);
  const started = startChild(cmd, args, { ...process.env, GATEHOUSE_ACCESS_LOG: 'off' });
  try {
    await waitForHttp(port, started.child);
  } catch (err) {
    await stopChild(started.child);
    throw new Error(`${name}: ${(err as Error).message}\n${started.stderr.toString()}`);
  }
  const target: RunningTarget = { name, baseUrl: `http://127.0.0.1:${port}`, stop: () => stopChild(started.child) };
  // taskset execs the gateway in its own process: the pid is the gateway's.
  if (started.child.pid !== undefined) target.pid = started.child.pid;
  if (ctx.ai !== undefined) target.probe = { path: '/ttft/v1/chat/completions', headers: {} };
  return target;
}
