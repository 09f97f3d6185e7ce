/**
 * Kong's path-handling table (test/fixtures/router-cases.ts) through a real gateway:
 * strip_path, path_handling v0/v1 and the service path joined with the request path,
 * as the upstream actually receives it. One gateway holds every case: each case is its
 * own service + route, told apart by a unique host, so cases never compete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { expandRouterPathCases } from '../../fixtures/router-cases.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';

const CASES = expandRouterPathCases();
let upstream: TestUpstream;
let gw: Gateway;
let pool: Pool;

function hostOf(i: number): string {
  return `case${i}.paths.test`;
}

beforeAll(async () => {
  upstream = await startUpstream();
  const services = CASES.map((c, i) => ({
    name: `case-${i}`,
    url: `${upstream.url}${c.servicePath}`,
    routes: [
      {
        name: `case-${i}`,
        hosts: [hostOf(i)],
        ...(c.routePath === null ? {} : { paths: [c.routePath] }),
        strip_path: c.stripPath,
        path_handling: c.pathHandling,
      },
    ],
  }));
  gw = await startGateway(JSON.stringify({ _format_version: '3.0', services }));
  pool = new Pool(gw.url, { connections: 8 });
});

afterAll(async () => {
  await pool?.close();
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
});

describe('service path + route path + strip_path + path_handling (Kong table)', () => {
  it(`sends the expected upstream path for all ${CASES.length} cases`, async () => {
    const results = await Promise.all(
      CASES.map(async (c, i) => {
        const res = await pool.request({ path: c.requestPath, method: 'GET', headers: { host: hostOf(i) } });
        const body = (await res.body.json()) as { url?: string };
        return { c, status: res.statusCode, got: body.url };
      }),
    );
    const wrong = results
      .filter((r) => r.status !== 200 || r.got !== r.c.expectedPath)
      .map(
        (r) =>
          `row ${r.c.row} service=${r.c.servicePath} route=${r.c.routePath} strip=${r.c.stripPath} ${r.c.pathHandling} ` +
          `request=${r.c.requestPath}: expected ${r.c.expectedPath}, got ${r.status} ${r.got}`,
      );
    expect(wrong).toEqual([]);
    expect(results.length).toBeGreaterThan(150);
  });

  it('keeps the query string after the joined path', async () => {
    const i = CASES.findIndex((c) => c.servicePath === '/service' && c.routePath === '/route' && c.stripPath && c.requestPath === '/route/');
    const res = await pool.request({ path: '/route/?q=1&x=%2F', method: 'GET', headers: { host: hostOf(i) } });
    const body = (await res.body.json()) as { url: string };
    expect(body.url).toBe('/service/?q=1&x=%2F');
  });
});
