/** udp-log through a gateway with 2 workers: one datagram per request; a closed port fails no request. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { refusedPort, startUdpReceiver, type DatagramReceiver } from '../../../helpers/log-receivers.js';
import { waitFor, within } from '../../../helpers/wait.js';

let rig: PluginRig;
let rx: DatagramReceiver;

beforeAll(async () => {
  rx = await startUdpReceiver();
  const closed = await refusedPort();
  rig = await startRoutesRig([
    { name: 'ok', path: '/ok', plugins: [{ name: 'udp-log', config: { host: '127.0.0.1', port: rx.port } }] },
    { name: 'closed', path: '/closed', plugins: [{ name: 'udp-log', config: { host: 'localhost', port: closed } }] },
  ]);
});

afterAll(async () => {
  await rig?.close();
  await rx?.close();
});

describe('udp-log', () => {
  it("sends each request's entry as one datagram of JSON", async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(rig.url(`/ok/${i}?q=${i}`))).status).toBe(200);
    await waitFor(() => rx.datagrams.length === 5, 5000, 'five datagrams');
    const entries = rx.datagrams.map((d) => JSON.parse(d) as { request: { uri: string }; response: { status: number } });
    expect(entries.map((e) => e.request.uri).sort()).toEqual(['/ok/0?q=0', '/ok/1?q=1', '/ok/2?q=2', '/ok/3?q=3', '/ok/4?q=4']);
    expect(entries.every((e) => e.response.status === 200)).toBe(true);
  });

  it('a port nobody listens on fails and holds no request', async () => {
    for (let i = 0; i < 5; i++) expect((await within(fetch(rig.url('/closed/x')), 3000, 'request with no udp listener')).status).toBe(200);
  });
});
