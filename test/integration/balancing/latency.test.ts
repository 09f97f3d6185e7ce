/**
 * The `latency` algorithm (peak EWMA) through a running gateway with two workers: while
 * both targets answer at once, both get traffic; once one of them is delayed, traffic
 * shifts away from it within a few seconds (its EWMA, shared by the workers, grows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { fire, startTagged, tally, type TaggedUpstream } from './tagged-upstream.js';

let steady: TaggedUpstream;
let degraded: TaggedUpstream;
let gw: Gateway;
let pool: Pool;

beforeAll(async () => {
  steady = await startTagged('steady');
  degraded = await startTagged('degraded');
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [{ name: 'lat', algorithm: 'latency', targets: [{ target: steady.target }, { target: degraded.target }] }],
      services: [{ name: 'svc', host: 'lat', port: 80, protocol: 'http', routes: [{ name: 'r', paths: ['/'] }] }],
    }),
    { workers: 2 },
  );
  pool = new Pool(gw.url, { connections: 8 });
});

afterAll(async () => {
  await pool?.close();
  expect(await gw?.stop()).toBe(0);
  await steady?.close();
  await degraded?.close();
});

async function batch(total: number): Promise<Record<string, number>> {
  const answers = await fire(
    async (i) => {
      const res = await pool.request({ path: `/lat/${i}`, method: 'GET' });
      return { status: res.statusCode, body: await res.body.text(), id: '' };
    },
    total,
    8,
  );
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  return tally(answers.map((a) => a.body));
}

describe('latency balancing', () => {
  it('uses both fast targets, then shifts traffic away from one given a delay', async () => {
    const before = await batch(400);
    expect(before['steady'] ?? 0).toBeGreaterThan(0);
    expect(before['degraded'] ?? 0).toBeGreaterThan(0);

    degraded.delayMs = 80;
    // Batches of 100 until one sends at most 5% to the delayed target (bounded: ~5 s).
    const shares: number[] = [];
    const deadline = Date.now() + 5000;
    for (;;) {
      const tags = await batch(100);
      const share = (tags['degraded'] ?? 0) / 100;
      shares.push(share);
      if (share <= 0.05 || Date.now() > deadline) break;
    }
    expect(shares.at(-1), `delayed target's share per batch: ${shares.join(', ')}`).toBeLessThanOrEqual(0.05);
  });
});
