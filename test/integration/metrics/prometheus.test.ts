/**
 * GET /metrics on the admin listener after known traffic through two workers:
 *   - the text is valid Prometheus exposition: `promtool check metrics` parses it (when
 *     promtool is installed: `apt-get install prometheus`), its only lint findings being
 *     Kong's own metric names, and a strict in-test reader (exposition.ts) accepts it;
 *   - the counts are exact: N requests -> kong_http_requests_total N, every latency
 *     histogram's _count N, egress bytes = the bodies' sizes, ingress = the bodies sent;
 *     workers, reloads, restarts, config version and upstream target health;
 *   - totals survive worker crashes: a worker that dies hands its last counts over, so
 *     nothing it served since the previous scrape is lost.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/wait.js';
import { adminClient, type AdminClient } from '../admin/admin-client.js';
import { startTagged, type TaggedUpstream } from '../balancing/tagged-upstream.js';
import { parseExposition, valueOf, type Sample } from './exposition.js';

const GETS = 40;
const POSTS = 7;
const TOTAL = GETS + POSTS;
/** promtool lints Kong's metric names; these are kept on purpose (Kong dashboards use them). */
const KONG_NAME_LINTS = [
  'kong_bandwidth_bytes counter metrics should have "_total" suffix',
  'kong_kong_latency_ms metric names should not contain abbreviated units',
  'kong_request_latency_ms metric names should not contain abbreviated units',
  'kong_upstream_latency_ms metric names should not contain abbreviated units',
];

let up: TaggedUpstream;
let gw: Gateway;
let admin: AdminClient;
let ingress = 0;

function config(extraRoute: boolean): unknown {
  return {
    _format_version: '3.0',
    upstreams: [{ name: 'metered-up', healthchecks: { passive: { unhealthy: { http_failures: 100 } } }, targets: [{ target: up.target }] }],
    services: [
      {
        name: 'metered',
        host: 'metered-up',
        port: 80,
        protocol: 'http',
        routes: [{ name: 'm', paths: ['/m'] }, ...(extraRoute ? [{ name: 'extra', paths: ['/extra'] }] : [])],
      },
    ],
  };
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${gw.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  return { text, samples: parseExposition(text) };
}

function promtool(): string | null {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.error === undefined && found.status === 0 ? 'promtool' : null;
}

async function status(): Promise<{ worker_restarts: number; workers: { index: number; alive: boolean; restarts: number }[] }> {
  return (await admin.get('/status')).body;
}

beforeAll(async () => {
  up = await startTagged('metered-body');
  gw = await startGateway(JSON.stringify(config(false)), { workers: 2, env: { GATEHOUSE_DEBUG_ENDPOINTS: '1' } });
  admin = adminClient(gw.adminUrl);
  const pool = new Pool(gw.url, { connections: 16 });
  try {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < GETS; i++) sends.push(pool.request({ path: `/m/${i}`, method: 'GET' }).then((r) => r.body.text()).then(() => undefined));
    for (let i = 0; i < POSTS; i++) {
      const body = 'x'.repeat(100 * (i + 1));
      ingress += body.length;
      sends.push(pool.request({ path: `/m/post/${i}`, method: 'POST', body }).then((r) => r.body.text()).then(() => undefined));
    }
    await Promise.all(sends);
    const miss = await pool.request({ path: '/no-such-route', method: 'GET' });
    expect(miss.statusCode).toBe(404);
    await miss.body.text();
  } finally {
    await pool.close();
  }
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await up?.close();
});

describe('GET /metrics', () => {
  it('is valid exposition text: promtool parses it, the strict reader accepts it', async () => {
    const { text, samples } = await scrape();
    expect(samples.length).toBeGreaterThan(50);
    const tool = promtool();
    if (tool === null) {
      // promtool absent (CI installs it): the strict reader above is the check.
      console.warn('promtool not found: install the `prometheus` package to run `promtool check metrics`');
      return;
    }
    const run = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '').sort();
    // Exit 3 = lint findings only (1 would be a parse error).
    expect([run.status, findings]).toEqual([3, KONG_NAME_LINTS]);
  });

  it('counts every request, latency sample and byte exactly', async () => {
    const { samples } = await scrape();
    const route = { service: 'metered', route: 'm' };
    expect(valueOf(samples, 'kong_http_requests_total', { ...route, code: '200', source: 'service' })).toBe(TOTAL);
    expect(valueOf(samples, 'kong_http_requests_total', { service: '', route: '', code: '404', source: 'kong' })).toBe(1);
    expect(samples.filter((s) => s.name === 'kong_http_requests_total').reduce((n, s) => n + s.value, 0)).toBe(TOTAL + 1);
    for (const h of ['kong_request_latency_ms', 'kong_upstream_latency_ms', 'kong_kong_latency_ms']) {
      expect([h, valueOf(samples, `${h}_count`, route)]).toEqual([h, TOTAL]);
      expect([h, valueOf(samples, `${h}_bucket`, { ...route, le: '+Inf' })]).toEqual([h, TOTAL]);
    }
    expect(valueOf(samples, 'kong_bandwidth_bytes', { ...route, direction: 'egress' })).toBe(TOTAL * 'metered-body'.length);
    expect(valueOf(samples, 'kong_bandwidth_bytes', { ...route, direction: 'ingress' })).toBe(ingress);
    expect(up.hits).toBe(TOTAL);
  });

  it('reports workers, config version and reloads, and target health', async () => {
    const posted = await admin.post('/config', config(true));
    expect(posted.status).toBe(201);
    const { samples } = await scrape();
    expect(valueOf(samples, 'gatehouse_workers', { state: 'configured' })).toBe(2);
    expect(valueOf(samples, 'gatehouse_workers', { state: 'alive' })).toBe(2);
    expect(valueOf(samples, 'gatehouse_worker_restarts_total')).toBe(0);
    expect(valueOf(samples, 'gatehouse_config_reloads_total')).toBe(1);
    expect(valueOf(samples, 'gatehouse_config_version')).toBe(2);
    const health = (state: string): number => valueOf(samples, 'kong_upstream_target_health', { upstream: 'metered-up', target: up.target, state });
    expect([health('healthy'), health('unhealthy'), health('healthchecks_off'), health('dns_error')]).toEqual([1, 0, 0, 0]);

    expect((await admin.put(`/upstreams/metered-up/targets/${up.target}/unhealthy`)).status).toBe(204);
    const after = (await scrape()).samples;
    const healthAfter = (state: string): number => valueOf(after, 'kong_upstream_target_health', { upstream: 'metered-up', target: up.target, state });
    expect([healthAfter('healthy'), healthAfter('unhealthy')]).toEqual([0, 1]);
    expect((await admin.put(`/upstreams/metered-up/targets/${up.target}/healthy`)).status).toBe(204);
  });

  it('keeps every count across worker crashes and counts the restarts', async () => {
    // Traffic no scrape has seen yet: only the crashing workers' final hand-over keeps it.
    const MORE = 20;
    const pool = new Pool(gw.url, { connections: 8 });
    try {
      await Promise.all(Array.from({ length: MORE }, (_, i) => pool.request({ path: `/m/more/${i}`, method: 'GET' }).then((r) => r.body.text())));
    } finally {
      await pool.close();
    }
    for (const index of [0, 1]) {
      const crash = await admin.post(`/debug/workers/${index}/crash`);
      expect(crash.status).toBe(202);
      await waitFor(async () => {
        const s = await status();
        return s.workers.every((w) => w.alive) && (s.workers[index]?.restarts ?? 0) === 1;
      }, 10_000, `worker ${index} restarted`);
    }
    const { samples } = await scrape();
    expect(valueOf(samples, 'gatehouse_worker_restarts_total')).toBe(2);
    expect(valueOf(samples, 'gatehouse_workers', { state: 'alive' })).toBe(2);
    expect(valueOf(samples, 'kong_http_requests_total', { service: 'metered', route: 'm', code: '200' })).toBe(TOTAL + MORE);
    expect(valueOf(samples, 'kong_request_latency_ms_count', { service: 'metered', route: 'm' })).toBe(TOTAL + MORE);
    expect(valueOf(samples, 'kong_bandwidth_bytes', { service: 'metered', route: 'm', direction: 'egress' })).toBe((TOTAL + MORE) * 'metered-body'.length);
  });
});
