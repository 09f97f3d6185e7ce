import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../core/config/settings.js';
import { adminBindProblem, isLoopback, tokenCheck } from '../../../core/admin/auth.js';

function settings(flags: Record<string, string>, env: Record<string, string | undefined>) {
  const r = resolveSettings(flags, env);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.settings;
}

describe('admin settings', () => {
  it('reads the admin token from GATEHOUSE_ADMIN_TOKEN only', () => {
    expect(settings({}, {}).adminToken).toBeNull();
    expect(settings({}, { GATEHOUSE_ADMIN_TOKEN: 's3cret' }).adminToken).toBe('s3cret');
    expect(settings({}, { GATEHOUSE_ADMIN_TOKEN: '' }).adminToken).toBeNull();
    // No flag: a token on the command line would show in `ps`.
    expect(settings({ 'admin-token': 'x' }, {}).adminToken).toBeNull();
  });

  it('reads the persist file from --persist-config, then GATEHOUSE_PERSIST_CONFIG', () => {
    expect(settings({}, {}).persistConfig).toBeNull();
    expect(settings({}, { GATEHOUSE_PERSIST_CONFIG: '/env.yaml' }).persistConfig).toBe('/env.yaml');
    expect(settings({ 'persist-config': '/flag.yaml' }, { GATEHOUSE_PERSIST_CONFIG: '/env.yaml' }).persistConfig).toBe('/flag.yaml');
  });
});

describe('admin bind and token checks', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(h)).toBe(false);
  });

  it('refuses a non-loopback bind without a token', () => {
    expect(adminBindProblem('127.0.0.1', null)).toBeNull();
    expect(adminBindProblem('0.0.0.0', 'tok')).toBeNull();
    expect(adminBindProblem('0.0.0.0', null)).toMatch(/refusing to bind the admin API to non-loopback address 0\.0\.0\.0.*GATEHOUSE_ADMIN_TOKEN/);
    expect(adminBindProblem('0.0.0.0', '')).not.toBeNull();
  });

  it('accepts the token in Kong-Admin-Token or Authorization: Bearer', () => {
    expect(tokenCheck(null)).toBeNull();
    const check = tokenCheck('s3cret');
    if (check === null) throw new Error('expected a check');
    expect(check({ 'kong-admin-token': 's3cret' })).toBe(true);
    expect(check({ authorization: 'Bearer s3cret' })).toBe(true);
    expect(check({ authorization: 'bearer   s3cret' })).toBe(true);
    expect(check({ 'kong-admin-token': 'wrong' })).toBe(false);
    expect(check({ authorization: 'Basic s3cret' })).toBe(false);
    expect(check({ authorization: 'Bearer s3cre' })).toBe(false);
    expect(check({})).toBe(false);
  });
});
