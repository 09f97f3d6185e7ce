/**
 * A plugin Gatehouse does not run is refused everywhere: `gatehouse check`, start, reload
 * (the running config stays) and the admin API (400, Kong's schema-violation shape).
 * What runs is listed by GET /plugins/enabled and described by GET /schemas/plugins/{name}.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli, startGateway, type Gateway } from '../../../helpers/gateway.js';
import { waitFor } from '../../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-refusal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = { _format_version: '3.0', services: [{ name: 's', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'request-termination', config: { status_code: 418, message: 'good' } }] }] }] };
const BAD = { ...GOOD, services: [{ ...GOOD.services[0], routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'foo' }, { name: 'request-termination', config: { status_code: 418, message: 'bad' } }] }] }] };
const EXPECTED = 'services[0].routes[0].plugins[0].name: plugin "foo" is not available';

function write(doc: unknown): string {
  const file = join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

describe('unknown plugins are refused', () => {
  it('by gatehouse check, with the path and exit 1', async () => {
    const r = await runCli(['check', write(BAD)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(EXPECTED);
  });

  it('at start: the gateway exits non-zero naming it', async () => {
    const err = await startGateway(stringify(BAD)).then(
      async (gw) => {
        await gw.stop();
        return null;
      },
      (e: unknown) => String(e),
    );
    expect(err).toContain(EXPECTED);
  });

  describe('on reload and in the admin API', () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(stringify(GOOD), { workers: 2 });
    });
    afterAll(() => gw?.stop());

    it('a reload with it is refused and the running config keeps serving', async () => {
      gw.reload(stringify(BAD));
      await waitFor(() => gw.output().includes('plugins[0].name: plugin \\"foo\\" is not available'), 10_000, 'the reload refusal').catch((err: unknown) => {
        throw new Error(`${String(err)}; gateway output:\n${gw.output()}`);
      });
      const res = await fetch(`${gw.url}/`);
      expect(res.status).toBe(418);
      expect(await res.json()).toEqual({ message: 'good' });
    });

    it('POST /plugins with it answers 400 in Kong\'s schema-violation shape', async () => {
      const res = await fetch(`${gw.adminUrl}/plugins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'foo' }) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: number; name: string; message: string; fields: Record<string, unknown> };
      expect(body.code).toBe(2);
      expect(body.name).toBe('schema violation');
      expect(body.fields['name']).toBe('plugin "foo" is not available');
      expect(body.message).toContain('plugin "foo" is not available');
      expect((await (await fetch(`${gw.adminUrl}/plugins`)).json()) as { data: unknown[] }).toMatchObject({ data: [{ name: 'request-termination' }] });
    });

    it('POST /config with it answers 400 and keeps the config', async () => {
      const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BAD) });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('plugin \\"foo\\" is not available');
      expect((await fetch(`${gw.url}/`)).status).toBe(418);
    });

    it('GET /plugins/enabled lists what runs; GET /schemas/plugins/{name} describes it', async () => {
      const enabled = (await (await fetch(`${gw.adminUrl}/plugins/enabled`)).json()) as { enabled_plugins: string[] };
      expect(enabled.enabled_plugins).toEqual(expect.arrayContaining(['cors', 'key-auth', 'request-termination', 'ai-proxy']));
      expect(enabled.enabled_plugins).not.toContain('foo');
      const schema = (await (await fetch(`${gw.adminUrl}/schemas/plugins/request-termination`)).json()) as { priority: number; fields: Record<string, { type: string; fields: Record<string, { default?: unknown; between?: number[] }>[] }>[] };
      expect(schema.priority).toBe(2);
      const config = schema.fields.find((f) => 'config' in f)?.['config'];
      expect(config?.type).toBe('record');
      expect(config?.fields.find((f) => 'status_code' in f)?.['status_code']).toMatchObject({ default: 503, between: [100, 599] });
      const missing = await fetch(`${gw.adminUrl}/schemas/plugins/foo`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ message: "No plugin named 'foo'" });
    });
  });
});
