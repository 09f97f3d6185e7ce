/**
 * Kong's DB-less `/config` through real sockets: replace the whole config (each body form),
 * a bad document rejected with Kong's code 14 shape while the old config keeps serving,
 * check_hash, and the GET /config export round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { adminClient, type AdminClient } from './admin-client.js';

let upstream: TestUpstream;
let gw: Gateway;
let admin: AdminClient;

function doc(path: string): Record<string, unknown> {
  return {
    _format_version: '3.0',
    services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'main', paths: [path] }] }],
    upstreams: [{ name: 'pool', targets: [{ target: `127.0.0.1:${upstream.port}` }] }],
    consumers: [{ username: 'carol', keyauth_credentials: [{ key: 'k-123' }] }],
  };
}

async function status(path: string): Promise<number> {
  const res = await fetch(`${gw.url}${path}`);
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(['_format_version: "3.0"', 'services:', `  - url: ${upstream.url}`, '    routes: [{ paths: [/start] }]'].join('\n'));
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

describe('POST /config', () => {
  it('replaces the whole config with a JSON document (201) and the proxy follows at once', async () => {
    expect(await status('/start')).toBe(200);
    const r = await admin.post('/config', doc('/one'));
    expect(r.status).toBe(201);
    expect(r.body.services[0]).toMatchObject({ name: 'echo', host: '127.0.0.1', port: upstream.port });
    expect(await status('/one')).toBe(200);
    expect(await status('/start')).toBe(404);
    expect((await admin.get('/routes/main')).body.paths).toEqual(['/one']);
  });

  it('accepts { "config": "<yaml>" }, a form field and a YAML body', async () => {
    const yaml = `_format_version: "3.0"\nservices:\n  - name: echo\n    url: ${upstream.url}\n    routes: [{ name: main, paths: [/two] }]\n`;
    expect((await admin.post('/config', { config: yaml })).status).toBe(201);
    expect(await status('/two')).toBe(200);
    const form = await admin.raw('POST', '/config', `config=${encodeURIComponent(yaml.replace('/two', '/three'))}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(201);
    expect(await status('/three')).toBe(200);
    const raw = await admin.raw('POST', '/config', yaml.replace('/two', '/four'), { 'content-type': 'application/x-yaml' });
    expect(raw.status).toBe(201);
    expect(await status('/four')).toBe(200);
  });

  it('rejects a bad document with code 14, nested fields and flattened_errors; the old config keeps serving', async () => {
    const before = (await admin.get('/status')).body.configuration_hash;
    const bad = doc('/five');
    (bad['services'] as Record<string, unknown>[]).push({ name: 'broken', host: 'x.internal', port: 'eighty', id: 'not-a-uuid' });
    const r = await admin.post('/config', bad);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 14, name: 'invalid declarative configuration' });
    expect(r.body.message).toMatch(/^declarative config is invalid: /);
    expect(r.body.fields.services[0]).toBeNull();
    expect(r.body.fields.services[1]).toEqual({ port: 'must be integer', id: expect.any(String) });
    expect(r.body.flattened_errors).toEqual([
      {
        entity_type: 'service',
        entity_name: 'broken',
        entity_id: 'not-a-uuid',
        entity: { name: 'broken', host: 'x.internal', port: 'eighty', id: 'not-a-uuid' },
        errors: expect.arrayContaining([{ type: 'field', field: 'port', message: 'must be integer' }]),
      },
    ]);
    expect(await status('/four')).toBe(200);
    expect(await status('/five')).toBe(404);
    expect((await admin.get('/status')).body.configuration_hash).toBe(before);
  });

  it('rejects unparsable YAML and an empty body with code 14', async () => {
    const r = await admin.post('/config', { config: 'services: [\n' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 14 });
    expect(r.body.message).toMatch(/^failed parsing declarative configuration: /);
    expect((await admin.raw('POST', '/config', '', {})).body.code).toBe(14);
    expect(await status('/four')).toBe(200);
  });

  it('answers 304 with check_hash=1 when nothing changed, and publishes nothing', async () => {
    expect((await admin.post('/config', doc('/six'))).status).toBe(201);
    const before = (await admin.get('/status')).body;
    const same = await admin.post('/config?check_hash=1', doc('/six'));
    expect(same.status).toBe(304);
    const after = (await admin.get('/status')).body;
    expect(after.config_version).toBe(before.config_version);
    const changed = await admin.post('/config?check_hash=1', doc('/seven'));
    expect(changed.status).toBe(201);
    expect(await status('/seven')).toBe(200);
  });
});

describe('GET /config', () => {
  it('exports the running config as a declarative document that round-trips to the same hash', async () => {
    await admin.post('/services/echo/routes', { name: 'extra', paths: ['/extra'], methods: ['GET'] });
    const exported = await admin.get('/config');
    expect(exported.status).toBe(200);
    expect(typeof exported.body.config).toBe('string');
    const parsed = parse(exported.body.config as string) as Record<string, any>;
    expect(parsed._format_version).toBe('3.0');
    expect(parsed.routes.map((r: { name: string }) => r.name).sort()).toEqual(['extra', 'main']);
    expect(parsed.consumers[0]).toMatchObject({ username: 'carol', keyauth_credentials: [{ key: 'k-123' }] });
    expect(parsed.targets[0]).toMatchObject({ target: `127.0.0.1:${upstream.port}`, upstream: { id: expect.any(String) } });
    const hash = (await admin.get('/status')).body.configuration_hash;
    const again = await admin.post('/config?check_hash=1', { config: exported.body.config });
    expect(again.status).toBe(304);
    expect((await admin.get('/status')).body.configuration_hash).toBe(hash);
  });

  it('keeps consumer credentials when the consumer is updated through the API', async () => {
    await admin.patch('/consumers/carol', { custom_id: 'c-9' });
    const parsed = parse((await admin.get('/config')).body.config as string) as Record<string, any>;
    expect(parsed.consumers[0]).toMatchObject({ username: 'carol', custom_id: 'c-9', keyauth_credentials: [{ key: 'k-123' }] });
  });
});
