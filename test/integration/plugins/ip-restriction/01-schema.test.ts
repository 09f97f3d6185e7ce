/** ip-restriction: Kong's entity check, the ip_or_cidr wording, status and message. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledIpRestriction } from '../../../../core/plugins/ip-restriction/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('ip-restriction schema', () => {
  it('keeps the lists; status 403 and Kong\'s own message when unset', () => {
    const c = compiledConfig<CompiledIpRestriction>({ name: 'ip-restriction', config: { allow: ['10.0.0.0/8', '2001:db8::/32'] } });
    expect(c).toEqual({ allow: ['10.0.0.0/8', '2001:db8::/32'], deny: [], status: 403, body: null });
  });

  it('serialises a configured message once, with its status', () => {
    const c = compiledConfig<CompiledIpRestriction>({ name: 'ip-restriction', config: { deny: ['192.0.2.1'], status: 451, message: 'Go away' } });
    expect(c.status).toBe(451);
    expect(JSON.parse(c.body as string)).toEqual({ message: 'Go away' });
  });

  it('needs allow or deny, non-empty (Kong\'s at_least_one_of)', () => {
    const msg = `${P}.config: at least one of these fields must be non-empty: 'config.allow', 'config.deny'`;
    expect(configErrors({ name: 'ip-restriction' })).toEqual([msg]);
    expect(configErrors({ name: 'ip-restriction', config: { allow: [], deny: null } })).toEqual([msg]);
  });

  it('refuses what is not an address or range, with Kong\'s wording and the entry\'s path', () => {
    expect(configErrors({ name: 'ip-restriction', config: { allow: ['10.0.0.1', '10.0.0.256', '10.0.0.0/33'], deny: ['2001:db8::/129', 'example.com'] } })).toEqual([
      `${P}.config.allow[1]: invalid ip or cidr range: '10.0.0.256'`,
      `${P}.config.allow[2]: invalid ip or cidr range: '10.0.0.0/33'`,
      `${P}.config.deny[0]: invalid ip or cidr range: '2001:db8::/129'`,
      `${P}.config.deny[1]: invalid ip or cidr range: 'example.com'`,
    ]);
  });

  it('refuses a status kong.response.error would not send, and wrong types', () => {
    expect(configErrors({ name: 'ip-restriction', config: { allow: ['10.0.0.1'], status: 302 } })).toEqual([`${P}.config.status: must be an integer between 400 and 599`]);
    expect(configErrors({ name: 'ip-restriction', config: { allow: ['10.0.0.1'], status: 403.5 } })).toEqual([`${P}.config.status: must be an integer between 400 and 599`]);
    expect(configErrors({ name: 'ip-restriction', config: { allow: '10.0.0.1' } })).toEqual([`${P}.config.allow: must be array or null`]);
    expect(configErrors({ name: 'ip-restriction', config: { whitelist: ['10.0.0.1'] } })).toContain(`${P}.config.whitelist: unknown field`);
  });
});
