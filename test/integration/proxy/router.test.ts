/**
 * Router precedence through a real gateway: one test per rule of core/router/compile.ts
 * (more categories, plain host over wildcard host, more headers, regex over prefix,
 * regex_priority, longest prefix, config order), plus host wildcards, methods, headers,
 * regex paths, no route, a route without a service and https-only routes.
 *
 * In each rule's pair the route expected to win is declared SECOND, so config order
 * alone would pick the other one: a pass means the rule, not the order, decided.
 * Each route's service points at the recording upstream with the path `/r/<name>`, so
 * the upstream path names the route that matched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool, request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';

let upstream: TestUpstream;
let gw: Gateway;

interface RouteSpec {
  name: string;
  paths?: string[];
  hosts?: string[];
  methods?: string[];
  headers?: Record<string, string[]>;
  regex_priority?: number;
  protocols?: string[];
  https_redirect_status_code?: number;
}

const ROUTES: RouteSpec[] = [
  // 1. more categories: methods + paths beats paths alone
  { name: 'cat-paths', paths: ['/cat'] },
  { name: 'cat-paths-methods', paths: ['/cat'], methods: ['GET'] },
  // 2. plain host beats wildcard host
  { name: 'host-wild', hosts: ['*.plain.test'], paths: ['/h'] },
  { name: 'host-plain', hosts: ['api.plain.test'], paths: ['/h'] },
  // 3. more headers first
  { name: 'hdr-one', paths: ['/hdr'], headers: { 'x-a': ['1'] } },
  { name: 'hdr-two', paths: ['/hdr'], headers: { 'x-a': ['1'], 'x-b': ['2'] } },
  // 4. regex beats prefix (even a longer prefix)
  { name: 'rx-prefix', paths: ['/rx/very/long/prefix'] },
  { name: 'rx-regex', paths: ['~/rx/[a-z]+'] },
  // 5. regex_priority
  { name: 'prio-low', paths: ['~/prio/\\d+'], regex_priority: 0 },
  { name: 'prio-high', paths: ['~/prio/1\\d*'], regex_priority: 5 },
  // 6. longest prefix
  { name: 'lp-short', paths: ['/lp'] },
  { name: 'lp-long', paths: ['/lp/deeper'] },
  // 7. config order on a tie
  { name: 'order-first', paths: ['/order'] },
  { name: 'order-second', paths: ['/order'] },
  // host wildcards, methods, headers, regex
  { name: 'lead-wild', hosts: ['*.lead.test'] },
  { name: 'trail-wild', hosts: ['trail.*'] },
  { name: 'only-post', paths: ['/method'], methods: ['POST', 'PUT'] },
  { name: 'header-only', paths: ['/header'], headers: { 'x-version': ['v2', 'v3'] } },
  { name: 'regex-path', paths: ['~/users/\\d+/orders$'] },
  // protocols
  { name: 'https-only', paths: ['/secure'], protocols: ['https'] },
  { name: 'https-redirect', paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 301 },
];

function config(upstreamUrl: string): string {
  const services = ROUTES.map((r) => ({
    name: `svc-${r.name}`,
    url: `${upstreamUrl}/r/${r.name}`,
    routes: [{ ...r, strip_path: false }],
  }));
  return JSON.stringify({
    _format_version: '3.0',
    services,
    // a top-level route without a service
    routes: [{ name: 'no-service', paths: ['/orphan'] }],
  });
}

async function matched(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const res = await request(gw.url + path, { method: (opts.method ?? 'GET') as 'GET', headers: opts.headers ?? {} });
  const text = await res.body.text();
  if (res.statusCode !== 200) return `status ${res.statusCode}: ${text}`;
  const url = (JSON.parse(text) as { url: string }).url;
  const m = /^\/r\/([a-z0-9-]+)/.exec(url);
  return m?.[1] ?? `unexpected upstream path ${url}`;
}

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(config(upstream.url));
});

afterAll(async () => {
  // exit 0: a clean drain (keep-alive client connections open included)
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
});

describe('router precedence (one test per rule)', () => {
  it('1. more matching categories win', async () => {
    expect(await matched('/cat')).toBe('cat-paths-methods');
    expect(await matched('/cat', { method: 'POST' })).toBe('cat-paths');
  });

  it('2. a plain host beats a wildcard host', async () => {
    expect(await matched('/h', { headers: { host: 'api.plain.test' } })).toBe('host-plain');
    expect(await matched('/h', { headers: { host: 'other.plain.test' } })).toBe('host-wild');
  });

  it('3. more headers first', async () => {
    expect(await matched('/hdr', { headers: { 'x-a': '1', 'x-b': '2' } })).toBe('hdr-two');
    expect(await matched('/hdr', { headers: { 'x-a': '1' } })).toBe('hdr-one');
  });

  it('4. a regex path beats a prefix path', async () => {
    expect(await matched('/rx/very/long/prefix')).toBe('rx-regex');
    expect(await matched('/rx/9')).toBe('status 404: {"message":"no Route matched with those values"}');
  });

  it('5. higher regex_priority first', async () => {
    expect(await matched('/prio/12')).toBe('prio-high');
    expect(await matched('/prio/22')).toBe('prio-low');
  });

  it('6. the longest prefix wins', async () => {
    expect(await matched('/lp/deeper/x')).toBe('lp-long');
    expect(await matched('/lp/other')).toBe('lp-short');
  });

  it('7. config order breaks a tie', async () => {
    expect(await matched('/order')).toBe('order-first');
  });
});

describe('router conditions', () => {
  it('matches a leading-wildcard host on any path, and not the bare domain', async () => {
    expect(await matched('/anything', { headers: { host: 'a.b.lead.test' } })).toBe('lead-wild');
    expect(await matched('/anything', { headers: { host: 'x.lead.test:8000' } })).toBe('lead-wild');
    expect(await matched('/anything', { headers: { host: 'lead.test' } })).toMatch(/^status 404/);
  });

  it('matches a trailing-wildcard host', async () => {
    expect(await matched('/x', { headers: { host: 'trail.example.org' } })).toBe('trail-wild');
    expect(await matched('/x', { headers: { host: 'nottrail.example.org' } })).toMatch(/^status 404/);
  });

  it('matches methods', async () => {
    expect(await matched('/method', { method: 'POST' })).toBe('only-post');
    expect(await matched('/method', { method: 'PUT' })).toBe('only-post');
    expect(await matched('/method')).toMatch(/^status 404/);
  });

  it('matches header values (any of the listed ones, case-insensitively)', async () => {
    expect(await matched('/header', { headers: { 'x-version': 'v3' } })).toBe('header-only');
    expect(await matched('/header', { headers: { 'x-version': 'V2' } })).toBe('header-only');
    expect(await matched('/header', { headers: { 'x-version': 'v1' } })).toMatch(/^status 404/);
    expect(await matched('/header')).toMatch(/^status 404/);
  });

  it('matches `~` regex paths, anchored at the start', async () => {
    expect(await matched('/users/42/orders')).toBe('regex-path');
    expect(await matched('/users/4x/orders')).toMatch(/^status 404/);
    expect(await matched('/users/42/orders/7')).toMatch(/^status 404/);
    expect(await matched('/api/users/42/orders')).toMatch(/^status 404/);
  });

  it('routes on the normalised path and sends that path upstream (dot segments, escapes, slashes)', async () => {
    // Pool.request takes the path as is: no client-side URL normalisation.
    const pool = new Pool(gw.url, { connections: 1 });
    try {
      const upstreamPath = async (path: string): Promise<string> => {
        const res = await pool.request({ path, method: 'GET' });
        const text = await res.body.text();
        return res.statusCode === 200 ? (JSON.parse(text) as { url: string }).url : `status ${res.statusCode}`;
      };
      expect(await upstreamPath('/lp/../order')).toBe('/r/order-first/order');
      expect(await upstreamPath('/lp/%2e%2E/order')).toBe('/r/order-first/order');
      expect(await upstreamPath('/lp/./deeper//x')).toBe('/r/lp-long/lp/deeper/x');
      expect(await upstreamPath('/%6Cp/deeper')).toBe('/r/lp-long/lp/deeper');
      // an encoded slash is not a separator: `/lp%2Fdeeper` is not under `/lp/deeper`
      expect(await upstreamPath('/lp%2fdeeper')).toBe('/r/lp-short/lp%2Fdeeper');
      // `..` never climbs above the root
      expect(await upstreamPath('/../../order')).toBe('/r/order-first/order');
    } finally {
      await pool.close();
    }
  });

  it('answers 404 JSON when no route matches', async () => {
    const res = await request(`${gw.url}/nothing/here`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await res.body.json()).toEqual({ message: 'no Route matched with those values' });
  });

  it('answers 503 JSON for a route without a service', async () => {
    const res = await request(`${gw.url}/orphan`);
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toEqual({ message: 'no Service found with those values' });
  });

  it('answers 426 for an https-only route over http', async () => {
    const res = await request(`${gw.url}/secure/x`);
    expect(res.statusCode).toBe(426);
    expect(await res.body.json()).toEqual({ message: 'Please use HTTPS protocol' });
  });

  it('redirects an https-only route with https_redirect_status_code', async () => {
    const res = await request(`${gw.url}/moved/a?b=1`, { headers: { host: 'shop.test:8000' } });
    await res.body.dump();
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toMatch(/^https:\/\/shop\.test(:\d+)?\/moved\/a\?b=1$/);
  });

  it('never reached the upstream for the local answers', () => {
    expect(upstream.received.some((r) => r.url.includes('secure') || r.url.includes('moved') || r.url.includes('orphan'))).toBe(false);
  });
});
