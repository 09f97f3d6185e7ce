import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl } from '../../helpers/built-module.js';
import { CheckKind, HealthReason, Outcome, UpstreamState } from '../../../core/shared/upstream-state.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then(({ UpstreamState, CheckKind, Outcome, HealthReason }) => {
  const state = UpstreamState.attach(workerData.buffer);
  let flips = 0;
  for (let i = 0; i < workerData.n; i++) {
    state.started(0);
    if (i % 5 === 0) state.finished(0);
    if (state.report(1, CheckKind.PASSIVE, Outcome.HTTP_FAILURE, workerData.threshold, HealthReason.PASSIVE)) flips++;
  }
  state.recordLatency(2, 40);
  parentPort.postMessage({ flips, sawSlot3Down: !state.isHealthy(3) });
});
`;

describe('upstream state shared by worker threads', () => {
  it('two workers add to one in-flight count and trip one shared passive threshold once', async () => {
    const url = builtModuleUrl('core/shared/upstream-state.ts');
    const state = UpstreamState.create(8);
    state.setHealthy(3, false, HealthReason.ACTIVE); // written by the "supervisor" before the workers read
    const n = 5000;
    const threshold = n + n / 2; // reached only if both workers' failures land in one counter
    const run = (): Promise<{ flips: number; sawSlot3Down: boolean }> =>
      new Promise((resolvePromise, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { url, buffer: state.buffer, n, threshold } });
        w.once('message', (m: { flips: number; sawSlot3Down: boolean }) => {
          resolvePromise(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    expect(state.inflight(0)).toBe(2 * (n - n / 5));
    expect(results.reduce((a, r) => a + r.flips, 0)).toBe(1);
    expect(state.isHealthy(1)).toBe(false);
    expect(results.every((r) => r.sawSlot3Down)).toBe(true);
    expect(state.snapshot(2).ewmaMs).toBeGreaterThan(0);
    // Sanity: counting in one thread alone needs the full threshold.
    const alone = UpstreamState.create(2);
    for (let i = 0; i < threshold - 1; i++) alone.report(0, CheckKind.PASSIVE, Outcome.HTTP_FAILURE, threshold, HealthReason.PASSIVE);
    expect(alone.isHealthy(0)).toBe(true);
  });
});
