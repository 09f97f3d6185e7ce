/**
 * The whole declarative document: `_format_version` plus the entity arrays, with the
 * nesting Kong's declarative format allows (routes/plugins/filter_chains under services,
 * plugins/filter_chains under routes, plugins under consumers, targets under upstreams).
 */
import { caCertificateSchema, certificateSchema, sniSchema } from './certificate.js';
import { consumerSchema } from './consumer.js';
import { filterChainSchema } from './filter-chain.js';
import { pluginSchema } from './plugin.js';
import { routeSchema } from './route.js';
import { serviceSchema } from './service.js';
import { arrayOf, record } from './typedefs.js';
import { targetSchema, upstreamSchema } from './upstream.js';

type Schema = Record<string, unknown>;

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;

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
        services: arrayOf('Services.', service),
        routes: arrayOf('Top-level routes; each names its service.', routeSchema(routeChildren, true)),
        upstreams: arrayOf('Upstreams (load-balanced target sets).', upstreamSchema()),
        targets: arrayOf('Top-level targets; each names its upstream.', targetSchema(true)),
        consumers: arrayOf('Consumers.', consumer),
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
