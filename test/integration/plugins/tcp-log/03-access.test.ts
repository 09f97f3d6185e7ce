/**
 * tcp-log through a gateway with 2 workers: one JSON line per request over a kept-alive
 * connection; a server that is down, or that accepts and never reads, fails and holds no
 * request, and its losses are counted.
 */
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { refusedPort, startTcpReceiver, type LineReceiver } from '../../../helpers/log-receivers.js';
import { waitFor, within } from '../../../helpers/wait.js';

let rig: PluginRig;
let rx: LineReceiver;
let stuck: LineReceiver;

beforeAll(async () => {
  [rx, stuck] = await Promise.all([startTcpReceiver(), startTcpReceiver({ paused: true })]);
  const down = await refusedPort();
  rig = await startRoutesRig([
    { name: 'ok', path: '/ok', plugins: [{ name: 'tcp-log', config: { host: '127.0.0.1', port: rx.port } }] },
    { name: 'down', path: '/down', plugins: [{ name: 'tcp-log', config: { host: '127.0.0.1', port: down, timeout: 500 } }] },
    { name: 'stuck', path: '/stuck', plugins: [{ name: 'tcp-log', config: { host: '127.0.0.1', port: stuck.port, timeout: 300 } }] },
  ]);
});

afterAll(async () => {
  await rig?.close();
  await Promise.all([rx?.close(), stuck?.close()]);
});

describe('tcp-log', () => {
  it('sends one JSON line per request, over connections kept alive between requests', async () => {
    for (let i = 0; i < 10; i++) expect((await fetch(rig.url(`/ok/${i}`))).status).toBe(200);
    await waitFor(() => rx.lines.length === 10, 5000, 'ten lines');
    const uris = rx.lines.map((l) => (JSON.parse(l) as { request: { uri: string }; route: { name: string } }).request.uri);
    expect(new Set(uris).size).toBe(10);
    // At most one connection per worker for ten requests.
    expect(rx.connections).toBeLessThanOrEqual(2);
  });

  it('a server that is down fails no request; the entries it lost are counted', async () => {
    const statuses = await Promise.all([1, 2, 3].map(() => within(fetch(rig.url('/down/x')), 3000, 'request with the log server down').then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200]);
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'tcp-log', kind: 'dropped_unreachable' })) === 3, 5000, 'lost entries counted');
  });

  it('a server that never reads holds no request; the connection is given up after the timeout', async () => {
    // ~6 MB of entries: more than the loopback socket buffers hold, so writes back up.
    const pad = 'p'.repeat(12_000);
    const pool = new Pool(rig.gateway.url, { connections: 8 });
    try {
      const sends = Array.from({ length: 500 }, (_, i) =>
        within(pool.request({ path: `/stuck/${i}`, method: 'GET', headers: { 'x-pad': pad } }), 5000, 'request with a stuck log server').then(async (r) => {
          await r.body.text();
          return r.statusCode;
        }),
      );
      expect(new Set(await Promise.all(sends))).toEqual(new Set([200]));
    } finally {
      await pool.close();
    }
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'tcp-log', kind: 'send_failed' })) >= 1, 5000, 'stalled connection counted');
  });
});
