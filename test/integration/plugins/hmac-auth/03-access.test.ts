/**
 * hmac-auth through a gateway with 2 workers: requests signed as Kong documents
 * (`hmac username=…, algorithm=…, headers=…, signature=…` over `name: value` lines and
 * the request-line), Date / X-Date within the clock skew, Kong's 401 messages with the
 * `hmac` challenge, enforce_headers, algorithms, the Digest body check, hide_credentials,
 * Proxy-Authorization and anonymous.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { ALICE, ALICE_HMAC, ANONYMOUS, BOB_HMAC, FORGED, authConsumers, lastUpstreamHeaders, route } from '../auth-fixtures.js';

const NOT_VALID = 'HMAC signature cannot be verified';
const NOT_SAME = 'HMAC signature does not match';
const NO_DATE = 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication';

let rig: PluginRig;

beforeAll(async () => {
  rig = await startPluginRig([{ name: 'hmac-auth' }], {
    extra: {
      consumers: authConsumers(),
      routes: [
        route('strict', '/strict', [{ name: 'hmac-auth', config: { enforce_headers: ['date', 'request-line'], algorithms: ['hmac-sha256'], realm: 'api' } }]),
        route('body', '/body', [{ name: 'hmac-auth', config: { validate_request_body: true } }]),
        route('hidden', '/hidden', [{ name: 'hmac-auth', config: { hide_credentials: true } }]),
        route('anon', '/anon', [{ name: 'hmac-auth', config: { anonymous: 'anonymous' } }]),
      ],
    },
  });
});
afterAll(() => rig?.close());

interface Signed {
  method?: string;
  path: string;
  username?: string;
  secret?: string;
  algorithm?: string;
  /** Header names to sign, in order (`request-line` is the request line). */
  sign?: string[];
  headers?: Record<string, string>;
  body?: string;
  /** Put the signature in Proxy-Authorization instead. */
  proxy?: boolean;
}

const DIGEST: Readonly<Record<string, string>> = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' };

/** A request signed as a Kong hmac-auth client signs it. */
async function signed(s: Signed): Promise<{ status: number; body: any; challenge: string | null }> {
  const method = s.method ?? 'GET';
  const algorithm = s.algorithm ?? 'hmac-sha256';
  const names = s.sign ?? ['date', 'request-line'];
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...s.headers };
  const lines = names.map((n) => (n === 'request-line' && headers[n] === undefined ? `${method} ${s.path} HTTP/1.1` : `${n}: ${headers[n.toLowerCase()] ?? ''}`));
  const signature = createHmac(DIGEST[algorithm] ?? 'sha256', s.secret ?? ALICE_HMAC.secret).update(lines.join('\n')).digest('base64');
  const value = `hmac username="${s.username ?? ALICE_HMAC.username}", algorithm="${algorithm}", headers="${names.join(' ')}", signature="${signature}"`;
  headers[s.proxy === true ? 'proxy-authorization' : 'authorization'] = value;
  return send(s.path, headers, method, s.body);
}

async function send(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: any; challenge: string | null }> {
  const res = await fetch(rig.url(path), { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), challenge: res.headers.get('www-authenticate') };
}

describe('hmac-auth: authenticated', () => {
  it('accepts a request signed over Date and the request-line, with Kong\'s consumer headers', async () => {
    const r = await signed({ path: '/x?a=1&b=2', headers: FORGED });
    expect(r.status).toBe(200);
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ALICE.id);
    expect(h['x-consumer-username']).toBe('alice');
    expect(h['x-consumer-custom-id']).toBe(ALICE.custom_id);
    expect(h['x-credential-identifier']).toBe(ALICE_HMAC.username);
    expect(h['x-anonymous-consumer']).toBeUndefined();
    expect(String(h['authorization'])).toMatch(/^hmac username="alice-hmac"/);
  });

  it.each(['hmac-sha1', 'hmac-sha384', 'hmac-sha512'])('accepts %s', async (algorithm) => {
    expect((await signed({ path: '/x', algorithm })).status).toBe(200);
  });

  it('accepts X-Date instead of Date, other signed headers, and Proxy-Authorization', async () => {
    const xDate = { date: 'not a date', 'x-date': new Date().toUTCString(), 'x-custom': 'v' };
    expect((await signed({ path: '/x', sign: ['x-date', 'x-custom'], headers: xDate })).status).toBe(200);
    const r = await signed({ path: '/x', username: BOB_HMAC.username, secret: BOB_HMAC.secret, proxy: true });
    expect(r.status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-username']).toBe('bob');
    expect(lastUpstreamHeaders(rig)['proxy-authorization']).toBeUndefined();
  });

  it('accepts a request-line signed over the path without the query (Kong\'s deprecated form)', async () => {
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', ALICE_HMAC.secret).update(`date: ${date}\nGET /x HTTP/1.1`).digest('base64');
    const authorization = `hmac username="alice-hmac", algorithm="hmac-sha256", headers="date request-line", signature="${signature}"`;
    expect((await send('/x?q=1', { date, authorization })).status).toBe(200);
  });
});

describe('hmac-auth: Kong\'s 401s', () => {
  it('no credentials: "Unauthorized" with the hmac challenge', async () => {
    expect(await send('/x', {})).toEqual({ status: 401, body: { message: 'Unauthorized' }, challenge: 'hmac' });
  });

  it('no usable date: the date message', async () => {
    expect(await signed({ path: '/x', headers: { date: 'yesterday' } })).toEqual({ status: 401, body: { message: NO_DATE }, challenge: 'hmac' });
    const old = new Date(Date.now() - 400_000).toUTCString();
    expect((await signed({ path: '/x', headers: { date: old } })).body).toEqual({ message: NO_DATE });
  });

  it.each([
    ['an unknown username', { username: 'mallory' }, NOT_VALID],
    ['an unknown algorithm', { algorithm: 'hmac-md5' }, NOT_VALID],
    ['a wrong secret', { secret: 'wrong' }, NOT_SAME],
    ['another user\'s secret', { secret: BOB_HMAC.secret }, NOT_SAME],
  ])('%s', async (_what, change, message) => {
    expect(await signed({ path: '/x', ...change })).toEqual({ status: 401, body: { message }, challenge: 'hmac' });
  });

  it('a tampered request: the signature covers method, path and query', async () => {
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', ALICE_HMAC.secret).update(`date: ${date}\nGET /x?amount=1 HTTP/1.1`).digest('base64');
    const authorization = `hmac username="alice-hmac", algorithm="hmac-sha256", headers="date request-line", signature="${signature}"`;
    expect((await send('/x?amount=1000', { date, authorization })).body).toEqual({ message: NOT_SAME });
    expect((await send('/x?amount=1', { date, authorization }, 'DELETE')).body).toEqual({ message: NOT_SAME });
  });

  it('a malformed header: "cannot be verified"', async () => {
    expect((await send('/x', { date: new Date().toUTCString(), authorization: 'hmac username="alice-hmac"' })).body).toEqual({ message: NOT_VALID });
  });
});

describe('hmac-auth: enforce_headers, algorithms, realm', () => {
  it('passes when the enforced headers are signed with an allowed algorithm', async () => {
    expect((await signed({ path: '/strict' })).status).toBe(200);
  });

  it('refuses a signature leaving out an enforced header, or another algorithm', async () => {
    expect(await signed({ path: '/strict', sign: ['date'] })).toEqual({ status: 401, body: { message: NOT_VALID }, challenge: 'hmac realm="api"' });
    expect((await signed({ path: '/strict', algorithm: 'hmac-sha512' })).body).toEqual({ message: NOT_VALID });
  });
});

describe('hmac-auth: validate_request_body', () => {
  const digest = (body: string): string => `SHA-256=${createHash('sha256').update(body).digest('base64')}`;

  it('passes a body whose Digest matches, and an empty body without one', async () => {
    const body = JSON.stringify({ amount: 1 });
    expect((await signed({ method: 'POST', path: '/body', body, headers: { digest: digest(body), 'content-type': 'application/json' } })).status).toBe(200);
    expect(rig.upstream.received.at(-1)?.bodyLength).toBe(body.length);
    expect((await signed({ method: 'GET', path: '/body' })).status).toBe(200);
  });

  it('refuses a body that does not match its Digest, or a body without one', async () => {
    expect((await signed({ method: 'POST', path: '/body', body: 'tampered', headers: { digest: digest('original') } })).body).toEqual({ message: NOT_SAME });
    expect((await signed({ method: 'POST', path: '/body', body: 'no digest' })).body).toEqual({ message: NOT_SAME });
  });
});

describe('hmac-auth: hide_credentials and anonymous', () => {
  it('removes the signature header before proxying', async () => {
    expect((await signed({ path: '/hidden' })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['authorization']).toBeUndefined();
  });

  it('goes on as the anonymous consumer when the signature fails', async () => {
    expect((await signed({ path: '/anon', secret: 'wrong' })).status).toBe(200);
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ANONYMOUS.id);
    expect(h['x-anonymous-consumer']).toBe('true');
    expect(h['x-credential-identifier']).toBeUndefined();
    expect((await send('/anon', {})).status).toBe(200);
  });
});
