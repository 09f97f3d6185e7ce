/**
 * Kong's Upstream entity (a named, load-balanced set of targets) with the full
 * `healthchecks` record, and the Target entity (nested or top-level with `upstream`).
 */
import { PATH_PATTERN, arrayOf, bool, entity, headerName, host, integer, path, record, reference, refusing, tags, text, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

export const UPSTREAM_DEFAULTS = {
  algorithm: 'round-robin',
  slots: 10_000,
  hash_on: 'none',
  hash_fallback: 'none',
  hash_on_cookie_path: '/',
  use_srv_name: false,
} as const;

export const TARGET_DEFAULTS = { weight: 100, port: 8000 } as const;

export const ALGORITHMS = ['round-robin', 'consistent-hashing', 'least-connections', 'latency'] as const;
export const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const;

/** Kong's healthchecks defaults (kong/db/schema/entities/upstreams.lua): every check is off. */
export const HEALTHCHECKS_DEFAULTS = {
  threshold: 0,
  active: {
    type: 'http',
    timeout: 1,
    concurrency: 10,
    http_path: '/',
    https_sni: null,
    https_verify_certificate: true,
    headers: null,
    healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
    unhealthy: {
      interval: 0,
      http_statuses: [429, 404, 500, 501, 502, 503, 504, 505],
      tcp_failures: 0,
      timeouts: 0,
      http_failures: 0,
    },
  },
  passive: {
    type: 'http',
    healthy: {
      http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308],
      successes: 0,
    },
    unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
  },
} as const;

const CHECK_TYPES = ['http', 'https', 'tcp', 'grpc', 'grpcs'];

function seconds(description: string): Schema {
  return { type: 'number', minimum: 0, maximum: 65535, description };
}
function counter(description: string): Schema {
  return integer(description, 0, 255);
}
function statuses(description: string): Schema {
  return arrayOf(description, integer('An HTTP status code.', 100, 999));
}

function healthchecksSchema(): Schema {
  const activeHealthy = record('When an unhealthy target is considered healthy again by probes.', {
    interval: seconds('Seconds between probes of healthy targets; 0 disables.'),
    http_statuses: statuses('Probe statuses counted as successes.'),
    successes: counter('Successes needed to mark a target healthy; 0 disables.'),
  });
  const activeUnhealthy = record('When a healthy target is considered unhealthy by probes.', {
    interval: seconds('Seconds between probes of unhealthy targets; 0 disables.'),
    http_statuses: statuses('Probe statuses counted as failures.'),
    tcp_failures: counter('TCP failures needed to mark a target unhealthy; 0 disables.'),
    timeouts: counter('Timeouts needed to mark a target unhealthy; 0 disables.'),
    http_failures: counter('HTTP failures needed to mark a target unhealthy; 0 disables.'),
  });
  const passiveHealthy = record('When proxied traffic marks a target healthy.', {
    http_statuses: statuses('Response statuses counted as successes.'),
    successes: counter('Successes needed to mark a target healthy; 0 disables.'),
  });
  const passiveUnhealthy = record('When proxied traffic marks a target unhealthy (circuit breaker).', {
    http_statuses: statuses('Response statuses counted as failures.'),
    tcp_failures: counter('TCP failures needed to mark a target unhealthy; 0 disables.'),
    timeouts: counter('Timeouts needed to mark a target unhealthy; 0 disables.'),
    http_failures: counter('HTTP failures needed to mark a target unhealthy; 0 disables.'),
  });
  return record('Active and passive health checks (Kong shape); omitted fields take Kong defaults.', {
    threshold: { type: 'number', minimum: 0, maximum: 100, description: 'Minimum healthy weight percentage for the upstream to be healthy.' },
    active: record('Active health checks: periodic probes.', {
      type: { type: 'string', enum: CHECK_TYPES, description: 'Probe type. Default http.' },
      timeout: seconds('Probe timeout in seconds.'),
      concurrency: integer('Targets probed concurrently.', 1, 2 ** 31 - 1),
      http_path: path('Path probed by http/https checks.'),
      https_sni: { type: ['string', 'null'], description: 'SNI sent by https probes.' },
      https_verify_certificate: bool('Verify the target certificate in https probes.'),
      headers: {
        type: ['object', 'null'],
        propertyNames: { pattern: '^[^\\s:]+$' },
        additionalProperties: { type: 'array', items: { type: 'string', description: 'A header value.' }, description: 'Values of this header.' },
        description: 'Extra headers sent with probes.',
      },
      healthy: activeHealthy,
      unhealthy: activeUnhealthy,
    }),
    passive: record('Passive health checks: outcome of proxied requests.', {
      type: { type: 'string', enum: CHECK_TYPES, description: 'Traffic type. Default http.' },
      healthy: passiveHealthy,
      unhealthy: passiveUnhealthy,
    }),
  });
}

/** Target fields; `topLevel` adds the `upstream` reference. */
export function targetSchema(topLevel: boolean): Schema {
  const upstream: Record<string, Schema> = topLevel ? { upstream: reference('upstream') } : {};
  return entity(
    'A Target: one host:port behind an upstream.',
    {
      id: uuid('Target id; derived from upstream and address when omitted.'),
      target: text('Address as host, host:port or [ipv6]:port; port defaults to 8000.'),
      weight: integer('Share of traffic relative to other targets; 0 disables the target.', 0, 65535, TARGET_DEFAULTS.weight),
      ...upstream,
      tags: tags(),
    },
    topLevel ? ['target', 'upstream'] : ['target'],
  );
}

export function upstreamSchema(): Schema {
  const hashOn = (description: string, dflt: string): Schema => ({ type: 'string', enum: [...HASH_ON], default: dflt, description });
  return entity(
    'An Upstream: a virtual hostname that services use as `host`, balanced over targets.',
    {
      id: uuid('Upstream id; derived from the name when omitted.'),
      name: host('Virtual hostname that services reference in `host`.'),
      algorithm: refusing(
        { type: 'string', enum: [...ALGORITHMS], default: UPSTREAM_DEFAULTS.algorithm, description: 'Load-balancing algorithm.' },
        { 'sticky-sessions': 'the sticky-sessions algorithm' },
      ),
      slots: integer('Slots in the consistent-hashing ring.', 10, 65536, UPSTREAM_DEFAULTS.slots),
      hash_on: hashOn('What to hash on with consistent-hashing.', UPSTREAM_DEFAULTS.hash_on),
      hash_fallback: hashOn('What to hash on when hash_on yields nothing.', UPSTREAM_DEFAULTS.hash_fallback),
      hash_on_header: headerName('Header hashed when hash_on is header.'),
      hash_fallback_header: headerName('Header hashed when hash_fallback is header.'),
      hash_on_cookie: text('Cookie hashed when hash_on or hash_fallback is cookie.'),
      hash_on_cookie_path: { type: 'string', pattern: PATH_PATTERN, default: UPSTREAM_DEFAULTS.hash_on_cookie_path, description: 'Path of the generated hash cookie.' },
      hash_on_query_arg: text('Query argument hashed when hash_on is query_arg.'),
      hash_fallback_query_arg: text('Query argument hashed when hash_fallback is query_arg.'),
      hash_on_uri_capture: text('Regex capture group hashed when hash_on is uri_capture.'),
      hash_fallback_uri_capture: text('Regex capture group hashed when hash_fallback is uri_capture.'),
      host_header: host('Host header sent to targets instead of the target host.'),
      use_srv_name: bool('Use the SRV record name as the Host header.', UPSTREAM_DEFAULTS.use_srv_name),
      sticky_sessions_cookie: text('Cookie of Kong\'s sticky-sessions algorithm; inert under the algorithms Gatehouse runs.'),
      sticky_sessions_cookie_path: path('Path of the sticky-sessions cookie; inert under the algorithms Gatehouse runs.'),
      client_certificate: {
        type: ['string', 'object'],
        properties: { id: uuid('Id of the certificate.') },
        required: ['id'],
        additionalProperties: false,
        description: 'Certificate presented to targets (Kong); not supported when set.',
      },
      healthchecks: healthchecksSchema(),
      targets: arrayOf('Targets of this upstream.', targetSchema(false)),
      tags: tags(),
    },
    ['name'],
  );
}
