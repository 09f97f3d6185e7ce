/**
 * http-log through a gateway with 2 workers, against local log servers: one entry per
 * body (Kong's serializer object) or JSON arrays when batched, Basic auth from the user
 * info, the consumer after key-auth; a failing server's entries retried until delivered;
 * a server that is down or slow never fails or holds a request, and its losses are
 * counted on /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { refusedPort, startHttpReceiver, type HttpReceiver } from '../../../helpers/log-receivers.js';
import { waitFor, within } from '../../../helpers/wait.js';

type Entry = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fast = { initial_retry_delay: 0.02, max_retry_delay: 0.05 };

let rig: PluginRig;
let single: HttpReceiver;
let batched: HttpReceiver;
let flaky: HttpReceiver;
let slow: HttpReceiver;

beforeAll(async () => {
  [single, batched, flaky, slow] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startHttpReceiver(500), startHttpReceiver()]);
  slow.delayMs = 5000;
  const down = await refusedPort();
  const log = (url: string, extra: Record<string, unknown> = {}): { name: string; config: Record<string, unknown> } => ({ name: 'http-log', config: { http_endpoint: url, ...extra } });
  rig = await startRoutesRig(
    [
      { name: 'ok', path: '/ok', plugins: [log(`http://bob:pw@127.0.0.1:${single.port}/logs`, { headers: { 'X-Token': 't1' } })] },
      { name: 'auth', path: '/auth', plugins: [{ name: 'key-auth' }, log(`${single.url}/logs`)] },
      { name: 'batch', path: '/batch', plugins: [log(`${batched.url}/bulk`, { method: 'PUT', queue: { max_batch_size: 5, max_coalescing_delay: 0.3 } })] },
      { name: 'flaky', path: '/flaky', plugins: [log(`${flaky.url}/f`, { queue: fast })] },
      { name: 'down', path: '/down', plugins: [log(`http://127.0.0.1:${down}/x`, { timeout: 500, queue: { ...fast, max_retry_time: 0.2 } })] },
      { name: 'slow', path: '/slow', plugins: [log(`${slow.url}/s`, { timeout: 500, queue: { ...fast, max_retry_time: -1 } })] },
    ],
    { extra: { consumers: [{ username: 'alice', custom_id: 'c-alice', keyauth_credentials: [{ key: 'alice-key' }] }] } },
  );
});

afterAll(async () => {
  await rig?.close();
  await Promise.all([single, batched, flaky, slow].map((r) => r?.close()));
});

function entries(r: HttpReceiver, path: string): Entry[] {
  return r.deliveries.filter((d) => d.path === path).flatMap((d) => {
    const parsed = JSON.parse(d.body.toString('utf8')) as Entry | Entry[];
    return Array.isArray(parsed) ? parsed : [parsed];
  });
}

describe('http-log', () => {
  it("posts one entry per request: Kong's serializer object, Basic auth from the user info, the configured headers", async () => {
    const a = await fetch(rig.url('/ok/a?x=1&y'), { headers: { authorization: 'Bearer secret', 'x-client': 'c1' } });
    expect(a.status).toBe(200);
    const b = await fetch(rig.url('/ok/b'), { method: 'POST', body: 'hello' });
    expect(b.status).toBe(200);
    await waitFor(() => entries(single, '/logs').filter((e) => e.route?.name === 'ok').length === 2, 5000, 'two entries');
    for (const d of single.deliveries.filter((x) => x.path === '/logs').slice(0, 2)) {
      expect(d.method).toBe('POST');
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.headers['authorization']).toBe(`Basic ${Buffer.from('bob:pw').toString('base64')}`);
      expect(d.headers['x-token']).toBe('t1');
      expect(Array.isArray(JSON.parse(d.body.toString()))).toBe(false);
    }
    const byUri = new Map(entries(single, '/logs').map((e) => [e.request.uri as string, e]));
    const ea = byUri.get('/ok/a?x=1&y') as Entry;
    expect(ea.request).toMatchObject({ method: 'GET', querystring: { x: '1', y: true } });
    expect(ea.request.headers['authorization']).toBe('REDACTED');
    expect(ea.request.headers['x-client']).toBe('c1');
    expect(ea).toMatchObject({ upstream_uri: '/a?x=1&y', upstream_status: '200', source: 'upstream', workspace_name: 'default', client_ip: '127.0.0.1' });
    expect(ea.response.status).toBe(200);
    expect(ea.response.headers['via']).toContain('gatehouse');
    expect(ea.route).toMatchObject({ name: 'ok' });
    expect(ea.service).toMatchObject({ name: 'svc', protocol: 'http' });
    expect(ea.tries).toHaveLength(1);
    expect(typeof ea.latencies.request).toBe('number');
    expect(typeof ea.workspace).toBe('string');
    expect(typeof ea.started_at).toBe('number');
    expect((byUri.get('/ok/b') as Entry).request.size).toBeGreaterThan(5);
  });

  it('logs the consumer key-auth identified, and the 401 it answered (source kong)', async () => {
    expect((await fetch(rig.url('/auth/in'), { headers: { apikey: 'alice-key' } })).status).toBe(200);
    expect((await fetch(rig.url('/auth/out'))).status).toBe(401);
    await waitFor(() => entries(single, '/logs').filter((e) => e.route?.name === 'auth').length === 2, 5000, 'auth entries');
    const byUri = new Map(entries(single, '/logs').map((e) => [e.request.uri as string, e]));
    const inside = byUri.get('/auth/in') as Entry;
    expect(inside.consumer).toMatchObject({ username: 'alice', custom_id: 'c-alice' });
    expect(inside.authenticated_entity.consumer_id).toBe(inside.consumer.id);
    const outside = byUri.get('/auth/out') as Entry;
    expect(outside).toMatchObject({ source: 'kong', upstream_status: '', upstream_uri: '' });
    expect(outside.response.status).toBe(401);
    expect(outside.consumer).toBeUndefined();
  });

  it('batches: max_batch_size > 1 sends JSON arrays (PUT as configured), every entry once', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(rig.url(`/batch/${i}`)).then((r) => r.text())));
    await waitFor(() => entries(batched, '/bulk').length === 12, 5000, 'twelve batched entries');
    const deliveries = batched.deliveries;
    expect(deliveries.every((d) => d.method === 'PUT' && Array.isArray(JSON.parse(d.body.toString())))).toBe(true);
    expect(deliveries.every((d) => (JSON.parse(d.body.toString()) as Entry[]).length <= 5)).toBe(true);
    expect(deliveries.length).toBeLessThan(12);
    expect(new Set(entries(batched, '/bulk').map((e) => e.request.uri)).size).toBe(12);
  });

  it('retries what a failing server refused, with backoff, until it takes it; failures counted', async () => {
    expect((await fetch(rig.url('/flaky/1'))).status).toBe(200);
    await waitFor(() => flaky.deliveries.length >= 3, 5000, 'three refused attempts');
    flaky.status = 200;
    await waitFor(() => flaky.deliveries.some((d, i) => i >= 3 && JSON.parse(d.body.toString()).request.uri === '/flaky/1'), 5000, 'delivered after retries');
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'http-log', kind: 'send_failed' })) >= 3, 5000, 'send_failed counted');
  });

  it('a server that is down fails no request; the entries it lost are counted and warned about', async () => {
    const statuses = await Promise.all(Array.from({ length: 4 }, () => within(fetch(rig.url('/down/x')), 3000, 'request with the log server down').then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'http-log', kind: 'dropped_retries_exhausted' })) >= 4, 8000, 'dropped entries counted');
    expect(rig.gateway.output()).toContain('plugin http-log: ');
  });

  it('a slow server holds no request: answered while the log server has not answered yet', async () => {
    const res = await within(fetch(rig.url('/slow/1')), 2000, 'request with a slow log server');
    expect(res.status).toBe(200);
    await waitFor(() => slow.deliveries.length >= 1, 5000, 'the entry reached the slow server');
    // The server answers after 5 s; the 500 ms timeout gave the batch up (max_retry_time -1).
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'http-log', kind: 'dropped_retries_exhausted' })) >= 5, 5000, 'timeout counted');
  });
});

describe('http-log on shutdown', () => {
  it('a worker stopping sends what its queue holds instead of waiting out the coalescing delay', async () => {
    const rx = await startHttpReceiver();
    const own = await startRoutesRig([{ name: 'r', path: '/', plugins: [{ name: 'http-log', config: { http_endpoint: `${rx.url}/late`, queue: { max_batch_size: 100, max_coalescing_delay: 60 } } }] }]);
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(own.url(`/q/${i}`))).status).toBe(200);
      expect(rx.deliveries).toEqual([]);
      expect(await own.gateway.stop()).toBe(0);
      expect(entries(rx, '/late').map((e) => e.request.uri).sort()).toEqual(['/q/0', '/q/1', '/q/2']);
    } finally {
      await own.close();
      await rx.close();
    }
  });
});
