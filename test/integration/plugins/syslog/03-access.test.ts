/**
 * syslog through a gateway with 2 workers. Kong writes to /dev/log; the test points the
 * gateway at a socket in a temp dir through GATEHOUSE_SYSLOG_SOCKET (test-only; Kong has
 * no such option) and listens there:
 *   - no socket yet: requests succeed, the entries are counted as lost;
 *   - a stream listener (what syslog(3) falls back to): `<PRI>… kong[pid]: {json}` with
 *     the priority of the response's class, entries below log_level not sent;
 *   - the listener replaced by a datagram socket (what /dev/log is), via python3 when
 *     present: the sender notices and re-connects.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { startUnixReceiver, type LineReceiver } from '../../../helpers/log-receivers.js';
import { waitFor } from '../../../helpers/wait.js';

let dir: string;
let socketPath: string;
let rig: PluginRig;
let rx: LineReceiver | null = null;
let dgram: ChildProcess | null = null;

const SYSLOG_LINE = /^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d kong\[\d+\]: (\{.*\})$/;

function parsed(lines: readonly string[]): { pri: number; entry: { request: { uri: string }; response: { status: number } } }[] {
  return lines.map((l) => {
    const m = SYSLOG_LINE.exec(l);
    if (m === null) throw new Error(`not a syslog line: ${l}`);
    return { pri: Number(m[1]), entry: JSON.parse(m[2] as string) };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syslog-'));
  socketPath = join(dir, 'log.sock');
  rig = await startRoutesRig(
    [{ name: 'r', path: '/', plugins: [{ name: 'syslog', config: { log_level: 'warning', successful_severity: 'info', client_errors_severity: 'warning', server_errors_severity: 'crit', syslog_facility: 'LOCAL0' } }] }],
    {
      env: { GATEHOUSE_SYSLOG_SOCKET: socketPath },
      handler: (req, res) => {
        const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? '200');
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end('x');
      },
    },
  );
});

afterAll(async () => {
  await rig?.close();
  await rx?.close();
  dgram?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('syslog', () => {
  it('without a syslog socket: requests succeed, the lost entries are counted', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(rig.url('/none?status=500'))).status).toBe(500);
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'syslog', kind: 'dropped_unreachable' })) === 3, 5000, 'lost entries counted');
  });

  it("sends Kong's entries with the priority of each response class; below log_level nothing", async () => {
    rx = await startUnixReceiver(socketPath);
    // The sender looks for the socket again at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const status of [200, 404, 503, 201, 429]) await fetch(rig.url(`/s?status=${status}`));
    await waitFor(() => (rx?.lines.length ?? 0) >= 3, 5000, 'three syslog lines');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const got = parsed(rx.lines).map((p) => [p.entry.response.status, p.pri]).sort((a, b) => (a[0] as number) - (b[0] as number));
    // LOCAL0 (16): warning 4 for 4xx, crit 2 for 5xx; 2xx at info is below log_level warning.
    expect(got).toEqual([[404, 132], [429, 132], [503, 130]]);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!python)('a datagram socket in place of the stream one (python3 binds it): the sender re-connects', async () => {
    await rx?.close();
    rx = null;
    try {
      unlinkSync(socketPath);
    } catch {
      /* gone already */
    }
    const received: string[] = [];
    const script = 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("ready",flush=True)\nwhile True:\n  print(s.recv(262144).decode(),flush=True)\n';
    const child = spawn('python3', ['-c', script, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    dgram = child;
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      received.push(...lines.filter((l) => l !== '' && l !== 'ready'));
    });
    await waitFor(async () => {
      // Keep sending: entries sent while the sender finds the new socket are lost (and counted).
      await fetch(rig.url('/d?status=500'));
      return received.length > 0;
    }, 10_000, 'a datagram');
    expect(parsed(received.slice(0, 1))[0]?.pri).toBe(130);
  });
});
