/**
 * The admin token (401 without it, Kong-Admin-Token or Bearer with it), the refusal to
 * bind a non-loopback admin address without a token, and persistence: every admin change
 * is written to the --persist-config file, and a gateway restarted on that file serves
 * the same entities.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { adminClient } from './admin-client.js';

let upstream: TestUpstream;
let dir: string;

const baseConfig = (url: string): string =>
  ['_format_version: "3.0"', 'services:', '  - name: base', `    url: ${url}`, '    routes: [{ name: base-route, paths: [/base] }]'].join('\n');

beforeAll(async () => {
  upstream = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-'));
});

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('admin token', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway(baseConfig(upstream.url), { env: { GATEHOUSE_ADMIN_TOKEN: 'tok-123' } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers 401 Unauthorized without the token or with a wrong one, on every endpoint', async () => {
    const anon = adminClient(gw.adminUrl);
    for (const path of ['/', '/status', '/services', '/config', '/nothing']) {
      expect(await anon.get(path)).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    }
    expect((await anon.get('/services', { 'kong-admin-token': 'tok-12' })).status).toBe(401);
    expect((await anon.get('/services', { authorization: 'Bearer nope' })).status).toBe(401);
    const write = await anon.post('/services', { name: 'sneaky', url: upstream.url });
    expect(write.status).toBe(401);
    const authed = adminClient(gw.adminUrl, { 'kong-admin-token': 'tok-123' });
    expect((await authed.get('/services/sneaky')).status).toBe(404);
  });

  it('accepts the token in Kong-Admin-Token or Authorization: Bearer', async () => {
    const kong = adminClient(gw.adminUrl, { 'kong-admin-token': 'tok-123' });
    expect((await kong.get('/services')).status).toBe(200);
    const bearer = adminClient(gw.adminUrl, { authorization: 'Bearer tok-123' });
    expect((await bearer.post('/services', { name: 'allowed', url: upstream.url })).status).toBe(201);
  });
});

describe('admin bind check', () => {
  it('refuses to start with a non-loopback admin address and no token, saying why', async () => {
    const file = join(dir, 'bind.yaml');
    writeFileSync(file, baseConfig(upstream.url));
    const r = await runCli(['start', '--config', file, '--proxy-listen', '127.0.0.1:0', '--admin-listen', '0.0.0.0:0', '--workers', '1'], {
      GATEHOUSE_ADMIN_TOKEN: '',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to bind the admin API to non-loopback address 0.0.0.0 without an admin token');
  });
});

describe('persistence', () => {
  it('writes every admin change to the file, and a restart on it loses nothing', async () => {
    const persisted = join(dir, 'persisted.yaml');
    const first = await startGateway(baseConfig(upstream.url), { args: ['--persist-config', persisted] });
    let entities: Record<string, unknown>;
    try {
      const admin = adminClient(first.adminUrl);
      expect(existsSync(persisted)).toBe(false);
      expect((await admin.post('/services', { name: 'added', url: `${upstream.url}/added` })).status).toBe(201);
      expect(readFileSync(persisted, 'utf8')).toContain('name: added');
      expect((await admin.post('/services/added/routes', { name: 'added-route', paths: ['/added'] })).status).toBe(201);
      expect((await admin.post('/upstreams', { name: 'pool' })).status).toBe(201);
      expect((await admin.post('/upstreams/pool/targets', { target: `127.0.0.1:${upstream.port}`, weight: 3 })).status).toBe(201);
      expect((await admin.post('/consumers', { username: 'dave' })).status).toBe(201);
      expect((await admin.post('/routes/added-route/plugins', { name: 'cors' })).status).toBe(201);
      expect((await admin.patch('/routes/base-route', { paths: ['/moved'] })).status).toBe(200);
      // A rejected change is not written.
      const before = readFileSync(persisted, 'utf8');
      expect((await admin.post('/routes', { name: 'bad', paths: ['nope'] })).status).toBe(400);
      expect(readFileSync(persisted, 'utf8')).toBe(before);
      // No temp files are left next to it.
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      entities = await snapshot(first.adminUrl);
    } finally {
      await first.stop();
    }

    const second = await startGateway(readFileSync(persisted, 'utf8'));
    try {
      expect(await snapshot(second.adminUrl)).toEqual(entities);
      const res = await fetch(`${second.url}/added/x`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { url: string }).url).toBe('/added/x');
      const moved = await fetch(`${second.url}/moved`);
      await moved.arrayBuffer();
      expect(moved.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('also persists POST /config, with the path from GATEHOUSE_PERSIST_CONFIG', async () => {
    const persisted = join(dir, 'from-env.yaml');
    const gw = await startGateway(baseConfig(upstream.url), { env: { GATEHOUSE_PERSIST_CONFIG: persisted } });
    try {
      const admin = adminClient(gw.adminUrl);
      const doc = { _format_version: '3.0', services: [{ name: 'replaced', url: upstream.url, routes: [{ paths: ['/r'] }] }] };
      expect((await admin.post('/config', doc)).status).toBe(201);
      const text = readFileSync(persisted, 'utf8');
      expect(text).toContain('name: replaced');
      expect(text).not.toContain('name: base');
    } finally {
      await gw.stop();
    }
  });
});

/** Every entity list without timestamps (they restart with the process). */
async function snapshot(adminUrl: string): Promise<Record<string, unknown>> {
  const admin = adminClient(adminUrl);
  const out: Record<string, unknown> = {};
  const strip = (list: Record<string, unknown>[]) => list.map(({ created_at: _c, updated_at: _u, ...rest }) => rest);
  for (const kind of ['services', 'routes', 'upstreams', 'consumers', 'plugins', 'filter_chains']) {
    out[kind] = strip((await admin.get(`/${kind}?size=1000`)).body.data);
  }
  out['targets'] = strip((await admin.get('/upstreams/pool/targets')).body.data);
  return out;
}
