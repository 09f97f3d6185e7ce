import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, get } from '../../../sdk/harness/index.js';
import { buildWasm } from '../../../test/helpers/wasm-build.js';

let wasm: Uint8Array;

beforeAll(async () => {
  wasm = await buildWasm('wasm-plugins/example-headers/assembly/index.ts');
});

describe('example-headers', () => {
  it('adds the configured header to the upstream request', async () => {
    const h = createHarness(wasm, { name: 'example-headers', config: { header: 'x-hello', value: 'world' } });
    const r = await h.run(get('/hello'));
    expect(r.localResponse).toBeNull();
    expect(r.request.headers['x-hello']).toBe('world');
    expect(r.response?.status).toBe(200);
    expect(h.messages('info')).toContain('example-headers: configured header x-hello');
  });

  it('uses its defaults with an empty configuration', async () => {
    const h = createHarness(wasm, { name: 'example-headers' });
    const r = await h.run(get('/'));
    expect(r.request.headers['x-gatehouse-example']).toBe('hello');
  });

  it('rejects the denied prefix with a local 403 JSON response', async () => {
    const h = createHarness(wasm, { name: 'example-headers', config: { denied_prefix: '/private' } });
    const r = await h.run(get('/private/keys'));
    expect(r.stoppedAt).toBe('request_headers');
    expect(r.localResponse?.status).toBe(403);
    expect(JSON.parse(r.localResponse?.body ?? '')).toEqual({ message: 'Forbidden by example-headers' });
    expect(r.localResponse?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(h.metric('example_headers_denied_total')).toBe(1);
    const ok = await h.run(get('/public'));
    expect(ok.localResponse).toBeNull();
  });

  it('counts requests in shared data and in a metric, and echoes the count on the response', async () => {
    const h = createHarness(wasm, { name: 'example-headers' });
    for (let i = 1; i <= 5; i++) {
      const r = await h.run(get(`/n/${i}`));
      expect(r.response?.headers['x-request-count']).toBe(String(i));
    }
    expect(h.sharedData('example-headers:requests')).toBe('5');
    expect(h.metric('example_headers_requests_total')).toBe(5);
    expect(h.metrics.prometheus()).toContain('example_headers_requests_total 5');
  });

  it('shares the counter between two instances on one table (as two workers do)', async () => {
    const a = createHarness(wasm, { name: 'example-headers' });
    const b = createHarness(wasm, { name: 'example-headers', kv: a.kv });
    await a.run(get('/1'));
    await b.run(get('/2'));
    await a.run(get('/3'));
    expect(b.sharedData('example-headers:requests')).toBe('3');
  });

  it('refuses a configuration that is not JSON', () => {
    expect(() => createHarness(wasm, { name: 'example-headers', config: '{nope' })).toThrow(/rejected its configuration/);
  });
});
