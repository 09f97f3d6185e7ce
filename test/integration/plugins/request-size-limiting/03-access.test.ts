/**
 * request-size-limiting through a gateway with 2 workers: Content-Length checked before a
 * byte of the body is read (413, 417 with Expect: 100-continue), a chunked body cut the
 * moment it passes the limit (never buffered whole), 411 under require_content_length,
 * and what the upstream received.
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { parseHead, rawExchange } from '../../../helpers/raw-http.js';

const TOO_LARGE = { message: 'Request size limit exceeded' };

/** The last response head in `raw` (after any `100 Continue`). */
function finalStatus(raw: Buffer): number {
  const text = raw.toString('latin1');
  const at = text.lastIndexOf('HTTP/1.1 ');
  return parseHead(raw.subarray(at))?.status ?? 0;
}

/**
 * Sends a chunked request's head and first chunk, waits, sends a second chunk and never
 * the terminating one: resolves with what came back once the server closed (or 5 s).
 */
function chunkedWithoutEnd(port: number, first: number, second: number): Promise<{ raw: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const chunk = (n: number): string => `${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`;
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(got), closed });
    };
    const timer = setTimeout(() => done(false), 5000);
    socket.on('connect', () => {
      socket.write(`POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(first)}`);
      setTimeout(() => socket.write(chunk(second)), 200);
    });
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('close', () => done(true));
    socket.on('error', () => done(true));
  });
}

describe('request-size-limiting: 1 kilobyte', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'request-size-limiting', config: { allowed_payload_size: 1, size_unit: 'kilobytes' } }]);
  });
  afterAll(() => rig?.close());

  it('passes a body of exactly the limit, and a request without a body', async () => {
    const res = await fetch(rig.url('/up'), { method: 'POST', body: 'a'.repeat(1024) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(rig.upstream.received.at(-1)?.bodyLength).toBe(1024);
    const get = await fetch(rig.url('/up'));
    expect(get.status).toBe(200);
    await get.arrayBuffer();
  });

  it('refuses a Content-Length over the limit with 413 and Kong\'s message; the upstream sees nothing', async () => {
    const before = rig.upstream.received.length;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(rig.url('/up'), { method: 'POST', body: 'a'.repeat(1025) });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual(TOO_LARGE);
    }
    expect(rig.upstream.received.length).toBe(before);
  });

  it('answers 417 instead when the client expects 100-continue, before sending the body', async () => {
    const res = await rawExchange(rig.gateway.port, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\nExpect: 100-continue\r\n\r\n');
    expect(finalStatus(res.raw)).toBe(417);
    expect(res.raw.toString('latin1')).toContain('{"message":"Request size limit exceeded"}');
  });

  it('streams a chunked body under the limit to the upstream', async () => {
    const res = await request(rig.url('/chunked'), { method: 'POST', body: Readable.from([Buffer.alloc(500, 1), Buffer.alloc(500, 2)]) });
    expect(res.statusCode).toBe(200);
    await res.body.arrayBuffer();
    const got = rig.upstream.received.at(-1);
    expect(got?.url).toBe('/chunked');
    expect(got?.bodyLength).toBe(1000);
  });

  it('cuts a chunked body at the limit with 413 while the client is still sending', async () => {
    const before = rig.upstream.received.length;
    // 600 bytes pass; the next 600 cross 1024: the answer comes although the body never ends.
    const { raw, closed } = await chunkedWithoutEnd(rig.gateway.port, 600, 600);
    expect(closed).toBe(true);
    expect(finalStatus(raw)).toBe(413);
    expect(raw.toString('latin1')).toContain('{"message":"Request size limit exceeded"}');
    expect(rig.upstream.received.length).toBe(before);
  });
});

describe('request-size-limiting: require_content_length', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'request-size-limiting', config: { require_content_length: true } }]);
  });
  afterAll(() => rig?.close());

  it('refuses a request with no Content-Length and no chunked body with 411, as Kong does (bodyless GETs too)', async () => {
    const res = await fetch(rig.url('/x'));
    expect(res.status).toBe(411);
    expect(await res.json()).toEqual({ message: 'A valid Content-Length header is required' });
    expect(rig.upstream.received.length).toBe(0);
  });

  it('passes a Content-Length and a chunked body', async () => {
    const withLength = await fetch(rig.url('/x'), { method: 'POST', body: 'hello' });
    expect(withLength.status).toBe(200);
    await withLength.arrayBuffer();
    const chunked = await request(rig.url('/y'), { method: 'POST', body: Readable.from([Buffer.from('he'), Buffer.from('llo')]) });
    expect(chunked.statusCode).toBe(200);
    await chunked.body.arrayBuffer();
    expect(rig.upstream.received.map((r) => [r.url, r.bodyLength])).toEqual([
      ['/x', 5],
      ['/y', 5],
    ]);
  });
});
