/**
 * The whole declarative document: `_format_version` plus the entity arrays, with the
 * nesting Kong's declarative format allows (routes/plugins/filter_chains under services,
 * plugins/filter_chains under routes, plugins and credentials under consumers, targets
 * under upstreams), the top-level credential collections, and the metadata keys Kong and
 * deck write (`_transform`, `_workspace`, `_comment`, `_ignore`, `_info`, `_konnect`).
 */
import { caCertificateSchema, certificateSchema, sniSchema } from './certificate.js';
import { consumerSchema, credentialCollections } from './consumer.js';
import { filterChainSchema } from './filter-chain.js';
import { pluginSchema } from './plugin.js';
import { routeSchema } from './route.js';
import { serviceSchema } from './service.js';
import { arrayOf, record } from './typedefs.js';
import { targetSchema, upstreamSchema } from './upstream.js';

type Schema = Record<string, unknown>;

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;

/** An entity schema with nothing required, for deck's `_info.defaults`. */
function optional(schema: Schema, description: string, drop: readonly string[] = []): Schema {
  const { required: _required, properties, ...rest } = schema;
  const kept = { ...(properties as Record<string, Schema>) };
  for (const field of drop) delete kept[field];
  return { ...rest, properties: kept, description };
}

/** deck's file metadata (go-database-reconciler file.Info): select_tags and entity defaults. */
function infoSchema(): Schema {
  return record('deck metadata: `select_tags` (ignored; tags never route) and `defaults` (applied to entities that lack a field).', {
    select_tags: { type: 'array', items: { type: 'string', description: 'A tag.' }, description: 'Tags deck scopes a sync to; ignored.' },
    defaults: record('Field values deck fills into every entity of a kind that does not set them.', {
      service: optional(serviceSchema({}), 'Defaults for every service.'),
      route: optional(routeSchema({}, false), 'Defaults for every route.'),
      upstream: optional(upstreamSchema(), 'Defaults for every upstream.', ['targets']),
      target: optional(targetSchema(false), 'Defaults for every target.'),
    }),
  });
}

export function documentSchema(): Schema {
  const routeChildren = {
    plugins: arrayOf('Plugins scoped to this route.', pluginSchema('route')),
    filter_chains: arrayOf('Filter chains of this route (at most one).', filterChainSchema(false)),
  };
  const nestedRoute = routeSchema(routeChildren, false);
  const service = serviceSchema({
    routes: arrayOf('Routes of this service.', nestedRoute),
    plugins: arrayOf('Plugins scoped to this service.', pluginSchema('service')),
    filter_chains: arrayOf('Filter chains of this service (at most one).', filterChainSchema(false)),
  });
  const consumer = consumerSchema({ plugins: arrayOf('Plugins scoped to this consumer.', pluginSchema('consumer')) });

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...record(
      'A Gatehouse declarative configuration (Kong declarative format).',
      {
        _format_version: { type: 'string', enum: [...FORMAT_VERSIONS], description: 'Declarative format version: "1.1", "2.1" or "3.0".' },
        _transform: { type: 'boolean', description: 'Accepted for Kong compatibility (credential hashing on import).' },
        _workspace: { type: 'string', description: 'Accepted for Kong compatibility; ignored.' },
        _comment: { type: 'string', description: 'Free-form comment; ignored.' },
        _ignore: { type: 'array', description: 'Anything (Kong declarative format); ignored.' },
        _info: infoSchema(),
        _konnect: record('deck metadata naming a Konnect control plane; ignored.', {
          runtime_group_name: { type: 'string', description: 'Konnect runtime group (older deck).' },
          control_plane_name: { type: 'string', description: 'Konnect control plane.' },
        }),
        services: arrayOf('Services.', service),
        routes: arrayOf('Top-level routes; each names its service.', routeSchema(routeChildren, true)),
        upstreams: arrayOf('Upstreams (load-balanced target sets).', upstreamSchema()),
        targets: arrayOf('Top-level targets; each names its upstream.', targetSchema(true)),
        consumers: arrayOf('Consumers.', consumer),
        ...credentialCollections(true),
        plugins: arrayOf('Top-level plugins: global, or scoped via service/route/consumer.', pluginSchema(null)),
        filter_chains: arrayOf('Top-level filter chains; each names a service or a route.', filterChainSchema(true)),
        certificates: arrayOf('TLS certificates.', certificateSchema()),
        snis: arrayOf('Top-level SNIs; each names its certificate.', sniSchema()),
        ca_certificates: arrayOf('Trusted CA certificates.', caCertificateSchema()),
      },
      ['_format_version'],
    ),
  };
}
