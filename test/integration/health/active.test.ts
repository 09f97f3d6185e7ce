/**
 * Active health checks through a running gateway (two workers): the supervisor probes
 * PROBE_PATH every 100 ms; a target whose probe starts answering 500 turns UNHEALTHY in
 * GET /upstreams/{u}/health (and in /metrics) and stops receiving traffic from either
 * worker; once its probe answers 200 again it is HEALTHY and back in rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import type { Gateway } from '../../helpers/gateway.js';
import { PROBE_PATH, tally, type TaggedUpstream } from '../balancing/tagged-upstream.js';
import { startHealthRig, type HealthRig } from './rig.js';

let rig: HealthRig;
let good: TaggedUpstream;
let flaky: TaggedUpstream;
let gw: Gateway;

beforeAll(async () => {
  rig = await startHealthRig('probed', ['good', 'flaky'], {
    active: {
      type: 'http',
      http_path: PROBE_PATH,
      timeout: 1,
      healthy: { interval: 0.1, successes: 2, http_statuses: [200] },
      unhealthy: { interval: 0.1, http_failures: 2, tcp_failures: 2, timeouts: 2, http_statuses: [500] },
    },
  });
  [good, flaky] = rig.targets;
  gw = rig.gw;
});

afterAll(async () => {
  await rig?.close();
});

async function healthOf(target: TaggedUpstream): Promise<string> {
  return (await rig.health())[target.target] ?? 'missing';
}

async function traffic(total: number): Promise<{ tags: Record<string, number>; workers: Set<number> }> {
  const { answers, workers } = await rig.traffic(total, '/a');
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  return { tags: tally(answers.map((a) => a.body)), workers };
}

/** Round robin over two equal targets: each worker is at most one pick off an even split. */
function expectEvenSplit(tags: Record<string, number>): void {
  expect((tags['good'] ?? 0) + (tags['flaky'] ?? 0)).toBe(100);
  expect(Math.abs((tags['flaky'] ?? 0) - 50)).toBeLessThanOrEqual(2);
}

describe('active health checks', () => {
  it('probes both targets and keeps both in rotation while they answer 200', async () => {
    await waitFor(() => good.probes > 0 && flaky.probes > 0, 5000, 'first probes');
    expect(await healthOf(good)).toBe('HEALTHY');
    expect(await healthOf(flaky)).toBe('HEALTHY');
    expectEvenSplit((await traffic(100)).tags);
  });

  it('marks a target whose probe answers 500 UNHEALTHY and sends it no traffic', async () => {
    flaky.probeStatus = 500;
    await waitFor(async () => (await healthOf(flaky)) === 'UNHEALTHY', 5000, 'flaky UNHEALTHY');
    expect(await healthOf(good)).toBe('HEALTHY');
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metrics).toContain(`kong_upstream_target_health{upstream="probed",target="${flaky.target}",address="${flaky.target}",state="unhealthy",subsystem="http"} 1`);
    const hitsBefore = flaky.hits;
    const { tags, workers } = await traffic(200);
    expect(workers).toEqual(new Set([0, 1]));
    expect(tags).toEqual({ good: 200 });
    expect(flaky.hits).toBe(hitsBefore);
  });

  it('brings it back HEALTHY and into rotation once its probe answers 200', async () => {
    flaky.probeStatus = 200;
    await waitFor(async () => (await healthOf(flaky)) === 'HEALTHY', 5000, 'flaky HEALTHY again');
    expectEvenSplit((await traffic(100)).tags);
  });
});
