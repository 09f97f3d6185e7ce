/**
 * Kong's Route entity (traditional router fields). Normalize.ts lower-cases hosts and
 * header names, upper-cases methods, and checks that regex paths compile.
 *
 * Fields of Kong's that restrict matching in ways our router does not implement (`snis`,
 * `sources`, `destinations`, the expressions router's `expression` and `priority`) pass
 * the schema with Kong's types so that normalize-services.ts can refuse them by name when
 * set: accepting and ignoring them would route traffic a Kong operator meant to keep out.
 */
import {
  HEADER_NAME_PATTERN,
  KONG_PROTOCOLS,
  METHOD_PATTERN,
  ROUTE_HOST_PATTERN,
  ROUTE_PATH_PATTERN,
  arrayOf,
  bool,
  entity,
  integer,
  name,
  protocols,
  record,
  reference,
  tags,
  uuid,
} from './typedefs.js';

type Schema = Record<string, unknown>;

export const ROUTE_DEFAULTS = {
  protocols: ['http', 'https'],
  strip_path: true,
  preserve_host: false,
  regex_priority: 0,
  path_handling: 'v0',
  https_redirect_status_code: 426,
  request_buffering: true,
  response_buffering: true,
} as const;

export const REDIRECT_STATUS_CODES = [426, 301, 302, 307, 308] as const;

function endpoint(description: string): Schema {
  return record(description, {
    ip: { type: 'string', description: 'An IP address or CIDR range.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, description: 'A port.' },
  });
}

/** Route fields; `topLevel` adds the `service` reference (nested routes get theirs from the parent). */
export function routeSchema(nested: Record<string, Schema>, topLevel: boolean): Schema {
  const service: Record<string, Schema> = topLevel ? { service: reference('service') } : {};
  return entity('A Route: rules that match requests and send them to a service.', {
    id: uuid('Route id; derived from the name (or position) when omitted.'),
    name: name('Unique route name.'),
    ...service,
    protocols: protocols(
      'Protocols this route accepts: http and/or https (routes for Kong\'s other protocols are refused). Default `[http, https]`.',
      ROUTE_DEFAULTS.protocols,
      KONG_PROTOCOLS,
    ),
    methods: {
      type: 'array',
      items: { type: 'string', pattern: METHOD_PATTERN, description: 'An HTTP method (upper-cased on load).' },
      description: 'HTTP methods that match this route.',
    },
    hosts: {
      type: 'array',
      items: {
        type: 'string',
        pattern: ROUTE_HOST_PATTERN,
        description: 'A host (lower-cased on load); `*.example.com` and `example.*` are wildcards.',
      },
      description: 'Host header values that match this route.',
    },
    paths: {
      type: 'array',
      items: {
        type: 'string',
        pattern: ROUTE_PATH_PATTERN,
        description: 'A prefix path (`/api`) or a regex path (`~/users/\\d+$`).',
      },
      description: 'Paths that match this route.',
    },
    headers: {
      type: 'object',
      propertyNames: { pattern: HEADER_NAME_PATTERN },
      additionalProperties: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', description: 'An accepted value; `~*` starts a case-insensitive regex.' },
        description: 'Accepted values of this header.',
      },
      description: 'Header name -> accepted values; any one value matches. `host` is not allowed (use `hosts`).',
    },
    https_redirect_status_code: {
      type: 'integer',
      enum: [...REDIRECT_STATUS_CODES],
      default: ROUTE_DEFAULTS.https_redirect_status_code,
      description: 'Status returned when an http request hits an https-only route. Default 426.',
    },
    regex_priority: integer('Tie-breaker between regex routes; higher is tried first.', -(2 ** 31), 2 ** 31 - 1, ROUTE_DEFAULTS.regex_priority),
    strip_path: bool('Strip the matched path prefix before forwarding. Default true.', ROUTE_DEFAULTS.strip_path),
    path_handling: {
      type: 'string',
      enum: ['v0', 'v1'],
      default: ROUTE_DEFAULTS.path_handling,
      description: 'How the service path and the request path are joined (Kong v0 or v1). Default v0.',
    },
    preserve_host: bool('Forward the client Host header instead of the service host. Default false.', ROUTE_DEFAULTS.preserve_host),
    request_buffering: bool('Buffer the request body before forwarding. Default true.', ROUTE_DEFAULTS.request_buffering),
    response_buffering: bool('Buffer the response body before sending it. Default true.', ROUTE_DEFAULTS.response_buffering),
    snis: arrayOf('TLS server names that match this route (Kong); not supported when set.', { type: 'string', description: 'A server name.' }),
    sources: arrayOf('Client ip/port rules of stream routes (Kong); not supported when set.', endpoint('A source rule.')),
    destinations: arrayOf('Local ip/port rules of stream routes (Kong); not supported when set.', endpoint('A destination rule.')),
    expression: { type: 'string', description: 'Kong expressions-router matcher; not supported.' },
    priority: { type: 'integer', minimum: 0, description: 'Kong expressions-router priority; only 0 is accepted.' },
    tags: tags(),
    ...nested,
  });
}
