/**
 * Least connections through a running gateway: with two equal-weight targets, one slow
 * (its requests stay in flight), the slow one gets far fewer requests than the fast one,
 * while round robin over the same two would split them evenly. The in-flight counts are
 * shared between the two workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { fire, startTagged, tally, type TaggedUpstream } from './tagged-upstream.js';

let fast: TaggedUpstream;
let slow: TaggedUpstream;
let gw: Gateway;

beforeAll(async () => {
  fast = await startTagged('fast');
  slow = await startTagged('slow');
  slow.delayMs = 150;
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [{ name: 'lc', algorithm: 'least-connections', targets: [{ target: fast.target }, { target: slow.target }] }],
      services: [{ name: 'svc', host: 'lc', port: 80, protocol: 'http', routes: [{ name: 'r', paths: ['/'] }] }],
    }),
    { workers: 2 },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await fast?.close();
  await slow?.close();
});

describe('least-connections balancing', () => {
  it('sends a slow target fewer requests than a fast one', async () => {
    const pool = new Pool(gw.url, { connections: 16 });
    try {
      const answers = await fire(
        async (i) => {
          const res = await pool.request({ path: `/lc/${i}`, method: 'GET' });
          return { status: res.statusCode, body: await res.body.text(), id: '' };
        },
        600,
        16,
      );
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      const tags = tally(answers.map((a) => a.body));
      expect((tags['fast'] ?? 0) + (tags['slow'] ?? 0)).toBe(600);
      // Both are tried, but the slow target, holding its requests 150 ms, gets a small share
      // (an even split would be 300 each).
      expect(tags['slow'] ?? 0).toBeGreaterThan(0);
      expect(tags['slow'] ?? 0).toBeLessThan(600 * 0.2);
    } finally {
      await pool.close();
    }
  });
});
