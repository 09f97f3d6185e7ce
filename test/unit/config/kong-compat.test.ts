/**
 * Issue 11, part 4: what Kong's declarative reader accepts, ours accepts — and what it
 * accepts but Gatehouse cannot honour is refused by name. One describe per point of the
 * issue, each with accepted and refused shapes.
 */
import { describe, expect, it } from 'vitest';
import { deriveId } from '../../../core/config/ids.js';
import { parseConfigText } from '../../../core/config/load.js';
import { routeProtocolsProblem, runsOn } from '../../../core/config/protocols.js';
import type { NormalizedConfig } from '../../../core/config/types.js';
import { validateConfig } from '../../../core/config/validate.js';

function ok(doc: Record<string, unknown>): NormalizedConfig {
  const r = validateConfig({ _format_version: '3.0', ...doc });
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}

function errors(doc: Record<string, unknown>): string[] {
  const r = validateConfig({ _format_version: '3.0', ...doc });
  if (r.ok) throw new Error('expected errors, got a valid config');
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

const ALICE_ID = '4f1d2c3b-5a69-4788-9a0b-1c2d3e4f5a6b';
const CONSUMERS = [{ username: 'alice', id: ALICE_ID }, { username: 'bob' }];
const SERVICE = { name: 's', url: 'http://a.internal', routes: [{ name: 'r', paths: ['/'] }] };

describe('1. credentials as top-level collections', () => {
  it('attaches each credential to the consumer it names by username, id, { id } or { username }', () => {
    const c = ok({
      consumers: [{ ...CONSUMERS[0], keyauth_credentials: [{ key: 'nested-key' }] }, CONSUMERS[1]],
      keyauth_credentials: [{ consumer: 'alice', key: 'top-key' }, { consumer: { username: 'bob' }, key: 'bob-key' }],
      basicauth_credentials: [{ consumer: ALICE_ID.toUpperCase(), username: 'alice', password: 'pw' }],
      hmacauth_credentials: [{ consumer: { id: ALICE_ID }, username: 'alice-hmac', secret: 'hs' }],
      jwt_secrets: [{ consumer: 'bob', key: 'bob-iss', secret: 'js', algorithm: 'HS512' }],
      acls: [{ consumer: 'alice', group: 'admins' }, { consumer: 'bob', group: 'admins' }],
    });
    const [alice, bob] = c.consumers;
    expect(alice?.keyauth_credentials?.map((k) => k.key)).toEqual(['nested-key', 'top-key']);
    expect(bob?.keyauth_credentials?.map((k) => k.key)).toEqual(['bob-key']);
    expect(alice?.basicauth_credentials).toEqual([{ id: deriveId('basicauth_credential', 'alice'), username: 'alice', password: 'pw', tags: [] }]);
    expect(alice?.hmacauth_credentials).toEqual([{ id: deriveId('hmacauth_credential', 'alice-hmac'), username: 'alice-hmac', secret: 'hs', tags: [] }]);
    expect(bob?.jwt_secrets?.[0]).toMatchObject({ key: 'bob-iss', algorithm: 'HS512', secret: 'js', rsa_public_key: null });
    expect(alice?.acls?.map((a) => a.group)).toEqual(['admins']);
    expect(bob?.acls?.map((a) => a.group)).toEqual(['admins']);
    // Never passed on: the consumer reference lives in the list the credential is in.
    expect(Object.keys(alice?.keyauth_credentials?.[1] ?? {}).sort()).toEqual(['id', 'key', 'tags', 'ttl']);
  });

  it('accepts hmac-auth credentials nested under the consumer', () => {
    const c = ok({ consumers: [{ username: 'h', hmacauth_credentials: [{ username: 'h-1', secret: 's', tags: ['x'] }] }] });
    expect(c.consumers[0]?.hmacauth_credentials).toEqual([{ id: deriveId('hmacauth_credential', 'h-1'), username: 'h-1', secret: 's', tags: ['x'] }]);
    expect(ok({ consumers: [{ username: 'none' }] }).consumers[0]?.hmacauth_credentials).toEqual([]);
  });

  it('keeps explicit credential ids (lower-cased)', () => {
    const id = 'AB1D2C3B-5A69-4788-9A0B-1C2D3E4F5A6B';
    const c = ok({ consumers: CONSUMERS, acls: [{ id, consumer: 'bob', group: 'g' }] });
    expect(c.consumers[1]?.acls?.[0]?.id).toBe(id.toLowerCase());
  });

  it('refuses a missing or unknown consumer and missing Kong-required fields, with paths', () => {
    expect(errors({
      consumers: CONSUMERS,
      keyauth_credentials: [{ key: 'k' }, { consumer: 'carol', key: 'k2' }],
      hmacauth_credentials: [{ consumer: 'alice', username: 'u' }],
      acls: [{ consumer: { name: 'alice' }, group: 'g' }],
    })).toEqual([
      'keyauth_credentials[0].consumer: required field missing',
      'hmacauth_credentials[0].secret: required field missing',
      'acls[0].consumer.name: unknown field',
      'keyauth_credentials[1].consumer: references unknown consumer "carol"',
    ]);
  });

  it('reports duplicates across nested and top-level credentials, and ACL groups per consumer', () => {
    expect(errors({
      consumers: [
        { username: 'alice', keyauth_credentials: [{ key: 'k' }], hmacauth_credentials: [{ username: 'h', secret: 's' }], acls: [{ group: 'g' }] },
        { username: 'bob', basicauth_credentials: [{ username: 'b', password: 'p' }] },
      ],
      keyauth_credentials: [{ consumer: 'bob', key: 'k' }],
      basicauth_credentials: [{ consumer: 'alice', username: 'b', password: 'q' }],
      hmacauth_credentials: [{ consumer: 'bob', username: 'h', secret: 't' }],
      jwt_secrets: [{ consumer: 'alice', key: 'j', secret: 's' }, { consumer: 'bob', key: 'j', secret: 's' }],
      acls: [{ consumer: 'alice', group: 'g' }, { consumer: 'bob', group: 'g' }],
    })).toEqual([
      'keyauth_credentials[0].key: duplicate key (also consumers[0].keyauth_credentials[0].key)',
      'basicauth_credentials[0].username: duplicate basic-auth username "b" (also consumers[1].basicauth_credentials[0].username)',
      'hmacauth_credentials[0].username: duplicate hmac-auth username "h" (also consumers[0].hmacauth_credentials[0].username)',
      'jwt_secrets[1].key: duplicate jwt key "j" (also jwt_secrets[0].key)',
      'acls[0].group: duplicate group "g" (also consumers[0].acls[0].group)',
    ]);
  });

  it('checks top-level JWT credentials like nested ones', () => {
    expect(errors({ consumers: CONSUMERS, jwt_secrets: [{ consumer: 'alice', key: 'j', algorithm: 'RS256' }] }))
      .toEqual(['jwt_secrets[0].rsa_public_key: required for RS256']);
  });

  it('refuses pre-hashed basic-auth passwords (_transform: false), accepts _transform: false without them', () => {
    expect(errors({ _transform: false, consumers: [{ username: 'a', basicauth_credentials: [{ username: 'a', password: 'x' }] }] })).toEqual([
      '_transform: false (pre-hashed basic-auth passwords, e.g. consumers[0].basicauth_credentials[0]) is not supported: write plain passwords and drop _transform',
    ]);
    expect(ok({ _transform: false, consumers: [{ username: 'a', keyauth_credentials: [{ key: 'k' }] }] }).consumers).toHaveLength(1);
  });
});

describe('2. protocols Gatehouse does not serve', () => {
  it('accepts any Kong protocol on a plugin, keeps the list, and runsOn says where it runs', () => {
    const c = ok({
      services: [SERVICE],
      plugins: [
        { name: 'cors', protocols: ['grpc', 'grpcs'] },
        { name: 'key-auth', service: 's', protocols: ['https', 'wss', 'tls'] },
        { name: 'prometheus', route: 'r' },
      ],
    });
    const [grpcOnly, httpsOnly, dflt] = c.plugins;
    expect(grpcOnly?.protocols).toEqual(['grpc', 'grpcs']);
    expect([runsOn(grpcOnly!, 'http'), runsOn(grpcOnly!, 'https')]).toEqual([false, false]);
    expect(httpsOnly?.protocols).toEqual(['https', 'wss', 'tls']);
    expect([runsOn(httpsOnly!, 'http'), runsOn(httpsOnly!, 'https')]).toEqual([false, true]);
    expect(dflt?.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
    expect([runsOn(dflt!, 'http'), runsOn(dflt!, 'https')]).toEqual([true, true]);
  });

  it('refuses protocol names Kong does not know', () => {
    expect(errors({ plugins: [{ name: 'cors', protocols: ['http', 'h3'] }] })[0]).toMatch(/^plugins\[0\]\.protocols\[1\]: must be one of: http, https, grpc/);
  });

  it('refuses a route whose protocols cannot be served, naming it, and mixed groups as Kong does', () => {
    expect(errors({
      services: [{
        name: 's', url: 'http://a', routes: [
          { name: 'grpc-api', protocols: ['grpc', 'grpcs'], paths: ['/g'] },
          { name: 'mixed', protocols: ['http', 'grpc'], paths: ['/m'] },
          { name: 'stream', protocols: ['tcp'], destinations: [{ port: 9000 }] },
        ],
      }],
    })).toEqual([
      'services[0].routes[0].protocols: not supported: grpc, grpcs (Gatehouse serves http and https routes only)',
      'services[0].routes[1].protocols: these sets are mutually exclusive: (http, https), (tcp, tls, udp), (tls_passthrough), (grpc, grpcs), (ws, wss)',
      'services[0].routes[2].protocols: not supported: tcp (Gatehouse serves http and https routes only)',
      'services[0].routes[2].destinations: not supported: stream routes (local ip/port rules) are not served',
    ]);
    expect(routeProtocolsProblem(['https'])).toBeNull();
    expect(routeProtocolsProblem(['ws', 'wss'])).toMatch(/not supported: ws, wss/);
  });

  it('refuses services of Kong protocols we do not proxy to, by name', () => {
    expect(errors({ services: [{ name: 'g', host: 'a', protocol: 'grpcs' }, { name: 'f', host: 'a', protocol: 'ftp' }] })).toEqual([
      'services[0].protocol: not supported: grpcs services (Gatehouse proxies to http and https only)',
      'services[1].protocol: must be one of: http, https',
    ]);
  });
});

describe('3. service url beside protocol/host/port/path', () => {
  it('takes every part from the url; parts the url leaves out take their defaults', () => {
    const [a, b] = ok({
      services: [
        { name: 'a', url: 'http://a.internal:8080/v1', host: 'b.internal', port: 9, protocol: 'https', path: '/other' },
        { name: 'b', url: 'https://c.internal', port: 8443, path: '/p' },
      ],
    }).services;
    expect(a).toMatchObject({ protocol: 'http', host: 'a.internal', port: 8080, path: '/v1' });
    expect(b).toMatchObject({ protocol: 'https', host: 'c.internal', port: 443, path: null });
  });

  it('still checks the fields it overrides', () => {
    expect(errors({ services: [{ url: 'http://a', port: 'eighty' }] })).toEqual(['services[0].port: must be integer']);
  });
});

describe('4. _comment and _ignore on any entity', () => {
  const notes = { _comment: 'why this exists', _ignore: [1, 'two', { three: 3 }, null] };

  it('accepts them at the top and on every entity kind, nested or not, and never passes them on', () => {
    const c = ok({
      ...notes,
      services: [{ ...notes, name: 's', url: 'http://a', routes: [{ ...notes, paths: ['/'], plugins: [{ ...notes, name: 'cors' }] }] }],
      upstreams: [{ ...notes, name: 'u', targets: [{ ...notes, target: 'a:1' }] }],
      consumers: [{ ...notes, username: 'c', keyauth_credentials: [{ ...notes, key: 'k' }] }],
      acls: [{ ...notes, consumer: 'c', group: 'g' }],
      filter_chains: [{ ...notes, service: 's', filters: [{ name: 'f' }] }],
    });
    expect(JSON.stringify(c)).not.toMatch(/_comment|_ignore|why this exists/);
  });

  it('refuses them with the wrong type, and elsewhere than on an entity', () => {
    expect(errors({
      _comment: ['a'],
      services: [{ name: 's', host: 'a', _comment: 3, _ignore: 'x' }],
      upstreams: [{ name: 'u', healthchecks: { active: { _comment: 'no' } } }],
    })).toEqual([
      '_comment: must be string',
      'services[0]._comment: must be string',
      'services[0]._ignore: must be array',
      'upstreams[0].healthchecks.active._comment: unknown field',
    ]);
  });
});

describe('5. repeated YAML keys', () => {
  it('loads with the last value', () => {
    const parsed = parseConfigText('_format_version: "3.0"\nservices:\n  - name: api\n    host: a.internal\n    port: 81\n    host: b.internal\n', 'k.yml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const r = validateConfig(parsed.doc);
    expect(r.ok && r.config.services[0]).toMatchObject({ host: 'b.internal', port: 81 });
  });
});

describe('6. null for a field', () => {
  it('takes the default when the field has one, and leaves optional fields unset', () => {
    const c = ok({
      services: [{
        name: 's', host: 'a', protocol: null, port: null, path: null, retries: null, connect_timeout: null, enabled: null, tags: null,
        tls_verify: null, client_certificate: null,
        routes: [{ name: null, paths: ['/'], protocols: null, methods: null, hosts: null, headers: null, strip_path: null, regex_priority: null }],
      }],
      routes: [{ name: 'orphan', paths: ['/o'], service: null }],
      upstreams: [{ name: 'u', algorithm: null, slots: null, hash_on: null, hash_on_header: null, healthchecks: { active: { https_sni: null, healthy: null } }, targets: [{ target: 'a:1', weight: null }] }],
      consumers: [{ username: 'c', custom_id: null, keyauth_credentials: [{ key: 'k', ttl: null }] }],
      plugins: [{ name: 'cors', config: null, protocols: null, enabled: null, service: null, consumer: null, instance_name: null }],
      certificates: null,
    });
    expect(c.services[0]).toMatchObject({ protocol: 'http', port: 80, path: null, retries: 5, connect_timeout: 60000, enabled: true, tags: [], tls_verify: null, client_certificate: null });
    expect(c.routes[0]).toMatchObject({ name: null, protocols: ['http', 'https'], methods: null, strip_path: true, regex_priority: 0, service: c.services[0]?.id });
    expect(c.routes[1]).toMatchObject({ name: 'orphan', service: null });
    expect(c.upstreams[0]).toMatchObject({ algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_on_header: null });
    expect(c.upstreams[0]?.targets[0]?.weight).toBe(100);
    expect((c.upstreams[0]?.healthchecks['active'] as Record<string, unknown>)['healthy']).toEqual({ interval: 0, http_statuses: [200, 302], successes: 0 });
    expect(c.consumers[0]?.keyauth_credentials?.[0]?.ttl).toBeNull();
    expect(c.plugins[0]).toMatchObject({ config: {}, protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true, service: null, instance_name: null });
    expect(c.certificates).toEqual([]);
  });

  it('never leaves a null where the contract promises a value', () => {
    const nulls = (o: Record<string, unknown>, fields: string[]): string[] => fields.filter((f) => o[f] === null || o[f] === undefined);
    const c = ok({
      services: [{ name: 's', host: 'a', retries: null, read_timeout: null, write_timeout: null, connect_timeout: null, protocol: null, port: null, enabled: null, tags: null, routes: [{ paths: ['/'], protocols: null, strip_path: null, preserve_host: null, regex_priority: null, path_handling: null, https_redirect_status_code: null, request_buffering: null, response_buffering: null, tags: null }] }],
      plugins: [{ name: 'cors', enabled: null, protocols: null, config: null, tags: null }],
    });
    expect(nulls(c.services[0] as unknown as Record<string, unknown>, ['protocol', 'host', 'port', 'retries', 'connect_timeout', 'write_timeout', 'read_timeout', 'enabled', 'tags'])).toEqual([]);
    expect(nulls(c.routes[0] as unknown as Record<string, unknown>, ['protocols', 'strip_path', 'preserve_host', 'regex_priority', 'path_handling', 'https_redirect_status_code', 'request_buffering', 'response_buffering', 'tags'])).toEqual([]);
    expect(nulls(c.plugins[0] as unknown as Record<string, unknown>, ['config', 'enabled', 'protocols', 'tags'])).toEqual([]);
  });

  it('keeps nulls inside a plugin config (the plugin schema decides) and reports a required field set to null as missing', () => {
    expect(ok({ plugins: [{ name: 'key-auth', config: { anonymous: null, key_names: ['apikey'] } }] }).plugins[0]?.config).toEqual({ anonymous: null, key_names: ['apikey'] });
    expect(errors({ services: [{ name: null, host: null, routes: null }], consumers: [{ username: 'c', keyauth_credentials: [{ key: null }] }] })).toEqual([
      'consumers[0].keyauth_credentials[0].key: required field missing',
      'services[0]: must set url or host',
    ]);
  });

  it('does not modify the document it was given', () => {
    const doc = { _format_version: '3.0', services: [{ name: 's', host: 'a', retries: null }] };
    const copy = structuredClone(doc);
    validateConfig(doc);
    expect(doc).toEqual(copy);
  });
});

describe('7. fields newer Kong versions added', () => {
  it('accepts the harmless and implemented ones', () => {
    const c = ok({
      services: [{ name: 's', url: 'http://a', created_at: 1700000000, updated_at: 1700000001, routes: [{
        name: 'r', paths: ['/'], request_buffering: false, response_buffering: false, snis: [], sources: [], destinations: [], priority: 0, created_at: 1700000000,
      }] }],
      upstreams: [{ name: 'u', hash_on: 'query_arg', hash_on_query_arg: 'user', sticky_sessions_cookie: 'sid', sticky_sessions_cookie_path: '/', use_srv_name: true, targets: [{ target: 'a:1', created_at: 1700000000.123 }] }],
      consumers: [{ username: 'c', created_at: 1700000000, updated_at: 1700000000 }],
      plugins: [{ name: 'cors', created_at: 1700000000, updated_at: 1700000000, instance_name: 'cors-1' }],
    });
    expect(c.routes[0]).toMatchObject({ request_buffering: false, response_buffering: false });
    expect(c.upstreams[0]).toMatchObject({ hash_on: 'query_arg', hash_on_query_arg: 'user', use_srv_name: true });
    expect(JSON.stringify(c)).not.toMatch(/created_at|updated_at|sticky_sessions/);
    expect(Object.keys(c.routes[0] ?? {})).not.toContain('snis');
  });

  it('refuses, by name, the ones that would change routing, balancing or plugin scope if ignored', () => {
    expect(errors({
      certificates: [],
      services: [{ name: 's', url: 'http://a', routes: [
        { name: 'sni', protocols: ['https'], paths: ['/a'], snis: ['api.example.test'] },
        { name: 'expr', expression: 'http.path ^= "/x"', priority: 10 },
        { name: 'src', paths: ['/b'], sources: [{ ip: '10.0.0.0/8' }] },
      ] }],
      upstreams: [
        { name: 'sticky', algorithm: 'sticky-sessions', sticky_sessions_cookie: 'sid' },
        { name: 'mtls', client_certificate: { id: ALICE_ID } },
      ],
      plugins: [
        { name: 'rate-limiting', consumer_group: 'gold', config: { minute: 5 } },
        { name: 'cors', ordering: { before: { access: ['key-auth'] } } },
      ],
    })).toEqual([
      'upstreams[0].algorithm: not supported: the sticky-sessions algorithm',
      'upstreams[1].client_certificate: not supported: upstream mutual TLS is set per service (service.client_certificate)',
      'services[0].routes[0].snis: not supported: Gatehouse routes do not match on the TLS server name',
      'services[0].routes[1].expression: not supported: Kong\'s expressions router is not implemented; use paths, hosts, methods and headers',
      'services[0].routes[1].priority: not supported: Kong\'s expressions router priority is not implemented (regex_priority orders regex paths)',
      'services[0].routes[1]: must set at least one of methods, hosts, headers, paths',
      'services[0].routes[2].sources: not supported: stream routes (client ip/port rules) are not served',
      'plugins[0].consumer_group: not supported: consumer groups are not implemented',
      'plugins[1].ordering: not supported: plugins run in Kong\'s static priority order',
    ]);
  });

  it('still refuses fields Kong does not have', () => {
    expect(errors({ services: [{ name: 's', host: 'a', tls_sans: ['x'] }] })).toEqual(['services[0].tls_sans: unknown field']);
  });
});

describe('8. metadata keys Kong and deck write', () => {
  it('accepts _transform, _workspace, _comment, _ignore, _konnect and _info', () => {
    const c = ok({
      _transform: true, _workspace: 'default', _comment: 'x', _ignore: [],
      _konnect: { control_plane_name: 'prod', runtime_group_name: 'prod' },
      _info: { select_tags: ['team-a'], defaults: {} },
      services: [{ name: 's', host: 'a' }],
    });
    expect(c._format_version).toBe('3.0');
    expect(Object.keys(c)).not.toContain('_info');
  });

  it('fills _info.defaults into services, routes, upstreams and targets that lack a field', () => {
    const c = ok({
      _info: {
        defaults: {
          service: { read_timeout: 5000, retries: 1, protocol: 'https', port: 8443 },
          route: { strip_path: false, protocols: ['https'] },
          upstream: { slots: 100 },
          target: { weight: 7 },
        },
      },
      services: [
        { name: 'plain', host: 'a', routes: [{ paths: ['/a'] }] },
        { name: 'own', host: 'b', retries: 9, protocol: 'http', port: 80 },
        { name: 'url', url: 'http://c.internal' },
      ],
      routes: [{ name: 'top', service: 'own', paths: ['/t'], strip_path: true }],
      upstreams: [{ name: 'u', targets: [{ target: 'x:1' }] }],
      targets: [{ upstream: 'u', target: 'y:1', weight: 1 }],
    });
    expect(c.services.map((s) => [s.name, s.protocol, s.port, s.retries, s.read_timeout])).toEqual([
      ['plain', 'https', 8443, 1, 5000],
      ['own', 'http', 80, 9, 5000],
      ['url', 'http', 80, 1, 5000],
    ]);
    expect(c.routes.map((r) => [r.name, r.strip_path, r.protocols])).toEqual([[null, false, ['https']], ['top', true, ['https']]]);
    expect(c.upstreams[0]?.slots).toBe(100);
    expect(c.upstreams[0]?.targets.map((t) => t.weight)).toEqual([7, 1]);
  });

  it('checks _info.defaults like the entities they fill, and refuses unknown metadata', () => {
    expect(errors({ _info: { defaults: { service: { retries: 'x' }, consumer: {} }, extra: 1 }, _konnect: { org: 'x' }, _plugin_configs: {} })).toEqual([
      '_plugin_configs: unknown field',
      '_info.extra: unknown field',
      '_info.defaults.consumer: unknown field',
      '_info.defaults.service.retries: must be integer',
      '_konnect.org: unknown field',
    ]);
  });
});
