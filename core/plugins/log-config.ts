/**
 * Config pieces Kong's log plugins share (compile side): the `queue` record
 * (kong/tools/queue_schema.lua, Kong 3.3+ with 3.6's concurrency_limit), the legacy
 * fields it replaced, and `custom_fields_by_lua`, which Gatehouse refuses: it cannot run
 * Lua, and a field silently ignored would send entries without the fields the operator
 * expects. Kong 3.x has no Lua-free way to add fields to a log entry, so there is nothing
 * to translate it to; an empty map or null is accepted (deck exports write them).
 */
import type { QueueOptions } from '../observe/log-queue.js';
import type { PluginCompileContext } from './definition.js';
import { integer, number, oneOfNumbers, record, type Schema } from '../lib/schema-kit.js';

export interface QueueConfig {
  max_batch_size: number;
  max_coalescing_delay: number;
  max_entries: number;
  max_bytes: number | null;
  max_retry_time: number;
  initial_retry_delay: number;
  max_retry_delay: number;
  concurrency_limit: number;
}

/** Kong's `typedefs.queue`; `maxBatchSize` is the plugin's default (opentelemetry: 200). */
export function queueSchema(maxBatchSize = 1): Schema {
  return {
    ...record('How entries are batched and sent off the request path (Kong\'s plugin queue).', {
      max_batch_size: integer('Maximum number of entries sent in one batch.', 1, 1_000_000, maxBatchSize),
      max_coalescing_delay: number('Maximum seconds after the first entry of a batch before the batch is sent (no effect when max_batch_size is 1).', { minimum: 0, maximum: 3600, default: 1 }),
      max_entries: integer('Maximum number of entries waiting on the queue; past it the oldest are dropped (and counted).', 1, 1_000_000, 10_000),
      max_bytes: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Maximum bytes of entries waiting on the queue; past it the oldest are dropped (and counted). null: no limit.' },
      max_retry_time: number('Seconds a failed batch is retried before it is dropped (and counted); -1: never retried.', { default: 60 }),
      initial_retry_delay: number('Seconds before the first retry of a failed batch; each further retry doubles it.', { minimum: 0.001, maximum: 1_000_000, default: 0.01 }),
      max_retry_delay: number('Maximum seconds between two retries.', { minimum: 0.001, maximum: 1_000_000, default: 60 }),
      concurrency_limit: oneOfNumbers('Batches in flight at once: 1, or -1 for no limit.', [-1, 1], 1),
    }),
    default: {},
  };
}

/** Kong's `typedefs.lua_code` under `custom_fields_by_lua`: accepted only empty (see above). */
export function luaFieldsSchema(): Schema {
  return {
    type: ['object', 'null'],
    additionalProperties: { type: 'string' },
    default: null,
    description: 'Kong: Lua expressions whose values are added to the log entry. Gatehouse cannot run Lua: only null or {} is accepted.',
  };
}

/** Refuses a non-empty custom_fields_by_lua with a clear reason. */
export function refuseLuaFields(value: Record<string, string> | null, ctx: PluginCompileContext): void {
  if (value === null || Object.keys(value).length === 0) return;
  ctx.error('custom_fields_by_lua', 'not supported: Gatehouse cannot run Lua code; remove custom_fields_by_lua (fields can be added by a plugin, e.g. a WASM filter, through the log serializer)');
}

/** Kong's deprecated per-plugin fields that override the queue's (Queue.get_params). */
export interface LegacyQueueFields {
  /** http-log `queue_size`, opentelemetry `batch_span_count` (Kong ignores their old defaults 1 / 200). */
  batchSize?: { value: number | null; oldDefault: number };
  /** http-log `flush_timeout`, opentelemetry `batch_flush_delay`, in seconds (old defaults 2 / 3). */
  flushDelay?: { value: number | null; oldDefault: number };
}

function legacy(field: { value: number | null; oldDefault: number } | undefined): number | null {
  if (field === undefined || field.value === null || field.value === field.oldDefault) return null;
  return field.value;
}

/** The queue's options in the units the queue uses (ms), legacy fields applied as Kong does. */
export function compileQueue(q: QueueConfig, old: LegacyQueueFields = {}): QueueOptions {
  const batch = legacy(old.batchSize);
  const delay = legacy(old.flushDelay);
  return {
    maxBatchSize: batch ?? q.max_batch_size,
    maxCoalescingDelayMs: Math.round((delay ?? q.max_coalescing_delay) * 1000),
    maxEntries: q.max_entries,
    maxBytes: q.max_bytes ?? 0,
    maxRetryTimeMs: q.max_retry_time < 0 ? -1 : Math.round(q.max_retry_time * 1000),
    initialRetryDelayMs: Math.max(1, Math.round(q.initial_retry_delay * 1000)),
    maxRetryDelayMs: Math.max(1, Math.round(q.max_retry_delay * 1000)),
    concurrencyLimit: q.concurrency_limit,
  };
}

/** An exporter's URL parsed (http or https with a host), or the error message. */
export function parseEndpoint(endpoint: string): URL | string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.hostname === '') return 'missing host in url';
  return url;
}

/** `origin` (scheme://host:port, the default port filled in) and `path` (path and query) of an endpoint; empty for none. */
export function endpointParts(url: URL | null): { origin: string; path: string } {
  if (url === null) return { origin: '', path: '/' };
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return { origin: `${url.protocol}//${url.hostname}:${port}`, path: `${url.pathname}${url.search}` };
}
