/** http-log's config (Kong 3.x fields and defaults, kong/plugins/http-log/schema.lua). */
import { headerMap, number, oneOf, record, text, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema, queueSchema } from '../log-config.js';

export function httpLogSchema(): Schema {
  return record(
    'http-log: sends each request\'s log entry (Kong\'s log serializer object, JSON) to an HTTP server, batched and retried off the request path.',
    {
      http_endpoint: text('URL of the log server (http or https); user info in it is sent as Basic authorization.', { minLength: 1 }),
      method: oneOf('HTTP method of the requests to the log server.', ['POST', 'PUT', 'PATCH'], 'POST'),
      content_type: oneOf('Content-Type of the requests to the log server.', ['application/json', 'application/json; charset=utf-8'], 'application/json'),
      timeout: number('Timeout in milliseconds for connecting to, sending to and reading from the log server.', { minimum: 0, default: 10000 }),
      keepalive: number('Milliseconds an idle connection to the log server stays open.', { minimum: 0, default: 60000 }),
      retry_count: { type: ['integer', 'null'], default: null, description: 'Deprecated in Kong 3.x (no effect): use queue.max_retry_time.' },
      queue_size: { type: ['integer', 'null'], default: null, description: 'Deprecated: use queue.max_batch_size (a value other than 1 still sets it, as in Kong).' },
      flush_timeout: { type: ['number', 'null'], default: null, description: 'Deprecated: use queue.max_coalescing_delay (a value other than 2 still sets it, as in Kong).' },
      headers: headerMap('Headers added to the requests to the log server (not Host, Content-Length or Content-Type).'),
      queue: queueSchema(),
      custom_fields_by_lua: luaFieldsSchema(),
    },
    ['http_endpoint'],
  );
}
