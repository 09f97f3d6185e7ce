/** acl: Kong's defaults and entity checks (exactly one of allow and deny), and what Gatehouse refuses. */
import { describe, expect, it } from 'vitest';
import type { CompiledAcl } from '../../../../core/plugins/acl/definition.js';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';

const P = 'services[0].routes[0].plugins[0]';

describe('acl schema', () => {
  it('compiles an allow list or a deny list with Kong\'s defaults', () => {
    expect(compiledConfig<CompiledAcl>({ name: 'acl', config: { allow: ['admins', 'staff', 'admins'] } })).toEqual({
      deny: false,
      groups: ['admins', 'staff'],
      hideGroupsHeader: false,
      alwaysUseAuthenticatedGroups: false,
    });
    expect(compiledConfig<CompiledAcl>({ name: 'acl', config: { deny: ['guests'], allow: [], hide_groups_header: true, always_use_authenticated_groups: true } })).toEqual({
      deny: true,
      groups: ['guests'],
      hideGroupsHeader: true,
      alwaysUseAuthenticatedGroups: true,
    });
  });

  it('refuses both lists, neither list, consumer groups and a consumer scope', () => {
    expect(configErrors({ name: 'acl', config: { allow: ['a'], deny: ['b'] } })).toEqual([
      `${P}.config: only one of these fields must be non-empty: 'config.allow', 'config.deny'`,
    ]);
    expect(configErrors({ name: 'acl' })).toEqual([`${P}.config: at least one of these fields must be non-empty: 'config.allow', 'config.deny'`]);
    expect(configErrors({ name: 'acl', config: { allow: [], deny: null } })).toEqual([
      `${P}.config: at least one of these fields must be non-empty: 'config.allow', 'config.deny'`,
    ]);
    expect(configErrors({ name: 'acl', config: { allow: ['a'], include_consumer_groups: true } })).toEqual([
      `${P}.config.include_consumer_groups: consumer groups are a Kong Enterprise entity that Gatehouse does not have; use the consumers' acls groups (set false)`,
    ]);
    expect(configErrors({ name: 'acl', consumer: 'alice', config: { allow: ['a'] } }, { consumers: [{ username: 'alice' }] })).toEqual([
      `${P}.consumer: acl cannot be scoped to a consumer`,
    ]);
  });
});
