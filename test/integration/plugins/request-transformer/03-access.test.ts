/**
 * request-transformer through a gateway with 2 workers: what the upstream received
 * (method, path, query, Host, headers, body) and what the client got back; templates
 * from a regex route's captures; bodies read whole only when they are transformed (a
 * chunked upload included), others streamed byte for byte; consumer-scoped configs after
 * key-auth (Kong's precedence picks the consumer's).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startGateway, type Gateway } from '../../../helpers/gateway.js';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { startUpstream, type Handler, type TestUpstream } from '../../../helpers/upstream.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The upstream answers with what it received, body included. */
const echoBody: Handler = (req, res, body) => {
  const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('latin1') });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

async function seen(res: Response): Promise<Seen> {
  expect(res.status).toBe(200);
  return (await res.json()) as Seen;
}

describe('request-transformer: one route, every kind of operation', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        {
          name: 'request-transformer',
          config: {
            remove: { headers: ['x-remove'], querystring: ['secret'], body: ['password'] },
            rename: { headers: ['x-old:x-new'] },
            replace: { headers: ['host:upstream.example'], uri: '/api/users/$(uri_captures.id)' },
            add: { headers: ['x-user:$(uri_captures.id)'], querystring: ['tag:$(headers["x-tag"] or "none")'], body: ['source:gatehouse'] },
            append: { headers: ['x-append:2'] },
          },
        },
      ],
      { route: { paths: ['~/users/(?<id>\\d+)$'] }, handler: echoBody },
    );
  });
  afterAll(() => rig?.close());

  it('sends the upstream the rewritten path, query, Host and headers', async () => {
    const s = await seen(await fetch(rig.url('/users/42?secret=s&b=1'), { headers: { 'x-remove': '1', 'x-old': 'o', 'x-append': '1', 'x-tag': 't' } }));
    expect(s.url).toBe('/api/users/42?b=1&tag=t');
    expect(s.headers['host']).toBe('upstream.example');
    expect(s.headers['x-user']).toBe('42');
    expect(s.headers['x-new']).toBe('o');
    expect(s.headers['x-old']).toBeUndefined();
    expect(s.headers['x-remove']).toBeUndefined();
    expect(s.headers['x-append']).toBe('1, 2');
    // The client's Host is still what X-Forwarded-Host reports.
    expect(s.headers['x-forwarded-host']).toBe('127.0.0.1');
  });

  it('transforms a JSON body (Content-Length follows)', async () => {
    const s = await seen(await fetch(rig.url('/users/7'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'p', keep: 1 }) }));
    expect(JSON.parse(s.body)).toEqual({ keep: 1, source: 'gatehouse' });
    expect(s.headers['content-length']).toBe(String(Buffer.byteLength(s.body)));
    expect(s.url).toBe('/api/users/7?tag=none');
  });

  it('waits for a chunked body it has to transform', async () => {
    const parts = ['{"password":"p",', '"keep":', '[1,2]}'];
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = parts.shift();
        if (next === undefined) return controller.close();
        await new Promise((r) => setTimeout(r, 20));
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(rig.url('/users/8'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(JSON.parse((await seen(res)).body)).toEqual({ keep: [1, 2], source: 'gatehouse' });
  });

  it('transforms form-urlencoded and multipart bodies', async () => {
    const form = await seen(await fetch(rig.url('/users/1'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=p&a=1' }));
    expect(form.body).toBe('a=1&source=gatehouse');
    const data = new FormData();
    data.append('password', 'p');
    data.append('file', new Blob([new Uint8Array([0, 255, 13, 10])]), 'f.bin');
    const multi = await seen(await fetch(rig.url('/users/1'), { method: 'POST', body: data }));
    expect(multi.body).not.toContain('name="password"');
    expect(multi.body).toContain('name="source"\r\n\r\ngatehouse\r\n');
    expect(multi.body).toContain('filename="f.bin"');
    expect(multi.body).toContain('\x00\xff\r\n');
  });

  it('streams a body it does not transform byte for byte', async () => {
    const big = Buffer.alloc(512 * 1024, 'abcdefgh');
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/users/3'), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: big });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const got = rig.upstream.received[before];
    expect(got?.bodyLength).toBe(big.length);
    expect(got?.bodySha256).toBe(createHash('sha256').update(big).digest('hex'));
  });
});

describe('request-transformer: http_method, and a consumer-scoped config after key-auth', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        { name: 'key-auth', config: { hide_credentials: true } },
        { name: 'request-transformer', config: { add: { headers: ['x-tier:basic'] } } },
        { name: 'request-transformer', consumer: 'alice', config: { http_method: 'GET', add: { headers: ['x-tier:gold'] }, append: { querystring: ['seen:1'] } } },
      ],
      {
        handler: echoBody,
        extra: {
          consumers: [
            { username: 'alice', keyauth_credentials: [{ key: 'k-alice' }] },
            { username: 'bob', keyauth_credentials: [{ key: 'k-bob' }] },
          ],
        },
      },
    );
  });
  afterAll(() => rig?.close());

  it('runs the route\'s config for bob', async () => {
    const s = await seen(await fetch(rig.url('/x?q=1'), { method: 'POST', headers: { apikey: 'k-bob' }, body: 'raw' }));
    expect(s.method).toBe('POST');
    expect(s.headers['x-tier']).toBe('basic');
    expect(s.url).toBe('/x?q=1');
  });

  it('runs alice\'s config for alice: GET, the form body\'s arguments moved into the query', async () => {
    const s = await seen(
      await fetch(rig.url('/x?q=1'), { method: 'POST', headers: { apikey: 'k-alice', 'content-type': 'application/x-www-form-urlencoded' }, body: 'q=2&name=a%20b' }),
    );
    expect(s.method).toBe('GET');
    expect(s.headers['x-tier']).toBe('gold');
    expect(s.headers['x-consumer-username']).toBe('alice');
    expect(s.headers['apikey']).toBeUndefined();
    expect(s.url).toBe('/x?name=a%20b&q=1&q=2&seen=1');
  });

  it('never runs for a request key-auth refused', async () => {
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/x'));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
    expect(rig.upstream.received.length).toBe(before);
  });
});

describe('request-transformer: replace.uri is the whole upstream path (Kong\'s set_path)', () => {
  let upstream: TestUpstream;
  let gateway: Gateway;
  beforeAll(async () => {
    upstream = await startUpstream(echoBody);
    const routes = [
      { name: 'plain', paths: ['/plain'], strip_path: true },
      { name: 'moved', paths: ['/moved'], strip_path: true, plugins: [{ name: 'request-transformer', config: { replace: { uri: '/elsewhere' } } }] },
    ];
    gateway = await startGateway(stringify({ _format_version: '3.0', services: [{ name: 'svc', url: `${upstream.url}/base`, routes }] }), { workers: 2 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('replaces the service path and the stripped request path alike; the query stays', async () => {
    expect((await seen(await fetch(`${gateway.url}/plain/a?x=1`))).url).toBe('/base/a?x=1');
    expect((await seen(await fetch(`${gateway.url}/moved/a?x=1`))).url).toBe('/elsewhere?x=1');
  });
});
