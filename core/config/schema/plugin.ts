/**
 * Kong's Plugin entity. Only the envelope is validated here; each plugin's own `config`
 * is validated later by the plugin registry, which knows its schema.
 */
import { PROTOCOLS, bool, name, protocols, record, reference, tags, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

export const PLUGIN_DEFAULTS = { enabled: true, protocols: [...PROTOCOLS] } as const;

export type PluginScope = 'service' | 'route' | 'consumer';

/** Plugin fields. A nested plugin cannot name the scope its parent already implies. */
export function pluginSchema(implied: PluginScope | null): Schema {
  const scopes: Record<string, Schema> = {};
  for (const scope of ['service', 'route', 'consumer'] as const) {
    if (scope !== implied) scopes[scope] = reference(scope);
  }
  return record(
    'A Plugin instance, global or scoped to a service, route and/or consumer.',
    {
      id: uuid('Plugin id; derived from name and scope when omitted.'),
      name: { type: 'string', minLength: 1, description: 'Plugin name, e.g. `key-auth`.' },
      instance_name: name('Unique name of this plugin instance.'),
      config: { type: 'object', default: {}, description: 'Plugin configuration, validated by the plugin schema.' },
      enabled: bool('Whether the plugin runs. Default true.', PLUGIN_DEFAULTS.enabled),
      protocols: protocols('Request protocols the plugin runs on. Default `[http, https]`.', PLUGIN_DEFAULTS.protocols),
      ...scopes,
      tags: tags(),
    },
    ['name'],
  );
}
