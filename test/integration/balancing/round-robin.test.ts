/**
 * Weighted round robin through a running gateway: targets weighted 3:1 get exactly 3/4
 * and 1/4 of the requests with one worker (the schedule is walked in order), and 3:1
 * within a small tolerance with two workers (each walks its own copy of the schedule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { fire, startTagged, tally, type TaggedUpstream } from './tagged-upstream.js';
import { workerOfRequestId } from '../reload/load-driver.js';

let heavy: TaggedUpstream;
let light: TaggedUpstream;

function config(): string {
  return JSON.stringify({
    _format_version: '3.0',
    upstreams: [
      {
        name: 'weighted',
        algorithm: 'round-robin',
        targets: [
          { target: heavy.target, weight: 300 },
          { target: light.target, weight: 100 },
        ],
      },
    ],
    services: [{ name: 'svc', host: 'weighted', port: 80, protocol: 'http', routes: [{ name: 'r', paths: ['/'] }] }],
  });
}

async function run(gw: Gateway, total: number, connections: number): Promise<{ tags: Record<string, number>; workers: Set<number> }> {
  const pool = new Pool(gw.url, { connections });
  try {
    const answers = await fire(
      async (i) => {
        const res = await pool.request({ path: `/rr/${i}`, method: 'GET' });
        const id = res.headers['x-gatehouse-request-id'];
        return { status: res.statusCode, body: await res.body.text(), id: typeof id === 'string' ? id : '' };
      },
      total,
      connections,
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    return { tags: tally(answers.map((a) => a.body)), workers: new Set(answers.map((a) => workerOfRequestId(a.id))) };
  } finally {
    await pool.close();
  }
}

beforeAll(async () => {
  heavy = await startTagged('heavy');
  light = await startTagged('light');
});

afterAll(async () => {
  await heavy?.close();
  await light?.close();
});

describe('round-robin balancing', () => {
  it('splits 400 requests exactly 300/100 over weights 3:1 with one worker', async () => {
    const gw = await startGateway(config(), { workers: 1 });
    try {
      const { tags } = await run(gw, 400, 8);
      expect(tags).toEqual({ heavy: 300, light: 100 });
    } finally {
      expect(await gw.stop()).toBe(0);
    }
  });

  it('keeps 3:1 within a few requests with two workers', async () => {
    const gw = await startGateway(config(), { workers: 2 });
    try {
      const total = 800;
      const { tags, workers } = await run(gw, total, 32);
      expect(workers).toEqual(new Set([0, 1]));
      expect((tags['heavy'] ?? 0) + (tags['light'] ?? 0)).toBe(total);
      // Each worker is at most 3 picks off its exact share (a partial walk of the 4-slot
      // schedule from its random start), so two workers are at most 6 off.
      expect(Math.abs((tags['light'] ?? 0) - total / 4)).toBeLessThanOrEqual(6);
    } finally {
      expect(await gw.stop()).toBe(0);
    }
  });
});
