/**
 * prometheus through a gateway with 2 workers. With a prometheus plugin in the config,
 * /metrics follows Kong: only requests through one feed the traffic series, each family
 * only when the plugin's option turns it on, the consumer label with per_consumer.
 * (Without one, every request feeds every family: test/integration/metrics.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { parseExposition, type Sample } from '../../metrics/exposition.js';

let rig: PluginRig;

const ALL = { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: true };

beforeAll(async () => {
  rig = await startRoutesRig(
    [
      { name: 'all', path: '/all', plugins: [{ name: 'key-auth' }, { name: 'prometheus', config: ALL }] },
      { name: 'codes', path: '/codes', plugins: [{ name: 'prometheus', config: { status_code_metrics: true } }] },
      { name: 'none', path: '/none', plugins: [] },
    ],
    { extra: { consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }] } },
  );
  for (let i = 0; i < 5; i++) expect((await fetch(rig.url(`/all/${i}`), { headers: { apikey: 'alice-key' } })).status).toBe(200);
  expect((await fetch(rig.url('/all/anon'))).status).toBe(401);
  for (let i = 0; i < 3; i++) expect((await fetch(rig.url(`/codes/${i}`))).status).toBe(200);
  for (let i = 0; i < 4; i++) expect((await fetch(rig.url(`/none/${i}`))).status).toBe(200);
});

afterAll(() => rig?.close());

async function samples(): Promise<Sample[]> {
  return parseExposition(await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text());
}

function find(all: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

describe('prometheus', () => {
  it("per_consumer + status codes: Kong's labels, the consumer's username, source kong for what the gateway answered", async () => {
    const all = await samples();
    expect(find(all, 'kong_http_requests_total', { service: 'svc', route: 'all', code: '200', source: 'service', consumer: 'alice', workspace: 'default' }).map((s) => s.value)).toEqual([5]);
    expect(find(all, 'kong_http_requests_total', { route: 'all', code: '401', source: 'kong', consumer: '' }).map((s) => s.value)).toEqual([1]);
    expect(find(all, 'kong_http_requests_total', { route: 'codes', code: '200', consumer: '' }).map((s) => s.value)).toEqual([3]);
  });

  it('latency and bandwidth only where the plugin turns them on; routes without it feed nothing', async () => {
    const all = await samples();
    expect(find(all, 'kong_request_latency_ms_count', { route: 'all' }).reduce((n, s) => n + s.value, 0)).toBe(6);
    expect(find(all, 'kong_kong_latency_ms_count', { route: 'all' }).reduce((n, s) => n + s.value, 0)).toBe(5);
    expect(find(all, 'kong_bandwidth_bytes', { route: 'all', direction: 'egress', consumer: 'alice' })[0]?.value).toBeGreaterThan(0);
    expect(find(all, 'kong_request_latency_ms_count', { route: 'codes' })).toEqual([]);
    expect(find(all, 'kong_bandwidth_bytes', { route: 'codes' })).toEqual([]);
    expect(all.filter((s) => s.labels['route'] === 'none')).toEqual([]);
  });

  it('the gateway facts and failure counters stay', async () => {
    const all = await samples();
    expect(find(all, 'gatehouse_workers', { state: 'alive' })[0]?.value).toBe(2);
  });
});
