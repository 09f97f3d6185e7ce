import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { deriveId } from '../../../core/config/ids.js';
import { parseConfigText } from '../../../core/config/load.js';
import type { NormalizedConfig } from '../../../core/config/types.js';
import { validateConfig } from '../../../core/config/validate.js';
import { HEALTHCHECKS_DEFAULTS } from '../../../core/config/schema/upstream.js';

function ok(doc: Record<string, unknown>): NormalizedConfig {
  const r = validateConfig({ _format_version: '3.0', ...doc });
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}

function errors(doc: unknown): string[] {
  const r = validateConfig(doc);
  if (r.ok) throw new Error('expected errors, got a valid config');
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('defaults (Kong)', () => {
  const c = ok({
    services: [{ name: 's', host: 'a.internal', routes: [{ paths: ['/'] }] }],
    upstreams: [{ name: 'pool', targets: [{ target: '10.0.0.1' }] }],
    consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', secret: 's' }] }],
    plugins: [{ name: 'cors' }],
    filter_chains: [{ service: 's', filters: [{ name: 'f' }] }],
  });

  it('fills service defaults', () => {
    expect(c.services[0]).toMatchObject({
      protocol: 'http', port: 80, path: null, retries: 5,
      connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000,
      enabled: true, tags: [], upstream: null, name: 's',
      tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null,
    });
  });

  it('uses port 443 for https services', () => {
    expect(ok({ services: [{ host: 'a', protocol: 'https' }] }).services[0]?.port).toBe(443);
  });

  it('fills route defaults', () => {
    expect(c.routes[0]).toMatchObject({
      name: null, protocols: ['http', 'https'], methods: null, hosts: null, headers: null, paths: ['/'],
      strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0',
      https_redirect_status_code: 426, request_buffering: true, response_buffering: true, tags: [],
    });
  });

  it('fills upstream, healthcheck and target defaults', () => {
    const u = c.upstreams[0];
    expect(u).toMatchObject({
      algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none',
      hash_on_cookie_path: '/', hash_on_header: null, host_header: null, use_srv_name: false,
    });
    expect(u?.healthchecks).toEqual(HEALTHCHECKS_DEFAULTS);
    expect(u?.targets).toEqual([{ id: expect.stringMatching(UUID), target: '10.0.0.1:8000', host: '10.0.0.1', port: 8000, weight: 100, tags: [] }]);
  });

  it('merges a partial healthchecks object field by field', () => {
    const hc = ok({ upstreams: [{ name: 'p', healthchecks: { active: { healthy: { successes: 3 } }, passive: { unhealthy: { http_statuses: [500] } } } }] })
      .upstreams[0]?.healthchecks as typeof HEALTHCHECKS_DEFAULTS;
    expect(hc.active.healthy).toEqual({ interval: 0, http_statuses: [200, 302], successes: 3 });
    expect(hc.active.unhealthy).toEqual(HEALTHCHECKS_DEFAULTS.active.unhealthy);
    expect(hc.passive.unhealthy).toEqual({ http_statuses: [500], tcp_failures: 0, timeouts: 0, http_failures: 0 });
    expect(hc.threshold).toBe(0);
  });

  it('fills plugin, filter chain, filter and credential defaults', () => {
    expect(c.plugins[0]).toMatchObject({ service: null, route: null, consumer: null, config: {}, enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], tags: [], instance_name: null });
    expect(c.filter_chains[0]).toMatchObject({ name: null, enabled: true, route: null, service: c.services[0]?.id, tags: [] });
    expect(c.filter_chains[0]?.filters).toEqual([{ name: 'f', config: null, enabled: true, on_error: 'fail_closed' }]);
    expect(c.consumers[0]?.jwt_secrets?.[0]).toMatchObject({ algorithm: 'HS256', rsa_public_key: null });
    expect(c.consumers[0]).toMatchObject({ custom_id: null, keyauth_credentials: [], basicauth_credentials: [], acls: [] });
  });

  it('always emits every top-level array', () => {
    const empty = ok({});
    expect(empty).toEqual({
      _format_version: '3.0', services: [], routes: [], upstreams: [], consumers: [], plugins: [],
      filter_chains: [], certificates: [], snis: [], ca_certificates: [],
    });
  });
});

describe('url shorthand', () => {
  it.each([
    ['http://a.internal', { protocol: 'http', host: 'a.internal', port: 80, path: null }],
    ['https://A.Internal', { protocol: 'https', host: 'a.internal', port: 443, path: null }],
    ['http://a.internal:8080/', { protocol: 'http', host: 'a.internal', port: 8080, path: '/' }],
    ['https://a.internal:8443/v1/x', { protocol: 'https', host: 'a.internal', port: 8443, path: '/v1/x' }],
    ['http://[::1]:9000/p', { protocol: 'http', host: '[::1]', port: 9000, path: '/p' }],
  ])('%s expands', (url, expected) => {
    expect(ok({ services: [{ url }] }).services[0]).toMatchObject(expected);
  });

  it('wins over protocol, host, port and path written beside it (Kong)', () => {
    const s = ok({ services: [{ url: 'https://a.internal', protocol: 'http', host: 'b.internal', port: 8080, path: '/x' }] }).services[0];
    expect(s).toMatchObject({ protocol: 'https', host: 'a.internal', port: 443, path: null });
  });
});

describe('nesting and references', () => {
  it('hoists nested routes, plugins and filter chains with their parent ids', () => {
    const c = ok({
      services: [{
        name: 'api', host: 'h',
        plugins: [{ name: 'cors' }],
        routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'key-auth' }], filter_chains: [{ filters: [{ name: 'f' }] }] }],
      }],
      consumers: [{ username: 'alice', plugins: [{ name: 'rate-limiting' }] }],
    });
    const service = c.services[0]?.id;
    const route = c.routes[0]?.id;
    expect(c.routes[0]?.service).toBe(service);
    expect(c.plugins.map((p) => [p.name, p.service, p.route, p.consumer])).toEqual([
      ['cors', service, null, null],
      ['key-auth', null, route, null],
      ['rate-limiting', null, null, c.consumers[0]?.id],
    ]);
    expect(c.filter_chains[0]).toMatchObject({ route, service: null });
  });

  it('resolves top-level route services by name, by id string and by { id } / { name }', () => {
    const id = '0b5e0c1d-2f4a-4b6c-8d9e-0a1b2c3d4e5f';
    const c = ok({
      services: [{ name: 'api', id: id.toUpperCase(), host: 'h' }],
      routes: [
        { service: 'api', paths: ['/1'] },
        { service: id, paths: ['/2'] },
        { service: { id }, paths: ['/3'] },
        { service: { name: 'api' }, paths: ['/4'] },
        { paths: ['/5'] },
      ],
    });
    expect(c.services[0]?.id).toBe(id);
    expect(c.routes.map((r) => r.service)).toEqual([id, id, id, id, null]);
  });

  it('attaches nested and top-level targets to their upstream', () => {
    const c = ok({
      upstreams: [{ name: 'pool', targets: [{ target: 'a.internal:81', weight: 5 }] }, { name: 'other' }],
      targets: [{ target: 'b.internal', upstream: 'pool' }, { target: '[::1]', upstream: { name: 'other' } }],
    });
    expect(c.upstreams[0]?.targets.map((t) => [t.target, t.weight])).toEqual([['a.internal:81', 5], ['b.internal:8000', 100]]);
    expect(c.upstreams[1]?.targets.map((t) => t.target)).toEqual(['[::1]:8000']);
  });

  it('links a service whose host names an upstream (case-insensitively)', () => {
    const c = ok({ services: [{ host: 'Pool.Internal' }, { host: 'elsewhere' }], upstreams: [{ name: 'pool.internal' }] });
    expect(c.services[0]?.upstream).toBe(c.upstreams[0]?.id);
    expect(c.services[1]?.upstream).toBeNull();
  });

  it('reports an unknown reference once, without cascading from a schema error', () => {
    expect(errors({ _format_version: '3.0', services: [{ name: 'api', host: 'h', retries: -1 }], routes: [{ service: 'api', paths: ['/'] }] }))
      .toEqual(['services[0].retries: must be >= 0']);
  });
});

describe('normalization', () => {
  it('upper-cases methods, lower-cases hosts and header names, merges headers differing in case', () => {
    const r = ok({ routes: [{ methods: ['get', 'Post'], hosts: ['API.Example.TEST:8000', '*.Wild.test'], headers: { 'X-A': ['1'], 'x-a': ['2'] } }] }).routes[0];
    expect(r?.methods).toEqual(['GET', 'POST']);
    expect(r?.hosts).toEqual(['api.example.test:8000', '*.wild.test']);
    expect(r?.headers).toEqual({ 'x-a': ['1', '2'] });
  });

  it('derives deterministic uuid ids from kind and name, and keeps given ids', () => {
    const doc = { services: [{ name: 'api', host: 'h', routes: [{ paths: ['/'] }] }], upstreams: [{ name: 'p', id: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' }] };
    const a = ok(doc);
    const b = ok(structuredClone(doc));
    expect(a).toEqual(b);
    expect(a.services[0]?.id).toBe(deriveId('service', 'api'));
    expect(a.services[0]?.id).toMatch(UUID);
    expect(a.routes[0]?.id).toMatch(UUID);
    expect(a.routes[0]?.id).not.toBe(a.services[0]?.id);
    expect(a.upstreams[0]?.id).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
  });

  it('rejects a non-uuid id', () => {
    expect(errors({ _format_version: '3.0', services: [{ id: 'svc-1', host: 'h' }] })).toEqual(['services[0].id: must be a uuid']);
  });

  it('does not modify its input', () => {
    const doc = { _format_version: '3.0', services: [{ url: 'http://a', routes: [{ methods: ['get'] }] }] };
    const copy = structuredClone(doc);
    validateConfig(doc);
    expect(doc).toEqual(copy);
  });
});

describe('error shapes', () => {
  it('rejects a document that is not an object', () => {
    expect(errors(null)).toEqual([': must be object']);
    expect(errors([1])).toEqual([': must be object']);
  });

  it('accepts the three Kong format versions only', () => {
    for (const v of ['1.1', '2.1', '3.0']) expect(validateConfig({ _format_version: v }).ok).toBe(true);
    expect(errors({ _format_version: '4.0' })).toEqual(['_format_version: must be one of: 1.1, 2.1, 3.0']);
  });

  it('names the exact nested path of a bad value', () => {
    expect(errors({ _format_version: '3.0', services: [{ host: 'h' }, { host: 'h', routes: [{ paths: ['/a', '/b', 'c'] }] }] }))
      .toEqual(['services[1].routes[0].paths[2]: must start with "/" (prefix) or "~" (regex)']);
    expect(errors({ _format_version: '3.0', upstreams: [{ name: 'p', targets: [{ target: 'a' }, { target: 'b', weight: -1 }] }] }))
      .toEqual(['upstreams[0].targets[1].weight: must be >= 0']);
  });

  it('rejects plugin scope fields that the nesting already implies', () => {
    expect(errors({ _format_version: '3.0', services: [{ name: 's', host: 'h', plugins: [{ name: 'cors', service: 's' }] }] }))
      .toEqual(['services[0].plugins[0].service: unknown field']);
    expect(errors({ _format_version: '3.0', services: [{ name: 's', host: 'h', routes: [{ paths: ['/'], service: 's' }] }] }))
      .toEqual(['services[0].routes[0].service: unknown field']);
  });
});

describe('kong-full.yaml (every supported field)', () => {
  const text = readFileSync(new URL('../../fixtures/configs/kong-full.yaml', import.meta.url), 'utf8');
  const parsed = parseConfigText(text, 'kong-full.yaml');
  if (!parsed.ok) throw new Error('kong-full.yaml does not parse');
  const result = validateConfig(parsed.doc);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  const c = result.config;
  const byName = <T extends { name: string | null }>(list: T[], name: string): T => {
    const found = list.find((x) => x.name === name);
    if (found === undefined) throw new Error(`no ${name}`);
    return found;
  };

  it('expands billing from its url and keeps its TLS references', () => {
    expect(byName(c.services, 'billing')).toMatchObject({
      id: '5b1c0d3e-2f4a-4b6c-8d9e-0a1b2c3d4e5f', protocol: 'https', host: 'billing.internal', port: 9443, path: '/api/v2',
      retries: 3, connect_timeout: 2000, write_timeout: 10000, read_timeout: 15000, tls_verify: true, tls_verify_depth: 2,
      ca_certificates: ['7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f'], client_certificate: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
      tags: ['team-payments', 'tier-1'],
    });
  });

  it('keeps every route field', () => {
    expect(byName(c.routes, 'billing-invoices')).toMatchObject({
      service: '5b1c0d3e-2f4a-4b6c-8d9e-0a1b2c3d4e5f', protocols: ['https'], methods: ['GET', 'POST'],
      hosts: ['api.example.test', '*.billing.example.test'], paths: ['/invoices', '~/invoices/\\d+$'],
      headers: { 'x-tenant': ['acme', '~*^beta-.*'] }, https_redirect_status_code: 308, regex_priority: 10,
      strip_path: false, path_handling: 'v1', preserve_host: true, request_buffering: false, response_buffering: false,
    });
    expect(byName(c.routes, 'catalog-by-id').service).toBe('5b1c0d3e-2f4a-4b6c-8d9e-0a1b2c3d4e5f');
    expect(byName(c.routes, 'orphan').service).toBeNull();
    expect(c.routes).toHaveLength(4);
  });

  it('links catalog to its upstream and keeps hashing and healthcheck settings', () => {
    const up = byName(c.upstreams, 'catalog-upstream');
    expect(byName(c.services, 'catalog').upstream).toBe(up.id);
    expect(up).toMatchObject({ algorithm: 'consistent-hashing', slots: 1000, hash_on: 'header', hash_on_header: 'x-user', hash_fallback: 'cookie', hash_on_cookie: 'session', hash_on_cookie_path: '/shop', host_header: 'catalog.internal' });
    expect(up.healthchecks).toMatchObject({ threshold: 50, active: { http_path: '/health', timeout: 2, concurrency: 5, headers: { 'x-probe': ['gatehouse'] }, healthy: { interval: 5, successes: 2, http_statuses: [200, 302] } } });
    expect(up.targets.map((t) => [t.host, t.port, t.weight])).toEqual([['10.0.0.11', 8080, 200], ['[fd00::12]', 8080, 100]]);
    expect(byName(c.upstreams, 'search-upstream').targets.map((t) => [t.target, t.weight])).toEqual([['search-1.internal:8000', 100], ['search-2.internal:9200', 0]]);
  });

  it('keeps consumers and their credentials', () => {
    const alice = c.consumers.find((x) => x.username === 'alice');
    expect(alice).toMatchObject({ custom_id: 'crm-1001', tags: ['gold'] });
    expect(alice?.keyauth_credentials?.map((k) => [k.key, k.ttl])).toEqual([['alice-key-1', null], ['alice-key-2', 3600]]);
    expect(alice?.basicauth_credentials?.[0]).toMatchObject({ username: 'alice', password: 's3cret' });
    expect(alice?.acls?.map((a) => a.group)).toEqual(['admins', 'billing']);
    expect(alice?.jwt_secrets?.map((j) => j.algorithm)).toEqual(['HS256', 'ES256']);
    expect(c.consumers[1]).toMatchObject({ username: null, custom_id: 'crm-2002' });
  });

  it('hoists every plugin with its scope', () => {
    const scope = (name: string, svc: string | null, route: string | null, consumer: string | null) =>
      c.plugins.find((p) => p.name === name && p.service === svc && p.route === route && p.consumer === consumer);
    const billing = byName(c.services, 'billing').id;
    const alice = c.consumers[0]?.id ?? '';
    expect(scope('cors', billing, null, null)?.config).toEqual({ origins: ['https://app.example.test'] });
    expect(scope('rate-limiting', null, byName(c.routes, 'billing-invoices').id, null)).toMatchObject({ instance_name: 'invoices-rl', protocols: ['https'] });
    expect(scope('rate-limiting', null, null, alice)).toBeDefined();
    expect(scope('prometheus', null, null, null)).toBeDefined();
    expect(scope('key-auth', billing, null, null)).toBeDefined();
    expect(scope('acl', null, byName(c.routes, 'catalog-read').id, null)).toMatchObject({ enabled: false, tags: ['ops'] });
    expect(c.plugins).toHaveLength(6);
  });

  it('hoists filter chains with string, object and null filter configs', () => {
    expect(c.filter_chains).toHaveLength(3);
    const invoices = c.filter_chains.find((f) => f.name === 'invoices-filters');
    expect(invoices?.filters).toEqual([
      { name: 'pii-redaction', config: '{"fields":["email"]}', enabled: true, on_error: 'fail_open' },
      { name: 'token-counting', config: { mode: 'strict' }, enabled: false, on_error: 'fail_closed' },
    ]);
    expect(c.filter_chains.find((f) => f.name === 'catalog-filters')?.route).toBe(byName(c.routes, 'catalog-read').id);
  });

  it('keeps certificates, SNIs (nested and top-level, lower-cased) and CA certificates', () => {
    expect(c.certificates?.[0]?.snis).toEqual(['api.example.test', '*.example.test', 'billing.example.test']);
    expect(c.snis?.map((s) => [s.name, s.certificate])).toEqual([
      ['api.example.test', '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'],
      ['*.example.test', '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'],
      ['billing.example.test', '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'],
    ]);
    expect(c.ca_certificates?.[0]?.cert_digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
