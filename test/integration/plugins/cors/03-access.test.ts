/**
 * cors through a gateway with 2 workers: preflights answered at the gateway (never
 * proxied), response headers on proxied answers and on the gateway's own errors (a 401
 * from key-auth), regex origins, credentials, preflight_continue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';

describe('cors: any origin (defaults)', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'cors' }]);
  });
  afterAll(() => rig?.close());

  it('answers a preflight itself with 200 and the allow headers', async () => {
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/x'), {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-one, x-two' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-one, x-two');
    expect(res.headers.get('access-control-max-age')).toBeNull();
    expect(await res.text()).toBe('');
    expect(rig.upstream.received.length).toBe(before);
  });

  it('adds Access-Control-Allow-Origin: * to proxied responses, with or without Origin', async () => {
    const a = await fetch(rig.url('/x'), { headers: { origin: 'https://app.example.com' } });
    expect(a.status).toBe(200);
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    await a.arrayBuffer();
    const b = await fetch(rig.url('/x'));
    expect(b.headers.get('access-control-allow-origin')).toBe('*');
    await b.arrayBuffer();
  });

  it('an OPTIONS without Access-Control-Request-Method is proxied', async () => {
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/x'), { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(rig.upstream.received.length).toBe(before + 1);
  });
});

describe('cors: listed origins, credentials, and a 401 from key-auth', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        { name: 'cors', config: { origins: ['https://app.example.com', '.*\\.example\\.org'], credentials: true, max_age: 3600, exposed_headers: ['x-total'], headers: ['x-one'] } },
        { name: 'key-auth' },
      ],
      { extra: { consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'k-alice' }] }] } },
    );
  });
  afterAll(() => rig?.close());

  it('echoes an allowed origin and allows credentials on the preflight', async () => {
    const res = await fetch(rig.url('/x'), { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-one');
    expect(res.headers.get('access-control-max-age')).toBe('3600');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('matches a regex origin against the host and normalises default ports', async () => {
    const res = await fetch(rig.url('/x'), { headers: { origin: 'https://api.example.org:443', apikey: 'k-alice' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://api.example.org');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-total');
    await res.arrayBuffer();
  });

  it('leaves Access-Control-Allow-Origin off for an origin not listed', async () => {
    const res = await fetch(rig.url('/x'), { headers: { origin: 'https://evil.example.net', apikey: 'k-alice' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
    await res.arrayBuffer();
  });

  it('adds its headers to the 401 key-auth answers (response phase runs for exits)', async () => {
    const res = await fetch(rig.url('/x'), { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
  });

  it('a preflight is answered before key-auth runs (priority 2000 > 1250)', async () => {
    const res = await fetch(rig.url('/x'), { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(200);
  });
});

describe('cors: preflight_continue', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'cors', config: { preflight_continue: true } }]);
  });
  afterAll(() => rig?.close());

  it('proxies the preflight and adds no CORS header to its answer', async () => {
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/x'), { method: 'OPTIONS', headers: { origin: 'https://a.example.com', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.arrayBuffer();
    expect(rig.upstream.received.length).toBe(before + 1);
  });
});
