/**
 * Chaos (issue 4, "Done when"): 64 keep-alive connections load 2 workers; mid-load one
 * worker dies of an uncaught exception (the debug hook POST /debug/workers/1/crash,
 * GATEHOUSE_DEBUG_ENDPOINTS=1). Checks:
 *   - failed requests are at most the ones that could be in flight on that worker (never
 *     more than the 64 connections), and none fails once the replacement is up;
 *   - the gateway is back to full capacity within 2 s: both workers alive in /status,
 *     and fresh connections are served by both workers with no error;
 *   - gatehouse_worker_restarts_total is 1 in /metrics, and /status counts the restart
 *     on that worker's slot with a new thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startEchoProcess, type EchoProcess } from '../../helpers/echo-process.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { adminClient, type AdminClient } from '../admin/admin-client.js';
import { startLoad, workerOfRequestId } from '../reload/load-driver.js';

const CONNECTIONS = 64;

let echo: EchoProcess;
let gw: Gateway;
let admin: AdminClient;

interface WorkerState {
  index: number;
  alive: boolean;
  version: number;
  restarts: number;
  thread_id: number | null;
}

beforeAll(async () => {
  echo = await startEchoProcess();
  gw = await startGateway(
    JSON.stringify({ _format_version: '3.0', services: [{ name: 'echo', url: echo.url, routes: [{ name: 'all', paths: ['/'] }] }] }),
    { workers: 2, env: { GATEHOUSE_DEBUG_ENDPOINTS: '1' } },
  );
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await echo?.close();
});

async function workers(): Promise<WorkerState[]> {
  return ((await admin.get('/status')).body as { workers: WorkerState[] }).workers;
}

describe('a worker crash under load', () => {
  it('loses at most the requests in flight on it and is back to full capacity within 2 s', async () => {
    const before = await workers();
    expect(before.map((w) => [w.index, w.alive, w.restarts])).toEqual([
      [0, true, 0],
      [1, true, 0],
    ]);

    const load = startLoad({ origin: gw.url, path: '/hello', connections: CONNECTIONS });
    await new Promise((resolve) => setTimeout(resolve, 800));
    const crashedAt = performance.now();
    const crash = await admin.post('/debug/workers/1/crash');
    expect(crash.status).toBe(202);

    // Back: worker 1 replaced (a new thread) and listening.
    let backAt = 0;
    let after: WorkerState[] = [];
    while (performance.now() - crashedAt < 5000) {
      after = await workers();
      if (after[1]?.restarts === 1 && after.every((w) => w.alive)) {
        backAt = performance.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(backAt, 'worker 1 never came back').toBeGreaterThan(0);
    expect(backAt - crashedAt, 'time to both workers alive (ms)').toBeLessThan(2000);
    expect(after[1]?.thread_id).not.toBe(before[1]?.thread_id);
    expect(after[0]?.thread_id).toBe(before[0]?.thread_id);

    // Throughput probe on fresh connections: both workers serve, nothing fails.
    const probe = new Pool(gw.url, { connections: 32 });
    const servedBy = new Set<number>();
    try {
      const statuses = await Promise.all(
        Array.from({ length: 600 }, async (_, i) => {
          const res = await probe.request({ path: `/anything/probe-${i}`, method: 'GET' });
          await res.body.text();
          const id = res.headers['x-gatehouse-request-id'];
          servedBy.add(workerOfRequestId(typeof id === 'string' ? id : ''));
          return res.statusCode;
        }),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      await probe.close();
    }
    expect(servedBy).toEqual(new Set([0, 1]));

    await new Promise((resolve) => setTimeout(resolve, 300));
    const samples = await load.stop();
    const failed = samples.filter((s) => s.status !== 200);
    expect(failed.length, `failed: ${failed.slice(0, 3).map((f) => f.error).join('; ')}`).toBeLessThanOrEqual(CONNECTIONS);
    // Failures are the crash's: requests that started before the replacement was up.
    expect(failed.filter((f) => f.start > backAt)).toEqual([]);
    expect(samples.filter((s) => s.status === 200 && s.start > backAt).length).toBeGreaterThan(0);

    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^gatehouse_worker_restarts_total 1$/m);
    expect(metrics).toMatch(/^gatehouse_workers\{state="alive"\} 2$/m);
  });

  it('answers 404 for a worker that does not exist', async () => {
    expect((await admin.post('/debug/workers/7/crash')).status).toBe(404);
    expect((await admin.post('/debug/workers/x/crash')).status).toBe(404);
  });
});

describe('without GATEHOUSE_DEBUG_ENDPOINTS', () => {
  it('has no crash endpoint', async () => {
    const plain = await startGateway(
      JSON.stringify({ _format_version: '3.0', services: [{ name: 'echo', url: echo.url, routes: [{ name: 'all', paths: ['/'] }] }] }),
      { workers: 1, env: { GATEHOUSE_DEBUG_ENDPOINTS: '' } },
    );
    try {
      const reply = await adminClient(plain.adminUrl).post('/debug/workers/0/crash');
      expect(reply.status).toBe(404);
      const status = (await adminClient(plain.adminUrl).get('/status')).body as { worker_restarts: number; workers: WorkerState[] };
      expect(status.worker_restarts).toBe(0);
      expect(status.workers.map((w) => w.alive)).toEqual([true]);
    } finally {
      expect(await plain.stop()).toBe(0);
    }
  });
});
