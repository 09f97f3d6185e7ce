/**
 * The route profiler end to end (`node dist/bench/route-profile.js`): one profiled gateway
 * with the wasm-cost routes, one round of 1 s per route, the worker's profile split by
 * slice. It must find the worker's profile, count requests on both routes, and print the
 * per-function difference table with the filter's own code among the functions seen.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../../dist/bench/route-profile.js', import.meta.url));

describe('bench: route-profile', () => {
  it('profiles two routes of one gateway and prints their per-request difference', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--rounds', '1', '--duration', '1', '--top', '200', '--driver', 'autocannon'], { timeout: 40_000 });
    const head = /^1 rounds x 1s per route, profiled: none (\d+\.\d\d) busy µs\/req \((\d+) requests\); noop (\d+\.\d\d) busy µs\/req \((\d+) requests\)$/m.exec(stdout);
    expect(head, stdout).not.toBeNull();
    expect(Number(head?.[2])).toBeGreaterThan(0);
    expect(Number(head?.[4])).toBeGreaterThan(0);
    expect(stdout).toContain('self µs/request, noop - none');
    // The guest's host side only runs on the filtered route: its functions are in the table.
    expect(stdout).toMatch(/^\s+\d+\.\d{3}\s+0\.000\s+\d+\.\d{3}\s+\S+ wasm\//m);
  }, 60_000);

  it('refuses an unknown route, naming the ones it has', async () => {
    await expect(promisify(execFile)(process.execPath, [SCRIPT, '--routes', 'none,nope'], { timeout: 20_000 })).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown route nope (have: none, noop, headers)'),
    });
  });
});
