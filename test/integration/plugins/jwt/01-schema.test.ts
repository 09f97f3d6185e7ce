/** jwt: Kong's defaults, its config errors, and JWT credentials whose key cannot verify their algorithm. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../core/config/validate.js';
import type { CompiledJwt } from '../../../../core/plugins/jwt/definition.js';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';

const P = 'services[0].routes[0].plugins[0]';

describe('jwt schema', () => {
  it('fills Kong\'s defaults', () => {
    expect(compiledConfig<CompiledJwt>({ name: 'jwt' })).toEqual({
      uriParamNames: ['jwt'],
      cookieNames: [],
      headerNames: ['authorization'],
      keyClaim: 'iss',
      secretIsBase64: false,
      claimsToVerify: [],
      maximumExpiration: 0,
      runOnPreflight: true,
      anonymous: -1,
      wwwAuthenticate: 'Bearer',
      wwwAuthenticateInvalid: 'Bearer error="invalid_token"',
    });
  });

  it('keeps Kong\'s sets without duplicates, lower-cases header names, builds the realm challenge', () => {
    const c = compiledConfig<CompiledJwt>({
      name: 'jwt',
      config: { claims_to_verify: ['nbf', 'exp', 'nbf'], header_names: ['X-Token', 'x-token'], maximum_expiration: 60, realm: 'api' },
    });
    expect(c.claimsToVerify).toEqual(['nbf', 'exp']);
    expect(c.headerNames).toEqual(['x-token']);
    expect(c.maximumExpiration).toBe(60);
    expect(c.wwwAuthenticate).toBe('Bearer realm="api"');
    expect(c.wwwAuthenticateInvalid).toBe('Bearer realm="api" error="invalid_token"');
  });

  it('refuses maximum_expiration without exp to verify (Kong\'s entity check), out of range, and unknown claims', () => {
    expect(configErrors({ name: 'jwt', config: { maximum_expiration: 60 } })).toEqual([`${P}.config.claims_to_verify: expected to contain: exp`]);
    expect(configErrors({ name: 'jwt', config: { maximum_expiration: 31_536_001, claims_to_verify: ['exp'] } })).toEqual([
      `${P}.config.maximum_expiration: must be <= 31536000`,
    ]);
    expect(configErrors({ name: 'jwt', config: { claims_to_verify: ['iat'] } })).toEqual([`${P}.config.claims_to_verify[0]: must be one of: exp, nbf`]);
    expect(configErrors({ name: 'jwt', config: { anonymous: 'nobody' } })).toEqual([`${P}.config.anonymous: no consumer with id or username "nobody"`]);
    expect(configErrors({ name: 'jwt', config: { algorithms: ['HS256'] } })).toEqual([`${P}.config.algorithms: unknown field`]);
  });
});

describe('jwt credentials at config time', () => {
  const pem = (type: 'rsa' | 'ec' | 'ed25519', options: Record<string, unknown> = {}): string =>
    generateKeyPairSync(type as 'rsa', options as { modulusLength: number }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

  function credentialErrors(secret: Record<string, unknown>): string[] {
    const r = validateConfig({ _format_version: '3.0', consumers: [{ username: 'c', jwt_secrets: [{ key: 'k', ...secret }] }] });
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  }

  it('accepts every algorithm of Kong\'s jwt_secrets with a fitting key', () => {
    const rsa = pem('rsa', { modulusLength: 2048 });
    for (const algorithm of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) expect(credentialErrors({ algorithm, rsa_public_key: rsa })).toEqual([]);
    expect(credentialErrors({ algorithm: 'ES256', rsa_public_key: pem('ec', { namedCurve: 'P-256' }) })).toEqual([]);
    expect(credentialErrors({ algorithm: 'ES384', rsa_public_key: pem('ec', { namedCurve: 'P-384' }) })).toEqual([]);
    expect(credentialErrors({ algorithm: 'ES512', rsa_public_key: pem('ec', { namedCurve: 'P-521' }) })).toEqual([]);
    expect(credentialErrors({ algorithm: 'EdDSA', rsa_public_key: pem('ed25519') })).toEqual([]);
    expect(credentialErrors({ algorithm: 'HS384', secret: 's' })).toEqual([]);
  });

  it('refuses a key that cannot verify the credential\'s algorithm', () => {
    const p256 = pem('ec', { namedCurve: 'P-256' });
    expect(credentialErrors({ algorithm: 'RS256', rsa_public_key: p256 })).toEqual(['consumers[0].jwt_secrets[0].rsa_public_key: an RSA public key is required for RS256']);
    expect(credentialErrors({ algorithm: 'ES384', rsa_public_key: p256 })).toEqual(['consumers[0].jwt_secrets[0].rsa_public_key: a P-384 EC public key is required for ES384']);
    expect(credentialErrors({ algorithm: 'EdDSA', rsa_public_key: p256 })).toEqual(['consumers[0].jwt_secrets[0].rsa_public_key: an Ed25519 or Ed448 public key is required for EdDSA']);
    expect(credentialErrors({ algorithm: 'RS256', rsa_public_key: 'not a key' })).toEqual(['consumers[0].jwt_secrets[0].rsa_public_key: invalid PEM public key']);
  });
});
