/**
 * The access log (GATEHOUSE_ACCESS_LOG=stdout): one JSON line per request, with route,
 * service, status, latencies and bytes, for proxied requests and local answers alike.
 * The lines are read from the gateway child's stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool, request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor } from '../../helpers/wait.js';

interface AccessLine {
  msg: string;
  request_id: string;
  method: string;
  path: string;
  status: number;
  route: string | null;
  service: string | null;
  upstream_uri: string | null;
  tries: number;
  latencies: { request: number; kong: number; proxy: number | null };
  bytes_in: number;
  bytes_out: number;
}

let upstream: TestUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' });
    res.end('hello world');
  });
  const dead = await closedPort();
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        { name: 'hello-svc', url: `${upstream.url}/base`, routes: [{ name: 'hello-route', paths: ['/hello'] }] },
        { name: 'dead-svc', url: `http://127.0.0.1:${dead}`, retries: 1, routes: [{ name: 'dead-route', paths: ['/dead'] }] },
      ],
    }),
    { accessLog: 'stdout' },
  );
});

afterAll(async () => {
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
});

function accessLines(): AccessLine[] {
  const out: AccessLine[] = [];
  for (const line of gw.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as AccessLine;
    if (parsed.msg === 'access') out.push(parsed);
  }
  return out;
}

async function logged(requestId: string): Promise<AccessLine> {
  let found: AccessLine | undefined;
  await waitFor(() => (found = accessLines().find((l) => l.request_id === requestId)) !== undefined, 5000, `access line ${requestId}`);
  return found as AccessLine;
}

describe('access log', () => {
  it('writes one JSON line per proxied request with route, service, status, latencies and bytes', async () => {
    const res = await request(`${gw.url}/hello/there?x=1`, { method: 'POST', body: 'twelve bytes' });
    expect(await res.body.text()).toBe('hello world');
    const id = res.headers['x-gatehouse-request-id'] as string;
    const line = await logged(id);
    expect(line).toMatchObject({
      method: 'POST',
      path: '/hello/there',
      status: 200,
      route: 'hello-route',
      service: 'hello-svc',
      upstream_uri: '/base/there?x=1',
      tries: 1,
      bytes_in: 12,
      bytes_out: 11,
    });
    expect(line.latencies.request).toBeGreaterThanOrEqual(0);
    expect(line.latencies.kong).toBeGreaterThanOrEqual(0);
    expect(line.latencies.proxy).toBeGreaterThanOrEqual(0);
    expect(line.latencies.request).toBeGreaterThanOrEqual(line.latencies.kong);
  });

  it('logs local answers (no route) with a null route and service', async () => {
    const res = await request(`${gw.url}/nope`);
    await res.body.dump();
    expect(res.statusCode).toBe(404);
    const line = await logged(res.headers['x-gatehouse-request-id'] as string);
    expect(line).toMatchObject({ status: 404, route: null, service: null, upstream_uri: null, tries: 0 });
  });

  it('logs upstream failures with their status and tries', async () => {
    const res = await request(`${gw.url}/dead/x`);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    const line = await logged(res.headers['x-gatehouse-request-id'] as string);
    expect(line).toMatchObject({ status: 502, route: 'dead-route', service: 'dead-svc', tries: 2 });
  });

  it('writes exactly one line per request', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await request(`${gw.url}/hello/n${i}`);
      await res.body.dump();
      ids.push(res.headers['x-gatehouse-request-id'] as string);
    }
    await Promise.all(ids.map((id) => logged(id)));
    const lines = accessLines();
    for (const id of ids) expect(lines.filter((l) => l.request_id === id)).toHaveLength(1);
  });
});

describe('access log from two workers', () => {
  // Both worker threads write to the same stdout: lines must never interleave.
  it('writes whole, parseable lines, one per request', async () => {
    const two = await startGateway(
      JSON.stringify({ _format_version: '3.0', services: [{ name: 'hello-svc', url: upstream.url, routes: [{ name: 'r', paths: ['/'] }] }] }),
      { accessLog: 'stdout', workers: 2 },
    );
    try {
      const pool = new Pool(two.url, { connections: 32 });
      const ids: string[] = [];
      try {
        await Promise.all(
          Array.from({ length: 32 }, async (_, c) => {
            for (let i = 0; i < 60; i++) {
              const res = await pool.request({ path: `/c${c}/i${i}/${'p'.repeat(200)}`, method: 'GET' });
              await res.body.dump();
              ids.push(res.headers['x-gatehouse-request-id'] as string);
            }
          }),
        );
      } finally {
        await pool.close();
      }
      const parse = (): AccessLine[] =>
        two
          .stdout()
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as AccessLine)
          .filter((l) => l.msg === 'access');
      await waitFor(() => parse().length >= ids.length, 10_000, 'every access line');
      const lines = parse();
      expect(lines).toHaveLength(ids.length);
      expect(new Set(lines.map((l) => l.request_id))).toEqual(new Set(ids));
      expect(new Set(lines.map((l) => l.request_id.slice(8, 10)))).toEqual(new Set(['00', '01']));
    } finally {
      expect(await two.stop()).toBe(0);
    }
  }, 30_000);
});
