/**
 * Kong's Plugin entity. Only the envelope is validated here; each plugin's own `config`
 * is validated later by the plugin registry, which knows its schema.
 *
 * `protocols` takes every protocol name Kong knows, with Kong's default: a plugin listed
 * for grpc or tcp simply never runs there (config/protocols.ts says where it runs).
 * `ordering` (dynamic plugin order) and `consumer_group` (a scope) pass the schema only
 * to be refused by name in normalize-plugins.ts: ignoring either would change which
 * plugins run, and in what order.
 */
import { KONG_PROTOCOLS, bool, entity, name, protocols, reference, tags, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

/** Kong's default: the protocols of its http subsystem (kong/db/schema/typedefs.lua protocols). */
export const PLUGIN_DEFAULTS = { enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'] } as const;

export type PluginScope = 'service' | 'route' | 'consumer';

/** Plugin fields. A nested plugin cannot name the scope its parent already implies. */
export function pluginSchema(implied: PluginScope | null): Schema {
  const scopes: Record<string, Schema> = {};
  for (const scope of ['service', 'route', 'consumer'] as const) {
    if (scope !== implied) scopes[scope] = reference(scope);
  }
  return entity(
    'A Plugin instance, global or scoped to a service, route and/or consumer.',
    {
      id: uuid('Plugin id; derived from name and scope when omitted.'),
      name: { type: 'string', minLength: 1, description: 'Plugin name, e.g. `key-auth`.' },
      instance_name: name('Unique name of this plugin instance.'),
      config: { type: 'object', default: {}, description: 'Plugin configuration, validated by the plugin schema.' },
      enabled: bool('Whether the plugin runs. Default true.', PLUGIN_DEFAULTS.enabled),
      protocols: protocols(
        'Request protocols the plugin runs on; Gatehouse serves http and https only. Default `[grpc, grpcs, http, https]`.',
        PLUGIN_DEFAULTS.protocols,
        KONG_PROTOCOLS,
      ),
      ...scopes,
      consumer_group: { ...reference('consumer group'), description: 'Consumer-group scope (Kong); not supported when set.' },
      ordering: { type: 'object', description: 'Dynamic plugin ordering (Kong); not supported when set.' },
      tags: tags(),
    },
    ['name'],
  );
}
