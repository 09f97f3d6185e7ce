/**
 * `gatehouse check` on bad key-auth configs: every error listed with the plugin's path in
 * the file, exit 1; a good one is OK with no "not supported" warning for key-auth.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/gateway.js';
import { consumers } from './auth-config.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-key-auth-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(doc: Record<string, unknown>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(file, stringify({ _format_version: '3.0', consumers: consumers(), ...doc }));
  return runCli(['check', file]);
}

describe('gatehouse check: key-auth', () => {
  it('a valid key-auth config is OK and not reported as unsupported', async () => {
    const r = await check({
      services: [{ name: 's', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/r'], plugins: [{ name: 'key-auth', config: { anonymous: 'guest', hide_credentials: true } }] }] }],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('anonymous naming an unknown consumer, bad fields and a consumer scope are each reported with their path', async () => {
    const r = await check({
      services: [
        {
          name: 's',
          url: 'http://127.0.0.1:9',
          routes: [
            { name: 'a', paths: ['/a'], plugins: [{ name: 'key-auth', config: { anonymous: 'nobody' } }] },
            { name: 'b', paths: ['/b'], plugins: [{ name: 'key-auth', config: { key_names: [], key_in_query: 'yes', realmz: 'x' } }] },
          ],
        },
      ],
      plugins: [{ name: 'key-auth', consumer: 'alice', config: {} }],
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('services[0].routes[0].plugins[0].config.anonymous: no consumer with id or username "nobody"');
    expect(lines).toContain('services[0].routes[1].plugins[0].config.key_names: must have at least 1 item');
    expect(lines).toContain('services[0].routes[1].plugins[0].config.key_in_query: must be boolean');
    expect(lines).toContain('services[0].routes[1].plugins[0].config.realmz: unknown field');
    expect(lines).toContain('plugins[0].consumer: key-auth cannot be scoped to a consumer');
  });

  it('key_in_body on a route whose AI plugin reads the body is accepted (both read the same body)', async () => {
    const r = await check({
      routes: [{
        name: 'llm',
        paths: ['/llm'],
        plugins: [
          { name: 'key-auth', config: { key_in_body: true } },
          { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'm', options: { upstream_url: 'http://127.0.0.1:9' } } } },
        ],
      }],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
