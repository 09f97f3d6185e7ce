/**
 * What plugins run here: `GET /plugins/enabled` (Kong's `{"enabled_plugins": [...]}`) and
 * `GET /schemas/plugins/{name}` (Kong's field list, derived from the plugin's JSON Schema,
 * with the JSON Schema itself, priority and version). A name Gatehouse does not run is
 * 404 with Kong's wording.
 */
import { DEFINITIONS, availablePlugins } from '../../plugins/definitions.js';
import type { JsonSchema } from '../../plugins/definition.js';
import type { RouteDef } from '../dispatch.js';
import { plainError } from '../errors.js';

type KongField = Record<string, unknown>;

/** One JSON Schema node as a Kong schema field definition (type, default, one_of, between, …). */
function kongField(schema: JsonSchema): KongField {
  const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string | undefined];
  const type = types.find((t) => t !== 'null');
  const out: KongField = {};
  switch (type) {
    case 'object':
      out['type'] = 'record';
      out['fields'] = Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>).map(([name, s]) => {
        const f = kongField(s);
        if (((schema['required'] ?? []) as string[]).includes(name)) f['required'] = true;
        return { [name]: f };
      });
      break;
    case 'array':
      out['type'] = 'array';
      out['elements'] = kongField((schema['items'] ?? {}) as JsonSchema);
      break;
    default:
      out['type'] = type ?? 'any';
  }
  if (schema['enum'] !== undefined) out['one_of'] = schema['enum'];
  if (typeof schema['minimum'] === 'number' && typeof schema['maximum'] === 'number') out['between'] = [schema['minimum'], schema['maximum']];
  if (schema['default'] !== undefined) out['default'] = schema['default'];
  if (typeof schema['description'] === 'string') out['description'] = schema['description'];
  if (types.includes('null')) out['required'] = false;
  return out;
}

export function pluginSchemaRoutes(): RouteDef[] {
  return [
    {
      pattern: '/plugins/enabled',
      methods: { GET: () => ({ status: 200, body: { enabled_plugins: availablePlugins() } }) },
    },
    {
      pattern: '/schemas/plugins/:name',
      methods: {
        GET: (req) => {
          const name = req.params['name'] ?? '';
          const def = DEFINITIONS.get(name);
          if (def === undefined) throw plainError(404, `No plugin named '${name}'`);
          return {
            status: 200,
            body: {
              name,
              version: def.version,
              priority: def.priority,
              fields: [
                { consumer: def.scopes.consumer ? { type: 'foreign', reference: 'consumers' } : { type: 'foreign', reference: 'consumers', eq: null, description: `${name} cannot be scoped to a consumer` } },
                { protocols: { type: 'set', elements: { type: 'string' }, default: ['grpc', 'grpcs', 'http', 'https'] } },
                { config: kongField(def.schema) },
              ],
              json_schema: def.schema,
            },
          };
        },
      },
    },
  ];
}
