/** basic-auth: Kong's defaults, its config errors, and the credential table built once with Kong's hashes. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../core/config/validate.js';
import { definition, type BasicAuthShared, type CompiledBasicAuth } from '../../../../core/plugins/basic-auth/definition.js';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import { ALICE, ALICE_BASIC, ANONYMOUS, authConsumers } from '../auth-fixtures.js';

const P = 'services[0].routes[0].plugins[0]';

describe('basic-auth schema', () => {
  it('defaults: no anonymous, credentials kept, realm "service"', () => {
    expect(compiledConfig<CompiledBasicAuth>({ name: 'basic-auth' })).toEqual({
      hideCredentials: false,
      anonymous: -1,
      wwwAuthenticate: 'Basic realm="service"',
    });
  });

  it('resolves anonymous by username or id and takes a realm', () => {
    const extra = { consumers: authConsumers() };
    const byName = compiledConfig<CompiledBasicAuth>({ name: 'basic-auth', config: { anonymous: 'anonymous', realm: 'gatehouse', hide_credentials: true } }, extra);
    expect(byName).toEqual({ hideCredentials: true, anonymous: 3, wwwAuthenticate: 'Basic realm="gatehouse"' });
    expect(compiledConfig<CompiledBasicAuth>({ name: 'basic-auth', config: { anonymous: ANONYMOUS.id } }, extra).anonymous).toBe(3);
  });

  it('refuses an unknown anonymous consumer, unknown fields, wrong types and a consumer scope', () => {
    expect(configErrors({ name: 'basic-auth', config: { anonymous: 'nobody' } })).toEqual([`${P}.config.anonymous: no consumer with id or username "nobody"`]);
    // Kong's basic-auth has no run_on_preflight (key-auth and jwt do).
    expect(configErrors({ name: 'basic-auth', config: { run_on_preflight: false } })).toEqual([`${P}.config.run_on_preflight: unknown field`]);
    expect(configErrors({ name: 'basic-auth', config: { hide_credentials: 'yes' } })).toEqual([`${P}.config.hide_credentials: must be boolean`]);
    expect(configErrors({ name: 'basic-auth', consumer: 'alice' }, { consumers: [{ username: 'alice' }] })).toEqual([
      `${P}.consumer: basic-auth cannot be scoped to a consumer`,
    ]);
  });

  it('hashes every password once, as Kong stores it: sha1(password .. consumer id)', () => {
    const stage1 = validateConfig({ _format_version: '3.0', consumers: authConsumers() });
    if (!stage1.ok) throw new Error(JSON.stringify(stage1.errors));
    const shared = definition.shared?.(stage1.config, []) as BasicAuthShared;
    const alice = shared.credentials.find((c) => c.username === 'alice');
    expect(alice).toEqual({
      id: ALICE_BASIC.id,
      username: 'alice',
      consumer: 0,
      hash: createHash('sha1').update(`${ALICE_BASIC.password}${ALICE.id}`).digest('hex'),
    });
    expect(JSON.stringify(shared)).not.toContain(ALICE_BASIC.password);
  });
});
