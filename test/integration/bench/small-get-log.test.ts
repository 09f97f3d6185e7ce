/**
 * The access-log cost bench end to end: `node dist/bench/runner.js --scenario small-get-log`
 * for two 1-second rounds. One gateway, started with its access log to a file and the
 * debug endpoints; the runner switches the log off for `gatehouse` and on for
 * `gatehouse+log` before each run, measures both in the same rounds with the process's
 * CPU time, skips nginx with its reason, and states the log's cost against its goal.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from './run-bench.js';

describe('bench: small-get-log', () => {
  it('measures the access log on against off in one gateway, interleaved, and states its cost', async () => {
    const { stdout, result } = await runBench(['--scenario', 'small-get-log', '--duration', '1', '--rounds', '2', '--warmup', '0', '--connections', '4', '--load-fraction', '0'], 30_000);
    const measured = result.measurements.filter((m) => m.scenario === 'small-get-log' && m.mode === 'max');
    expect(measured.map((m) => m.target)).toEqual(['direct', 'gatehouse', 'gatehouse+log']);
    for (const m of measured) {
      expect(m.roundRps, m.target).toHaveLength(2);
      expect(m.errors + m.non2xx, `${m.target} failures`).toBe(0);
    }
    expect(result.skipped).toEqual([{ scenario: 'small-get-log', target: 'nginx', reason: 'access-log cost scenario: the baseline is the same gateway with its log off' }]);
    expect(stdout).toContain('Variant cost');
    const cost = '-?\\d+\\.\\d%\\s+-?\\d+\\.\\d% \\.\\. -?\\d+\\.\\d%';
    expect(stdout).toMatch(new RegExp(`small-get-log\\s+log\\s+[\\d,]+\\s+${cost}\\s+\\d+\\.\\d\\d\\s+${cost}\\s+2\\s+< 10%\\s+(met|MISSED)`));
  }, 40_000);
});
