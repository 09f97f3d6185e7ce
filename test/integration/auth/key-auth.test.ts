/**
 * key-auth (Kong 3.x) through a real gateway and a real upstream that echoes what reached
 * it: the key in a header, in the query, in a JSON or form body; hide_credentials; Kong's
 * 401s with WWW-Authenticate; the anonymous fallback; forged X-Consumer-* headers never
 * reaching the upstream; route > service > global precedence; preflight bypass; a route
 * with a WASM filter; the access log's `consumer` field.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import type { TestUpstream } from '../../helpers/upstream.js';
import { waitFor } from '../../helpers/wait.js';
import { ALICE, ALICE_KEY, BOB, BOB_KEY, GUEST, consumers, startEcho, type Echo } from './auth-config.js';

const FILTERS = fileURLToPath(new URL('../../../dist/wasm-filters', import.meta.url));

let upstream: TestUpstream;
let gw: Gateway;

function config(url: string): string {
  return JSON.stringify({
    _format_version: '3.0',
    consumers: consumers(),
    services: [
      {
        name: 'echo',
        url,
        plugins: [{ name: 'key-auth', config: { key_names: ['x-service-key'] } }],
        routes: [
          // Inherits the service's key-auth (header x-service-key only).
          { name: 'service-level', paths: ['/svc'] },
          // Its own key-auth beats the service's.
          { name: 'basic', paths: ['/basic'], plugins: [{ name: 'key-auth', config: { realm: 'gatehouse' } }] },
          { name: 'hidden', paths: ['/hidden'], plugins: [{ name: 'key-auth', config: { key_names: ['apikey', 'x-api-key'], hide_credentials: true } }] },
          { name: 'body', paths: ['/body'], plugins: [{ name: 'key-auth', config: { key_in_body: true, key_in_query: false, hide_credentials: true } }] },
          { name: 'anon', paths: ['/anon'], plugins: [{ name: 'key-auth', config: { anonymous: GUEST.username } }] },
          { name: 'preflight', paths: ['/preflight'], plugins: [{ name: 'key-auth', config: { run_on_preflight: false } }] },
          { name: 'filtered', paths: ['/filtered'], plugins: [{ name: 'key-auth', config: {} }] },
        ],
      },
      {
        name: 'open',
        url,
        // No plugin on the service: the global key-auth applies.
        routes: [{ name: 'global-level', paths: ['/global'] }],
      },
    ],
    plugins: [{ name: 'key-auth', config: { key_names: ['x-global-key'] } }],
    filter_chains: [{ name: 'team', route: 'filtered', filters: [{ name: 'example-headers', config: { header: 'x-team', value: 'payments', denied_prefix: '/nowhere' } }] }],
  });
}

beforeAll(async () => {
  upstream = await startEcho();
  gw = await startGateway(config(upstream.url), { workers: 2, accessLog: 'stdout', args: ['--wasm-filters-path', FILTERS] });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

async function echo(res: Response): Promise<Echo> {
  expect(res.status).toBe(200);
  return (await res.json()) as Echo;
}

async function expect401(res: Response, message: string, wwwAuthenticate = 'Key'): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(wwwAuthenticate);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(res.headers.get('x-gatehouse-request-id')).not.toBeNull();
  expect(await res.json()).toEqual({ message });
}

describe('key in a header or the query', () => {
  it('a valid key in the header identifies the consumer upstream', async () => {
    const e = await echo(await fetch(`${gw.url}/basic/x`, { headers: { apikey: ALICE_KEY.key } }));
    expect(e.headers['x-consumer-id']).toBe(ALICE.id);
    expect(e.headers['x-consumer-username']).toBe(ALICE.username);
    expect(e.headers['x-consumer-custom-id']).toBe(ALICE.custom_id);
    expect(e.headers['x-credential-identifier']).toBe(ALICE_KEY.id);
    expect(e.headers['x-anonymous-consumer']).toBeUndefined();
    // Without hide_credentials the key travels on.
    expect(e.headers['apikey']).toBe(ALICE_KEY.key);
  });

  it('a consumer without custom_id gets no X-Consumer-Custom-ID', async () => {
    const e = await echo(await fetch(`${gw.url}/basic/x?apikey=${BOB_KEY.key}`));
    expect(e.headers['x-consumer-username']).toBe(BOB.username);
    expect(e.headers['x-consumer-custom-id']).toBeUndefined();
    expect(e.url).toBe(`/x?apikey=${BOB_KEY.key}`);
  });

  it('hide_credentials removes the key from the query, keeping the other arguments', async () => {
    const e = await echo(await fetch(`${gw.url}/hidden/q?a=1&apikey=${ALICE_KEY.key}&b=two%20words`));
    expect(e.url).toBe('/q?a=1&b=two%20words');
    expect(e.headers['x-consumer-id']).toBe(ALICE.id);
  });

  it('hide_credentials removes the key header (second key name)', async () => {
    const e = await echo(await fetch(`${gw.url}/hidden/h`, { headers: { 'X-API-Key': BOB_KEY.key, 'x-other': 'kept' } }));
    expect(e.headers['x-api-key']).toBeUndefined();
    expect(e.headers['x-other']).toBe('kept');
    expect(e.headers['x-consumer-username']).toBe(BOB.username);
  });

  it('no key: 401 "No API key found in request" with WWW-Authenticate (realm when configured)', async () => {
    await expect401(await fetch(`${gw.url}/basic/x`), 'No API key found in request', 'Key realm="gatehouse"');
    await expect401(await fetch(`${gw.url}/hidden/x`), 'No API key found in request');
    await expect401(await fetch(`${gw.url}/basic/x`, { headers: { apikey: '' } }), 'No API key found in request', 'Key realm="gatehouse"');
  });

  it('an unknown key: 401 "Unauthorized"; a key given twice: 401 "Duplicate API key found"', async () => {
    await expect401(await fetch(`${gw.url}/basic/x`, { headers: { apikey: 'nope' } }), 'Unauthorized', 'Key realm="gatehouse"');
    await expect401(await fetch(`${gw.url}/hidden/x?apikey=a&apikey=b`), 'Duplicate API key found');
    expect(upstream.received.some((r) => r.url.includes('nope') || r.headers['apikey'] === 'nope')).toBe(false);
  });

  it('forged X-Consumer-* headers from the client never reach the upstream', async () => {
    const forged = {
      apikey: BOB_KEY.key,
      'x-consumer-id': ALICE.id,
      'x-consumer-username': 'admin',
      'x-consumer-custom-id': 'root',
      'x-credential-identifier': 'forged',
      'x-anonymous-consumer': 'false',
    };
    const e = await echo(await fetch(`${gw.url}/basic/f`, { headers: forged }));
    expect(e.headers['x-consumer-id']).toBe(BOB.id);
    expect(e.headers['x-consumer-username']).toBe(BOB.username);
    expect(e.headers['x-consumer-custom-id']).toBeUndefined();
    expect(e.headers['x-credential-identifier']).toBe(BOB_KEY.id);
    expect(e.headers['x-anonymous-consumer']).toBeUndefined();
  });
});

describe('key in the body (key_in_body, hide_credentials)', () => {
  it('JSON: the key is found and removed from the forwarded body', async () => {
    const res = await fetch(`${gw.url}/body/j`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey: ALICE_KEY.key, keep: [1, 2] }) });
    const e = await echo(res);
    expect(e.headers['x-consumer-username']).toBe(ALICE.username);
    expect(JSON.parse(e.body)).toEqual({ keep: [1, 2] });
    expect(e.headers['content-length']).toBe(String(Buffer.byteLength(e.body)));
  });

  it('form-urlencoded: the key is found and removed', async () => {
    const res = await fetch(`${gw.url}/body/f`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=1&apikey=${BOB_KEY.key}&b=2` });
    const e = await echo(res);
    expect(e.headers['x-consumer-username']).toBe(BOB.username);
    expect(e.body).toBe('a=1&b=2');
  });

  it('a key in the header is still preferred, and the body is passed on unchanged when it holds none', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const e = await echo(await fetch(`${gw.url}/body/h`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: ALICE_KEY.key }, body }));
    expect(e.headers['x-consumer-username']).toBe(ALICE.username);
    expect(e.headers['apikey']).toBeUndefined();
    expect(e.body).toBe(body);
  });

  it('no key in the body: 401; key_in_query is off on this route', async () => {
    await expect401(await fetch(`${gw.url}/body/n?apikey=${ALICE_KEY.key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }), 'No API key found in request');
    await expect401(await fetch(`${gw.url}/body/n`), 'No API key found in request');
    await expect401(await fetch(`${gw.url}/body/n`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apikey":"wrong"}' }), 'Unauthorized');
  });
});

describe('anonymous, preflight, precedence, WASM routes', () => {
  it('anonymous: a missing or bad key proceeds as the anonymous consumer', async () => {
    for (const headers of [{}, { apikey: 'wrong' }]) {
      const e = await echo(await fetch(`${gw.url}/anon/a`, { headers: { ...headers, 'x-credential-identifier': 'forged' } }));
      expect(e.headers['x-consumer-id']).toBe(GUEST.id);
      expect(e.headers['x-consumer-username']).toBe(GUEST.username);
      expect(e.headers['x-anonymous-consumer']).toBe('true');
      expect(e.headers['x-credential-identifier']).toBeUndefined();
    }
    const e = await echo(await fetch(`${gw.url}/anon/a`, { headers: { apikey: ALICE_KEY.key } }));
    expect(e.headers['x-consumer-username']).toBe(ALICE.username);
    expect(e.headers['x-anonymous-consumer']).toBeUndefined();
  });

  it('run_on_preflight: false lets OPTIONS through unauthenticated (forged headers still dropped); GET still needs a key', async () => {
    const e = await echo(await fetch(`${gw.url}/preflight/p`, { method: 'OPTIONS', headers: { 'x-consumer-username': 'admin' } }));
    expect(e.method).toBe('OPTIONS');
    expect(e.headers['x-consumer-username']).toBeUndefined();
    await expect401(await fetch(`${gw.url}/preflight/p`), 'No API key found in request');
    // The default runs on preflight.
    await expect401(await fetch(`${gw.url}/basic/p`, { method: 'OPTIONS' }), 'No API key found in request', 'Key realm="gatehouse"');
  });

  it('route-level beats service-level beats global', async () => {
    // service-level route: only the service's key name counts.
    await expect401(await fetch(`${gw.url}/svc/x`, { headers: { apikey: ALICE_KEY.key, 'x-global-key': ALICE_KEY.key } }), 'No API key found in request');
    expect((await echo(await fetch(`${gw.url}/svc/x`, { headers: { 'x-service-key': ALICE_KEY.key } }))).headers['x-consumer-username']).toBe(ALICE.username);
    // route-level: `apikey`, not the service's name.
    await expect401(await fetch(`${gw.url}/basic/x`, { headers: { 'x-service-key': ALICE_KEY.key } }), 'No API key found in request', 'Key realm="gatehouse"');
    // global on a service without its own key-auth.
    await expect401(await fetch(`${gw.url}/global/x`, { headers: { 'x-service-key': BOB_KEY.key } }), 'No API key found in request');
    expect((await echo(await fetch(`${gw.url}/global/x`, { headers: { 'x-global-key': BOB_KEY.key } }))).headers['x-consumer-username']).toBe(BOB.username);
  });

  it('a route with a WASM filter authenticates before the filter runs', async () => {
    await expect401(await fetch(`${gw.url}/filtered/x`), 'No API key found in request');
    const e = await echo(await fetch(`${gw.url}/filtered/x`, { headers: { apikey: ALICE_KEY.key, 'x-consumer-id': 'forged' } }));
    expect(e.headers['x-team']).toBe('payments');
    expect(e.headers['x-consumer-id']).toBe(ALICE.id);
    expect(e.headers['x-consumer-username']).toBe(ALICE.username);
  });
});

describe('access log', () => {
  it('carries the consumer ({id, username, custom_id}) or null, and 401s with status 401', async () => {
    const ok = await fetch(`${gw.url}/basic/logged-ok`, { headers: { apikey: ALICE_KEY.key } });
    const okId = ok.headers.get('x-gatehouse-request-id');
    await ok.arrayBuffer();
    const denied = await fetch(`${gw.url}/basic/logged-denied`);
    const deniedId = denied.headers.get('x-gatehouse-request-id');
    await denied.arrayBuffer();
    const open = await fetch(`${gw.url}/nothing-here`);
    const openId = open.headers.get('x-gatehouse-request-id');
    await open.arrayBuffer();
    const line = (id: string | null): Record<string, unknown> | undefined =>
      gw.stdout().split('\n').filter((l) => l.includes('"access"')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['request_id'] === id);
    await waitFor(() => line(okId) !== undefined && line(deniedId) !== undefined && line(openId) !== undefined, 5_000);
    expect(line(okId)?.['consumer']).toEqual({ id: ALICE.id, username: ALICE.username, custom_id: ALICE.custom_id });
    expect(line(okId)?.['status']).toBe(200);
    expect(line(deniedId)?.['consumer']).toBeNull();
    expect(line(deniedId)?.['status']).toBe(401);
    expect(line(openId)?.['consumer']).toBeNull();
  });
});
