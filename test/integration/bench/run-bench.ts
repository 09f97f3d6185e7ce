/**
 * Runs the built bench runner (`node dist/bench/runner.js ARGS --out DIR`) in a fresh
 * temp directory and returns what it printed and the result file it wrote.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../../../bench/results.js';

const RUNNER = fileURLToPath(new URL('../../../dist/bench/runner.js', import.meta.url));

export async function runBench(args: readonly string[], timeoutMs: number): Promise<{ stdout: string; result: BenchResult }> {
  const out = mkdtempSync(join(tmpdir(), 'gatehouse-bench-test-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [RUNNER, ...args, '--out', out], { timeout: timeoutMs });
    const json = readdirSync(out).find((f) => f.endsWith('.json'));
    if (json === undefined) throw new Error(`the runner wrote no result file; it printed:\n${stdout}`);
    return { stdout, result: JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchResult };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
