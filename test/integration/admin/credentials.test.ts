/**
 * Credential endpoints through a running gateway (2 workers): each change rebuilds the
 * config and the proxy authenticates with it at once; bad changes (duplicates, missing
 * fields, unknown consumers, keys that do not fit their algorithm) are refused with
 * Kong's errors and the running config stays. basic-auth passwords are shown as Kong's
 * hash, never in clear.
 */
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../helpers/plugin-suite.js';
import { ALICE, BOB, basic, lastUpstreamHeaders, route } from '../plugins/auth-fixtures.js';
import { adminClient, type AdminClient } from './admin-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let rig: PluginRig;
let admin: AdminClient;

beforeAll(async () => {
  rig = await startPluginRig([{ name: 'basic-auth' }], {
    extra: {
      consumers: [{ ...ALICE }, { ...BOB }, { username: 'carol' }],
      routes: [
        route('key', '/key', [{ name: 'key-auth' }]),
        route('jwt', '/jwt', [{ name: 'jwt' }]),
        route('hmac', '/hmac', [{ name: 'hmac-auth' }]),
        route('acl', '/acl', [{ name: 'basic-auth' }, { name: 'acl', config: { allow: ['admins'] } }]),
      ],
    },
  });
  admin = adminClient(rig.gateway.adminUrl);
});
afterAll(() => rig?.close());

async function proxied(path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(rig.url(path), { headers });
  await res.arrayBuffer();
  return res.status;
}

async function configHash(): Promise<string> {
  return (await admin.get('/status')).body.configuration_hash as string;
}

describe('basic-auth credentials', () => {
  let id = '';

  it('creates one under a consumer (201), shows Kong\'s hash instead of the password, and the proxy takes it', async () => {
    const r = await admin.post('/consumers/alice/basic-auth', { username: 'alice', password: 'p@ss', tags: ['t'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(UUID),
      created_at: expect.any(Number),
      consumer: { id: ALICE.id },
      username: 'alice',
      password: createHash('sha1').update(`p@ss${ALICE.id}`).digest('hex'),
      tags: ['t'],
    });
    id = r.body.id;
    expect(await proxied('/x', { authorization: basic('alice', 'p@ss') })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-id']).toBe(ALICE.id);
  });

  it('lists and reads it by id or username, nested and top-level, never with the password in clear', async () => {
    const nested = await admin.get('/consumers/alice/basic-auth');
    expect(nested.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await admin.get(`/consumers/${ALICE.id}/basic-auth/alice`)).body.id).toBe(id);
    expect((await admin.get(`/basic-auths/${id}`)).body.username).toBe('alice');
    expect((await admin.get('/basic-auths/alice')).body.id).toBe(id);
    expect((await admin.get(`/basic-auths/${id}/consumer`)).body).toMatchObject({ id: ALICE.id, username: 'alice' });
    const all = await admin.get('/basic-auths');
    expect(JSON.stringify(all.body)).not.toContain('p@ss');
    expect((await admin.get('/consumers/bob/basic-auth/alice')).status).toBe(404);
    expect((await admin.get('/consumers/nobody/basic-auth')).status).toBe(404);
  });

  it('refuses a duplicate username (409) and a missing password (400), keeping the running config', async () => {
    const before = await configHash();
    const dup = await admin.post('/consumers/bob/basic-auth', { username: 'alice', password: 'x' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{username="alice"}'`, fields: { username: 'alice' } });
    const missing = await admin.post('/consumers/bob/basic-auth', { username: 'bob' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 2, name: 'schema violation', fields: { password: 'required field missing' } });
    const unknown = await admin.post('/consumers/bob/basic-auth', { username: 'bob', password: 'x', colour: 'red' });
    expect(unknown.body.fields).toEqual({ colour: 'unknown field' });
    expect(await configHash()).toBe(before);
  });

  it('PATCH changes the password: the old one stops working at once', async () => {
    const r = await admin.patch('/consumers/alice/basic-auth/alice', { password: 'n3w' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, username: 'alice', password: createHash('sha1').update(`n3w${ALICE.id}`).digest('hex'), tags: ['t'] });
    expect(await proxied('/x', { authorization: basic('alice', 'p@ss') })).toBe(401);
    expect(await proxied('/x', { authorization: basic('alice', 'n3w') })).toBe(200);
  });

  it('top-level POST names the consumer in the body; an unknown or missing one is refused', async () => {
    const r = await admin.post('/basic-auths', { username: 'bob', password: 'b', consumer: { username: 'bob' } });
    expect(r.status).toBe(201);
    expect(r.body.consumer).toEqual({ id: BOB.id });
    expect(await proxied('/x', { authorization: basic('bob', 'b') })).toBe(200);
    const unknown = await admin.post('/basic-auths', { username: 'x', password: 'x', consumer: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 4, name: 'foreign key violation' });
    const missing = await admin.post('/basic-auths', { username: 'x', password: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toEqual({ consumer: 'required field missing' });
  });

  it('DELETE removes it (204, and 204 again); the proxy refuses it at once', async () => {
    expect((await admin.del(`/consumers/alice/basic-auth/${id}`)).status).toBe(204);
    expect((await admin.del(`/consumers/alice/basic-auth/${id}`)).status).toBe(204);
    expect(await proxied('/x', { authorization: basic('alice', 'n3w') })).toBe(401);
    expect((await admin.get(`/basic-auths/${id}`)).status).toBe(404);
  });
});

describe('key-auth credentials', () => {
  it('generates a key when none is given', async () => {
    const r = await admin.post('/consumers/bob/key-auth', {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ consumer: { id: BOB.id }, key: expect.stringMatching(/^[0-9a-f]{32}$/), ttl: null, tags: [] });
    expect(await proxied('/key', { apikey: r.body.key })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBe(r.body.id);
  });

  it('PUT by key creates it; PATCH with another consumer moves it', async () => {
    const put = await admin.put('/key-auths/carols-key', { consumer: 'carol' });
    expect(put.status).toBe(200);
    expect(put.body.key).toBe('carols-key');
    expect(await proxied('/key', { apikey: 'carols-key' })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('carol');
    const moved = await admin.patch('/key-auths/carols-key', { consumer: { id: ALICE.id } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: put.body.id, consumer: { id: ALICE.id } });
    expect(await proxied('/key', { apikey: 'carols-key' })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('alice');
    expect((await admin.get('/consumers/carol/key-auth')).body.data).toEqual([]);
  });
});

describe('jwt credentials', () => {
  it('generates key and secret (HS256 by default); a token signed with them passes', async () => {
    const r = await admin.post('/consumers/bob/jwt', {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ algorithm: 'HS256', key: expect.stringMatching(/^[0-9a-f]{32}$/), secret: expect.stringMatching(/^[0-9a-f]{32}$/), rsa_public_key: null });
    const token = await new SignJWT({ iss: r.body.key }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(r.body.secret));
    expect(await proxied('/jwt', { authorization: `Bearer ${token}` })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBe(r.body.key);
  });

  it('refuses a public key that cannot verify the algorithm', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const r = await admin.post('/consumers/bob/jwt', { key: 'bob-rs', algorithm: 'RS256', rsa_public_key: ec });
    expect(r.status).toBe(400);
    expect(r.body.fields).toEqual({ rsa_public_key: 'an RSA public key is required for RS256' });
  });
});

describe('hmac-auth credentials', () => {
  it('generates the secret when none is given; a request signed with it passes', async () => {
    const r = await admin.post('/consumers/alice/hmac-auth', { username: 'alice-h' });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^[0-9a-f]{32}$/);
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', r.body.secret).update(`date: ${date}`).digest('base64');
    const authorization = `hmac username="alice-h", algorithm="hmac-sha256", headers="date", signature="${signature}"`;
    expect(await proxied('/hmac', { date, authorization })).toBe(200);
    expect((await admin.get('/hmac-auths/alice-h')).body.id).toBe(r.body.id);
  });
});

describe('acls', () => {
  it('adds a group (the acl plugin lets the consumer in at once), refuses it twice, reads by group, deletes', async () => {
    await admin.post('/consumers/carol/basic-auth', { username: 'carol', password: 'c' });
    const carol = { authorization: basic('carol', 'c') };
    expect(await proxied('/acl', carol)).toBe(403);
    const r = await admin.post('/consumers/carol/acls', { group: 'admins' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ group: 'admins', tags: [], consumer: expect.objectContaining({ id: expect.stringMatching(UUID) }) });
    expect(await proxied('/acl', carol)).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-groups']).toBe('admins');
    const dup = await admin.post('/consumers/carol/acls', { group: 'admins' });
    expect(dup.status).toBe(409);
    expect(dup.body.fields).toEqual({ consumer: { id: r.body.consumer.id }, group: 'admins' });
    // The same group on another consumer is fine.
    expect((await admin.post('/consumers/bob/acls', { group: 'admins' })).status).toBe(201);
    expect((await admin.get('/consumers/carol/acls/admins')).body.id).toBe(r.body.id);
    expect((await admin.get(`/acls/${r.body.id}`)).body.group).toBe('admins');
    expect((await admin.get('/acls')).body.data).toHaveLength(2);
    expect((await admin.del('/consumers/carol/acls/admins')).status).toBe(204);
    expect(await proxied('/acl', carol)).toBe(403);
  });
});

describe('consumers and their credentials', () => {
  it('deleting a consumer deletes its credentials', async () => {
    expect((await admin.get('/consumers/bob/key-auth')).body.data.length).toBeGreaterThan(0);
    expect((await admin.del('/consumers/bob')).status).toBe(204);
    for (const top of ['/key-auths', '/basic-auths', '/jwts', '/acls']) {
      const all = (await admin.get(top)).body.data as { consumer: { id: string } }[];
      expect(all.some((c) => c.consumer.id === BOB.id)).toBe(false);
    }
  });

  it('updating a consumer keeps its credentials', async () => {
    expect((await admin.patch('/consumers/alice', { custom_id: 'crm-new' })).status).toBe(200);
    expect(await proxied('/key', { apikey: 'carols-key' })).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-custom-id']).toBe('crm-new');
  });
});
