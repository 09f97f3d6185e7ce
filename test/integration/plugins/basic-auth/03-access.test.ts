/**
 * basic-auth through a gateway with 2 workers: Kong's 401 and challenge, Authorization and
 * Proxy-Authorization, the upstream headers (X-Credential-Identifier is the username),
 * forged consumer headers, hide_credentials, a realm, and the anonymous fallback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { ALICE, ALICE_BASIC, ANONYMOUS, BOB, BOB_BASIC, FORGED, authConsumers, basic, lastUpstreamHeaders, route } from '../auth-fixtures.js';

let rig: PluginRig;

beforeAll(async () => {
  rig = await startPluginRig([{ name: 'basic-auth' }], {
    extra: {
      consumers: authConsumers(),
      routes: [
        route('hidden', '/hidden', [{ name: 'basic-auth', config: { hide_credentials: true, realm: 'gatehouse' } }]),
        route('anon', '/anon', [{ name: 'basic-auth', config: { anonymous: 'anonymous', hide_credentials: true } }]),
      ],
    },
  });
});
afterAll(() => rig?.close());

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(rig.url(path), { headers });
}

describe('basic-auth: refusals', () => {
  it('answers 401 "Unauthorized" with Basic realm="service" when no credentials are sent', async () => {
    const before = rig.upstream.received.length;
    const res = await get('/x');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="service"');
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
    expect(rig.upstream.received.length).toBe(before);
  });

  it.each([
    ['a wrong password', basic('alice', 'wrong')],
    ['an unknown user', basic('mallory', 'open:sesame')],
    ['another user\'s password', basic('bob', ALICE_BASIC.password)],
    ['undecodable base64', 'Basic !!!'],
    ['another scheme', 'Bearer abc'],
  ])('answers 401 with the challenge for %s', async (_what, value) => {
    const res = await get('/x', { authorization: value });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="service"');
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });
});

describe('basic-auth: authenticated', () => {
  it('proxies with Kong\'s consumer headers; the Authorization header goes on', async () => {
    const res = await get('/x', { authorization: basic('alice', ALICE_BASIC.password) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ALICE.id);
    expect(h['x-consumer-username']).toBe('alice');
    expect(h['x-consumer-custom-id']).toBe(ALICE.custom_id);
    expect(h['x-credential-identifier']).toBe(ALICE_BASIC.username);
    expect(h['x-anonymous-consumer']).toBeUndefined();
    expect(h['authorization']).toBe(basic('alice', ALICE_BASIC.password));
  });

  it('replaces the client\'s forged consumer headers', async () => {
    const res = await get('/x', { ...FORGED, authorization: basic('bob', BOB_BASIC.password) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(BOB.id);
    expect(h['x-consumer-username']).toBe('bob');
    expect(h['x-consumer-custom-id']).toBeUndefined();
    expect(h['x-credential-identifier']).toBe('bob');
    expect(h['x-anonymous-consumer']).toBeUndefined();
  });

  it('reads Proxy-Authorization first, and never forwards it', async () => {
    const res = await get('/x', { 'proxy-authorization': basic('bob', BOB_BASIC.password), authorization: 'Bearer for-the-upstream' });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-username']).toBe('bob');
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h['authorization']).toBe('Bearer for-the-upstream');
  });

  it('falls back to Authorization when Proxy-Authorization names no credential', async () => {
    const res = await get('/x', { 'proxy-authorization': basic('mallory', 'x'), authorization: basic('alice', ALICE_BASIC.password) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('alice');
  });

  it('authenticates on every worker (repeated requests over fresh connections)', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => get('/x', { authorization: basic('alice', ALICE_BASIC.password), connection: 'close' }).then(async (r) => (await r.arrayBuffer(), r.status))),
    );
    expect(statuses).toEqual(Array(8).fill(200));
  });
});

describe('basic-auth: hide_credentials, realm, anonymous', () => {
  it('removes the Authorization header before proxying and uses the configured realm', async () => {
    const res = await get('/hidden', { authorization: basic('alice', ALICE_BASIC.password) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(lastUpstreamHeaders(rig)['authorization']).toBeUndefined();
    const refused = await get('/hidden');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="gatehouse"');
    await refused.arrayBuffer();
  });

  it('lets a request without credentials through as the anonymous consumer', async () => {
    const res = await get('/anon', { ...FORGED });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ANONYMOUS.id);
    expect(h['x-consumer-username']).toBe('anonymous');
    expect(h['x-anonymous-consumer']).toBe('true');
    expect(h['x-credential-identifier']).toBeUndefined();
  });

  it('treats wrong credentials as anonymous too, without forwarding them', async () => {
    const res = await get('/anon', { authorization: basic('alice', 'wrong') });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-username']).toBe('anonymous');
    expect(h['x-anonymous-consumer']).toBe('true');
    expect(h['authorization']).toBeUndefined();
  });

  it('still authenticates valid credentials on the anonymous route', async () => {
    const res = await get('/anon', { authorization: basic('alice', ALICE_BASIC.password) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('alice');
    expect(lastUpstreamHeaders(rig)['x-anonymous-consumer']).toBeUndefined();
  });
});
