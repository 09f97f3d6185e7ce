/**
 * acl on the request path (Kong 3.x handler.lua semantics), access phase:
 *
 *   groups to check: the authenticated groups an auth plugin found (when no consumer, an
 *   anonymous one, or always_use_authenticated_groups), else the consumer's own `acls`
 *   nobody identified, or an allow list and a consumer without groups
 *     ─► 403 "You cannot consume this service" after a credential matched, else 401 "Unauthorized"
 *   allow: none of the groups listed / deny: one of them listed ─► 403 "You cannot consume this service"
 *   passed ─► X-Consumer-Groups (or X-Authenticated-Groups): the groups, ", "-joined,
 *             unless hide_groups_header
 *
 * The verdict for each consumer is worked out once per config version (create), so a
 * request costs one Map lookup. The client's own copies of the two group headers never
 * reach the upstream (Kong lets them through under hide_groups_header).
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { Consumer } from '../consumer.js';
import type { AclShared, CompiledAcl } from './definition.js';

const FORBIDDEN = { message: 'You cannot consume this service' };
const UNAUTHORIZED = { message: 'Unauthorized' };
const CONSUMER_GROUPS = 'x-consumer-groups';
const AUTHENTICATED_GROUPS = 'x-authenticated-groups';

/** Refused, or allowed with the header value to send ('' = none). */
const BLOCKED = true;
type Verdict = string | typeof BLOCKED;

type GroupTable = ReadonlyMap<Consumer, readonly string[]>;

class AclHandler implements PluginHandler {
  readonly #c: CompiledAcl;
  readonly #listed: ReadonlySet<string>;
  readonly #byConsumer = new Map<Consumer, Verdict>();
  /** A consumer without groups: allowed by a deny list, unidentified for an allow list (null). */
  readonly #noGroups: Verdict | null;

  constructor(c: CompiledAcl, groups: GroupTable) {
    this.#c = c;
    this.#listed = new Set(c.groups);
    for (const [consumer, list] of groups) if (list.length > 0) this.#byConsumer.set(consumer, this.#verdict(list));
    this.#noGroups = c.deny ? '' : null;
  }

  #verdict(groups: readonly string[]): Verdict {
    let listed = false;
    for (const g of groups) if (this.#listed.has(g)) listed = true;
    if (this.#c.deny === listed) return BLOCKED;
    return this.#c.hideGroupsHeader ? '' : groups.join(', ');
  }

  access(req: PluginRequest): void {
    const consumer = req.consumer;
    const authenticated = consumer === null || req.credentialId === null || this.#c.alwaysUseAuthenticatedGroups ? req.authenticatedGroups : null;
    let verdict: Verdict | null;
    let header = CONSUMER_GROUPS;
    if (authenticated !== null && authenticated.length > 0) {
      verdict = this.#verdict(authenticated);
      header = AUTHENTICATED_GROUPS;
    } else {
      verdict = consumer === null ? null : (this.#byConsumer.get(consumer) ?? this.#noGroups);
    }
    if (verdict === null) {
      req.exit(req.credentialId !== null ? 403 : 401, req.credentialId !== null ? FORBIDDEN : UNAUTHORIZED);
      return;
    }
    if (verdict === BLOCKED) {
      req.exit(403, FORBIDDEN);
      return;
    }
    req.removeHeader(header === CONSUMER_GROUPS ? AUTHENTICATED_GROUPS : CONSUMER_GROUPS);
    if (verdict === '') req.removeHeader(header);
    else req.setHeader(header, verdict);
  }
}

export const handler: PluginHandlerModule<CompiledAcl, GroupTable> = {
  name: 'acl',
  shared(data, env) {
    const table = new Map<Consumer, readonly string[]>();
    (data as AclShared).groups.forEach((list, i) => {
      const consumer = env.consumers[i];
      if (consumer !== undefined && list.length > 0) table.set(consumer, list);
    });
    return table;
  },
  create: (config, _env, groups) => new AclHandler(config, groups),
};
