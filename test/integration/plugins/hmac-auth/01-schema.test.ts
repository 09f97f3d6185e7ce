/** hmac-auth: Kong's defaults and its config errors. */
import { describe, expect, it } from 'vitest';
import type { CompiledHmacAuth } from '../../../../core/plugins/hmac-auth/definition.js';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import { authConsumers } from '../auth-fixtures.js';

const P = 'services[0].routes[0].plugins[0]';

describe('hmac-auth schema', () => {
  it('fills Kong\'s defaults: 300 s of clock skew, every algorithm, no realm', () => {
    expect(compiledConfig<CompiledHmacAuth>({ name: 'hmac-auth' })).toEqual({
      hideCredentials: false,
      clockSkew: 300,
      anonymous: -1,
      validateRequestBody: false,
      enforceHeaders: [],
      algorithms: ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'],
      wwwAuthenticate: 'hmac',
    });
  });

  it('takes every field', () => {
    const c = compiledConfig<CompiledHmacAuth>(
      {
        name: 'hmac-auth',
        config: { hide_credentials: true, clock_skew: 1.5, anonymous: 'anonymous', validate_request_body: true, enforce_headers: ['date', 'date'], algorithms: ['hmac-sha512'], realm: 'api' },
      },
      { consumers: authConsumers() },
    );
    expect(c).toEqual({
      hideCredentials: true,
      clockSkew: 1.5,
      anonymous: 3,
      validateRequestBody: true,
      enforceHeaders: ['date'],
      algorithms: ['hmac-sha512'],
      wwwAuthenticate: 'hmac realm="api"',
    });
  });

  it('refuses a clock skew of 0, an unknown algorithm, an unknown anonymous consumer, unknown fields', () => {
    expect(configErrors({ name: 'hmac-auth', config: { clock_skew: 0 } })).toEqual([`${P}.config.clock_skew: must be > 0`]);
    expect(configErrors({ name: 'hmac-auth', config: { algorithms: ['hmac-md5'] } })).toEqual([
      `${P}.config.algorithms[0]: must be one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512`,
    ]);
    expect(configErrors({ name: 'hmac-auth', config: { anonymous: 'nobody' } })).toEqual([`${P}.config.anonymous: no consumer with id or username "nobody"`]);
    expect(configErrors({ name: 'hmac-auth', config: { secret: 'x' } })).toEqual([`${P}.config.secret: unknown field`]);
  });
});
