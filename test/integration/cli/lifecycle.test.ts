/**
 * Workers and lifecycle of `gatehouse start`: two workers serving one port, SIGHUP
 * reloading a changed config (routes switch), SIGHUP with a broken config (the old one
 * keeps serving), and SIGTERM draining: an in-flight request completes, new connections
 * are refused, then the process exits 0. One gateway, used in order; SIGTERM comes last.
 */
import { connect } from 'node:net';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { rawExchange } from '../../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor, within } from '../../helpers/wait.js';

let upstream: TestUpstream;
let gw: Gateway;
/** Responses the upstream holds until the test releases them. */
const held: ServerResponse[] = [];

function config(routes: { name: string; path: string }[]): string {
  return JSON.stringify({
    _format_version: '3.0',
    services: [{ name: 'echo', url: upstream.url, routes: routes.map((r) => ({ name: r.name, paths: [r.path], strip_path: false })) }],
  });
}

interface Status {
  config_version: number;
  workers: { index: number; alive: boolean; version: number }[];
}

async function status(): Promise<Status> {
  const res = await request(`${gw.adminUrl}/status`);
  return (await res.body.json()) as Status;
}

async function statusOf(path: string): Promise<number> {
  const res = await request(gw.url + path);
  await res.body.dump();
  return res.statusCode;
}

beforeAll(async () => {
  upstream = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/v1/endless') === true) {
      // an event stream that never ends on its own
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: tick\n\n'), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (req.url?.startsWith('/v1/hold') === true) {
      held.push(res);
      return;
    }
    const text = JSON.stringify({ url: req.url, bodyLength: body.length });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  gw = await startGateway(config([{ name: 'v1', path: '/v1' }]), { workers: 2 });
});

afterAll(async () => {
  for (const res of held) res.destroy();
  if (gw !== undefined) await gw.stop();
  await upstream?.close();
});

describe('workers', () => {
  it('runs two live workers on one port', async () => {
    const s = await status();
    expect(s.workers).toHaveLength(2);
    expect(s.workers.every((w) => w.alive)).toBe(true);
  });

  it('spreads new connections over both workers', async () => {
    // The request id carries the worker index (hex, after 8 random hex digits).
    const workers = new Set<string>();
    for (let i = 0; i < 48 && workers.size < 2; i++) {
      const res = await rawExchange(gw.port, 'GET /v1/who HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
      const id = res.headers.find(([n]) => n === 'x-gatehouse-request-id')?.[1] ?? '';
      workers.add(id.slice(8, 10));
    }
    expect([...workers].sort()).toEqual(['00', '01']);
  });
});

describe('reload (SIGHUP)', () => {
  it('switches routes when the config changed', async () => {
    expect(await statusOf('/v1/a')).toBe(200);
    expect(await statusOf('/v2/a')).toBe(404);
    gw.reload(config([{ name: 'v2', path: '/v2' }]));
    await waitFor(async () => {
      const s = await status();
      return s.config_version === 2 && s.workers.every((w) => w.version === 2);
    }, 10_000, 'every worker on config version 2');
    // every worker: several fresh connections
    for (let i = 0; i < 8; i++) {
      const v2 = await rawExchange(gw.port, 'GET /v2/a HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n');
      expect(v2.status).toBe(200);
      const v1 = await rawExchange(gw.port, 'GET /v1/a HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n');
      expect(v1.status).toBe(404);
    }
  });

  it('keeps the running config when the new one is broken', async () => {
    const before = gw.output().length;
    gw.reload('_format_version: "3.0"\nservices:\n  - name: broken\n    retries: many\n');
    await waitFor(() => gw.output().slice(before).includes('retries'), 10_000, 'the reload error in the log');
    expect(gw.output().slice(before)).toContain('services[0].retries: must be integer');
    const s = await status();
    expect(s.config_version).toBe(2);
    expect(s.workers.every((w) => w.alive && w.version === 2)).toBe(true);
    expect(await statusOf('/v2/still')).toBe(200);
    expect(gw.process.exitCode).toBeNull();
  });
});

describe('shutdown (SIGTERM)', () => {
  it('finishes the in-flight request, refuses new connections, then exits 0', async () => {
    // v1 was reloaded away: bring back a route to the holding endpoint.
    gw.reload(config([{ name: 'v1', path: '/v1' }]));
    await waitFor(async () => (await status()).workers.every((w) => w.version === 3), 10_000, 'config version 3');

    const inflight = request(`${gw.url}/v1/hold`);
    await waitFor(() => held.length === 1, 5000, 'the request to reach the upstream');
    const exited = new Promise<number | null>((resolve) => gw.process.once('exit', (code) => resolve(code)));
    gw.process.kill('SIGTERM');

    // Draining: the listen sockets close, so a new connection is refused.
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(gw.port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(false);
          });
          s.once('error', () => resolve(true));
        }),
      5000,
      'new connections to be refused',
    );
    expect(gw.process.exitCode).toBeNull();

    const res = held[0] as ServerResponse;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '8' });
    res.end('finished');
    const answer = await within(inflight, 5000, 'the in-flight request');
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.text()).toBe('finished');
    expect(await within(exited, 15_000, 'gateway exit')).toBe(0);
  });
});

describe('shutdown with a request that never ends', () => {
  // The worker drains for 10 s (the default), then must cut the stream and still exit
  // cleanly: closing its client connections before the thread ends (an open uWS socket
  // at thread teardown aborts the whole process with SIGABRT).
  it('cuts the stream after the drain timeout and exits 0', async () => {
    const second = await startGateway(config([{ name: 'v1', path: '/v1' }]), { workers: 1 });
    try {
      const res = await request(`${second.url}/v1/endless`);
      expect(res.statusCode).toBe(200);
      const exited = new Promise<number | null>((resolve) => second.process.once('exit', (code) => resolve(code)));
      const reading = (async () => {
        let bytes = 0;
        try {
          for await (const chunk of res.body as AsyncIterable<Buffer>) bytes += chunk.length;
        } catch {
          /* cut by the gateway: expected */
        }
        return bytes;
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      second.process.kill('SIGTERM');
      expect(await within(reading, 20_000, 'the endless stream to be cut')).toBeGreaterThan(0);
      expect(await within(exited, 20_000, 'gateway exit')).toBe(0);
    } finally {
      await second.stop();
    }
  }, 30_000);
});
