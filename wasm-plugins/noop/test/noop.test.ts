import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, get, response } from '../../../sdk/harness/index.js';
import { buildWasm } from '../../../test/helpers/wasm-build.js';

let wasm: Uint8Array;

beforeAll(async () => {
  wasm = await buildWasm('wasm-plugins/noop/assembly/index.ts');
});

describe('noop', () => {
  it('changes nothing by default: request and response go through as they are', async () => {
    const h = createHarness(wasm, { name: 'noop' });
    const r = await h.run({ ...get('/x', { 'x-bench-a': '1', 'user-agent': 'ua' }), response: response(201, 'body', { 'x-up': 'u' }) });
    expect(r.localResponse).toBeNull();
    expect(r.fault).toBeNull();
    expect(r.request.headers['x-bench-seen']).toBeUndefined();
    expect(r.request.headers['x-bench-a']).toBe('1');
    expect(r.response?.status).toBe(201);
    expect(r.response?.headers['x-up']).toBe('u');
    expect(r.response?.body).toBe('body');
  });

  it('with touch_headers reads two request headers and sets two', async () => {
    const h = createHarness(wasm, { name: 'noop', config: { touch_headers: true } });
    const r = await h.run(get('/x', { 'x-bench-a': 'alpha', 'user-agent': 'bench/1' }));
    expect(r.request.headers['x-bench-seen']).toBe('alpha');
    expect(r.request.headers['x-bench-agent']).toBe('bench/1');
    const bare = await h.run(get('/y'));
    expect(bare.request.headers['x-bench-seen']).toBe('none');
    expect(bare.request.headers['x-bench-agent']).toBe('none');
  });

  it('with work spends that many loop iterations and reports their FNV-1a hash', async () => {
    const work = 100_000;
    let hash = 2166136261;
    for (let i = 0; i < work; i++) hash = Math.imul(hash ^ (i & 0xff), 16777619) >>> 0;
    const h = createHarness(wasm, { name: 'noop', config: { work } });
    const r = await h.run(get('/x'));
    expect(r.fault).toBeNull();
    expect(r.request.headers['x-bench-work']).toBe(hash.toString(16));
    // A budget too small for the loop ends it as a fuel fault, not a hang.
    const starved = createHarness(wasm, { name: 'noop', config: { work }, limits: { fuelPerCallback: 10_000 } });
    expect((await starved.run(get('/x'))).fault?.kind).toBe('fuel');
  });

  it('refuses a negative work', () => {
    expect(() => createHarness(wasm, { name: 'noop', config: { work: -1 } })).toThrow(/rejected its configuration/);
  });

  it('refuses a configuration that is not JSON', () => {
    expect(() => createHarness(wasm, { name: 'noop', config: 'not json' })).toThrow(/rejected its configuration/);
  });
});
