/**
 * jwt: Kong's token parsing and errors, where tokens are found, and signature checks for
 * every algorithm against tokens signed by jose (an independent JOSE implementation).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CompiledJwt } from '../../../../core/plugins/jwt/definition.js';
import { importKey, verifySignature } from '../../../../core/plugins/jwt/signature.js';
import { FoundTokens, TokenCount, cookieValue, findTokens } from '../../../../core/plugins/jwt/sources.js';
import { parseToken, type Token } from '../../../../core/plugins/jwt/token.js';
import type { PluginRequest } from '../../../../core/plugins/contract.js';

const b64 = (o: unknown): string => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

describe('parseToken (Kong jwt_parser wording)', () => {
  it('takes a token apart; the signature is everything after the second dot', () => {
    const t = parseToken(`${b64({ alg: 'HS256' })}.${b64({ iss: 'a' })}.${b64('sig')}`) as Token;
    expect(t.alg).toBe('HS256');
    expect(t.claims).toEqual({ iss: 'a' });
    expect(t.signature.toString()).toBe('sig');
    expect(t.signingInput).toBe(`${b64({ alg: 'HS256' })}.${b64({ iss: 'a' })}`);
  });

  it.each([
    ['one part', 'abc', 'invalid JSON'],
    ['two parts', `${b64({ alg: 'HS256' })}.${b64({})}`, 'invalid JSON'],
    ['a header that is not JSON', `${b64('nope')}.${b64({})}.${b64('s')}`, 'invalid JSON'],
    ['claims that are not an object', `${b64({ alg: 'HS256' })}.${b64('42')}.${b64('s')}`, 'invalid JSON'],
    ['characters outside base64url', `${b64({ alg: 'HS256' })}.${b64({})}!.${b64('s')}`, 'invalid JSON'],
    ['alg none', `${b64({ alg: 'none' })}.${b64({})}.`, 'invalid alg'],
    ['alg missing', `${b64({ typ: 'JWT' })}.${b64({})}.${b64('s')}`, 'invalid alg'],
    ['alg not a string', `${b64({ alg: 256 })}.${b64({})}.${b64('s')}`, 'invalid alg'],
    ['a signature outside base64url', `${b64({ alg: 'HS256' })}.${b64({})}.a b`, 'invalid signature'],
  ])('%s -> "%s"', (_what, token, error) => {
    expect(parseToken(token)).toBe(error);
  });
});

describe('token sources', () => {
  const c = { uriParamNames: ['jwt', 'token'], cookieNames: ['session'], headerNames: ['authorization'] } as CompiledJwt;
  function request(query: string, headers: string[]): PluginRequest {
    return {
      query,
      headers,
      header(name: string) {
        for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
        return undefined;
      },
    } as unknown as PluginRequest;
  }
  function tokens(query: string, headers: string[] = []): FoundTokens {
    const found = new FoundTokens();
    findTokens(c, request(query, headers), found);
    return found;
  }

  it('finds one token in the query, a cookie or a Bearer header; equal ones count once', () => {
    expect(tokens('jwt=t1')).toMatchObject({ first: 't1', count: TokenCount.ONE });
    expect(tokens('', ['cookie', 'a=b; session=t2; c=d'])).toMatchObject({ first: 't2', count: TokenCount.ONE });
    expect(tokens('', ['authorization', 'Bearer t3'])).toMatchObject({ first: 't3', count: TokenCount.ONE });
    expect(tokens('jwt=t1&token=t1', ['authorization', 'bearer t1'])).toMatchObject({ first: 't1', count: TokenCount.ONE });
  });

  it('counts two different tokens, skips empty ones, and keeps a value-less argument as true', () => {
    expect(tokens('jwt=t1', ['authorization', 'Bearer t2']).count).toBe(TokenCount.MANY);
    expect(tokens('jwt=&token=', ['authorization', 'Basic abc']).count).toBe(TokenCount.NONE);
    expect(tokens('jwt')).toMatchObject({ first: true, count: TokenCount.ONE });
    expect(tokens('jwt=a%2Bb+c')).toMatchObject({ first: 'a+b c' });
  });

  it('reads cookie names case-insensitively, as nginx does', () => {
    expect(cookieValue(['cookie', 'SESSION=x'], 'session')).toBe('x');
    expect(cookieValue(['cookie', 'a=1', 'cookie', 'session=y'], 'session')).toBe('y');
    expect(cookieValue(['cookie', 'sessions=z'], 'session')).toBeUndefined();
  });
});

describe('signatures, checked against jose', () => {
  const pairs: Record<string, [string, Record<string, unknown>]> = {
    RS256: ['rsa', { modulusLength: 2048 }],
    RS384: ['rsa', { modulusLength: 2048 }],
    RS512: ['rsa', { modulusLength: 2048 }],
    PS256: ['rsa', { modulusLength: 2048 }],
    PS384: ['rsa', { modulusLength: 2048 }],
    PS512: ['rsa', { modulusLength: 2048 }],
    ES256: ['ec', { namedCurve: 'P-256' }],
    ES384: ['ec', { namedCurve: 'P-384' }],
    ES512: ['ec', { namedCurve: 'P-521' }],
    EdDSA: ['ed25519', {}],
  };

  async function check(alg: string, signWith: KeyObject | Uint8Array, material: string): Promise<void> {
    const token = parseToken(await new SignJWT({ iss: 'x' }).setProtectedHeader({ alg }).sign(signWith)) as Token;
    const key = importKey(alg, material);
    expect(key).not.toBeNull();
    if (key === null) return;
    expect(verifySignature(key, token.signingInput, token.signature)).toBe(true);
    expect(verifySignature(key, `${token.signingInput}x`, token.signature)).toBe(false);
    const flipped = Buffer.from(token.signature);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(verifySignature(key, token.signingInput, flipped)).toBe(false);
    expect(verifySignature(key, token.signingInput, token.signature.subarray(1))).toBe(false);
  }

  // One key pair per key type (RSA generation is slow): RS* and PS* share one.
  const made = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
  function keyPair(type: string, options: Record<string, unknown>): { privateKey: KeyObject; publicKey: KeyObject } {
    const id = `${type}${JSON.stringify(options)}`;
    let pair = made.get(id);
    if (pair === undefined) made.set(id, (pair = generateKeyPairSync(type as 'rsa', options as { modulusLength: number })));
    return pair;
  }

  it.each(Object.keys(pairs))('%s', async (alg) => {
    const [type, options] = pairs[alg] as [string, Record<string, unknown>];
    const { privateKey, publicKey } = keyPair(type, options);
    await check(alg, privateKey, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });

  it.each(['HS256', 'HS384', 'HS512'])('%s', async (alg) => {
    await check(alg, new TextEncoder().encode('a shared secret'), 'a shared secret');
  });

  it('imports no key a credential cannot use for its algorithm', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(importKey('RS256', ec)).toBeNull();
    expect(importKey('ES512', ec)).toBeNull();
    expect(importKey('RS256', 'garbage')).toBeNull();
    expect(importKey('RS256', null)).toBeNull();
  });
});
