/**
 * The access log to a file (GATEHOUSE_ACCESS_LOG=<path>) from two workers: every request
 * logged once, each line valid JSON, hostile paths included; and to a pipe nobody reads:
 * the gateway keeps answering, drops lines, counts them in
 * gatehouse_access_log_dropped_total and says so on stderr.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool, request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor } from '../../helpers/wait.js';

interface AccessLine {
  msg: string;
  request_id: string;
  worker: number;
  path: string;
  status: number;
  route: string | null;
}

let upstream: TestUpstream;
let dir: string;

const CONFIG = JSON.stringify({
  _format_version: '3.0',
  services: [{ name: 'hello-svc', url: 'UPSTREAM', routes: [{ name: 'r', paths: ['/'] }] }],
});

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-access-'));
});

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

function fileLines(path: string): AccessLine[] {
  const text = readFileSync(path, 'utf8');
  if (text.length === 0) return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as AccessLine);
}

describe('access log to a file, two workers', () => {
  it('logs every request exactly once, each line valid JSON, hostile paths as sent', async () => {
    const path = join(dir, 'access.log');
    const gw = await startGateway(CONFIG.replace('UPSTREAM', upstream.url), { accessLog: path, workers: 2 });
    const ids = new Map<string, string>();
    try {
      const pool = new Pool(gw.url, { connections: 16 });
      try {
        await Promise.all(
          Array.from({ length: 16 }, async (_, c) => {
            for (let i = 0; i < 80; i++) {
              // Quotes, backslashes and percent-escapes in the path; uWS hands them over raw.
              const sent = `/c${c}/i${i}/"q"\\b/%22%0a%e2%82%ac/${'p'.repeat(i * 3)}`;
              const res = await pool.request({ path: sent, method: 'GET' });
              await res.body.dump();
              ids.set(res.headers['x-gatehouse-request-id'] as string, sent);
            }
          }),
        );
      } finally {
        await pool.close();
      }
      await waitFor(() => fileLines(path).length >= ids.size, 10_000, 'every access line in the file');
    } finally {
      expect(await gw.stop()).toBe(0);
    }
    const lines = fileLines(path);
    expect(lines).toHaveLength(ids.size);
    expect(new Set(lines.map((l) => l.request_id))).toEqual(new Set(ids.keys()));
    for (const l of lines) {
      expect(l).toMatchObject({ msg: 'access', status: 200, route: 'r', path: ids.get(l.request_id) });
    }
    expect(new Set(lines.map((l) => l.worker))).toEqual(new Set([0, 1]));
  }, 60_000);

  it('the debug hook switches a configured log off and on again (the bench measures its cost so)', async () => {
    const path = join(dir, 'switched.log');
    const gw = await startGateway(CONFIG.replace('UPSTREAM', upstream.url), { accessLog: path, workers: 2, env: { GATEHOUSE_DEBUG_ENDPOINTS: '1' } });
    const get = async (p: string): Promise<string> => {
      const res = await request(`${gw.url}${p}`);
      await res.body.dump();
      return res.headers['x-gatehouse-request-id'] as string;
    };
    const toggle = async (on: boolean): Promise<void> => {
      const res = await request(`${gw.adminUrl}/debug/access-log?on=${on}`, { method: 'POST' });
      expect(res.statusCode).toBe(202);
      expect(await res.body.json()).toMatchObject({ on, workers: 2 });
    };
    try {
      const first = await get('/before');
      await toggle(false);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the workers hear it
      for (let i = 0; i < 10; i++) await get('/while-off');
      await toggle(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const last = await get('/after');
      await waitFor(() => fileLines(path).some((l) => l.request_id === last), 5000, 'the line after');
      expect(fileLines(path).map((l) => l.request_id)).toEqual([first, last]);
    } finally {
      expect(await gw.stop()).toBe(0);
    }
  }, 30_000);

  it('refuses to start with an access log it cannot open', async () => {
    await expect(startGateway(CONFIG.replace('UPSTREAM', upstream.url), { accessLog: join(dir, 'missing', 'access.log') })).rejects.toThrow(/cannot open the access log/);
  });
});

describe('access log to a pipe nobody reads', () => {
  it('keeps answering, drops and counts lines, and says so', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Held open read-write by the test, so the gateway can open it; nobody ever reads it.
    const held = openSync(fifo, constants.O_RDWR);
    const gw = await startGateway(CONFIG.replace('UPSTREAM', upstream.url), { accessLog: fifo, workers: 1 });
    try {
      const pool = new Pool(gw.url, { connections: 8 });
      let answered = 0;
      const long = 'x'.repeat(2000); // ~4 KiB lines (path and upstream_uri): the 64 KiB pipe fills after ~16
      try {
        // Bounded by count and by time; the pipe and the sink's 8 MiB bound fill long before.
        const deadline = Date.now() + 20_000;
        let dropped = 0;
        while (Date.now() < deadline && dropped === 0) {
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              for (let i = 0; i < 100; i++) {
                const res = await pool.request({ path: `/${long}`, method: 'GET' });
                await res.body.dump();
                if (res.statusCode === 200) answered++;
              }
            }),
          );
          const metrics = await (await request(`${gw.adminUrl}/metrics`)).body.text();
          dropped = Number(/^gatehouse_access_log_dropped_total (\d+)$/m.exec(metrics)?.[1] ?? '0');
        }
        expect(dropped).toBeGreaterThan(0);
        // Past the bound, requests are still answered at once: only their lines are lost.
        answered = 0;
        for (let i = 0; i < 200; i++) {
          const res = await pool.request({ path: `/${long}`, method: 'GET' });
          await res.body.dump();
          if (res.statusCode === 200) answered++;
        }
        expect(answered).toBe(200);
      } finally {
        await pool.close();
      }
      await waitFor(() => gw.output().includes('access log lines dropped'), 5000, 'the drop warning');
      const warning = gw.output().split('\n').find((l) => l.includes('access log lines dropped')) ?? '';
      expect(JSON.parse(warning)).toMatchObject({ level: 40, component: 'access-log', reason: 'the destination cannot keep up' });
    } finally {
      // Closing the only reader ends the gateway's stuck write (EPIPE), so it can drain.
      closeSync(held);
      await gw.stop();
    }
  }, 60_000);
});
