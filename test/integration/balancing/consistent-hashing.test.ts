/**
 * Consistent hashing through a running gateway with two workers:
 *   - on a header: the same header value always reaches the same target (whichever worker
 *     takes the connection: every worker builds the same ring), and different values spread
 *     over every target;
 *   - on a cookie: a request without the cookie gets a `Set-Cookie` with a minted value,
 *     and requests carrying it stick to one target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startTagged, type TaggedUpstream } from './tagged-upstream.js';
import { workerOfRequestId } from '../reload/load-driver.js';

const targets: TaggedUpstream[] = [];
let gw: Gateway;

beforeAll(async () => {
  for (const tag of ['a', 'b', 'c']) targets.push(await startTagged(tag));
  const list = targets.map((t) => ({ target: t.target }));
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [
        { name: 'by-header', algorithm: 'consistent-hashing', hash_on: 'header', hash_on_header: 'x-user', targets: list },
        { name: 'by-cookie', algorithm: 'consistent-hashing', hash_on: 'cookie', hash_on_cookie: 'sticky', hash_on_cookie_path: '/c', targets: list },
      ],
      services: [
        { name: 'h', host: 'by-header', port: 80, protocol: 'http', routes: [{ name: 'h', paths: ['/h'] }] },
        { name: 'c', host: 'by-cookie', port: 80, protocol: 'http', routes: [{ name: 'c', paths: ['/c'] }] },
      ],
    }),
    { workers: 2 },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  for (const t of targets) await t.close();
});

interface Answer {
  status: number;
  body: string;
  worker: number;
  setCookie: string | string[] | undefined;
}

async function get(client: Client | Pool, path: string, headers: Record<string, string>): Promise<Answer> {
  const res = await client.request({ path, method: 'GET', headers });
  const id = res.headers['x-gatehouse-request-id'];
  return { status: res.statusCode, body: await res.body.text(), worker: workerOfRequestId(typeof id === 'string' ? id : ''), setCookie: res.headers['set-cookie'] };
}

/** 16 separate connections: the kernel spreads them over both workers. */
function clients(): Client[] {
  return Array.from({ length: 16 }, () => new Client(gw.url));
}

describe('consistent-hashing balancing', () => {
  it('on a header: one value, one target, across both workers; values spread over all targets', async () => {
    const conns = clients();
    try {
      const owner = new Map<string, Set<string>>();
      const workers = new Set<number>();
      for (let round = 0; round < 4; round++) {
        for (let u = 0; u < 60; u++) {
          const user = `user-${u}`;
          const a = await get(conns[(u + round * 7) % conns.length] as Client, `/h/${round}`, { 'x-user': user });
          expect(a.status).toBe(200);
          workers.add(a.worker);
          const seen = owner.get(user) ?? new Set<string>();
          seen.add(a.body);
          owner.set(user, seen);
        }
      }
      expect(workers).toEqual(new Set([0, 1]));
      for (const [user, seen] of owner) expect([user, [...seen]]).toEqual([user, [[...seen][0]]]);
      const perTarget = new Map<string, number>();
      for (const seen of owner.values()) for (const t of seen) perTarget.set(t, (perTarget.get(t) ?? 0) + 1);
      expect([...perTarget.keys()].sort()).toEqual(['a', 'b', 'c']);
      // 60 keys over 3 equal targets: none is starved.
      for (const n of perTarget.values()) expect(n).toBeGreaterThanOrEqual(6);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('on a cookie: mints one when absent (Set-Cookie), then sticks to one target', async () => {
    const conns = clients();
    try {
      const stickyTargets = new Set<string>();
      for (let session = 0; session < 12; session++) {
        const first = await get(conns[session % conns.length] as Client, '/c/login', {});
        expect(first.status).toBe(200);
        const cookie = typeof first.setCookie === 'string' ? first.setCookie : '';
        expect(cookie).toMatch(/^sticky=[0-9a-f-]{36}; Path=\/c$/);
        const value = cookie.split(';')[0] as string;
        const seen = new Set<string>([first.body]);
        for (let i = 0; i < 8; i++) {
          const again = await get(conns[(session + i * 5) % conns.length] as Client, `/c/page/${i}`, { cookie: `other=1; ${value}` });
          expect(again.status).toBe(200);
          expect(again.setCookie).toBeUndefined();
          seen.add(again.body);
        }
        expect(seen.size).toBe(1);
        stickyTargets.add([...seen][0] as string);
      }
      // 12 random sessions over 3 targets land on more than one of them.
      expect(stickyTargets.size).toBeGreaterThan(1);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});
