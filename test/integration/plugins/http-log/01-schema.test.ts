/** http-log: Kong's defaults, the endpoint parsed once, and every config error with its path. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledHttpLog } from '../../../../core/plugins/http-log/definition.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('http-log schema', () => {
  it("fills Kong's defaults: POST, application/json, 10 s timeout, 60 s keepalive, the queue's defaults", () => {
    const c = compiledConfig<CompiledHttpLog>({ name: 'http-log', config: { http_endpoint: 'http://logs.example:8080/in?t=1' } });
    expect(c.origin).toBe('http://logs.example:8080');
    expect(c.path).toBe('/in?t=1');
    expect(c.method).toBe('POST');
    expect(c.headers).toEqual(['content-type', 'application/json']);
    expect([c.timeoutMs, c.keepaliveMs]).toEqual([10000, 60000]);
    expect(c.queue).toEqual({ maxBatchSize: 1, maxCoalescingDelayMs: 1000, maxEntries: 10000, maxBytes: 0, maxRetryTimeMs: 60000, initialRetryDelayMs: 10, maxRetryDelayMs: 60000, concurrencyLimit: 1 });
  });

  it('sends user info as Basic authorization, then the configured headers; default ports filled in', () => {
    const c = compiledConfig<CompiledHttpLog>({ name: 'http-log', config: { http_endpoint: 'https://bob:s3cret@logs.example/path', headers: { 'X-Token': 'abc' }, content_type: 'application/json; charset=utf-8' } });
    expect(c.origin).toBe('https://logs.example:443');
    expect(c.headers).toEqual(['content-type', 'application/json; charset=utf-8', 'authorization', `Basic ${Buffer.from('bob:s3cret').toString('base64')}`, 'x-token', 'abc']);
  });

  it("applies Kong's deprecated queue_size and flush_timeout unless they hold their old defaults", () => {
    const legacy = compiledConfig<CompiledHttpLog>({ name: 'http-log', config: { http_endpoint: 'http://l/', queue_size: 20, flush_timeout: 5 } });
    expect([legacy.queue.maxBatchSize, legacy.queue.maxCoalescingDelayMs]).toEqual([20, 5000]);
    const oldDefaults = compiledConfig<CompiledHttpLog>({ name: 'http-log', config: { http_endpoint: 'http://l/', queue_size: 1, flush_timeout: 2, queue: { max_batch_size: 7 } } });
    expect([oldDefaults.queue.maxBatchSize, oldDefaults.queue.maxCoalescingDelayMs]).toEqual([7, 1000]);
  });

  it('refuses what Kong refuses, with its wording', () => {
    const errors = (config: Record<string, unknown>): string[] => configErrors({ name: 'http-log', config });
    expect(errors({})).toEqual([`${P}.http_endpoint: required field missing`]);
    expect(errors({ http_endpoint: 'ftp://x/' })).toEqual([`${P}.http_endpoint: must be an http or https URL`]);
    expect(errors({ http_endpoint: 'not a url' })).toEqual([`${P}.http_endpoint: must be a valid URL`]);
    expect(errors({ http_endpoint: 'http://l/', headers: { Host: 'x' } })).toEqual([`${P}.headers.Host: cannot contain 'Host' header`]);
    expect(errors({ http_endpoint: 'http://l/', headers: { 'Content-Type': 'x' } })).toEqual([`${P}.headers.Content-Type: cannot contain 'Content-Type' header`]);
    expect(errors({ http_endpoint: 'http://u:p@l/', headers: { Authorization: 'x' } })).toEqual([`${P}: specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed`]);
    expect(errors({ http_endpoint: 'http://l/', method: 'GET' })[0]).toBe(`${P}.method: must be one of: POST, PUT, PATCH`);
    expect(errors({ http_endpoint: 'http://l/', queue: { concurrency_limit: 2 } })[0]).toBe(`${P}.queue.concurrency_limit: must be one of: -1, 1`);
    expect(errors({ http_endpoint: 'http://l/', queue: { max_batch_size: 0 } })[0]).toContain(`${P}.queue.max_batch_size`);
    expect(errors({ http_endpoint: 'http://l/', unknown: 1 })).toEqual([`${P}.unknown: unknown field`]);
  });

  it('refuses custom_fields_by_lua (Lua cannot run here) but accepts it empty or null', () => {
    expect(configErrors({ name: 'http-log', config: { http_endpoint: 'http://l/', custom_fields_by_lua: { x: 'return 1' } } })).toEqual([
      `${P}.custom_fields_by_lua: not supported: Gatehouse cannot run Lua code; remove custom_fields_by_lua (fields can be added by a plugin, e.g. a WASM filter, through the log serializer)`,
    ]);
    expect(compiledConfig({ name: 'http-log', config: { http_endpoint: 'http://l/', custom_fields_by_lua: {} } })).toBeDefined();
    expect(compiledConfig({ name: 'http-log', config: { http_endpoint: 'http://l/', custom_fields_by_lua: null } })).toBeDefined();
  });
});
