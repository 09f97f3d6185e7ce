/**
 * The HTTP/1.1 pool and its connections against raw loopback servers: keep-alive reuse
 * and when a connection is not reused, the keep-alive close race, backpressure both ways,
 * request bodies (sized and chunked), the three Kong timeouts, abort, queueing and close.
 * Every wait is bounded.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { H1Code } from '../../../../core/proxy/http1/errors.js';
import { H1Pool } from '../../../../core/proxy/http1/pool.js';
import type { UpstreamHandler, UpstreamRequest } from '../../../../core/proxy/upstream-pool.js';
import { startStalledListener } from '../../../helpers/stalled-listener.js';
import { waitFor, within } from '../../../helpers/wait.js';

class Recorder implements UpstreamHandler {
  connects = 0;
  status = 0;
  headers: Buffer[] = [];
  chunks: Buffer[] = [];
  trailers: unknown = null;
  error: (Error & { code?: string }) | null = null;
  completed = false;
  calls = 0;
  abort: ((err?: Error) => void) | null = null;
  resume: (() => void) | null = null;
  /** onData returns false for these many chunks (then true). */
  holdChunks = 0;
  readonly settled: Promise<void>;
  #settle!: () => void;
  constructor() {
    this.settled = new Promise((resolve) => (this.#settle = resolve));
  }
  onConnect(abort: (err?: Error) => void): void {
    this.connects++;
    this.abort = abort;
  }
  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.status = status;
    this.headers = raw;
    this.resume = resume;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    if (this.holdChunks > 0) {
      this.holdChunks--;
      return false;
    }
    return true;
  }
  onComplete(trailers: unknown): void {
    this.calls++;
    this.completed = true;
    this.trailers = trailers;
    this.#settle();
  }
  onError(err: Error): void {
    this.calls++;
    this.error = err;
    this.#settle();
  }
  get body(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

interface RawServer {
  port: number;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A server that calls `onRequest(socket, head, index-on-connection)` per request head; bodies are the handler's business. */
async function rawServer(
  onRequest: (socket: Socket, head: string, n: number, body: () => Buffer) => void,
  consume = true,
  onSocket: ((socket: Socket) => void) | null = null,
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (onSocket !== null) onSocket(socket);
    if (!consume) return;
    let pending = Buffer.alloc(0);
    let n = 0;
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        onRequest(socket, head, n++, () => pending);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const result: RawServer = {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return result;
}

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(onRequest: Parameters<typeof rawServer>[0], options: { connections?: number; consume?: boolean; connectTimeout?: number } = {}) {
  const server = await rawServer(onRequest, options.consume ?? true);
  const pool = new H1Pool(`http://127.0.0.1:${server.port}`, { connectTimeout: options.connectTimeout ?? 2000, ...(options.connections === undefined ? {} : { connections: options.connections }) });
  cleanup.push(() => server.close(), () => pool.close());
  return { server, pool };
}

function req(method: string, path = '/', extra: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { method, path, headers: ['host', 'test'], body: null, headersTimeout: 2000, bodyTimeout: 2000, writeTimeout: 2000, ...extra };
}

async function send(pool: H1Pool, request: UpstreamRequest, handler = new Recorder()): Promise<Recorder> {
  pool.dispatch(request, handler);
  await within(handler.settled, 5000, `${request.method} ${request.path}`);
  expect(handler.calls).toBe(1);
  return handler;
}

const OK = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;

describe('H1Pool: connections', () => {
  it('reuses one keep-alive connection for sequential requests', async () => {
    const { server, pool } = await setup((s, head) => s.write(OK(head.split(' ')[1] ?? '')));
    for (let i = 0; i < 5; i++) {
      const h = await send(pool, req('GET', `/r${i}`));
      expect(h.status).toBe(200);
      expect(h.body).toBe(`/r${i}`);
      expect(h.connects).toBe(1);
    }
    expect(server.connections).toBe(1);
    expect(pool.size).toBe(1);
    expect(pool.idleCount).toBe(1);
  });

  it('header Buffers stay valid after later responses reuse the connection', async () => {
    const { pool } = await setup((s, head) => s.write(OK('x', `X-Path: ${head.split(' ')[1]}\r\n`)));
    const first = await send(pool, req('GET', '/first'));
    for (let i = 0; i < 3; i++) await send(pool, req('GET', `/other-${i}`));
    expect(first.headers.map((b) => b.toString())).toEqual(['X-Path', '/first', 'Content-Length', '1']);
  });

  it('does not reuse a connection after Connection: close, a close-delimited body or a short Keep-Alive hint', async () => {
    const answers = [OK('a', 'Connection: close\r\n'), 'HTTP/1.1 200 OK\r\n\r\nb', OK('c', 'Keep-Alive: timeout=1\r\n'), OK('d')];
    let i = 0;
    const { server, pool } = await setup((s) => {
      const answer = answers[i++] as string;
      s.write(answer);
      if (!answer.includes('Content-Length')) s.end();
    });
    for (const body of ['a', 'b', 'c', 'd']) expect((await send(pool, req('GET'))).body).toBe(body);
    expect(server.connections).toBe(4);
  });

  it('retries an idempotent request once on a fresh connection when a reused one closes unanswered (keep-alive race)', async () => {
    const { server, pool } = await setup((s, _head, n) => (n === 0 ? s.write(OK('first')) : s.destroy()));
    expect((await send(pool, req('GET'))).body).toBe('first');
    const h = await send(pool, req('GET'));
    expect(h.error).toBeNull();
    expect(h.body).toBe('first');
    expect(h.connects).toBe(1);
    expect(server.connections).toBe(2);
  });

  it('does not repeat a POST after the race: the handler sees the close', async () => {
    const { server, pool } = await setup((s, _head, n) => (n === 0 ? s.write(OK('first')) : s.destroy()));
    await send(pool, req('POST', '/', { body: Buffer.from('x') }));
    const h = await send(pool, req('POST', '/', { body: Buffer.from('x') }));
    expect(h.error?.code).toMatch(/^(H1_CLOSED|ECONNRESET|EPIPE)$/);
    expect(server.connections).toBe(1);
  });

  it('retries only once: a fresh connection that closes too is an error', async () => {
    let served = false;
    const { server, pool } = await setup((s) => {
      if (served) s.destroy();
      else s.write(OK('once'));
      served = true;
    });
    await send(pool, req('GET'));
    const h = await send(pool, req('GET'));
    expect(h.error?.code).toMatch(/^(H1_CLOSED|ECONNRESET)$/);
    expect(server.connections).toBe(2);
  });

  it('drops an idle connection that receives bytes nobody asked for', async () => {
    const { server, pool } = await setup((s, _h, n) => {
      s.write(OK(`n${n}`));
      if (n === 0) setTimeout(() => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale'), 30);
    });
    await send(pool, req('GET'));
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.size).toBe(0);
    expect((await send(pool, req('GET'))).body).toBe('n0');
    expect(server.connections).toBe(2);
  });

  it('queues beyond the connection cap and serves the queue as connections come back', async () => {
    const { server, pool } = await setup((s, head) => setTimeout(() => s.write(OK(head.split(' ')[1] ?? '')), 20), { connections: 1 });
    const handlers = [0, 1, 2, 3].map((i) => {
      const h = new Recorder();
      pool.dispatch(req('GET', `/q${i}`), h);
      return h;
    });
    await within(Promise.all(handlers.map((h) => h.settled)), 5000, 'queued requests');
    expect(handlers.map((h) => h.body)).toEqual(['/q0', '/q1', '/q2', '/q3']);
    expect(server.connections).toBe(1);
  });

  it('refuses a head that cannot be written safely, after onConnect', async () => {
    const { server, pool } = await setup((s) => s.write(OK('x')));
    const h = await send(pool, req('GET', '/', { headers: ['x-a', 'a\r\nx-b: b'] }));
    expect(h.connects).toBe(1);
    expect(h.error?.code).toBe(H1Code.INVALID_REQUEST);
    expect(server.connections).toBe(0);
  });

  it('close() lets the request in flight finish, then refuses new ones', async () => {
    const { pool } = await setup((s) => setTimeout(() => s.write(OK('late')), 50));
    const h = new Recorder();
    pool.dispatch(req('GET'), h);
    await new Promise((r) => setTimeout(r, 10));
    const closed = pool.close();
    await within(h.settled, 5000, 'in-flight request');
    expect(h.body).toBe('late');
    await within(closed, 5000, 'pool close');
    expect(pool.size).toBe(0);
    const after = await send(pool, req('GET'));
    expect(after.error?.code).toBe(H1Code.POOL_CLOSED);
  });
});

describe('H1Pool: bodies and backpressure', () => {
  it('sends a small Buffer body in the same write as the head', async () => {
    const server = await rawServer(() => undefined, false);
    cleanup.push(() => server.close());
    const pool = new H1Pool(`http://127.0.0.1:${server.port}`, { connectTimeout: 2000 });
    cleanup.push(() => pool.close());
    const h = new Recorder();
    pool.dispatch(req('POST', '/up', { body: Buffer.from('{"a":1}') }), h);
    await waitFor(() => server.sockets.size > 0, 2000, 'connection');
    const socket = [...server.sockets][0] as Socket;
    const first = await within(new Promise<Buffer>((resolve) => socket.once('data', resolve)), 2000, 'first read');
    expect(first.toString()).toBe('POST /up HTTP/1.1\r\nhost: test\r\ncontent-length: 7\r\n\r\n{"a":1}');
    socket.write(OK('ok'));
    await within(h.settled, 2000, 'answer');
    expect(h.body).toBe('ok');
  });

  it('streams a request body of known length, and a chunked one, byte for byte', async () => {
    // A server that reads whole requests: the head, then the body by its framing.
    const received: { head: string; body: Buffer }[] = [];
    const serve = (socket: Socket): void => {
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.subarray(0, end).toString('latin1');
        const rest = buf.subarray(end + 4);
        const length = /content-length: (\d+)/i.exec(head);
        let body: Buffer | null = null;
        if (length !== null) {
          if (rest.length >= Number(length[1])) body = rest.subarray(0, Number(length[1]));
        } else {
          // De-chunk what has arrived; complete at the terminal chunk.
          const parts: Buffer[] = [];
          let at = 0;
          for (;;) {
            const lineEnd = rest.indexOf('\r\n', at);
            if (lineEnd === -1) break;
            const size = parseInt(rest.toString('latin1', at, lineEnd), 16);
            if (size === 0) {
              if (rest.length >= lineEnd + 4) body = Buffer.concat(parts);
              break;
            }
            if (rest.length < lineEnd + 2 + size + 2) break;
            parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
          }
        }
        if (body === null) return;
        received.push({ head, body: Buffer.from(body) });
        buf = Buffer.alloc(0);
        socket.write(OK('done'));
      });
    };
    const server = await rawServer(() => undefined, false, serve);
    cleanup.push(() => server.close());
    const pool = new H1Pool(`http://127.0.0.1:${server.port}`, { connectTimeout: 2000 });
    cleanup.push(() => pool.close());
    const parts = [Buffer.alloc(70_000, 1), Buffer.alloc(10, 2), Buffer.alloc(130_000, 3)];
    const total = parts.reduce((n, p) => n + p.length, 0);
    const whole = Buffer.concat(parts);
    const sized = await send(pool, req('PUT', '/sized', { headers: ['host', 't', 'content-length', String(total)], body: Readable.from(parts) }));
    expect(sized.body).toBe('done');
    expect(received[0]?.head).toMatch(/content-length: 200010/);
    expect(received[0]?.body.equals(whole)).toBe(true);
    const chunked = await send(pool, req('PUT', '/chunked', { body: Readable.from(parts) }));
    expect(chunked.body).toBe('done');
    expect(received[1]?.head).toMatch(/transfer-encoding: chunked/);
    expect(received[1]?.body.equals(whole)).toBe(true);
  });

  it('stops reading while the handler holds a chunk, and delivers the rest intact after resume', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    let writable = true;
    const { pool } = await setup((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      writable = s.write(body);
    });
    const h = new Recorder();
    h.holdChunks = 1;
    pool.dispatch(req('GET'), h);
    await waitFor(() => h.chunks.length > 0, 2000, 'first chunk');
    await new Promise((r) => setTimeout(r, 100));
    // Held: one chunk in, the server's socket backed up.
    expect(h.chunks.length).toBe(1);
    expect(writable).toBe(false);
    h.resume?.();
    await within(h.settled, 5000, 'rest of the body');
    const got = Buffer.concat(h.chunks);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });
});

describe('H1Pool: timeouts and aborts', () => {
  it('connect_timeout: H1_CONNECT_TIMEOUT', async () => {
    const stalled = await startStalledListener();
    cleanup.push(() => stalled.close());
    const pool = new H1Pool(`http://127.0.0.1:${stalled.port}`, { connectTimeout: 200 });
    cleanup.push(() => pool.close());
    const h = await send(pool, req('GET'));
    expect(h.error?.code).toBe(H1Code.CONNECT_TIMEOUT);
  });

  it('a streamed body that fails while the connection is still connecting fails the request once, never unheard', async () => {
    const stalled = await startStalledListener();
    cleanup.push(() => stalled.close());
    const pool = new H1Pool(`http://127.0.0.1:${stalled.port}`, { connectTimeout: 5000 });
    cleanup.push(() => pool.close());
    const body = new Readable({ read() {} });
    const h = new Recorder();
    pool.dispatch(req('POST', '/', { body }), h);
    body.destroy(new Error('client went away'));
    await within(h.settled, 2000, 'body failure');
    expect(h.calls).toBe(1);
    expect(h.error?.message).toBe('client went away');
  });

  it('a refused connect carries ECONNREFUSED', async () => {
    const server = await rawServer(() => undefined);
    const port = server.port;
    await server.close();
    const pool = new H1Pool(`http://127.0.0.1:${port}`, { connectTimeout: 1000 });
    cleanup.push(() => pool.close());
    expect((await send(pool, req('GET'))).error?.code).toBe('ECONNREFUSED');
  });

  it('read_timeout before the head: H1_HEADERS_TIMEOUT', async () => {
    const { pool } = await setup(() => undefined);
    const started = Date.now();
    const h = await send(pool, req('GET', '/', { headersTimeout: 200 }));
    expect(h.error?.code).toBe(H1Code.HEADERS_TIMEOUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('read_timeout between body reads: H1_BODY_TIMEOUT after the head', async () => {
    const { pool } = await setup((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'));
    const h = await send(pool, req('GET', '/', { bodyTimeout: 200 }));
    expect(h.status).toBe(200);
    expect(h.body).toBe('half');
    expect(h.error?.code).toBe(H1Code.BODY_TIMEOUT);
  });

  it('a handler holding the body longer than read_timeout is not timed out', async () => {
    const { pool } = await setup((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc');
      setTimeout(() => s.write('def'), 50);
    });
    const h = new Recorder();
    h.holdChunks = 1;
    pool.dispatch(req('GET', '/', { bodyTimeout: 100 }), h);
    await new Promise((r) => setTimeout(r, 400));
    expect(h.calls).toBe(0);
    h.resume?.();
    await within(h.settled, 2000, 'resumed body');
    expect(h.error).toBeNull();
    expect(h.body).toBe('abcdef');
  });

  it('write_timeout: an upstream that never reads the body is H1_WRITE_TIMEOUT', async () => {
    const { pool } = await setup(() => undefined, { consume: false });
    const h = await send(pool, req('POST', '/', { body: Buffer.alloc(32 * 1024 * 1024), writeTimeout: 300, headersTimeout: 60_000 }));
    expect(h.error?.code).toBe(H1Code.WRITE_TIMEOUT);
  });

  it('abort() mid-response: one onError, the connection is destroyed, not reused', async () => {
    let closed = 0;
    const { server, pool } = await setup((s) => {
      s.on('close', () => closed++);
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart');
    });
    const h = new Recorder();
    pool.dispatch(req('GET'), h);
    await waitFor(() => h.chunks.length > 0, 2000, 'first chunk');
    h.abort?.(new Error('client went away'));
    expect(h.calls).toBe(1);
    expect(h.error?.message).toBe('client went away');
    await waitFor(() => closed > 0, 2000, 'upstream socket close');
    expect(pool.size).toBe(0);
    expect(server.connections).toBe(1);
  });

  it('a handler that throws in a callback ends the exchange with that error; the connection is dropped', async () => {
    const { server, pool } = await setup((s) => s.write(OK('x')));
    class Throwing extends Recorder {
      override onHeaders(): boolean {
        throw new Error('handler bug');
      }
    }
    const h = await send(pool, req('GET'), new Throwing());
    expect(h.error?.message).toBe('handler bug');
    expect(pool.size).toBe(0);
    expect((await send(pool, req('GET'))).body).toBe('x');
    expect(server.connections).toBe(2);
  });

  it('an early answer while the body still streams: the handler completes, the connection is not reused', async () => {
    const { server, pool } = await setup((s) => s.write(OK('early')));
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(1000));
    const h = await send(pool, req('POST', '/', { headers: ['host', 't', 'content-length', '100000'], body }));
    expect(h.body).toBe('early');
    expect(pool.size).toBe(0);
    body.destroy();
    expect((await send(pool, req('GET'))).body).toBe('early');
    expect(server.connections).toBe(2);
  });
});
