/**
 * The hostile-upstream corpus (test/fixtures/hostile-upstreams.ts) through a live gateway
 * with two workers. For every case: the exact outcome the client sees (the response, a
 * JSON 502/504, or a closed connection after the bytes already sent), within a bounded
 * time, and then a clean response on the same client connection (a new one when the case
 * closed it) — so no byte of a bad response leaks into the next one and no bad upstream
 * connection is reused. Also: the keep-alive close race (a GET repeated once on a fresh
 * upstream connection, a POST not) and write_timeout.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { RawConnection, type RawReply } from '../../helpers/raw-http.js';
import { within } from '../../helpers/wait.js';
import { HOSTILE_CASES, RACE_OK, startHostileUpstream, type HostileCase, type HostileUpstream } from '../../fixtures/hostile-upstreams.js';

const READ_TIMEOUT = 1000;
const HELLO_REQUEST = 'GET /h/content-length HTTP/1.1\r\nHost: gw.test\r\n\r\n';

let hostile: HostileUpstream;
let sink: Server;
const sinkSockets = new Set<Socket>();
let gw: Gateway;

beforeAll(async () => {
  hostile = await startHostileUpstream();
  // An upstream that accepts and never reads: request bytes pile up until write_timeout.
  sink = createServer((s) => {
    sinkSockets.add(s);
    s.pause();
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'hostile',
          url: `http://127.0.0.1:${hostile.port}`,
          read_timeout: READ_TIMEOUT,
          write_timeout: READ_TIMEOUT,
          retries: 0,
          routes: [{ name: 'hostile', paths: ['/h'], strip_path: false }],
        },
        {
          name: 'sink',
          url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
          write_timeout: 500,
          read_timeout: 60_000,
          retries: 0,
          routes: [{ name: 'sink', paths: ['/sink'] }],
        },
      ],
    }),
    { workers: 2 },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await hostile?.close();
  for (const s of sinkSockets) s.destroy();
  await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
});

function requestFor(c: HostileCase): string {
  const method = c.method ?? 'GET';
  return `${method} /h/${c.name} HTTP/1.1\r\nHost: gw.test\r\n${method === 'POST' ? 'Content-Length: 0\r\n' : ''}\r\n`;
}

function jsonMessage(reply: RawReply): unknown {
  return (JSON.parse(reply.body.toString('utf8')) as { message?: unknown }).message;
}

/** The gateway still answers well on `conn` (or on a new connection when `conn` is closed). */
async function expectHealthy(conn: RawConnection, label: string): Promise<void> {
  const use = conn.closed ? new RawConnection(gw.port) : conn;
  try {
    const reply = await within(use.send(HELLO_REQUEST), 5000, `${label}: follow-up`);
    expect(reply.status, `${label}: follow-up status`).toBe(200);
    expect(reply.body.toString(), `${label}: follow-up body`).toBe('hello');
  } finally {
    if (use !== conn) use.close();
  }
}

describe('hostile upstreams through the gateway', () => {
  for (const c of HOSTILE_CASES) {
    it(c.name, async () => {
      const conn = new RawConnection(gw.port);
      try {
        const reply = await within(conn.send(requestFor(c), { head: c.method === 'HEAD' }), READ_TIMEOUT + 4000, c.name);
        const expected = c.client;
        switch (expected.kind) {
          case 'response':
            expect(reply.status, 'status').toBe(expected.status);
            expect(reply.complete, 'complete').toBe(true);
            expect(reply.body.toString('latin1'), 'body').toBe(expected.body);
            break;
          case 'error':
            expect(reply.status, `status; got ${reply.body.toString('latin1')}`).toBe(expected.status);
            // A reply to HEAD is read without a body (the gateway's error writer sends its JSON anyway).
            if (c.method !== 'HEAD') expect(jsonMessage(reply)).toBe(expected.message);
            break;
          case 'closed':
            expect(reply.status, 'status before the close').toBe(expected.status);
            expect(reply.complete, 'the response must not look complete').toBe(false);
            expect(reply.closed, 'closed').toBe(true);
            expect(reply.body.toString('latin1'), 'bytes before the close').toBe(expected.body);
            break;
        }
        if (c.method === 'HEAD') {
          // The front, not the upstream client, decides here: uWS closes the connection after
          // a HEAD answer with a Content-Length (endWithoutBody), and an error answer to HEAD
          // carries its JSON body, which a client must not read. Check on a new connection.
          conn.close();
        } else if (expected.kind !== 'closed') {
          // Only a response cut short closes the client's connection.
          expect(conn.closed, 'client connection kept').toBe(false);
        }
        await expectHealthy(conn, c.name);
      } finally {
        conn.close();
      }
    });
  }

  it('the keep-alive race: a GET on a connection the upstream closes unanswered is repeated once on a fresh one', async () => {
    const conn = new RawConnection(gw.port);
    try {
      const before = hostile.connections();
      for (let i = 0; i < 3; i++) {
        const reply = await within(conn.send('GET /h/race HTTP/1.1\r\nHost: gw.test\r\n\r\n'), 5000, `race ${i}`);
        expect(reply.status, `race ${i}`).toBe(200);
        expect(reply.body.toString()).toBe(RACE_OK.split('\r\n\r\n')[1]);
      }
      // Every repeat needed a new upstream connection.
      expect(hostile.connections() - before).toBeGreaterThanOrEqual(2);
    } finally {
      conn.close();
    }
  });

  it('the keep-alive race: a POST is not repeated (502), the next request is served', async () => {
    const conn = new RawConnection(gw.port);
    try {
      const post = 'POST /h/race-post HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 0\r\n\r\n';
      const first = await within(conn.send(post), 5000, 'first POST');
      expect(first.status).toBe(200);
      const seen = hostile.seen.length;
      const second = await within(conn.send(post), 5000, 'second POST');
      expect(second.status).toBe(502);
      expect(hostile.seen.slice(seen)).toEqual(['POST /h/race-post']);
      await expectHealthy(conn, 'race-post');
    } finally {
      conn.close();
    }
  });

  it('write_timeout: an upstream that does not read the request body answers 504', async () => {
    const started = Date.now();
    const res = await within(
      request(`${gw.url}/sink/upload`, { method: 'POST', body: Buffer.alloc(16 * 1024 * 1024, 7) }),
      10_000,
      'upload to a sink',
    );
    expect(res.statusCode).toBe(504);
    expect(await res.body.json()).toEqual({ message: 'The upstream server is timing out' });
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
