/** Runs one TtftJob in a (pinned) child process. */
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { runCommand } from '../processes.js';
import type { TtftJob, TtftSample } from './ttft-types.js';

const TTFT_CHILD = fileURLToPath(new URL('./ttft-child.js', import.meta.url));

export async function runTtft(job: TtftJob, cpus: string | null): Promise<TtftSample> {
  const [cmd, args] = pinned(cpus, process.execPath, [TTFT_CHILD, JSON.stringify(job)]);
  const stdout = await runCommand(cmd, args);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as TtftSample;
}
