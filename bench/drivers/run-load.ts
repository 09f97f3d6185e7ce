/** Runs one LoadJob with the chosen driver in a (pinned) child process. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { runCommand } from '../processes.js';
import type { DriverName, RunSample } from '../results.js';
import type { LoadJob } from './types.js';
import { parseWrkOutput } from './wrk-parse.js';
import { wrkScript } from './wrk-script.js';

const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.js', import.meta.url));

async function runAutocannon(job: LoadJob, cpus: string | null): Promise<RunSample> {
  const [cmd, args] = pinned(cpus, process.execPath, [AUTOCANNON_CHILD, JSON.stringify(job)]);
  const stdout = await runCommand(cmd, args);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as RunSample;
}

async function runWrk(job: LoadJob, cpus: string | null): Promise<RunSample> {
  if (job.rate !== null) throw new Error('wrk cannot pace requests; the fixed-rate pass uses autocannon');
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-wrk-'));
  try {
    const script = join(dir, 'job.lua');
    await writeFile(script, wrkScript(job));
    const base = ['-t1', `-c${job.connections}`, '--timeout', '10s', '-s', script];
    if (job.warmupS > 0) {
      const [wcmd, wargs] = pinned(cpus, 'wrk', [...base, `-d${job.warmupS}s`, job.url]);
      await runCommand(wcmd, wargs);
    }
    const [cmd, args] = pinned(cpus, 'wrk', [...base, `-d${job.durationS}s`, '--latency', job.url]);
    return parseWrkOutput(await runCommand(cmd, args));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function runLoad(driver: DriverName, job: LoadJob, cpus: string | null): Promise<RunSample> {
  return driver === 'wrk' ? runWrk(job, cpus) : runAutocannon(job, cpus);
}
