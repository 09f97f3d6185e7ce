/**
 * The AI bench end to end: `node dist/bench/runner.js --scenario ai-chat` for one short
 * round, then the report it wrote. Every target answers every request (the gateway's
 * ai-proxy route and Portkey really reach the mock LLM), at max load, at the fixed rate
 * and in the low-load probe, and the AI tables are there.
 * Portkey is a devDependency; were it missing, the run must say so instead of failing.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from './run-bench.js';
import { portkeyUnavailable } from '../../../bench/targets/portkey.js';

describe('bench: ai-chat', () => {
  it('measures direct, gatehouse and portkey at max load and at a fixed rate', async () => {
    const { stdout, result } = await runBench(['--scenario', 'ai-chat', '--duration', '1', '--rounds', '1', '--warmup', '0', '--connections', '8', '--ttft-requests', '10'], 60_000);

    const portkeyMissing = portkeyUnavailable();
    const expected = portkeyMissing === null ? ['direct', 'gatehouse', 'portkey'] : ['direct', 'gatehouse'];
    for (const mode of ['max', 'fraction'] as const) {
      const measured = result.measurements.filter((m) => m.scenario === 'ai-chat' && m.mode === mode);
      expect(measured.map((m) => m.target).sort()).toEqual(expected);
      for (const m of measured) {
        expect(m.requests, `${m.target} ${mode}`).toBeGreaterThan(0);
        expect(m.errors + m.non2xx, `${m.target} ${mode} failures`).toBe(0);
        expect(Number.isFinite(m.latency.p50) && Number.isFinite(m.latency.p99), `${m.target} ${mode} percentiles`).toBe(true);
      }
    }
    // The low-load probe ran against every target, and every probe got its answer.
    const probes = (result.ttft ?? []).filter((t) => t.scenario === 'ai-chat');
    expect(probes.map((t) => t.target).sort()).toEqual(expected);
    for (const t of probes) expect([t.requests, t.errors], `${t.target} probe`).toEqual([10, 0]);

    // nginx has no part in an AI scenario; Portkey is skipped only with a reason.
    expect(result.skipped.filter((s) => s.target === 'nginx')).toEqual([]);
    if (portkeyMissing !== null) expect(result.skipped).toContainEqual({ scenario: 'ai-chat', target: 'portkey', reason: portkeyMissing });

    expect(stdout).toContain('ratio vs portkey');
    expect(stdout).toContain('AI targets:');
    expect(stdout).toMatch(/ai-chat\s+added p99 at fixed rate < 1\.00ms/);
    expect(stdout).toMatch(/ai-chat\s+added p99 at low load \(probe\) < 1\.00ms/);
  }, 60_000);
});
