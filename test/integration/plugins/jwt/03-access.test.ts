/**
 * jwt through a gateway with 2 workers: tokens in the Authorization header, the query
 * and a cookie; HMAC, RSA, RSA-PSS, ECDSA and EdDSA credentials (tokens signed by jose);
 * Kong's 401 messages and challenges; registered claims and maximum_expiration with
 * Kong's error bodies; secret_is_base64; key_claim_name from the protected header;
 * anonymous; preflight.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { ALICE, ANONYMOUS, BOB, FORGED, authConsumers, lastUpstreamHeaders, route } from '../auth-fixtures.js';

const ALICE_SECRET = 'alice-jwt-secret!';
const B64_SECRET_BYTES = Buffer.from('bytes that are not text \u0000\u00ff');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }).toString();

const ALICE_JWT = { id: 'aaaaaaaa-0000-4000-8000-0000000000e1', key: 'alice-iss', algorithm: 'HS256', secret: ALICE_SECRET };
const ALICE_B64 = { id: 'aaaaaaaa-0000-4000-8000-0000000000e2', key: 'alice-b64', algorithm: 'HS512', secret: B64_SECRET_BYTES.toString('base64') };
const BOB_RS = { id: 'bbbbbbbb-0000-4000-8000-0000000000e3', key: 'bob-rs', algorithm: 'RS256', rsa_public_key: pem(rsa.publicKey) };
const BOB_PS = { id: 'bbbbbbbb-0000-4000-8000-0000000000e4', key: 'bob-ps', algorithm: 'PS384', rsa_public_key: pem(rsa.publicKey) };
const BOB_ES = { id: 'bbbbbbbb-0000-4000-8000-0000000000e5', key: 'bob-es', algorithm: 'ES256', rsa_public_key: pem(ec.publicKey) };
const BOB_ED = { id: 'bbbbbbbb-0000-4000-8000-0000000000e6', key: 'bob-ed', algorithm: 'EdDSA', rsa_public_key: pem(ed.publicKey) };

const secret = new TextEncoder().encode(ALICE_SECRET);
const now = (): number => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown>, alg = 'HS256', key: KeyObject | Uint8Array = secret, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key);
}

let rig: PluginRig;

beforeAll(async () => {
  rig = await startPluginRig([{ name: 'jwt' }], {
    extra: {
      consumers: authConsumers({ alice: { jwt_secrets: [ALICE_JWT, ALICE_B64] }, bob: { jwt_secrets: [BOB_RS, BOB_PS, BOB_ES, BOB_ED] } }),
      routes: [
        route('claims', '/claims', [{ name: 'jwt', config: { claims_to_verify: ['exp', 'nbf'], maximum_expiration: 3600 } }]),
        route('b64', '/b64', [{ name: 'jwt', config: { secret_is_base64: true } }]),
        route('elsewhere', '/elsewhere', [
          { name: 'jwt', config: { uri_param_names: [], cookie_names: ['session'], header_names: ['x-token'], key_claim_name: 'kid', realm: 'api' } },
        ]),
        route('anon', '/anon', [{ name: 'jwt', config: { anonymous: 'anonymous' } }]),
        route('preflight', '/preflight', [{ name: 'jwt', config: { run_on_preflight: false } }]),
      ],
    },
  });
});
afterAll(() => rig?.close());

async function call(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: unknown; challenge: string | null }> {
  const res = await fetch(rig.url(path), { method, headers });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), challenge: res.headers.get('www-authenticate') };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('jwt: authenticated', () => {
  it('accepts an HS256 token in the Authorization header, with Kong\'s consumer headers', async () => {
    const r = await call('/x', { ...FORGED, ...bearer(await sign({ iss: 'alice-iss' })) });
    expect(r.status).toBe(200);
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ALICE.id);
    expect(h['x-consumer-username']).toBe('alice');
    expect(h['x-consumer-custom-id']).toBe(ALICE.custom_id);
    expect(h['x-credential-identifier']).toBe('alice-iss');
    expect(h['x-anonymous-consumer']).toBeUndefined();
  });

  it('accepts the token as ?jwt= and the same token twice', async () => {
    const token = await sign({ iss: 'alice-iss' });
    expect((await call(`/x?jwt=${token}`)).status).toBe(200);
    expect((await call(`/x?jwt=${token}`, bearer(token))).status).toBe(200);
  });

  it.each([
    ['RS256', 'bob-rs', rsa.privateKey],
    ['PS384', 'bob-ps', rsa.privateKey],
    ['ES256', 'bob-es', ec.privateKey],
    ['EdDSA', 'bob-ed', ed.privateKey],
  ] as const)('verifies %s with the credential\'s public key', async (alg, iss, key) => {
    const r = await call('/x', bearer(await sign({ iss }, alg, key)));
    expect(r.status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-id']).toBe(BOB.id);
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBe(iss);
  });
});

describe('jwt: Kong\'s 401s', () => {
  const invalid = 'Bearer error="invalid_token"';

  it('no token: "Unauthorized" with a bare Bearer challenge', async () => {
    expect(await call('/x')).toEqual({ status: 401, body: { message: 'Unauthorized' }, challenge: 'Bearer' });
    expect(await call('/x', { authorization: 'Basic abc' })).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });

  it.each([
    ['a token signed with another secret', () => sign({ iss: 'alice-iss' }, 'HS256', new TextEncoder().encode('other')), 'Invalid signature'],
    ['an RS256 token signed by another key', () => sign({ iss: 'bob-rs' }, 'RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey), 'Invalid signature'],
    ['an alg that differs from the credential\'s', () => sign({ iss: 'alice-iss' }, 'HS384'), 'Invalid algorithm'],
    ['no iss', () => sign({ sub: 'x' }), "No mandatory 'iss' in claims"],
    ['an empty iss', () => sign({ iss: '' }), "Invalid 'iss' in claims"],
    ['an unknown iss', () => sign({ iss: 'mallory' }), "No credentials found for given 'iss'"],
    ['garbage', async () => 'not.a-token', 'Bad token; invalid JSON'],
    ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"alice-iss"}').toString('base64url')}.`, 'Bad token; invalid alg'],
  ])('%s', async (_what, token, message) => {
    expect(await call('/x', bearer(await token()))).toEqual({ status: 401, body: { message }, challenge: invalid });
  });

  it('two different tokens: "Multiple tokens provided"; a value-less ?jwt: "Unrecognizable token"', async () => {
    const a = await sign({ iss: 'alice-iss' });
    const b = await sign({ iss: 'alice-iss', n: 1 });
    expect(await call(`/x?jwt=${a}`, bearer(b))).toEqual({ status: 401, body: { message: 'Multiple tokens provided' }, challenge: invalid });
    expect(await call('/x?jwt')).toEqual({ status: 401, body: { message: 'Unrecognizable token' }, challenge: invalid });
  });
});

describe('jwt: claims_to_verify and maximum_expiration (error tables as the body)', () => {
  it('passes a token that is valid now and expires within the maximum', async () => {
    expect((await call('/claims', bearer(await sign({ iss: 'alice-iss', exp: now() + 600, nbf: now() - 10 })))).status).toBe(200);
  });

  it.each([
    ['expired', { exp: -10, nbf: -20 }, { exp: 'token expired' }],
    ['not valid yet', { exp: 600, nbf: 300 }, { nbf: 'token not valid yet' }],
    ['expired and not valid yet', { exp: -10, nbf: 300 }, { exp: 'token expired', nbf: 'token not valid yet' }],
    ['living too long', { exp: 7200, nbf: -10 }, { exp: 'exceeds maximum allowed expiration' }],
  ])('%s', async (_what, offsets, body) => {
    const claims = { iss: 'alice-iss', exp: now() + offsets.exp, nbf: now() + offsets.nbf };
    expect(await call('/claims', bearer(await sign(claims)))).toEqual({ status: 401, body, challenge: 'Bearer error="invalid_token"' });
  });

  it('claims that are not numbers, or missing', async () => {
    expect((await call('/claims', bearer(await sign({ iss: 'alice-iss', exp: 'soon', nbf: now() })))).body).toEqual({ exp: 'must be a number' });
    expect((await call('/claims', bearer(await sign({ iss: 'alice-iss' })))).body).toEqual({ exp: 'must be a number', nbf: 'must be a number' });
  });

  it('does not check claims on a route that does not ask for it', async () => {
    expect((await call('/x', bearer(await sign({ iss: 'alice-iss', exp: now() - 100 })))).status).toBe(200);
  });
});

describe('jwt: secret_is_base64, other token places, anonymous, preflight', () => {
  it('decodes the secret under secret_is_base64; a secret that is not base64 is "Invalid key/secret"', async () => {
    const token = await sign({ iss: 'alice-b64' }, 'HS512', B64_SECRET_BYTES);
    expect((await call('/b64', bearer(token))).status).toBe(200);
    expect((await call('/x', bearer(token))).body).toEqual({ message: 'Invalid signature' });
    expect(await call('/b64', bearer(await sign({ iss: 'alice-iss' })))).toMatchObject({ status: 401, body: { message: 'Invalid key/secret' } });
  });

  it('finds the token in a cookie or a custom header and the key in the protected header', async () => {
    const token = await sign({ sub: 'x' }, 'HS256', secret, { kid: 'alice-iss' });
    expect((await call('/elsewhere', { cookie: `theme=dark; session=${token}` })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBe('alice-iss');
    expect((await call('/elsewhere', { 'x-token': `Bearer ${token}` })).status).toBe(200);
    expect(await call(`/elsewhere?jwt=${token}`)).toEqual({ status: 401, body: { message: 'Unauthorized' }, challenge: 'Bearer realm="api"' });
    expect(await call('/elsewhere', { 'x-token': `Bearer ${await sign({ iss: 'alice-iss' })}` })).toEqual({
      status: 401,
      body: { message: "No mandatory 'kid' in claims" },
      challenge: 'Bearer realm="api" error="invalid_token"',
    });
  });

  it('goes on as the anonymous consumer without a token or with a bad one', async () => {
    for (const headers of [{}, bearer(await sign({ iss: 'mallory' }))]) {
      expect((await call('/anon', headers)).status).toBe(200);
      const h = lastUpstreamHeaders(rig);
      expect(h['x-consumer-id']).toBe(ANONYMOUS.id);
      expect(h['x-anonymous-consumer']).toBe('true');
      expect(h['x-credential-identifier']).toBeUndefined();
    }
    expect((await call('/anon', bearer(await sign({ iss: 'alice-iss' })))).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('alice');
  });

  it('lets OPTIONS through without a token when run_on_preflight is off (forged consumer headers dropped)', async () => {
    expect((await call('/preflight', { ...FORGED }, 'OPTIONS')).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-id']).toBeUndefined();
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBeUndefined();
    expect((await call('/x', {}, 'OPTIONS')).status).toBe(401);
  });
});
