/**
 * The micro benchmarks still run (built output, one short case each): each prints its
 * JSON line, and the filter cases check inside that the filter did its work (they throw
 * otherwise, and the child exits non-zero).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

async function runMicro(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL(`../../../dist/bench/micro/${script}`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file, ...args], { timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}

describe('micro benchmarks', () => {
  it('filter-path: a request through the header filter, on the worker\'s own objects', async () => {
    const r = await runMicro('filter-path.bench.js', ['headers', '--iterations', '2000']);
    expect(r).toMatchObject({ case: 'headers', iterations: 2000 });
    expect(r['nsPerCycle']).toBeGreaterThan(0);
  });

  it('wasm-fuel: the compute-bound case, with fuel', async () => {
    const r = await runMicro('wasm-fuel.bench.js', ['work/fuel', '--iterations', '100000']);
    expect(r).toMatchObject({ case: 'work/fuel', iterations: 1000, generation: 1 });
  });

  it('router-match: one size', async () => {
    const r = await runMicro('router-match.bench.js', ['100', '--iterations', '10000']);
    expect(r).toMatchObject({ routes: 100, iterations: 10000 });
  });

  it('access-line: the line and the sink to /dev/null (it throws if the sink dropped a line)', async () => {
    const r = await runMicro('access-line.bench.js', ['line+sink', '--iterations', '5000']);
    expect(r).toMatchObject({ case: 'line+sink', iterations: 5000 });
    expect(r['nsPerLine']).toBeGreaterThan(0);
  });

  it('refuses an unknown case', async () => {
    await expect(runMicro('filter-path.bench.js', ['nope'])).rejects.toThrow(/unknown case nope/);
  });
});
