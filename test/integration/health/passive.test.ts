/**
 * Passive health checks (circuit breaking on proxied traffic) through a running gateway
 * with two workers. The failure counters live in shared memory, so the threshold counts
 * the failures seen by both workers together, and once a target trips neither worker
 * sends it anything:
 *   - a target answering 500: after `http_failures` 500s (passed through to the client)
 *     it is UNHEALTHY and skipped;
 *   - a target refusing connections: the refused attempts are retried on the other target
 *     (the client sees 200s) and after `tcp_failures` of them it is UNHEALTHY;
 *   - a tripped target stays out until an operator resets it (Kong has no cool-down):
 *     PUT .../healthy brings it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { closedPort } from '../../helpers/upstream.js';
import { adminClient, type AdminClient } from '../admin/admin-client.js';
import { startTagged, tally, type TaggedUpstream } from '../balancing/tagged-upstream.js';
import { workerOfRequestId } from '../reload/load-driver.js';

const HTTP_FAILURES = 4;
const TCP_FAILURES = 2;

let good: TaggedUpstream;
let failing: TaggedUpstream;
let refusedTarget: string;
let gw: Gateway;
let admin: AdminClient;
let conns: Client[];

const passive = (failures: Record<string, number>) => ({
  passive: {
    healthy: { successes: 0 },
    unhealthy: { http_statuses: [500], http_failures: 0, tcp_failures: 0, timeouts: 0, ...failures },
  },
});

beforeAll(async () => {
  good = await startTagged('good');
  failing = await startTagged('failing');
  failing.status = 500;
  refusedTarget = `127.0.0.1:${await closedPort()}`;
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [
        { name: 'http-fail', healthchecks: passive({ http_failures: HTTP_FAILURES }), targets: [{ target: good.target }, { target: failing.target }] },
        { name: 'tcp-fail', healthchecks: passive({ tcp_failures: TCP_FAILURES }), targets: [{ target: good.target }, { target: refusedTarget }] },
      ],
      services: [
        { name: 'h', host: 'http-fail', port: 80, protocol: 'http', retries: 0, routes: [{ name: 'h', paths: ['/h'] }] },
        { name: 't', host: 'tcp-fail', port: 80, protocol: 'http', retries: 3, routes: [{ name: 't', paths: ['/t'] }] },
      ],
    }),
    { workers: 2 },
  );
  admin = adminClient(gw.adminUrl);
  // 16 connections: the kernel spreads them over both workers.
  conns = Array.from({ length: 16 }, () => new Client(gw.url));
});

afterAll(async () => {
  await Promise.all((conns ?? []).map((c) => c.close()));
  expect(await gw?.stop()).toBe(0);
  await good?.close();
  await failing?.close();
});

interface Answer {
  status: number;
  body: string;
  worker: number;
}

/** `total` requests one after another, each on the next of the 16 connections. */
async function sequential(path: string, total: number): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < total; i++) {
    const res = await (conns[i % conns.length] as Client).request({ path: `${path}/${i}`, method: 'GET' });
    const id = res.headers['x-gatehouse-request-id'];
    out.push({ status: res.statusCode, body: await res.body.text(), worker: workerOfRequestId(typeof id === 'string' ? id : '') });
  }
  return out;
}

async function healthOf(upstream: string, target: string): Promise<string> {
  const reply = await admin.get(`/upstreams/${upstream}/health`);
  expect(reply.status).toBe(200);
  return (reply.body.data as { target: string; health: string }[]).find((r) => r.target === target)?.health ?? 'missing';
}

describe('passive health checks', () => {
  it(`trips a target after ${HTTP_FAILURES} 500s counted across both workers, then skips it in both`, async () => {
    expect(await healthOf('http-fail', failing.target)).toBe('HEALTHY');
    const answers = await sequential('/h', 60);
    // Exactly the threshold reached the failing target: the two workers counted together.
    expect(failing.hits).toBe(HTTP_FAILURES);
    expect(answers.filter((a) => a.status === 500).map((a) => a.body)).toEqual(Array(HTTP_FAILURES).fill('failing'));
    expect(await healthOf('http-fail', failing.target)).toBe('UNHEALTHY');
    // After the trip, both workers answer only from the good target.
    const tripped = answers.slice(answers.findLastIndex((a) => a.status === 500) + 1);
    expect(new Set(tripped.map((a) => a.worker))).toEqual(new Set([0, 1]));
    expect(tally(tripped.map((a) => a.body))).toEqual({ good: tripped.length });
  });

  it('keeps a tripped target out until it is reset through the admin API', async () => {
    failing.status = 200;
    const still = await sequential('/h', 20);
    expect(tally(still.map((a) => a.body))).toEqual({ good: 20 });
    expect((await admin.put(`/upstreams/http-fail/targets/${failing.target}/healthy`)).status).toBe(204);
    expect(await healthOf('http-fail', failing.target)).toBe('HEALTHY');
    const back = await sequential('/h', 40);
    expect(back.every((a) => a.status === 200)).toBe(true);
    expect(tally(back.map((a) => a.body))['failing'] ?? 0).toBeGreaterThanOrEqual(10);
  });

  it(`trips a target refusing connections after ${TCP_FAILURES} refusals, retrying each on the other target`, async () => {
    expect(await healthOf('tcp-fail', refusedTarget)).toBe('HEALTHY');
    const answers = await sequential('/t', 40);
    expect(answers.map((a) => `${a.status} ${a.body}`)).toEqual(Array(40).fill('200 good'));
    expect(await healthOf('tcp-fail', refusedTarget)).toBe('UNHEALTHY');
  });
});
