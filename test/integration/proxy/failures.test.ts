/**
 * Upstream failures through the gateway: refused connections retried on another target
 * (up to `retries`, then 502), all targets dead (502), read timeout (504), connect
 * timeout (504, against a loopback listener whose accept queue is full), an upstream
 * that dies mid-response (the client's response ends, never hangs), zero-weight targets
 * only (503), a POST not retried after a reset once sent; and after each failure the
 * gateway keeps serving.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startStalledListener, type StalledListener } from '../../helpers/stalled-listener.js';
import { closedPort, startRawUpstream, startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { within } from '../../helpers/wait.js';

const BAD_GATEWAY = { message: 'An invalid response was received from the upstream server' };
const TIMEOUT = { message: 'The upstream server is timing out' };

let live: TestUpstream;
let slow: TestUpstream;
const resetters: TestUpstream[] = [];
let resetConnections = 0;
let dying: TestUpstream;
let stalled: StalledListener;
let gw: Gateway;
const pendingSlow = new Set<NodeJS.Timeout>();

/** Reads the request head, then resets the connection (nothing answered). */
function resetAfterRequest(socket: Socket): void {
  resetConnections++;
  socket.once('data', () => socket.resetAndDestroy());
}

/** Answers the first bytes of a response, then dies. */
function dieMidResponse(socket: Socket): void {
  socket.once('data', (d: Buffer) => {
    const line = d.toString('latin1');
    if (line.startsWith('GET /dies/fixed')) {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`);
    } else if (line.startsWith('GET /dies/chunked')) {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n' + 'y'.repeat(1000) + '\r\n');
    } else {
      // head only: the status arrives, no body byte does
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    }
    setTimeout(() => socket.destroy(), 100);
  });
}

beforeAll(async () => {
  live = await startUpstream();
  slow = await startUpstream((_req, res) => {
    const t = setTimeout(() => {
      pendingSlow.delete(t);
      res.end('late');
    }, 3000);
    pendingSlow.add(t);
  });
  for (let i = 0; i < 3; i++) resetters.push(await startRawUpstream(resetAfterRequest));
  dying = await startRawUpstream(dieMidResponse);
  stalled = await startStalledListener();
  const dead = [await closedPort(), await closedPort()];
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [
        { name: 'mixed.pool', targets: [{ target: `127.0.0.1:${dead[0]}` }, { target: `127.0.0.1:${live.port}` }] },
        { name: 'dead.pool', targets: [{ target: `127.0.0.1:${dead[0]}` }, { target: `127.0.0.1:${dead[1]}` }] },
        { name: 'reset.pool', targets: resetters.map((r) => ({ target: `127.0.0.1:${r.port}` })) },
        { name: 'zero.pool', targets: [{ target: `127.0.0.1:${live.port}`, weight: 0 }] },
      ],
      services: [
        { name: 'ok', url: live.url, routes: [{ name: 'ok', paths: ['/ok'] }] },
        { name: 'mixed', host: 'mixed.pool', routes: [{ name: 'mixed', paths: ['/mixed'] }] },
        { name: 'dead', host: 'dead.pool', retries: 3, routes: [{ name: 'dead', paths: ['/dead'] }] },
        { name: 'refused', url: `http://127.0.0.1:${dead[1]}`, routes: [{ name: 'refused', paths: ['/refused'] }] },
        { name: 'reset', host: 'reset.pool', retries: 2, routes: [{ name: 'reset', paths: ['/reset'] }] },
        { name: 'zero', host: 'zero.pool', routes: [{ name: 'zero', paths: ['/zero'] }] },
        { name: 'slow', url: slow.url, read_timeout: 300, routes: [{ name: 'slow', paths: ['/slow'] }] },
        {
          name: 'stalled',
          url: `http://127.0.0.1:${stalled.port}`,
          connect_timeout: 300,
          retries: 0,
          routes: [{ name: 'stalled', paths: ['/stalled'] }],
        },
        { name: 'dying', url: dying.url, retries: 0, routes: [{ name: 'dying', paths: ['/dies'], strip_path: false }] },
      ],
    }),
  );
});

afterAll(async () => {
  for (const t of pendingSlow) clearTimeout(t);
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await Promise.all([live, slow, dying, ...resetters].map((u) => u?.close()));
  await stalled?.close();
});

async function json(path: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<{ status: number; body: unknown }> {
  const res = await request(gw.url + path, { method, ...(body === undefined ? {} : { body }) });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, body: parsed };
}

// After every failure the gateway still answers a healthy route.
afterEach(async () => {
  const res = await request(`${gw.url}/ok/after`);
  await res.body.dump();
  expect(res.statusCode).toBe(200);
});

describe('upstream failures', () => {
  it('retries a refused connection on another target: every request succeeds', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await json(`/mixed/${i}`);
      expect(res.status, `request ${i}`).toBe(200);
    }
  });

  it('retries a refused connection with a streamed request body, sent whole to the next target', async () => {
    // 4 MiB arrives in many chunks, so the gateway streams it instead of holding one Buffer.
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const sha = createHash('sha256').update(body).digest('hex');
    for (let i = 0; i < 6; i++) {
      const res = await request(`${gw.url}/mixed/upload-${i}`, { method: 'PUT', body });
      expect(res.statusCode, `upload ${i}`).toBe(200);
      const got = (await res.body.json()) as { bodyLength: number; bodySha256: string; headers: Record<string, string> };
      expect(got.bodyLength).toBe(body.length);
      expect(got.bodySha256).toBe(sha);
      expect(got.headers['content-length']).toBe(String(body.length));
    }
  });

  it('answers 502 JSON when every target refuses', async () => {
    expect(await json('/dead/x')).toEqual({ status: 502, body: BAD_GATEWAY });
    expect(await json('/refused/x')).toEqual({ status: 502, body: BAD_GATEWAY });
  });

  it('retries a reset GET exactly `retries` times, then answers 502', async () => {
    resetConnections = 0;
    expect(await json('/reset/get')).toEqual({ status: 502, body: BAD_GATEWAY });
    expect(resetConnections).toBe(3); // the first try + retries: 2
  });

  it('does not retry a POST after a reset once the request was sent', async () => {
    resetConnections = 0;
    expect(await json('/reset/post', 'POST', '{"charge":100}')).toEqual({ status: 502, body: BAD_GATEWAY });
    expect(resetConnections).toBe(1);
  });

  it('answers 504 JSON on a read timeout', async () => {
    expect(await json('/slow/x')).toEqual({ status: 504, body: TIMEOUT });
  });

  it('answers 504 JSON on a connect timeout', async () => {
    expect(await json('/stalled/x')).toEqual({ status: 504, body: TIMEOUT });
  });

  it('answers 503 JSON when the only targets have weight 0', async () => {
    expect(await json('/zero/x')).toEqual({ status: 503, body: { message: 'failure to get a peer from the ring-balancer' } });
  });

  it('answers 502 when the upstream dies after its status line, before any body byte', async () => {
    expect(await json('/dies/head-only')).toEqual({ status: 502, body: BAD_GATEWAY });
  });

  for (const kind of ['fixed', 'chunked']) {
    it(`ends the client response when the upstream dies mid-body (${kind})`, async () => {
      const outcome = await within(
        (async () => {
          const res = await request(`${gw.url}/dies/${kind}`);
          expect(res.statusCode).toBe(200);
          let got = 0;
          try {
            for await (const chunk of res.body as AsyncIterable<Buffer>) got += chunk.length;
            return { error: false, got };
          } catch {
            return { error: true, got };
          }
        })(),
        5000,
        `response from an upstream that died mid-body (${kind})`,
      );
      // The client must see the failure: an error, never a short body passed off as complete.
      expect(outcome.error).toBe(true);
      expect(outcome.got).toBeLessThanOrEqual(1000);
    });
  }
});
