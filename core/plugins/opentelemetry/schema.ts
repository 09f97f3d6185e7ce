/** opentelemetry's config (Kong 3.x fields and defaults, kong/plugins/opentelemetry/schema.lua). */
import { headerMap, integer, list, oneOf, optionalText, record, type Schema } from '../../lib/schema-kit.js';
import { HEADER_NAME_PATTERN } from '../../lib/schema-kit.js';
import { queueSchema } from '../log-config.js';

/** Kong's propagation formats (kong/observability/tracing/propagation/utils.lua FORMATS). */
export const FORMATS = ['w3c', 'b3', 'b3-single', 'jaeger', 'ot', 'aws', 'gcp', 'datadog', 'instana'] as const;
export const HEADER_TYPES = ['preserve', 'ignore', 'b3', 'b3-single', 'w3c', 'jaeger', 'ot', 'aws', 'gcp', 'datadog'] as const;

function timeout(description: string, def: number): Schema {
  return integer(description, 0, 2 ** 31 - 2, def);
}

function nullableInteger(description: string): Schema {
  return { type: ['integer', 'null'], default: null, description };
}

export function opentelemetrySchema(): Schema {
  return record('opentelemetry: a span per request (and one for its upstream call) exported to an OTLP/HTTP collector (protobuf), with W3C trace context extracted from the client and injected upstream.', {
    traces_endpoint: optionalText('OTLP/HTTP traces URL of the collector (e.g. http://otel:4318/v1/traces).'),
    logs_endpoint: optionalText('Kong: OTLP/HTTP logs URL. Not supported by Gatehouse (refused when set).'),
    endpoint: optionalText('Deprecated in Kong 3.x: use traces_endpoint (same meaning).'),
    headers: headerMap('Headers added to the requests to the collector (authentication tokens).'),
    resource_attributes: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string', minLength: 1 },
      default: null,
      description: 'Attributes of the OpenTelemetry resource; service.name (default "kong"), service.version and service.instance.id are added unless given here.',
    },
    queue: queueSchema(200),
    batch_span_count: nullableInteger('Deprecated: use queue.max_batch_size (a value other than 200 still sets it, as in Kong).'),
    batch_flush_delay: nullableInteger('Deprecated: use queue.max_coalescing_delay (a value other than 3 still sets it, as in Kong).'),
    connect_timeout: timeout('Milliseconds to connect to the collector.', 1000),
    send_timeout: timeout('Milliseconds to send a batch to the collector.', 5000),
    read_timeout: timeout('Milliseconds to wait for the collector\'s answer.', 5000),
    http_response_header_for_traceid: optionalText('When set, the response carries the trace id in this header.'),
    header_type: oneOf('Deprecated: use propagation. Which tracing header is expected on requests.', HEADER_TYPES, 'preserve'),
    sampling_rate: { type: ['number', 'null'], minimum: 0, maximum: 1, default: null, description: 'Probability that a request without a sampled parent is traced (0..1). null: Kong\'s tracing_sampling_rate default, 0.01.' },
    propagation: {
      ...record('Which trace context headers are read from requests and written upstream.', {
        extract: { ...list('Formats read from the request, first found wins; [] reads none.', { type: 'string', enum: FORMATS.filter((f) => f !== 'b3-single') }), type: ['array', 'null'], default: null },
        clear: { ...list('Header names removed from the request after extraction.', { type: 'string', pattern: HEADER_NAME_PATTERN }), type: ['array', 'null'], default: null },
        inject: { ...list('Formats written upstream ("preserve": the format the request came with, else default_format); [] writes none.', { type: 'string', enum: ['preserve', ...FORMATS] }), type: ['array', 'null'], default: null },
        default_format: oneOf('Format injected with "preserve" when the request carried none.', FORMATS, 'w3c'),
      }),
      default: {},
    },
  });
}
