/**
 * Issue 3, "Done when" #1: the SDK's example plugin (wasm-plugins/example-headers) through a
 * running gateway with 2 workers. It adds a header upstream, answers the denied prefix
 * with a local 403 JSON, counts requests in shared data (one SharedArrayBuffer for every
 * worker) and in a guest metric that the admin /metrics merges across workers. Under
 * concurrent load the shared counter must be exact: every request gets a distinct count
 * and the counts are exactly 1..N.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { buildWasm } from '../../helpers/wasm-build.js';
import { filtersDir, metricsText, metricValue, type FiltersDir } from './filters-dir.js';

const LOAD_REQUESTS = 2_000;
const LOAD_CONNECTIONS = 32;

let upstream: TestUpstream;
let dir: FiltersDir;
let gw: Gateway;
/** Requests sent through the filtered route so far (each one increments the counter). */
let sent = 0;

function config(upstreamUrl: string): string {
  return JSON.stringify({
    _format_version: '3.0',
    services: [
      {
        name: 'echo',
        url: upstreamUrl,
        routes: [
          { name: 'filtered', paths: ['/f'], strip_path: true },
          { name: 'plain', paths: ['/plain'], strip_path: true },
        ],
      },
    ],
    filter_chains: [
      {
        name: 'example',
        route: 'filtered',
        filters: [{ name: 'example-headers', config: { header: 'x-team', value: 'payments', denied_prefix: '/f/internal' } }],
      },
    ],
  });
}

interface Echo {
  url: string;
  headers: Record<string, string>;
}

async function send(path: string): Promise<Response> {
  const res = await fetch(`${gw.url}${path}`);
  if (path.startsWith('/f')) sent++;
  return res;
}

beforeAll(async () => {
  const wasm = await buildWasm('wasm-plugins/example-headers/assembly/index.ts');
  dir = filtersDir({ 'example-headers': wasm });
  upstream = await startUpstream();
  gw = await startGateway(config(upstream.url), { workers: 2, args: ['--wasm-filters-path', dir.path] });
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  dir?.remove();
});

describe('example-headers through a gateway with 2 workers', () => {
  it('adds the configured header to the request sent upstream', async () => {
    const res = await send('/f/orders?x=1');
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.url).toBe('/orders?x=1');
    expect(echo.headers['x-team']).toBe('payments');
  });

  it('sends a body the filter does not read as a plain route does: the client\'s Content-Length, intact', async () => {
    const small = Buffer.from('{"order":42}');
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
    for (const body of [small, big]) {
      const res = await fetch(`${gw.url}/f/orders`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      sent++;
      expect(res.status).toBe(200);
      const echo = (await res.json()) as Echo & { bodyLength: number; bodySha256: string };
      expect(echo.headers['x-team']).toBe('payments');
      expect(echo.headers['content-length']).toBe(String(body.length));
      expect(echo.headers['transfer-encoding']).toBeUndefined();
      expect(echo.bodyLength).toBe(body.length);
      expect(echo.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    }
  });

  it('leaves a route without a filter chain alone', async () => {
    const res = await send('/plain/orders');
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-team']).toBeUndefined();
    expect(res.headers.get('x-request-count')).toBeNull();
  });

  it('answers the denied prefix with a local 403 JSON and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const res = await send('/f/internal/keys');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ message: 'Forbidden by example-headers' });
    expect(res.headers.get('x-gatehouse-request-id')).toMatch(/^[0-9a-f]+$/);
    expect(upstream.received.length).toBe(before);
  });

  it('counts requests in x-request-count and in example_headers_requests_total', async () => {
    const first = await send('/f/count');
    await first.arrayBuffer();
    const n = Number(first.headers.get('x-request-count'));
    expect(n).toBe(sent);
    const second = await send('/f/count');
    await second.arrayBuffer();
    expect(Number(second.headers.get('x-request-count'))).toBe(n + 1);

    const text = await metricsText(gw.adminUrl);
    expect(metricValue(text, 'example_headers_requests_total')).toBe(sent);
    expect(metricValue(text, 'example_headers_denied_total')).toBe(1);
    expect(text).not.toContain('gatehouse_wasm_faults_total{');
  });

  it(`keeps the shared counter exact across both workers under load (${LOAD_REQUESTS} requests, ${LOAD_CONNECTIONS} connections)`, async () => {
    const base = sent;
    const pool = new Pool(gw.url, { connections: LOAD_CONNECTIONS, pipelining: 1 });
    const counts: number[] = [];
    const workers = new Set<string>();
    let next = 0;
    const errors: string[] = [];
    const lane = async (): Promise<void> => {
      while (next < LOAD_REQUESTS) {
        const i = next++;
        const res = await pool.request({ path: `/f/load/${i}`, method: 'GET' });
        await res.body.arrayBuffer();
        if (res.statusCode !== 200) errors.push(`${i}: ${res.statusCode}`);
        counts.push(Number(res.headers['x-request-count']));
        const id = res.headers['x-gatehouse-request-id'];
        if (typeof id === 'string') workers.add(id.slice(8, 10));
      }
    };
    try {
      await Promise.all(Array.from({ length: LOAD_CONNECTIONS }, lane));
    } finally {
      await pool.close();
    }
    sent += LOAD_REQUESTS;
    expect(errors).toEqual([]);
    // Both workers took part, so the count really is shared between threads.
    expect(workers.size).toBe(2);
    // CAS increments: every request saw a distinct value, and together exactly base+1..base+N.
    const sorted = [...counts].sort((a, b) => a - b);
    expect(sorted[0]).toBe(base + 1);
    expect(sorted[sorted.length - 1]).toBe(base + LOAD_REQUESTS);
    expect(new Set(sorted).size).toBe(LOAD_REQUESTS);

    // A request after the load reads the final shared count: nothing lost, nothing doubled.
    const after = await send('/f/after');
    await after.arrayBuffer();
    expect(Number(after.headers.get('x-request-count'))).toBe(sent);
    const text = await metricsText(gw.adminUrl);
    expect(metricValue(text, 'example_headers_requests_total')).toBe(sent);
  });
});
