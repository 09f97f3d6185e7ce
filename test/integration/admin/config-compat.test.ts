/**
 * POST /config with the shapes of issue 11 part 4 through real sockets: credentials as
 * top-level collections reach the running key-auth, export nests them under their
 * consumer (hmac-auth included) and round-trips, and a bad top-level credential answers
 * Kong's code 14 with its own entity type in flattened_errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import type { TestUpstream } from '../../helpers/upstream.js';
import { startEcho } from '../auth/auth-config.js';
import { adminClient, type AdminClient } from './admin-client.js';

let upstream: TestUpstream;
let gw: Gateway;
let admin: AdminClient;

function doc(): Record<string, unknown> {
  return {
    _format_version: '3.0',
    _comment: 'flat credentials, as kong config db_export writes them',
    // `protocol` beside the url: the url wins (the echo upstream is plain http).
    services: [{ name: 'echo', url: upstream.url, protocol: 'https', routes: [{ name: 'main', paths: ['/flat'], plugins: [{ name: 'key-auth', protocols: ['grpc', 'grpcs', 'http', 'https'] }] }] }],
    consumers: [{ username: 'alice', id: '0c0ffee0-0000-4000-8000-00000000000a' }, { username: 'bob', hmacauth_credentials: [{ username: 'bob-hmac', secret: 'shh' }] }],
    keyauth_credentials: [
      { consumer: '0c0ffee0-0000-4000-8000-00000000000a', key: 'alice-flat-key', created_at: 1718035200 },
      { consumer: 'bob', key: 'bob-flat-key', _comment: 'rotated 2024-06' },
    ],
    acls: [{ consumer: { username: 'alice' }, group: 'admins' }],
  };
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

beforeAll(async () => {
  upstream = await startEcho();
  gw = await startGateway(['_format_version: "3.0"', 'services:', `  - url: ${upstream.url}`, '    routes: [{ paths: [/start] }]'].join('\n'));
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

describe('POST /config with top-level credential collections', () => {
  it('publishes them: key-auth identifies each consumer by its flat key', async () => {
    const r = await admin.post('/config', doc());
    expect(r.status).toBe(201);
    expect((await get('/flat')).status).toBe(401);
    const alice = await get('/flat', { apikey: 'alice-flat-key' });
    expect(alice.status).toBe(200);
    expect(alice.body.headers['x-consumer-username']).toBe('alice');
    const bob = await get('/flat', { apikey: 'bob-flat-key' });
    expect(bob.body.headers['x-consumer-username']).toBe('bob');
  });

  it('exports them nested under their consumer, and the export round-trips to the same hash', async () => {
    const exported = await admin.get('/config');
    const parsed = parse(exported.body.config as string) as Record<string, any>;
    expect(parsed.keyauth_credentials).toBeUndefined();
    expect(parsed.consumers[0]).toMatchObject({ username: 'alice', keyauth_credentials: [{ key: 'alice-flat-key' }], acls: [{ group: 'admins' }] });
    expect(parsed.consumers[1]).toMatchObject({ username: 'bob', keyauth_credentials: [{ key: 'bob-flat-key' }], hmacauth_credentials: [{ username: 'bob-hmac', secret: 'shh' }] });
    expect(exported.body.config).not.toMatch(/_comment|created_at/);
    expect((await admin.post('/config?check_hash=1', { config: exported.body.config })).status).toBe(304);
  });

  it('rejects a credential naming an unknown consumer with code 14 and keeps serving the old config', async () => {
    const bad = doc();
    (bad['keyauth_credentials'] as Record<string, unknown>[]).push({ consumer: 'carol', key: 'carol-key' });
    const r = await admin.post('/config', bad);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 14 });
    expect(r.body.fields.keyauth_credentials[2]).toEqual({ consumer: 'references unknown consumer "carol"' });
    expect(r.body.flattened_errors).toEqual([
      {
        entity_type: 'keyauth_credential',
        entity: { consumer: 'carol', key: 'carol-key' },
        errors: [{ type: 'field', field: 'consumer', message: 'references unknown consumer "carol"' }],
      },
    ]);
    expect((await get('/flat', { apikey: 'alice-flat-key' })).status).toBe(200);
  });
});
