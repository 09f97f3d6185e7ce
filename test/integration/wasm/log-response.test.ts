/**
 * A filter that looks at the upstream response only in proxy_on_log (no response
 * callback) still sees it through a running gateway: its chain counts as one that may see
 * the response (FilterRun.filtersResponse), so the response phases keep the upstream's
 * status and headers for it. A chain that cannot see the response at all takes the plain
 * exchange (test/unit/wasm/filter-run.test.ts); this guards the line between the two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { buildWasm } from '../../helpers/wasm-build.js';
import { filtersDir, metricsText, metricValue, type FiltersDir } from './filters-dir.js';

const REQUESTS = 5;

let upstream: TestUpstream;
let dir: FiltersDir;
let gw: Gateway;

beforeAll(async () => {
  dir = filtersDir({ 'log-response': await buildWasm('test/fixtures/wasm/assembly/log-response.ts') });
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream-tag': 'seen' });
    res.end('ok');
  });
  const config = {
    _format_version: '3.0',
    services: [{ name: 'up', url: upstream.url, routes: [{ name: 'logged', paths: ['/'] }] }],
    filter_chains: [{ name: 'log', route: 'logged', filters: [{ name: 'log-response' }] }],
  };
  gw = await startGateway(JSON.stringify(config), { workers: 1, args: ['--wasm-filters-path', dir.path] });
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  dir?.remove();
});

describe('a filter that reads the response only in proxy_on_log', () => {
  it('sees the upstream status and headers there', async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const res = await fetch(`${gw.url}/r${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-upstream-tag')).toBe('seen');
      expect(await res.text()).toBe('ok');
    }
    const text = await metricsText(gw.adminUrl);
    expect(metricValue(text, 'log_response_tagged_total')).toBe(REQUESTS);
    expect(metricValue(text, 'log_response_status_200_total')).toBe(REQUESTS);
  });
});
