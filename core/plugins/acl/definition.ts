/**
 * acl, compile side (Kong 3.x: priority 950, after every auth plugin). The group list of
 * each consumer is built once per config (`shared`); each instance keeps its allow or
 * deny list, and each worker decides once per consumer what the request gets.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { aclSchema } from './schema.js';

interface AclConfig {
  allow: string[] | null;
  deny: string[] | null;
  hide_groups_header: boolean;
  include_consumer_groups: boolean;
  always_use_authenticated_groups: boolean;
}

export interface CompiledAcl {
  /** A deny list (else an allow list). */
  deny: boolean;
  groups: string[];
  hideGroupsHeader: boolean;
  alwaysUseAuthenticatedGroups: boolean;
}

/** Per consumer index, its groups in config order. */
export interface AclShared {
  groups: string[][];
}

const FIELDS = "'config.allow', 'config.deny'";

export const definition: PluginDefinition<AclConfig, CompiledAcl> = {
  name: 'acl',
  version: '3.9.0',
  priority: 950,
  schema: aclSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    const allow = c.allow ?? [];
    const deny = c.deny ?? [];
    // Kong's entity checks (only_one_of, at_least_one_of): an empty list counts as unset.
    if (allow.length > 0 && deny.length > 0) ctx.error('', `only one of these fields must be non-empty: ${FIELDS}`);
    if (allow.length === 0 && deny.length === 0) ctx.error('', `at least one of these fields must be non-empty: ${FIELDS}`);
    if (c.include_consumer_groups) {
      ctx.error('include_consumer_groups', 'consumer groups are a Kong Enterprise entity that Gatehouse does not have; use the consumers\' acls groups (set false)');
    }
    const isDeny = deny.length > 0;
    return {
      deny: isDeny,
      groups: [...new Set(isDeny ? deny : allow)],
      hideGroupsHeader: c.hide_groups_header,
      alwaysUseAuthenticatedGroups: c.always_use_authenticated_groups,
    };
  },
  shared(config: NormalizedConfig): AclShared {
    return { groups: config.consumers.map((c) => (c.acls ?? []).map((a) => a.group)) };
  },
};
