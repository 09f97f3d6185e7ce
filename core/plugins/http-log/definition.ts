/**
 * http-log, compile side (Kong priority 12): the endpoint parsed once (origin, path,
 * Basic authorization from its user info), the header list and the queue options.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { compileQueue, endpointParts, parseEndpoint, refuseLuaFields, type QueueConfig } from '../log-config.js';
import type { QueueOptions } from '../../observe/log-queue.js';
import { httpLogSchema } from './schema.js';

interface HttpLogConfig {
  http_endpoint: string;
  method: string;
  content_type: string;
  timeout: number;
  keepalive: number;
  retry_count: number | null;
  queue_size: number | null;
  flush_timeout: number | null;
  headers: Record<string, string> | null;
  queue: QueueConfig;
  custom_fields_by_lua: Record<string, string> | null;
}

export interface CompiledHttpLog {
  /** Instances with the same sink and options share one queue per worker (as Kong's do). */
  queueName: string;
  /** `http(s)://host:port`. */
  origin: string;
  /** Path and query sent to. */
  path: string;
  method: string;
  /** Flat `[name, value, …]`: Content-Type, Authorization from the user info, then the configured ones. */
  headers: string[];
  timeoutMs: number;
  keepaliveMs: number;
  /** One entry per request body when 1; a JSON array of entries otherwise (Kong's rule). */
  queue: QueueOptions;
}

/** Headers Kong's schema refuses in `headers`, with its wording. */
const REFUSED_HEADERS: Readonly<Record<string, string>> = {
  host: "cannot contain 'Host' header",
  'content-length': "cannot contain 'Content-Length' header",
  'content-type': "cannot contain 'Content-Type' header",
};

export const definition: PluginDefinition<HttpLogConfig, CompiledHttpLog> = {
  name: 'http-log',
  version: '3.9.0',
  priority: 12,
  schema: httpLogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    const parsed = parseEndpoint(c.http_endpoint);
    const url = typeof parsed === 'string' ? null : parsed;
    if (typeof parsed === 'string') ctx.error('http_endpoint', parsed);
    const userinfo = url === null || url.username === '' ? null : url.password === '' ? url.username : `${url.username}:${url.password}`;
    const headers: string[] = ['content-type', c.content_type];
    if (userinfo !== null) headers.push('authorization', `Basic ${Buffer.from(userinfo).toString('base64')}`);
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      const lower = name.toLowerCase();
      const refused = REFUSED_HEADERS[lower];
      if (refused !== undefined) ctx.error(`headers.${name}`, refused);
      else if (lower === 'authorization' && userinfo !== null) ctx.error('', "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed");
      else headers.push(lower, value);
    }
    const queue = compileQueue(c.queue, { batchSize: { value: c.queue_size, oldDefault: 1 }, flushDelay: { value: c.flush_timeout, oldDefault: 2 } });
    const compiled = { ...endpointParts(url), method: c.method, headers, timeoutMs: c.timeout, keepaliveMs: c.keepalive, queue };
    return { queueName: `http-log ${JSON.stringify(compiled)}`, ...compiled };
  },
};
