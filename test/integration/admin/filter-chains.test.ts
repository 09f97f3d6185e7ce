/**
 * `/filter_chains` with a real (tiny, hand-written) proxy-wasm filter in the filters
 * directory: create through the nested forms, read by name, patch, 409, delete, and the
 * cascade when the owning route goes away.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { adminClient, type AdminClient } from './admin-client.js';

let upstream: TestUpstream;
let gw: Gateway;
let admin: AdminClient;
let filters: string;

beforeAll(async () => {
  upstream = await startUpstream();
  filters = mkdtempSync(join(tmpdir(), 'gatehouse-filters-'));
  writeFileSync(join(filters, 'noop.wasm'), watGuest());
  gw = await startGateway(
    ['_format_version: "3.0"', 'services:', '  - name: svc', `    url: ${upstream.url}`, '    routes: [{ name: r1, paths: [/r1] }, { name: r2, paths: [/r2] }]'].join('\n'),
    { args: ['--wasm-filters-path', filters] },
  );
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
  rmSync(filters, { recursive: true, force: true });
});

describe('filter chains', () => {
  it('creates a chain under a route and under a service, and reads them back', async () => {
    const onRoute = await admin.post('/routes/r1/filter_chains', { name: 'chain-r1', filters: [{ name: 'noop', config: 'x' }] });
    expect(onRoute.status).toBe(201);
    const r1 = await admin.get('/routes/r1');
    expect(onRoute.body).toMatchObject({
      name: 'chain-r1', route: { id: r1.body.id }, service: null, enabled: true,
      filters: [{ name: 'noop', config: 'x', enabled: true, on_error: 'fail_closed' }],
    });
    const onService = await admin.post('/services/svc/filter_chains', { filters: [{ name: 'noop' }] });
    expect(onService.status).toBe(201);
    expect((await admin.get('/filter_chains')).body.data).toHaveLength(2);
    expect((await admin.get('/filter_chains/chain-r1')).body.id).toBe(onRoute.body.id);
    expect((await admin.get('/routes/r1/filter_chains')).body.data.map((c: { id: string }) => c.id)).toEqual([onRoute.body.id]);
    expect((await admin.get('/routes/r2/filter_chains/chain-r1')).status).toBe(404);
    const res = await fetch(`${gw.url}/r1`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it('patches a chain, 409s a duplicate name, 400s a second chain on the same route', async () => {
    const patched = await admin.patch('/filter_chains/chain-r1', { enabled: false });
    expect(patched.body).toMatchObject({ name: 'chain-r1', enabled: false });
    const dupName = await admin.post('/routes/r2/filter_chains', { name: 'chain-r1', filters: [{ name: 'noop' }] });
    expect(dupName.status).toBe(409);
    const second = await admin.post('/routes/r1/filter_chains', { filters: [{ name: 'noop' }] });
    expect(second.status).toBe(400);
    expect(second.body.fields['@entity'][0]).toMatch(/duplicate filter chain for the same route/);
  });

  it('cascades the chain when its route is deleted', async () => {
    expect((await admin.del('/routes/r1')).status).toBe(204);
    expect((await admin.get('/filter_chains/chain-r1')).status).toBe(404);
    expect((await admin.get('/filter_chains')).body.data).toHaveLength(1);
  });
});
