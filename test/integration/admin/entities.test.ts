/**
 * Admin API CRUD through real sockets against a real gateway and upstream: every kind,
 * by id and by name, nested forms, and the Kong error shapes (400 with fields, 404, 409,
 * foreign keys) — each failed change leaving the running config untouched.
 */
import { request, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { adminClient, type AdminClient } from './admin-client.js';

let upstream: TestUpstream;
let gw: Gateway;
let admin: AdminClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(
    [
      '_format_version: "3.0"',
      'services:',
      `  - name: base`,
      `    url: ${upstream.url}/base`,
      '    routes:',
      '      - name: base-route',
      '        paths: [/base]',
    ].join('\n'),
  );
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

async function proxied(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** A POST whose body the test writes by hand (never ended: the server must answer first). */
function rawPost(path: string, headers: Record<string, string>, write: (req: ClientRequest) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.adminUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    write(req);
  });
}

async function configHash(): Promise<string> {
  return (await admin.get('/status')).body.configuration_hash as string;
}

describe('services', () => {
  it('creates a service (201) with Kong fields, timestamps and defaults', async () => {
    const r = await admin.post('/services', { name: 'svc', url: `${upstream.url}/up`, tags: ['t1'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'svc', protocol: 'http', host: '127.0.0.1', port: upstream.port, path: '/up', retries: 5,
      connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, enabled: true, tags: ['t1'], client_certificate: null,
    });
    expect(r.body.id).toMatch(UUID);
    expect(Number.isInteger(r.body.created_at)).toBe(true);
    expect(Number.isInteger(r.body.updated_at)).toBe(true);
    expect(r.body.upstream).toBeUndefined();
  });

  it('reads it by name and by id; an unknown one is 404 Not found', async () => {
    const byName = await admin.get('/services/svc');
    expect(byName.status).toBe(200);
    const byId = await admin.get(`/services/${byName.body.id}`);
    expect(byId.body).toEqual(byName.body);
    expect(await admin.get('/services/nope')).toMatchObject({ status: 404, body: { message: 'Not found' } });
    expect((await admin.get('/services/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('PATCHes fields (url replaces protocol/host/port/path) and keeps the rest', async () => {
    const r = await admin.patch('/services/svc', { retries: 2, url: `${upstream.url}/v2` });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'svc', retries: 2, path: '/v2', tags: ['t1'] });
    expect((await admin.patch('/services/nope', { retries: 1 })).status).toBe(404);
  });

  it('answers a bad field with 400 schema violation, nested fields, and changes nothing', async () => {
    const before = await configHash();
    const r = await admin.post('/services', { name: 'bad', host: 'x.internal', port: 70000, retries: 'many' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 2, name: 'schema violation' });
    expect(r.body.fields).toEqual({ port: expect.any(String), retries: 'must be integer' });
    expect(r.body.message).toMatch(/^2 schema violations \(/);
    const unknown = await admin.post('/services', { name: 'bad2', host: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields).toEqual({ colour: 'unknown field' });
    const entity = await admin.post('/services', { name: 'bad3' });
    expect(entity.body.fields).toEqual({ '@entity': ['must set url or host'] });
    expect(await configHash()).toBe(before);
    expect((await admin.get('/services/bad')).status).toBe(404);
  });

  it('answers a duplicate name with 409 unique constraint violation', async () => {
    const r = await admin.post('/services', { name: 'svc', url: 'http://other.internal' });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      code: 5,
      name: 'unique constraint violation',
      message: `UNIQUE violation detected on '{name="svc"}'`,
      fields: { name: 'svc' },
    });
  });

  it('answers a reused id with 400 primary key violation', async () => {
    const { body } = await admin.get('/services/svc');
    const r = await admin.post('/services', { id: body.id, name: 'svc-copy', url: 'http://x.internal' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 3, name: 'primary key violation' });
  });

  it('PUT creates by name, then replaces whole (defaults come back), keeping id and created_at', async () => {
    const created = await admin.put('/services/put-svc', { url: 'http://put.internal:8080', retries: 1 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'put-svc', host: 'put.internal', port: 8080, retries: 1 });
    const replaced = await admin.put('/services/put-svc', { host: 'put2.internal' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: created.body.id, name: 'put-svc', host: 'put2.internal', port: 80, retries: 5 });
    expect(replaced.body.created_at).toBe(created.body.created_at);
    const byUuid = await admin.put('/services/6f1c2b9e-1111-4222-8333-444455556666', { name: 'put-uuid', host: 'u.internal' });
    expect(byUuid.body.id).toBe('6f1c2b9e-1111-4222-8333-444455556666');
  });

  it('accepts application/x-www-form-urlencoded bodies as Kong does', async () => {
    const r = await admin.raw('POST', '/services', 'name=form-svc&host=form.internal&port=8081&tags[]=a&tags[]=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'form-svc', host: 'form.internal', port: 8081, tags: ['a', 'b'] });
  });

  it('rejects malformed JSON with 400 and a message', async () => {
    const r = await admin.raw('POST', '/services', '{"name": ', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^Cannot parse JSON body/);
    const notRecord = await admin.post('/services', [1, 2]);
    expect(notRecord.status).toBe(400);
    expect(notRecord.body).toMatchObject({ code: 2, fields: { '@entity': ['expected a record'] } });
  });

  it('lists services with Kong\'s list shape', async () => {
    const r = await admin.get('/services');
    expect(r.status).toBe(200);
    expect(r.body.next).toBeNull();
    const names = (r.body.data as { name: string }[]).map((s) => s.name).sort();
    expect(names).toEqual(['base', 'form-svc', 'put-svc', 'put-uuid', 'svc']);
    const tagged = await admin.get('/services?tags=a,b');
    expect((tagged.body.data as { name: string }[]).map((s) => s.name)).toEqual(['form-svc']);
  });
});

describe('routes and the proxy', () => {
  it('a route created through the API serves traffic as soon as the 201 arrives', async () => {
    expect((await proxied('/fresh/x')).status).toBe(404);
    const r = await admin.post('/services/svc/routes', { name: 'fresh', paths: ['/fresh'] });
    expect(r.status).toBe(201);
    const svc = await admin.get('/services/svc');
    expect(r.body).toMatchObject({ name: 'fresh', paths: ['/fresh'], service: { id: svc.body.id }, strip_path: true, protocols: ['http', 'https'] });
    const res = await proxied('/fresh/x');
    expect(res.status).toBe(200);
    expect(res.body.url).toBe('/v2/x');
  });

  it('PATCHing a route changes routing immediately', async () => {
    const r = await admin.patch('/routes/fresh', { paths: ['/fresher'] });
    expect(r.status).toBe(200);
    expect((await proxied('/fresh/x')).status).toBe(404);
    expect((await proxied('/fresher/y')).status).toBe(200);
  });

  it('serves the nested forms: /services/{name}/routes and /routes/{name}/service', async () => {
    const list = await admin.get('/services/svc/routes');
    expect(list.status).toBe(200);
    expect((list.body.data as { name: string }[]).map((x) => x.name)).toEqual(['fresh']);
    expect((await admin.get('/services/svc/routes/fresh')).body.name).toBe('fresh');
    expect((await admin.get('/services/base/routes/fresh')).status).toBe(404);
    expect((await admin.get('/services/nope/routes')).status).toBe(404);
    const service = await admin.get('/routes/fresh/service');
    expect(service.body.name).toBe('svc');
    const patched = await admin.patch('/routes/fresh/service', { retries: 3 });
    expect(patched.body).toMatchObject({ name: 'svc', retries: 3 });
  });

  it('a route pointing at an unknown service is a 400 foreign key violation', async () => {
    const r = await admin.post('/routes', { name: 'orphan', paths: ['/o'], service: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 4, name: 'foreign key violation' });
    expect(r.body.message).toContain(`does not reference an existing 'services' entity`);
    const byName = await admin.post('/routes', { name: 'named', paths: ['/named'], service: { name: 'base' } });
    expect(byName.status).toBe(201);
  });

  it('a bad route is a 400 with nested array fields, and the proxy keeps the old routes', async () => {
    const r = await admin.post('/routes', { name: 'bad', paths: ['/ok', 'no-slash'], service: { name: 'svc' } });
    expect(r.status).toBe(400);
    expect(r.body.fields).toEqual({ paths: [null, expect.stringContaining('must start with')] });
    const empty = await admin.post('/routes', { name: 'matchless', service: { name: 'svc' } });
    expect(empty.body.fields).toEqual({ '@entity': ['must set at least one of methods, hosts, headers, paths'] });
    expect((await proxied('/fresher/z')).status).toBe(200);
  });

  it('a service with routes cannot be deleted; a deleted route 404s at once', async () => {
    const blocked = await admin.del('/services/svc');
    expect(blocked.status).toBe(400);
    expect(blocked.body).toEqual({
      code: 4,
      name: 'foreign key violation',
      message: `an existing 'routes' entity references this 'services' entity`,
      fields: { '@referenced_by': 'routes' },
    });
    const gone = await admin.del('/routes/fresh');
    expect(gone.status).toBe(204);
    expect((await proxied('/fresher/z')).status).toBe(404);
    expect((await admin.get('/routes/fresh')).status).toBe(404);
    // Deleting what is already gone is 204, as in Kong.
    expect((await admin.del('/routes/fresh')).status).toBe(204);
  });
});

describe('upstreams and targets', () => {
  it('balances through an upstream and targets made through the API', async () => {
    const u = await admin.post('/upstreams', { name: 'Pool.internal', algorithm: 'round-robin' });
    expect(u.status).toBe(201);
    expect(u.body).toMatchObject({ name: 'pool.internal', algorithm: 'round-robin', slots: 10000, hash_on: 'none' });
    expect(u.body.healthchecks.active.http_path).toBe('/');
    const t = await admin.post('/upstreams/pool.internal/targets', { target: `127.0.0.1:${upstream.port}`, weight: 50 });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ target: `127.0.0.1:${upstream.port}`, weight: 50, upstream: { id: u.body.id } });
    await admin.post('/services', { name: 'pooled', host: 'pool.internal', port: 80 });
    await admin.post('/services/pooled/routes', { paths: ['/pooled'] });
    expect((await proxied('/pooled/p')).status).toBe(200);
  });

  it('reads, patches and 409s targets by host:port; deletes cascade with the upstream', async () => {
    const key = `127.0.0.1:${upstream.port}`;
    const one = await admin.get(`/upstreams/POOL.internal/targets/${key}`);
    expect(one.status).toBe(200);
    expect((await admin.get(`/upstreams/pool.internal/targets/${one.body.id}`)).body).toEqual(one.body);
    expect((await admin.patch(`/upstreams/pool.internal/targets/${key}`, { weight: 7 })).body.weight).toBe(7);
    const dup = await admin.post('/upstreams/pool.internal/targets', { target: key });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe(5);
    const bad = await admin.post('/upstreams/pool.internal/targets', { target: 'bad host:99999' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.target).toMatch(/invalid target/);
    expect((await admin.get('/upstreams/nope/targets')).status).toBe(404);
    expect((await admin.get('/upstreams/pool.internal/targets')).body.data).toHaveLength(1);
    expect((await admin.patch('/upstreams/pool.internal', { algorithm: 'least-connections', healthchecks: { active: { http_path: '/hc' } } })).body)
      .toMatchObject({ algorithm: 'least-connections', healthchecks: { active: { http_path: '/hc', timeout: 1 } } });
    expect((await admin.del('/upstreams/pool.internal')).status).toBe(204);
    expect((await admin.get(`/upstreams/pool.internal/targets/${key}`)).status).toBe(404);
  });
});

describe('consumers and plugins', () => {
  it('CRUDs consumers by username, 409 on a duplicate username', async () => {
    const c = await admin.post('/consumers', { username: 'alice', custom_id: 'a-1' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ username: 'alice', custom_id: 'a-1', tags: [] });
    expect((await admin.post('/consumers', { username: 'alice' })).status).toBe(409);
    expect((await admin.post('/consumers', { username: 'bob', custom_id: 'a-1' })).body.fields).toEqual({ custom_id: 'a-1' });
    expect((await admin.post('/consumers', {})).body.fields).toEqual({ '@entity': ['must set at least one of username, custom_id'] });
    expect((await admin.patch('/consumers/alice', { tags: ['vip'] })).body.tags).toEqual(['vip']);
  });

  it('scopes plugins through nested endpoints and cascades them on delete', async () => {
    const onService = await admin.post('/services/base/plugins', { name: 'cors', config: { origins: ['*'] } });
    expect(onService.status).toBe(201);
    const base = await admin.get('/services/base');
    expect(onService.body).toMatchObject({ name: 'cors', service: { id: base.body.id }, route: null, consumer: null, enabled: true });
    const onRoute = await admin.post('/routes/base-route/plugins', { name: 'cors', instance_name: 'route-cors' });
    expect(onRoute.status).toBe(201);
    // cors cannot be scoped to a consumer (Kong's no_consumer); request-termination can.
    const refused = await admin.post('/consumers/alice/plugins', { name: 'cors' });
    expect(refused.status).toBe(400);
    const onConsumer = await admin.post('/consumers/alice/plugins', { name: 'request-termination' });
    expect(onConsumer.status).toBe(201);
    expect((await admin.get('/services/base/plugins')).body.data).toHaveLength(1);
    expect((await admin.get('/routes/base-route/plugins')).body.data[0].id).toBe(onRoute.body.id);
    expect((await admin.get('/plugins')).body.data).toHaveLength(3);
    expect((await admin.get('/plugins/route-cors')).body.id).toBe(onRoute.body.id);
    const dup = await admin.post('/services/base/plugins', { name: 'cors' });
    expect(dup.status).toBe(409);
    const patched = await admin.patch(`/plugins/${onService.body.id}`, { config: { max_age: 5 } });
    expect(patched.body.config).toEqual({ origins: ['*'], max_age: 5 });
    expect((await admin.del('/consumers/alice')).status).toBe(204);
    expect((await admin.get(`/plugins/${onConsumer.body.id}`)).status).toBe(404);
    expect((await admin.get('/plugins')).body.data).toHaveLength(2);
  });
});

describe('filter chains', () => {
  it('a chain naming a filter that cannot be loaded is rejected whole with the field', async () => {
    const before = await configHash();
    const r = await admin.post('/routes/base-route/filter_chains', { name: 'chain', filters: [{ name: 'no-such-filter' }] });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(2);
    expect(JSON.stringify(r.body.fields)).toContain('no-such-filter');
    expect((await admin.get('/filter_chains')).body).toEqual({ data: [], next: null });
    expect(await configHash()).toBe(before);
    expect((await admin.post('/filter_chains', { filters: [] })).status).toBe(400);
  });
});

describe('protocol errors', () => {
  it('answers 405 for a method the path does not have, 404 for an unknown path', async () => {
    expect(await admin.raw('DELETE', '/services', '')).toMatchObject({ status: 405, body: { message: 'Method not allowed' } });
    expect((await admin.post('/status', {})).status).toBe(405);
    expect(await admin.get('/nothing/here')).toMatchObject({ status: 404, body: { message: 'Not found' } });
  });

  it('answers 413 for a body over 16 MiB, declared or streamed, and creates nothing', async () => {
    const limit = 16 * 1024 * 1024;
    // Declared: answered from Content-Length before the body is read.
    const declared = await rawPost('/services', { 'content-length': String(limit + 1) }, (req) => req.write('{"name":"big"'));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).message).toMatch(/larger than the 16777216-byte limit/);
    // Streamed (chunked, no length): answered once the count passes the limit.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const streamed = await rawPost('/services', { 'transfer-encoding': 'chunked' }, (req) => {
      for (let i = 0; i <= 16; i++) req.write(chunk);
    });
    expect(streamed.status).toBe(413);
    expect((await admin.get('/services/big')).status).toBe(404);
  });

  it('rejects bad pagination arguments', async () => {
    expect((await admin.get('/services?size=0')).body).toMatchObject({ code: 9, name: 'invalid size' });
    expect((await admin.get('/services?size=1001')).status).toBe(400);
    expect((await admin.get('/services?offset=%%%')).body).toMatchObject({ code: 7, name: 'invalid offset' });
  });

  it('serves GET / and GET /status', async () => {
    const root = await admin.get('/');
    expect(root.body).toMatchObject({ tagline: 'Welcome to gatehouse', configuration: { workers: 1 } });
    const status = await admin.get('/status');
    expect(status.body.configuration_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(status.body.workers).toEqual([{ index: 0, alive: true, version: status.body.config_version, restarts: 0, thread_id: expect.any(Number), unresponsive: false }]);
  });
});
