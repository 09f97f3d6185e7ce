/**
 * Manual target health through the admin API, and an upstream with no healthy target,
 * on a running gateway with two workers:
 *   PUT|POST /upstreams/{u}/targets/{t}/unhealthy|healthy -> 204, seen by both workers'
 *   balancers and in GET /upstreams/{u}/health; unknown upstream or target -> 404;
 *   every target unhealthy -> 503 {"message": "failure to get a peer from the ring-balancer"}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminClient } from '../admin/admin-client.js';
import { tally, type TaggedUpstream } from '../balancing/tagged-upstream.js';
import { startHealthRig, type HealthRig } from './rig.js';

let rig: HealthRig;
let one: TaggedUpstream;
let two: TaggedUpstream;
let admin: AdminClient;

beforeAll(async () => {
  // Health is tracked only with some check on: passive, with a threshold never reached here.
  rig = await startHealthRig('pair', ['one', 'two'], { passive: { unhealthy: { http_failures: 100 } } });
  [one, two] = rig.targets;
  admin = rig.admin;
});

afterAll(async () => {
  await rig?.close();
});

async function traffic(total: number): Promise<{ answers: string[]; workers: Set<number> }> {
  const { answers, workers } = await rig.traffic(total, '/m');
  return { answers: answers.map((a) => `${a.status} ${a.body}`), workers };
}

const health = (): Promise<Record<string, string>> => rig.health();

describe('manual target health', () => {
  it('takes a target out with PUT .../unhealthy, in both workers', async () => {
    expect(await health()).toEqual({ [one.target]: 'HEALTHY', [two.target]: 'HEALTHY' });
    const put = await admin.put(`/upstreams/pair/targets/${two.target}/unhealthy`);
    expect(put.status).toBe(204);
    expect(await health()).toEqual({ [one.target]: 'HEALTHY', [two.target]: 'UNHEALTHY' });
    const { answers, workers } = await traffic(200);
    expect(workers).toEqual(new Set([0, 1]));
    expect(tally(answers)).toEqual({ '200 one': 200 });
  });

  it('answers 503 when every target is unhealthy', async () => {
    expect((await admin.post(`/upstreams/pair/targets/${one.target}/unhealthy`)).status).toBe(204);
    const { answers } = await traffic(40);
    expect(new Set(answers)).toEqual(new Set(['503 {"message":"failure to get a peer from the ring-balancer"}']));
    const balancer = await admin.get('/upstreams/pair/health?balancer_health=1');
    expect(balancer.body.data.health).toBe('UNHEALTHY');
  });

  it('brings targets back with PUT .../healthy', async () => {
    expect((await admin.put(`/upstreams/pair/targets/${one.target}/healthy`)).status).toBe(204);
    expect((await admin.put(`/upstreams/pair/targets/${two.target}/healthy`)).status).toBe(204);
    expect(await health()).toEqual({ [one.target]: 'HEALTHY', [two.target]: 'HEALTHY' });
    const counts = tally((await traffic(100)).answers);
    expect((counts['200 one'] ?? 0) + (counts['200 two'] ?? 0)).toBe(100);
    expect(Math.abs((counts['200 two'] ?? 0) - 50)).toBeLessThanOrEqual(2);
  });

  it('answers 404 for an unknown upstream or target', async () => {
    expect((await admin.put(`/upstreams/nope/targets/${one.target}/unhealthy`)).status).toBe(404);
    expect((await admin.put('/upstreams/pair/targets/127.0.0.1:1/unhealthy')).status).toBe(404);
    expect((await admin.get('/upstreams/nope/health')).status).toBe(404);
  });
});
