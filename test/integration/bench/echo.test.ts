import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { findPatternMismatch } from '../../../bench/upstreams/byte-pattern.js';
import { type EchoServer, startEchoServer } from '../../../bench/upstreams/echo.js';

let server: EchoServer;
let base: string;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  server = await startEchoServer({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await agent.close();
  server.close();
});

async function get(path: string, opts: Parameters<typeof request>[1] = {}) {
  const res = await request(base + path, { dispatcher: agent, ...opts });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

describe('echo upstream', () => {
  it('listens on a real port', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('GET /hello answers the plain-text greeting', async () => {
    const res = await get('/hello');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body.toString()).toBe('Hello, World!');
  });

  it('/bytes/N sends exactly N pattern bytes with content-length', async () => {
    const n = 3 * 1024 * 1024 + 17;
    const res = await get(`/bytes/${n}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(n));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.body.length).toBe(n);
    expect(findPatternMismatch(res.body)).toBe(-1);
    expect((await get('/bytes/0')).body.length).toBe(0);
  });

  it('/chunked/N sends the same bytes with chunked encoding', async () => {
    const n = 200_001;
    const res = await get(`/chunked/${n}`);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.length).toBe(n);
    expect(findPatternMismatch(res.body)).toBe(-1);
  });

  it('/sse streams N events then ends', async () => {
    const res = await get('/sse?events=5&interval=5');
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = res.body.toString().split('\n\n').filter((e) => e !== '');
    expect(events).toEqual([0, 1, 2, 3, 4].map((i) => `data: {"i":${i}}`));
    const burst = await get('/sse?events=10&interval=0');
    expect(burst.body.toString().match(/^data: /gm)).toHaveLength(10);
  });

  it('/echo streams a 5 MB body back with its content-type', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    const res = await get('/echo', { method: 'POST', body, headers: { 'content-type': 'application/x-test' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-test');
    expect(res.body.length).toBe(body.length);
    expect(res.body.equals(body)).toBe(true);
  });

  it('/status/N answers that status with a JSON body', async () => {
    const res = await get('/status/418', { method: 'PUT' });
    expect(res.status).toBe(418);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 418 });
    expect((await get('/status/503')).status).toBe(503);
    expect((await get('/status/204')).body.length).toBe(0);
    expect((await get('/status/99')).status).toBe(400);
  });

  it('/anything describes the request, body included', async () => {
    const body = Buffer.from('{"hello":"world"}');
    const res = await get('/anything/a/b?x=1&x=2&y=3', {
      method: 'PATCH',
      body,
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
    });
    expect(res.status).toBe(200);
    const json = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(json).toMatchObject({
      method: 'PATCH',
      path: '/anything/a/b',
      query: { x: ['1', '2'], y: '3' },
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
    });
    expect(json['headers']).toMatchObject({ 'x-test': 'yes', 'content-type': 'application/json' });
    const empty = JSON.parse((await get('/anything')).body.toString()) as Record<string, unknown>;
    expect(empty).toMatchObject({ method: 'GET', path: '/anything', bodyLength: 0 });
  });

  it('/delay/MS answers after the delay, and unknown paths get {"ok":true}', async () => {
    const res = await get('/delay/20');
    expect(JSON.parse(res.body.toString())).toEqual({ delayMs: 20 });
    const other = await get('/some/other/path', { method: 'DELETE' });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body.toString())).toEqual({ ok: true });
  });
});
