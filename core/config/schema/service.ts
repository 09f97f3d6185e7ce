/**
 * Kong's Service entity. `url` is shorthand for protocol + host + port + path; when both
 * are written the url wins, as in Kong (normalize-services.ts, which also picks port 443
 * for https). Kong's other service protocols are refused as not supported.
 */
import { UUID_PATTERN, bool, entity, protocol, refusing, host, integer, name, path, port, tags, text, timeout, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

const UNSERVED_SERVICE_PROTOCOLS: Readonly<Record<string, string>> = Object.fromEntries(
  ['grpc', 'grpcs', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'].map((p) => [p, `${p} services (Gatehouse proxies to http and https only)`]),
);

export const SERVICE_DEFAULTS = {
  protocol: 'http',
  httpPort: 80,
  httpsPort: 443,
  retries: 5,
  connect_timeout: 60_000,
  write_timeout: 60_000,
  read_timeout: 60_000,
  enabled: true,
} as const;

/** Service fields; `nested` carries the `routes`/`plugins`/`filter_chains` children schemas. */
export function serviceSchema(nested: Record<string, Schema>): Schema {
  return entity('A Service: one upstream API that routes forward to.', {
    id: uuid('Service id; derived from the name when omitted.'),
    name: name('Unique service name.'),
    url: text('Shorthand for protocol, host, port and path, e.g. `http://api.internal:8080/v1`.'),
    protocol: refusing(protocol('Protocol used to talk to the upstream: http or https. Default `http`.'), UNSERVED_SERVICE_PROTOCOLS),
    host: host('Upstream host: a hostname, an IP, or the name of an Upstream entity.'),
    port: port('Upstream port. Default 80, or 443 when protocol is https.'),
    path: path('Path prefix prepended to upstream requests.'),
    retries: integer('How many times to retry on connection failure.', 0, 32767, SERVICE_DEFAULTS.retries),
    connect_timeout: timeout('Connect timeout in milliseconds.', SERVICE_DEFAULTS.connect_timeout),
    write_timeout: timeout('Timeout between two successive writes to the upstream, in milliseconds.', SERVICE_DEFAULTS.write_timeout),
    read_timeout: timeout('Timeout between two successive reads from the upstream, in milliseconds.', SERVICE_DEFAULTS.read_timeout),
    enabled: bool('Whether routes to this service are served; a disabled service answers 404.', SERVICE_DEFAULTS.enabled),
    tls_verify: { type: ['boolean', 'null'], description: 'Verify the upstream TLS certificate (null = process default).' },
    tls_verify_depth: { type: ['integer', 'null'], minimum: 0, maximum: 64, description: 'Maximum certificate chain depth when verifying (null = default).' },
    ca_certificates: {
      type: ['array', 'null'],
      items: uuid('Id of a CA certificate.'),
      description: 'Ids of CA certificates used to verify the upstream certificate.',
    },
    client_certificate: {
      type: ['string', 'object'],
      pattern: UUID_PATTERN,
      properties: { id: uuid('Id of the certificate.') },
      required: ['id'],
      additionalProperties: false,
      description: 'Certificate presented to the upstream for mutual TLS: its id, or `{ id }`.',
    },
    tags: tags(),
    ...nested,
  });
}
