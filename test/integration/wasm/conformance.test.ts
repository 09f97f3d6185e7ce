/**
 * A conformance sample of the proxy-wasm host through a running gateway (the harness
 * suites cover every hostcall without a server; this one checks that what the guest does
 * reaches the wire): request and response header maps (add/replace/remove, pseudo-headers
 * `:path`/`:method`/`:authority`/`:status`), request and response bodies rewritten by
 * a filter that buffers them (Pause until end of stream), properties, error statuses,
 * proxy_log lines in the gateway's log with the filter's name, and chain order (service
 * chain before route chain, filters in listed order). Guests are hand-written WAT.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { echoJson, startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { statuses, watGuest } from '../../fixtures/wasm/wat-guest.js';
import { waitFor } from '../../helpers/wait.js';
import { filtersDir, type FiltersDir } from './filters-dir.js';

/** Static strings for a WAT guest at fixed addresses; `s(text)` is its `ptr len` operands. */
function strings(list: readonly string[]): { data: Record<number, string>; s: (text: string) => string } {
  const data: Record<number, string> = {};
  const at = new Map<string, number>();
  let p = 0x400;
  for (const text of list) {
    data[p] = text;
    at.set(text, p);
    p += (Buffer.byteLength(text) + 8) & ~7;
  }
  if (p >= 0x10000) throw new Error('string table too large');
  return {
    data,
    s: (text) => {
      const addr = at.get(text);
      if (addr === undefined) throw new Error(`string "${text}" not in the table`);
      return `(i32.const ${addr}) (i32.const ${Buffer.byteLength(text)})`;
    },
  };
}

const REQ = 0;
const RES = 2;
const BUF_REQUEST = 0;
const BUF_RESPONSE = 1;

/** Header maps both ways, pseudo-headers, error statuses and a log line. */
function headersGuest(): Uint8Array {
  const { data, s } = strings([
    'x-added', 'yes', 'x-replace', 'new', 'x-remove', ':path', '/rewritten?q=1', ':method', 'PUT', ':authority',
    'rewritten.example', 'x-copy-from', 'x-copied', 'x-missing', 'no.such.property', 'hello from the headers filter',
    'x-upstream-secret', 'x-upstream-replace', 'x-resp-added', ':status', '202',
  ]);
  return watGuest({
    data,
    onRequestHeaders: `
    (drop (call $proxy_add_header_map_value (i32.const ${REQ}) ${s('x-added')} ${s('yes')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${s('x-replace')} ${s('new')}))
    (drop (call $proxy_remove_header_map_value (i32.const ${REQ}) ${s('x-remove')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${s(':path')} ${s('/rewritten?q=1')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${s(':method')} ${s('PUT')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${s(':authority')} ${s('rewritten.example')}))
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const ${REQ}) ${s('x-copy-from')} (i32.const 0x200) (i32.const 0x204)))
      (then (drop (call $proxy_add_header_map_value (i32.const ${REQ}) ${s('x-copied')} (i32.load (i32.const 0x200)) (i32.load (i32.const 0x204))))))
    (call $rec (call $proxy_get_header_map_value (i32.const ${REQ}) ${s('x-missing')} (i32.const 0x200) (i32.const 0x204)))
    (call $rec (call $proxy_add_header_map_value (i32.const 99) ${s('x-added')} ${s('yes')}))
    (call $rec (call $proxy_get_property ${s('no.such.property')} (i32.const 0x200) (i32.const 0x204)))
    (call $rec (call $proxy_get_header_map_value (i32.const ${REQ}) ${s('x-added')} (i32.const -4) (i32.const 0x204)))
    (call $flush)
    (drop (call $proxy_log (i32.const 3) ${s('hello from the headers filter')}))
    (i32.const 0)`,
    onResponseHeaders: `
    (drop (call $proxy_remove_header_map_value (i32.const ${RES}) ${s('x-upstream-secret')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${RES}) ${s('x-upstream-replace')} ${s('new')}))
    (drop (call $proxy_add_header_map_value (i32.const ${RES}) ${s('x-resp-added')} ${s('yes')}))
    (drop (call $proxy_replace_header_map_value (i32.const ${RES}) ${s(':status')} ${s('202')}))
    (i32.const 0)`,
  });
}

const REQUEST_REPLACEMENT = 'the filter replaced the request body';
const RESPONSE_PREFIX = 'PREFIX:';

/**
 * Buffers both bodies (Pause until end of stream), then replaces the request body and
 * prepends to the response body; drops the response's content-length first.
 */
function bodyGuest(): Uint8Array {
  const { data, s } = strings(['content-length', REQUEST_REPLACEMENT, RESPONSE_PREFIX]);
  return watGuest({
    data,
    onRequestBody: `
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (drop (call $proxy_set_buffer_bytes (i32.const ${BUF_REQUEST}) (i32.const 0) (local.get $size) ${s(REQUEST_REPLACEMENT)}))
    (i32.const 0)`,
    onResponseHeaders: `
    (drop (call $proxy_remove_header_map_value (i32.const ${RES}) ${s('content-length')}))
    (i32.const 0)`,
    onResponseBody: `
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (drop (call $proxy_set_buffer_bytes (i32.const ${BUF_RESPONSE}) (i32.const 0) (i32.const 0) ${s(RESPONSE_PREFIX)}))
    (i32.const 0)`,
  });
}

const PROPERTIES = [
  ['request.path', 'x-prop-path'],
  ['request.method', 'x-prop-method'],
  ['source.address', 'x-prop-source'],
  ['route_name', 'x-prop-route'],
  ['service_name', 'x-prop-service'],
  ['plugin_name', 'x-prop-plugin'],
  ['plugin_root_id', 'x-prop-root-id'],
  ['request.id', 'x-prop-request-id'],
] as const;

/** Copies each property into a request header `x-prop-*` sent upstream. */
function propertiesGuest(): Uint8Array {
  const { data, s } = strings(PROPERTIES.flat());
  const body = PROPERTIES.map(
    ([path, header]) => `
    (if (i32.eqz (call $proxy_get_property ${s(path)} (i32.const 0x200) (i32.const 0x204)))
      (then (drop (call $proxy_add_header_map_value (i32.const ${REQ}) ${s(header)} (i32.load (i32.const 0x200)) (i32.load (i32.const 0x204))))))`,
  ).join('');
  return watGuest({ data, onRequestHeaders: `${body} (i32.const 0)` });
}

/** Adds `x-order: <tag>` to the request: shows which filters ran, and in what order. */
function taggerGuest(tag: string): Uint8Array {
  const { data, s } = strings(['x-order', tag]);
  return watGuest({ data, onRequestHeaders: `(drop (call $proxy_add_header_map_value (i32.const ${REQ}) ${s('x-order')} ${s(tag)})) (i32.const 0)` });
}

/** Header pairs in the proxy-wasm byte layout, for static data in a WAT guest. */
function pairsBytes(pairs: readonly [string, string][]): Uint8Array {
  const parts = pairs.flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
  const out = Buffer.alloc(4 + pairs.length * 8 + parts.reduce((n, p) => n + p.length + 1, 0));
  out.writeUInt32LE(pairs.length, 0);
  let at = 4 + pairs.length * 8;
  parts.forEach((p, i) => {
    out.writeUInt32LE(p.length, 4 + i * 4);
    p.copy(out, at);
    at += p.length + 1;
  });
  return out;
}

/**
 * Pauses the request headers while it asks the upstream (proxy_http_call) for a value,
 * then copies the call response's `x-side` header onto the request and continues it.
 */
function httpCallGuest(authority: string): Uint8Array {
  const headers = pairsBytes([[':method', 'GET'], [':path', '/side-call'], [':authority', authority]]);
  const { data, s } = strings([authority, 'x-side', 'x-from-call']);
  return watGuest({
    data: { ...data, 0x1000: headers },
    onRequestHeaders: `
    (drop (call $proxy_http_call ${s(authority)} (i32.const 0x1000) (i32.const ${headers.byteLength}) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 5000) (i32.const 0x208)))
    (i32.const 1)`,
    onHttpCallResponse: `
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const 6) ${s('x-side')} (i32.const 0x200) (i32.const 0x204)))
      (then (drop (call $proxy_add_header_map_value (i32.const ${REQ}) ${s('x-from-call')} (i32.load (i32.const 0x200)) (i32.load (i32.const 0x204))))))
    (drop (call $proxy_continue_stream (i32.const 0)))`,
  });
}

const TEAPOT_BODY = 'short and stout';
const REJECTED_BODY = 'body rejected by the filter';

/** Answers 418 from the response-headers callback instead of the upstream's response. */
function localResponseGuest(): Uint8Array {
  const headers = pairsBytes([['x-local', '1'], ['content-type', 'text/plain']]);
  const { data, s } = strings([TEAPOT_BODY]);
  return watGuest({
    data: { ...data, 0x1000: headers },
    onResponseHeaders: `
    (drop (call $proxy_send_local_response (i32.const 418) (i32.const 0) (i32.const 0) ${s(TEAPOT_BODY)}
      (i32.const 0x1000) (i32.const ${headers.byteLength}) (i32.const -1)))
    (i32.const 1)`,
  });
}

/** Answers 422 once the whole request body was seen (the upstream attempt is abandoned). */
function bodyRejectGuest(): Uint8Array {
  const { data, s } = strings([REJECTED_BODY]);
  return watGuest({
    data,
    onRequestBody: `
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (drop (call $proxy_send_local_response (i32.const 422) (i32.const 0) (i32.const 0) ${s(REJECTED_BODY)} (i32.const 0) (i32.const 0) (i32.const -1)))
    (i32.const 1)`,
  });
}

const BIG = Buffer.alloc(200_000, 'abcdefghij');

let upstream: TestUpstream;
let dir: FiltersDir;
let gw: Gateway;

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyLength: number;
  bodySha256: string;
}

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = filtersDir({
    headers: headersGuest(),
    teapot: localResponseGuest(),
    'body-reject': bodyRejectGuest(),
    body: bodyGuest(),
    props: propertiesGuest(),
    'tag-a': taggerGuest('a'),
    'tag-b': taggerGuest('b'),
    'tag-c': taggerGuest('c'),
  });
  upstream = await startUpstream((req, res, body) => {
    if (req.url === '/side-call') {
      res.writeHead(200, { 'x-side': 'side-value', 'content-length': 2 });
      res.end('ok');
      return;
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
      res.end(BIG);
      return;
    }
    res.setHeader('x-upstream-secret', 'hidden');
    res.setHeader('x-upstream-replace', 'old');
    echoJson(req, res, body);
  });
  dir.add('call', httpCallGuest(`127.0.0.1:${upstream.port}`));
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [
            { name: 'hdr', paths: ['/hdr'] },
            { name: 'body', paths: ['/body'] },
            { name: 'props', paths: ['/props'] },
            { name: 'call', paths: ['/call'] },
            { name: 'teapot', paths: ['/teapot'] },
            { name: 'body-reject', paths: ['/body-reject'] },
          ],
        },
        { name: 'ordered', url: upstream.url, routes: [{ name: 'order', paths: ['/order'] }] },
      ],
      filter_chains: [
        { name: 'hdr-chain', route: 'hdr', filters: [{ name: 'headers' }] },
        { name: 'body-chain', route: 'body', filters: [{ name: 'body' }] },
        { name: 'props-chain', route: 'props', filters: [{ name: 'props' }] },
        { name: 'call-chain', route: 'call', filters: [{ name: 'call' }] },
        { name: 'teapot-chain', route: 'teapot', filters: [{ name: 'teapot' }] },
        { name: 'body-reject-chain', route: 'body-reject', filters: [{ name: 'body-reject' }] },
        { name: 'order-route', route: 'order', filters: [{ name: 'tag-b' }, { name: 'tag-c' }] },
        { name: 'order-service', service: 'ordered', filters: [{ name: 'tag-a' }] },
      ],
    }),
    { workers: 1, args: ['--wasm-filters-path', dir.path] },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  dir?.remove();
});

describe('header maps through the gateway', () => {
  it('request: add, replace, remove and the :path/:method/:authority pseudo-headers reach the upstream', async () => {
    const res = await request(`${gw.url}/hdr/original?a=1`, {
      headers: { 'x-replace': 'old', 'x-remove': 'gone', 'x-copy-from': 'copied value', 'x-keep': 'kept' },
    });
    const echo = (await res.body.json()) as Echo;
    expect(echo.method).toBe('PUT');
    expect(echo.url).toBe('/rewritten?q=1');
    expect(echo.headers['host']).toBe('rewritten.example');
    expect(echo.headers['x-added']).toBe('yes');
    expect(echo.headers['x-replace']).toBe('new');
    expect(echo.headers['x-remove']).toBeUndefined();
    expect(echo.headers['x-copied']).toBe('copied value');
    expect(echo.headers['x-keep']).toBe('kept');
    // Pseudo-headers are never sent as headers.
    expect(Object.keys(echo.headers).filter((h) => h.startsWith(':'))).toEqual([]);
  });

  it('response: add, replace, remove and :status reach the client', async () => {
    const res = await request(`${gw.url}/hdr/x`);
    await res.body.arrayBuffer();
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-upstream-secret']).toBeUndefined();
    expect(res.headers['x-upstream-replace']).toBe('new');
    expect(res.headers['x-resp-added']).toBe('yes');
  });

  it('returns the spec error statuses to the guest and logs its proxy_log lines with the filter name', async () => {
    const res = await request(`${gw.url}/hdr/log`);
    await res.body.arrayBuffer();
    let lines: { filter?: string; msg?: string; level?: number | string }[] = [];
    await waitFor(() => {
      lines = gw
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { filter?: string; msg?: string })
        .filter((l) => l.filter === 'headers');
      return lines.some((l) => l.msg === 'hello from the headers filter');
    }, 5_000, 'the guest log line');
    // NotFound (missing header), BadArgument (no map 99), NotFound (unknown property),
    // InvalidMemoryAccess (return slot outside guest memory).
    const codes = lines.filter((l) => l.msg !== undefined && /^\d+$/.test(l.msg)).map((l) => statuses(l.msg as string));
    expect(codes[0]).toEqual([1, 2, 1, 6]);
  });
});

describe('bodies through the gateway', () => {
  it('a buffered request body replaced by the filter is what the upstream receives', async () => {
    const upload = Buffer.alloc(150_000, 'u');
    const res = await request(`${gw.url}/body/upload`, { method: 'POST', body: upload, headers: { 'content-type': 'application/octet-stream' } });
    const text = (await res.body.text()).slice(RESPONSE_PREFIX.length);
    const echo = JSON.parse(text) as Echo;
    expect(echo.bodyLength).toBe(Buffer.byteLength(REQUEST_REPLACEMENT));
    expect(echo.bodySha256).toBe(sha256(REQUEST_REPLACEMENT));
  });

  it('a response body rewritten by the filter (content-length removed) reaches the client whole', async () => {
    const res = await request(`${gw.url}/body/json`);
    expect(res.statusCode).toBe(200);
    const text = await res.body.text();
    // The upstream's length is gone; an unsized body that completes within one loop turn
    // is sent with the length of what the filter produced (otherwise chunked).
    const length = res.headers['content-length'];
    if (length !== undefined) expect(Number(length)).toBe(Buffer.byteLength(text));
    expect(text.startsWith(RESPONSE_PREFIX)).toBe(true);
    expect((JSON.parse(text.slice(RESPONSE_PREFIX.length)) as Echo).url).toBe('/json');
  });

  it('a large response spread over many chunks is buffered to the end, then rewritten', async () => {
    const res = await request(`${gw.url}/body/big`);
    expect(res.statusCode).toBe(200);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.length).toBe(RESPONSE_PREFIX.length + BIG.length);
    expect(body.subarray(0, RESPONSE_PREFIX.length).toString()).toBe(RESPONSE_PREFIX);
    expect(sha256(body.subarray(RESPONSE_PREFIX.length))).toBe(sha256(BIG));
  });
});

describe('properties through the gateway', () => {
  it('gives the guest the request, route, service and plugin properties', async () => {
    const res = await request(`${gw.url}/props/item?z=9`, { method: 'DELETE' });
    const echo = (await res.body.json()) as Echo;
    const h = echo.headers;
    expect(h['x-prop-path']).toBe('/props/item?z=9');
    expect(h['x-prop-method']).toBe('DELETE');
    expect(h['x-prop-source']).toBe('127.0.0.1');
    expect(h['x-prop-route']).toBe('props');
    expect(h['x-prop-service']).toBe('echo');
    expect(h['x-prop-plugin']).toBe('props');
    expect(h['x-prop-root-id']).toBe('props');
    expect(h['x-prop-request-id']).toBe(res.headers['x-gatehouse-request-id']);
    expect(h['x-prop-request-id']).toMatch(/^[0-9a-f]{18}$/);
  });
});

describe('chain order', () => {
  it('runs the service chain, then the route chain in listed order', async () => {
    const res = await request(`${gw.url}/order/x`);
    const echo = (await res.body.json()) as Echo;
    expect(echo.headers['x-order']).toBe('a, b, c');
  });
});

describe('pause and local responses through the gateway', () => {
  it('a request paused for an http call continues with what the call returned; its queued body goes upstream intact', async () => {
    const upload = Buffer.alloc(120_000, 'q');
    const res = await request(`${gw.url}/call/x`, { method: 'POST', body: upload });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.url).toBe('/x');
    expect(echo.headers['x-from-call']).toBe('side-value');
    expect(echo.bodyLength).toBe(upload.length);
    expect(echo.bodySha256).toBe(sha256(upload));
    expect(upstream.received.some((r) => r.url === '/side-call' && r.headers['host'] === `127.0.0.1:${upstream.port}`)).toBe(true);
  });

  it('a local response sent from the response-headers callback replaces the upstream response', async () => {
    const res = await request(`${gw.url}/teapot/x`);
    expect(res.statusCode).toBe(418);
    expect(res.headers['x-local']).toBe('1');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(await res.body.text()).toBe(TEAPOT_BODY);
    // The connection is still usable afterwards.
    const again = await request(`${gw.url}/teapot/y`);
    expect(await again.body.text()).toBe(TEAPOT_BODY);
  });

  it('a local response sent from the request-body callback answers the client', async () => {
    const res = await request(`${gw.url}/body-reject/x`, { method: 'POST', body: Buffer.alloc(50_000, 'r') });
    expect(res.statusCode).toBe(422);
    expect(await res.body.text()).toBe(REJECTED_BODY);
  });
});
