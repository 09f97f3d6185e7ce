/**
 * The filter-cost bench end to end: `node dist/bench/runner.js --scenario wasm-cost` for two
 * 1-second rounds. The runner starts one gateway with a route per variant next to the plain
 * route (every target answers every request, so the config with its filter chains loaded),
 * measures them in the same rounds, each with the gateway process's CPU time, skips nginx
 * with its reason, and prints the cost table from paired rounds.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from './run-bench.js';

describe('bench: wasm-cost', () => {
  it('measures a route per variant of one gateway, interleaved, and states each one’s cost', async () => {
    const { stdout, result } = await runBench(['--scenario', 'wasm-cost', '--duration', '1', '--rounds', '2', '--warmup', '0', '--connections', '4', '--load-fraction', '0'], 30_000);

    const measured = result.measurements.filter((m) => m.scenario === 'wasm-cost' && m.mode === 'max');
    expect(measured.map((m) => m.target)).toEqual(['direct', 'gatehouse', 'gatehouse+noop', 'gatehouse+headers']);
    for (const m of measured) {
      expect(m.roundRps, m.target).toHaveLength(2);
      expect(m.requests, m.target).toBeGreaterThan(0);
      expect(m.errors + m.non2xx, `${m.target} failures`).toBe(0);
      // The gateway process's CPU time per request (read from /proc around each run); none for direct.
      if (m.target === 'direct') expect(m.roundCpuUs).toBeUndefined();
      else for (const us of m.roundCpuUs ?? [Number.NaN, Number.NaN]) expect(us, m.target).toBeGreaterThan(0);
    }
    expect(result.skipped).toEqual([{ scenario: 'wasm-cost', target: 'nginx', reason: 'filter-cost scenario: nginx runs no WASM filters, nothing to compare' }]);

    expect(stdout).toContain('Variant cost');
    expect(stdout).toMatch(/wasm-cost\s+none\s+[\d,]+\s+baseline/);
    // Two paired rounds per variant and a verdict against its goal (the figures themselves are this machine's).
    const cost = '-?\\d+\\.\\d%\\s+-?\\d+\\.\\d% \\.\\. -?\\d+\\.\\d%';
    expect(stdout).toMatch(new RegExp(`wasm-cost\\s+noop\\s+[\\d,]+\\s+${cost}\\s+\\d+\\.\\d\\d\\s+${cost}\\s+2\\s+< 3%\\s+(met|MISSED)`));
    expect(stdout).toMatch(new RegExp(`wasm-cost\\s+headers\\s+[\\d,]+\\s+${cost}\\s+\\d+\\.\\d\\d\\s+${cost}\\s+2\\s+< 10%\\s+(met|MISSED)`));
  }, 40_000);
});
