/**
 * Bodies through the gateway: a 20 MB upload hashed by the upstream (content-length and
 * chunked), a 1 GB response counted by the client while the gateway's RSS stays bounded,
 * chunked and content-length responses, HEAD, 204 and 304 without bodies, and SSE
 * forwarded event by event (the upstream holds the second event until the client has
 * the first one).
 *
 * The echo upstream runs in its own process so the 1 GB stream is really produced
 * faster than this (busy) client reads it: that is what exercises backpressure.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { findPatternMismatch, PATTERN_PERIOD } from '../../../bench/upstreams/byte-pattern.js';
import { startEchoProcess, type EchoProcess } from '../../helpers/echo-process.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { rssBytes } from '../../helpers/proc-status.js';
import { rawExchange } from '../../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor, within } from '../../helpers/wait.js';

let echo: EchoProcess;
let node: TestUpstream;
/** Reads request bodies slowly (pauses after every chunk) and answers with the byte count. */
let slowReader: Server;
/** Uploads the slow reader saw cut before their end. */
let slowReaderCut = 0;
let gw: Gateway;
/** Resolves the SSE upstream's pending second event. */
let releaseSecondEvent: (() => void) | null = null;
/** Requests to /node/hang whose upstream connection the gateway closed. */
let hangClosed = 0;

beforeAll(async () => {
  echo = await startEchoProcess();
  node = await startUpstream((req, res) => {
    const url = req.url ?? '';
    if (url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: first\n\n');
      releaseSecondEvent = () => {
        res.write('data: second\n\n');
        res.end();
      };
      return;
    }
    if (url === '/head') {
      // HEAD answer: the length of the body a GET would get, and no body.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1234' });
      res.end();
      return;
    }
    if (url === '/hang') {
      // never answers; notes when the gateway gives up on this request
      res.on('close', () => hangClosed++);
      return;
    }
    if (url === '/not-modified') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  slowReader = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      req.pause();
      setTimeout(() => req.resume(), 1);
    });
    req.on('end', () => res.end(String(n)));
    req.on('close', () => {
      if (!req.complete) slowReaderCut++;
    });
  });
  await new Promise<void>((resolve) => slowReader.listen(0, '127.0.0.1', resolve));
  const slowPort = (slowReader.address() as AddressInfo).port;
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        { name: 'echo', url: echo.url, routes: [{ name: 'echo', paths: ['/'] }] },
        { name: 'node', url: node.url, routes: [{ name: 'node', paths: ['/node'] }] },
        { name: 'slow-reader', url: `http://127.0.0.1:${slowPort}`, routes: [{ name: 'slow-reader', paths: ['/slow-reader'] }] },
      ],
    }),
    { env: { GATEHOUSE_MAX_BODY_BYTES: '0' } },
  );
});

afterAll(async () => {
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await echo?.close();
  await node?.close();
  slowReader?.close();
});

interface Anything {
  method: string;
  bodyLength: number;
  bodySha256: string;
}

describe('request bodies', () => {
  const size = 20 * 1024 * 1024;
  const upload = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) upload.writeUInt32LE((i * 2654435761) >>> 0, i);
  const expected = createHash('sha256').update(upload).digest('hex');

  it('streams a 20 MB upload with content-length, hashed by the upstream', async () => {
    const res = await request(`${gw.url}/anything/upload`, { method: 'POST', body: upload });
    expect(res.statusCode).toBe(200);
    const got = (await res.body.json()) as Anything;
    expect(got.bodyLength).toBe(size);
    expect(got.bodySha256).toBe(expected);
  });

  it('streams a 20 MB chunked upload, hashed by the upstream', async () => {
    // A stream of 64 KiB slices: undici sends it with Transfer-Encoding: chunked.
    const slices = function* () {
      for (let o = 0; o < size; o += 65536) yield upload.subarray(o, o + 65536);
    };
    const res = await request(`${gw.url}/anything/upload-chunked`, { method: 'PUT', body: Readable.from(slices()) });
    expect(res.statusCode).toBe(200);
    const got = (await res.body.json()) as Anything;
    expect(got.method).toBe('PUT');
    expect(got.bodyLength).toBe(size);
    expect(got.bodySha256).toBe(expected);
  });
});

describe('request body backpressure', () => {
  it('holds a fast client back for a slow upstream: a 192 MB upload with the gateway RSS bounded', async () => {
    const total = 192 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 5);
    const body = async function* () {
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
    };
    const pid = gw.process.pid as number;
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 50);
    try {
      const res = await request(`${gw.url}/slow-reader`, { method: 'POST', body: Readable.from(body()), headers: { 'content-length': String(total) } });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe(String(total));
    } finally {
      clearInterval(sampler);
    }
    // Without backpressure the gateway would hold most of the 192 MB the upstream has not read yet.
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);
});

describe('response bodies', () => {
  it('passes a 1 GB response with the gateway RSS bounded', async () => {
    const total = 1024 * 1024 * 1024;
    const pid = gw.process.pid as number;
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 50);
    try {
      const res = await request(`${gw.url}/bytes/${total}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(total));
      let received = 0;
      let firstMismatch = -1;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        // A cheap content check per chunk: its first and last bytes sit where the pattern says.
        if (firstMismatch === -1) {
          const head = findPatternMismatch(chunk.subarray(0, 16), received);
          const tailStart = Math.max(0, chunk.length - 16);
          const tail = findPatternMismatch(chunk.subarray(tailStart), received + tailStart);
          if (head !== -1 || tail !== -1) firstMismatch = received;
        }
        received += chunk.length;
        // Pause now and then, so the upstream (its own process) outruns this reader and
        // the gateway must hold the upstream back rather than buffer for us.
        if (received % (32 * 1024 * 1024) < chunk.length) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(firstMismatch).toBe(-1);
      expect(received).toBe(total);
    } finally {
      clearInterval(sampler);
    }
    // Buffering any sizeable part of the gigabyte would show here.
    expect(peak).toBeLessThan(250 * 1024 * 1024);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);

  it('passes a content-length response with its length and exact bytes', async () => {
    const n = 3 * 1024 * 1024 + 7;
    const res = await request(`${gw.url}/bytes/${n}`);
    expect(res.headers['content-length']).toBe(String(n));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.length).toBe(n);
    expect(findPatternMismatch(body)).toBe(-1);
  });

  it('passes a chunked response chunked, with exact bytes', async () => {
    const n = 2 * 1024 * 1024 + PATTERN_PERIOD;
    const res = await request(`${gw.url}/chunked/${n}`);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.length).toBe(n);
    expect(findPatternMismatch(body)).toBe(-1);
  });

  it('passes an empty content-length response', async () => {
    const res = await request(`${gw.url}/bytes/0`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('0');
    expect((await res.body.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('responses without a body', () => {
  it('HEAD keeps the upstream content-length and sends no body', async () => {
    // Raw: a body byte after the head would show in `rest` (a client library would hide it).
    const res = await rawExchange(gw.port, 'HEAD /node/head HTTP/1.1\r\nHost: gw.test\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.headers.filter(([n]) => n === 'content-length').map(([, v]) => v)).toEqual(['1234']);
    expect(res.rest.length).toBe(0);
  });

  it('204 and 304 carry no body, and the connection stays usable', async () => {
    const client = new Client(gw.url, { pipelining: 1 });
    try {
      for (const path of ['/status/204', '/node/not-modified', '/status/204']) {
        const res = await client.request({ path, method: 'GET' });
        const body = Buffer.from(await res.body.arrayBuffer());
        expect(body.length, path).toBe(0);
        expect([204, 304]).toContain(res.statusCode);
      }
      const raw = await rawExchange(gw.port, 'GET /node/not-modified HTTP/1.1\r\nHost: gw.test\r\n\r\n');
      expect(raw.status).toBe(304);
      expect(raw.rest.length).toBe(0);
      expect(raw.headers.find(([n]) => n === 'etag')?.[1]).toBe('"v1"');
      // the same keep-alive connection still works afterwards
      const after = await client.request({ path: '/bytes/10', method: 'GET' });
      expect(Buffer.from(await after.body.arrayBuffer()).length).toBe(10);
    } finally {
      await client.close();
    }
  });
});

describe('server-sent events', () => {
  it('forwards each event as it arrives', async () => {
    const res = await request(`${gw.url}/node/sse`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reader = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let text = '';
    // The upstream sends the second event only when told to: the first must get here alone.
    while (!text.includes('\n\n')) {
      const next = await within(reader.next(), 5000, 'first SSE event');
      if (next.done === true) break;
      text += next.value.toString();
    }
    expect(text).toBe('data: first\n\n');
    expect(releaseSecondEvent).not.toBeNull();
    releaseSecondEvent?.();
    for (;;) {
      const next = await within(reader.next(), 5000, 'second SSE event');
      if (next.done === true) break;
      text += next.value.toString();
    }
    expect(text).toBe('data: first\n\ndata: second\n\n');
  });
});

describe('clients that go away', () => {
  it('stops a large response when the client disconnects, and keeps serving', async () => {
    const ac = new AbortController();
    const res = await request(`${gw.url}/bytes/${1024 * 1024 * 1024}`, { signal: ac.signal });
    let got = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        got += chunk.length;
        if (got > 1024 * 1024) ac.abort();
      }
    } catch {
      /* aborted by us */
    }
    expect(got).toBeLessThan(1024 * 1024 * 1024);
    const after = await request(`${gw.url}/bytes/100`);
    expect((await after.body.arrayBuffer()).byteLength).toBe(100);
  });

  it('aborts the upstream request when the client disconnects mid-upload', async () => {
    const before = slowReaderCut;
    const ac = new AbortController();
    const chunk = Buffer.alloc(256 * 1024, 9);
    const body = async function* () {
      for (let i = 0; i < 32; i++) yield chunk;
      ac.abort(); // 8 MB in: the client gives up, its body never ends
      await new Promise(() => undefined);
    };
    const outcome = await request(`${gw.url}/slow-reader`, { method: 'POST', body: Readable.from(body()), signal: ac.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    expect(outcome).toBe('aborted');
    await waitFor(() => slowReaderCut > before, 5000, 'the gateway to cut the upload to the upstream');
    const after = await request(`${gw.url}/bytes/10`);
    expect((await after.body.arrayBuffer()).byteLength).toBe(10);
  });

  it('aborts the upstream request when the client disconnects while waiting', async () => {
    const before = hangClosed;
    const ac = new AbortController();
    const pending = request(`${gw.url}/node/hang`, { signal: ac.signal }).catch((err: unknown) => err);
    await waitFor(() => node.received.some((r) => r.url === '/hang'), 5000, 'the request to reach the upstream');
    ac.abort();
    await pending;
    await waitFor(() => hangClosed > before, 5000, 'the gateway to close the upstream request');
    const after = await request(`${gw.url}/bytes/10`);
    expect((await after.body.arrayBuffer()).byteLength).toBe(10);
  });
});
