/**
 * Heartbeat (issue 4, item 6): the supervisor pings every worker each second and flags
 * one whose event loop has not answered for 5 s. A stuck worker is reported in /status
 * and as gatehouse_workers{state="unresponsive"} in /metrics — not terminated, because
 * tearing down a thread that holds uWS sockets aborts the whole process — and the flag
 * clears when the worker answers again. The other worker keeps serving meanwhile.
 * The stall comes from the debug hook POST /debug/workers/{i}/stall?ms=N.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEchoProcess, type EchoProcess } from '../../helpers/echo-process.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/wait.js';

let echo: EchoProcess;
let gw: Gateway;

interface WorkerState {
  index: number;
  unresponsive: boolean;
}

beforeAll(async () => {
  echo = await startEchoProcess();
  gw = await startGateway(
    JSON.stringify({ _format_version: '3.0', services: [{ name: 'echo', url: echo.url, routes: [{ name: 'all', paths: ['/'] }] }] }),
    { workers: 2, env: { GATEHOUSE_DEBUG_ENDPOINTS: '1' } },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await echo?.close();
});

async function workers(): Promise<WorkerState[]> {
  const res = await request(`${gw.adminUrl}/status`);
  return ((await res.body.json()) as { workers: WorkerState[] }).workers;
}

async function metrics(): Promise<string> {
  const res = await request(`${gw.adminUrl}/metrics`);
  return res.body.text();
}

describe('worker heartbeat', () => {
  it('flags a worker whose event loop is stuck, and clears the flag when it answers again', async () => {
    expect((await workers()).map((w) => w.unresponsive)).toEqual([false, false]);
    const stall = await request(`${gw.adminUrl}/debug/workers/1/stall?ms=8000`, { method: 'POST' });
    expect(stall.statusCode).toBe(202);
    await stall.body.dump();

    await waitFor(async () => (await workers())[1]?.unresponsive === true, 12_000, 'worker 1 flagged unresponsive');
    expect((await workers())[0]?.unresponsive).toBe(false);
    // A stalled worker cannot answer the metrics scrape: the supervisor still answers in time.
    expect(await metrics()).toContain('gatehouse_workers{state="unresponsive"} 1');

    await waitFor(async () => (await workers())[1]?.unresponsive === false, 12_000, 'worker 1 answers again');
    expect(await metrics()).toContain('gatehouse_workers{state="unresponsive"} 0');
  });

  it('has no stall endpoint without GATEHOUSE_DEBUG_ENDPOINTS', async () => {
    const plain = await startGateway(JSON.stringify({ _format_version: '3.0', services: [] }), { workers: 1 });
    try {
      const res = await request(`${plain.adminUrl}/debug/workers/0/stall?ms=10`, { method: 'POST' });
      expect(res.statusCode).toBe(404);
      await res.body.dump();
    } finally {
      expect(await plain.stop()).toBe(0);
    }
  });
});
