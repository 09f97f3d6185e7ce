/**
 * Headers through the gateway, both directions: hop-by-hop headers (RFC 9110 §7.6.1:
 * Connection and the names it lists, Keep-Alive, TE, Trailer, Transfer-Encoding,
 * Upgrade, Proxy-Authorization, Proxy-Connection) are never forwarded; X-Forwarded-*
 * and Via are added; Host is the target's unless preserve_host; query strings pass
 * through byte for byte. The response side uses a raw upstream and a raw client, so
 * no HTTP library hides or adds a header on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startRawUpstream, startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { headerValues, rawExchange } from '../../helpers/raw-http.js';

let upstream: TestUpstream;
let hopUpstream: TestUpstream;
let gw: Gateway;

/** Answers every request with a response full of hop-by-hop headers. */
function hopResponder(socket: import('node:net').Socket): void {
  let buffered = '';
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('latin1');
    while (buffered.includes('\r\n\r\n')) {
      buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
      const body = 'hello';
      socket.write(
        'HTTP/1.1 200 OK\r\n' +
          'Content-Type: text/plain\r\n' +
          'Connection: keep-alive, X-Resp-Hop\r\n' +
          'X-Resp-Hop: secret\r\n' +
          'Keep-Alive: timeout=5\r\n' +
          'Proxy-Connection: keep-alive\r\n' +
          'Proxy-Authenticate: Basic\r\n' +
          'Upgrade: h2c\r\n' +
          'Trailer: X-Checksum\r\n' +
          'X-End-To-End: kept\r\n' +
          'Via: 1.0 origin\r\n' +
          'Set-Cookie: a=1; Path=/\r\n' +
          'Set-Cookie: b=2; HttpOnly\r\n' +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
    }
  });
}

beforeAll(async () => {
  upstream = await startUpstream();
  hopUpstream = await startRawUpstream(hopResponder);
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [
            { name: 'plain', paths: ['/plain'], strip_path: false },
            { name: 'preserve', paths: ['/preserve'], strip_path: false, preserve_host: true },
            { name: 'stripped', paths: ['/strip'], strip_path: true },
          ],
        },
        { name: 'hop', url: hopUpstream.url, routes: [{ name: 'hop', paths: ['/hop'] }] },
      ],
    }),
  );
});

afterAll(async () => {
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  await hopUpstream?.close();
});

function lastReceived() {
  const r = upstream.received.at(-1);
  if (r === undefined) throw new Error('the upstream received nothing');
  return r;
}

describe('request headers sent upstream', () => {
  it('drops hop-by-hop headers and the names Connection lists', async () => {
    const res = await rawExchange(
      gw.port,
      'GET /plain/hop HTTP/1.1\r\n' +
        'Host: gw.test\r\n' +
        'Connection: keep-alive, X-Hop-Custom\r\n' +
        'X-Hop-Custom: drop me\r\n' +
        'Keep-Alive: timeout=5\r\n' +
        'TE: trailers\r\n' +
        'Trailer: X-Checksum\r\n' +
        'Proxy-Authorization: Basic Zm9vOmJhcg==\r\n' +
        'Proxy-Connection: keep-alive\r\n' +
        'X-End-To-End: kept\r\n\r\n',
    );
    expect(res.status).toBe(200);
    const h = lastReceived().headers;
    for (const name of ['x-hop-custom', 'keep-alive', 'te', 'trailer', 'proxy-authorization', 'proxy-connection', 'upgrade']) {
      expect(h[name], name).toBeUndefined();
    }
    // node:http always reports its own connection header; ours must not carry the listed token
    expect(String(h.connection ?? '')).not.toMatch(/x-hop-custom/i);
    expect(h['x-end-to-end']).toBe('kept');
  });

  it('does not forward the client Transfer-Encoding framing: a chunked body arrives intact', async () => {
    const body = 'a'.repeat(10) + 'b'.repeat(5);
    const res = await rawExchange(
      gw.port,
      'POST /plain/te HTTP/1.1\r\nHost: gw.test\r\nTransfer-Encoding: chunked\r\n\r\n' + 'a\r\naaaaaaaaaa\r\n5\r\nbbbbb\r\n0\r\n\r\n',
    );
    expect(res.status).toBe(200);
    const r = lastReceived();
    expect(r.bodyLength).toBe(body.length);
    // exactly one framing header reached the upstream
    const framing = r.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()).filter((n) => n === 'transfer-encoding' || n === 'content-length');
    expect(framing).toHaveLength(1);
  });

  it('adds X-Forwarded-For (appended), -Proto, -Host, -Port, -Path and Via', async () => {
    const res = await request(`${gw.url}/plain/fwd/x?y=1`, {
      headers: { host: 'gw.example.test:8443', 'x-forwarded-for': '203.0.113.7', via: '1.1 edge' },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const h = lastReceived().headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('gw.example.test');
    expect(h['x-forwarded-port']).toBe(String(gw.port));
    expect(h['x-forwarded-path']).toBe('/plain/fwd/x');
    expect(h.via).toBe('1.1 edge, 1.1 gatehouse');
  });

  it('ignores client-sent X-Forwarded-Proto/Host/Port/Path (the gateway sets them)', async () => {
    const res = await request(`${gw.url}/plain/spoof`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test', 'x-forwarded-port': '1', 'x-forwarded-path': '/admin' },
    });
    await res.body.dump();
    const h = lastReceived().headers;
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('127.0.0.1');
    expect(h['x-forwarded-port']).toBe(String(gw.port));
    expect(h['x-forwarded-path']).toBe('/plain/spoof');
  });

  it('sets X-Forwarded-Prefix when strip_path removed a prefix', async () => {
    const res = await request(`${gw.url}/strip/rest`);
    await res.body.dump();
    const r = lastReceived();
    expect(r.url).toBe('/rest');
    expect(r.headers['x-forwarded-prefix']).toBe('/strip');
    expect(r.headers['x-forwarded-path']).toBe('/strip/rest');
  });

  it('rewrites Host to the upstream target', async () => {
    const res = await request(`${gw.url}/plain/host`, { headers: { host: 'client.example.test' } });
    await res.body.dump();
    expect(lastReceived().headers.host).toBe(`127.0.0.1:${upstream.port}`);
  });

  it('keeps the client Host with preserve_host: true', async () => {
    const res = await request(`${gw.url}/preserve/host`, { headers: { host: 'client.example.test:9999' } });
    await res.body.dump();
    expect(lastReceived().headers.host).toBe('client.example.test:9999');
  });

  it('forwards repeated request headers, each value in order', async () => {
    const res = await rawExchange(
      gw.port,
      'GET /plain/dup HTTP/1.1\r\nHost: gw.test\r\nX-Dup: one\r\nX-Dup: two\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n',
    );
    expect(res.status).toBe(200);
    const raw = lastReceived().rawHeaders;
    const values = (name: string): string[] => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === name);
    expect(values('x-dup')).toEqual(['one', 'two']);
    expect(values('cookie').join('; ')).toBe('a=1; b=2');
  });

  it('preserves the query string byte for byte', async () => {
    const query = 'a=1&b=%20x%2Fy&a=2&empty=&flag&utf=%C3%A9&plus=a+b';
    const res = await request(`${gw.url}/plain/q?${query}`);
    await res.body.dump();
    expect(lastReceived().url).toBe(`/plain/q?${query}`);
  });
});

describe('response headers sent to the client', () => {
  it('drops hop-by-hop response headers and the names Connection lists; appends Via', async () => {
    const res = await rawExchange(gw.port, 'GET /hop HTTP/1.1\r\nHost: gw.test\r\n\r\n');
    expect(res.status).toBe(200);
    const names = res.headers.map(([n]) => n);
    for (const name of ['x-resp-hop', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'upgrade', 'trailer', 'transfer-encoding']) {
      expect(names, name).not.toContain(name);
    }
    for (const value of headerValues(res, 'connection')) expect(value.toLowerCase()).not.toContain('x-resp-hop');
    expect(headerValues(res, 'x-end-to-end')).toEqual(['kept']);
    expect(headerValues(res, 'via')).toEqual(['1.0 origin, 1.1 gatehouse']);
    expect(headerValues(res, 'content-length')).toEqual(['5']);
    expect(headerValues(res, 'set-cookie')).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(res.rest.toString()).toBe('hello');
  });
});
