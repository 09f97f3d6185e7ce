/**
 * opentelemetry, compile side (Kong priority 14): the collector's URL and headers, the
 * resource encoded once, the queue options (with Kong's deprecated batch fields), and the
 * propagation resolved to what runs: Gatehouse speaks W3C trace context; another format
 * named in propagation or header_type is refused rather than silently not propagated.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { compileQueue, endpointParts, parseEndpoint, type QueueConfig } from '../log-config.js';
import type { QueueOptions } from '../../observe/log-queue.js';
import { opentelemetrySchema } from './schema.js';

interface OtelConfig {
  traces_endpoint: string | null;
  logs_endpoint: string | null;
  endpoint: string | null;
  headers: Record<string, string> | null;
  resource_attributes: Record<string, string> | null;
  queue: QueueConfig;
  batch_span_count: number | null;
  batch_flush_delay: number | null;
  connect_timeout: number;
  send_timeout: number;
  read_timeout: number;
  http_response_header_for_traceid: string | null;
  header_type: string;
  sampling_rate: number | null;
  propagation: { extract: string[] | null; clear: string[] | null; inject: string[] | null; default_format: string };
}

export interface CompiledOtel {
  queueName: string;
  origin: string;
  path: string;
  /** Flat `[name, value, …]`: Content-Type application/x-protobuf, then the configured ones. */
  headers: string[];
  /** Resource attributes as given (the handler adds Kong's defaults it lacks). */
  resourceAttributes: [string, string][];
  queue: QueueOptions;
  connectTimeoutMs: number;
  sendTimeoutMs: number;
  readTimeoutMs: number;
  /** Response header carrying the trace id, lower-case, or null. */
  traceIdHeader: string | null;
  /** Read `traceparent` from the request. */
  extract: boolean;
  /** Write `traceparent` upstream. */
  inject: boolean;
  /** Request headers removed after extraction (lower-case). */
  clear: string[];
  samplingRate: number;
}

/** Kong's kong.conf tracing_sampling_rate default, used when sampling_rate is null. */
const DEFAULT_SAMPLING_RATE = 0.01;

function unsupported(format: string): string {
  return `not supported: Gatehouse propagates W3C trace context only ("${format}" is not implemented)`;
}

export const definition: PluginDefinition<OtelConfig, CompiledOtel> = {
  name: 'opentelemetry',
  version: '3.9.0',
  priority: 14,
  schema: opentelemetrySchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    const endpoint = c.traces_endpoint ?? c.endpoint;
    if (endpoint === null && c.logs_endpoint === null) ctx.error('', "at least one of these fields must be non-empty: 'config.traces_endpoint', 'config.logs_endpoint'");
    if (c.logs_endpoint !== null) ctx.error('logs_endpoint', 'not supported: Gatehouse exports traces only; remove logs_endpoint (use http-log for log entries)');
    const parsed = endpoint === null ? null : parseEndpoint(endpoint);
    if (typeof parsed === 'string') ctx.error(c.traces_endpoint === null ? 'endpoint' : 'traces_endpoint', parsed);
    const url = parsed === null || typeof parsed === 'string' ? null : parsed;
    const p = c.propagation;
    (p.extract ?? []).forEach((f, i) => f !== 'w3c' && ctx.error(`propagation.extract[${i}]`, unsupported(f)));
    (p.inject ?? []).forEach((f, i) => f !== 'w3c' && f !== 'preserve' && ctx.error(`propagation.inject[${i}]`, unsupported(f)));
    if (p.default_format !== 'w3c') ctx.error('propagation.default_format', unsupported(p.default_format));
    if (!['preserve', 'ignore', 'w3c'].includes(c.header_type)) ctx.error('header_type', unsupported(c.header_type));
    const headers = ['content-type', 'application/x-protobuf'];
    for (const [name, value] of Object.entries(c.headers ?? {})) if (name.toLowerCase() !== 'content-type') headers.push(name.toLowerCase(), value);
    const queue = compileQueue(c.queue, { batchSize: { value: c.batch_span_count, oldDefault: 200 }, flushDelay: { value: c.batch_flush_delay, oldDefault: 3 } });
    const compiled = {
      ...endpointParts(url),
      headers,
      resourceAttributes: Object.entries(c.resource_attributes ?? {}),
      queue,
      connectTimeoutMs: c.connect_timeout,
      sendTimeoutMs: c.send_timeout,
      readTimeoutMs: c.read_timeout,
      traceIdHeader: c.http_response_header_for_traceid?.toLowerCase() ?? null,
      // Legacy header_type "ignore" reads nothing; propagation.extract, when given, decides.
      extract: p.extract === null ? c.header_type !== 'ignore' : p.extract.includes('w3c'),
      inject: p.inject === null ? true : p.inject.length > 0,
      clear: (p.clear ?? []).map((h) => h.toLowerCase()),
      samplingRate: c.sampling_rate ?? DEFAULT_SAMPLING_RATE,
    };
    return { queueName: `opentelemetry ${JSON.stringify(compiled)}`, ...compiled };
  },
};
