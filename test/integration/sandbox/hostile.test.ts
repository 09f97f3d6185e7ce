/**
 * Hostile guests through the real host (harness, no server): each must end in the filter's
 * on_error outcome, be counted as a fault, and leave the host and other filters working.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, get, type Harness } from '../../../sdk/harness/index.js';
import { ModuleCheckError } from '../../../core/wasm/prepare/imports-check.js';
import * as hostile from '../../fixtures/wasm/hostile.js';
import { statuses, watGuest } from '../../fixtures/wasm/wat-guest.js';
import { buildWasm } from '../../helpers/wasm-build.js';

const FAIL_CLOSED = { message: 'An unexpected error occurred' };

let healthy: Harness;

beforeAll(async () => {
  const wasm = await buildWasm('wasm-plugins/example-headers/assembly/index.ts');
  healthy = createHarness(wasm, { name: 'example-headers' });
});

/** A healthy filter in the same process still serves after each hostile case. */
async function healthyStillServes(): Promise<void> {
  const r = await healthy.run(get('/ok'));
  expect(r.localResponse).toBeNull();
  expect(r.request.headers['x-gatehouse-example']).toBe('hello');
}

describe('infinite loop in a header callback', () => {
  it('runs out of fuel: fail_closed answers 500 JSON and the fault is counted as fuel', async () => {
    const h = createHarness(hostile.infiniteLoop(), { name: 'looper', limits: { fuelPerCallback: 100_000 } });
    const r = await h.run(get('/'));
    expect(r.stoppedAt).toBe('request_headers');
    expect(r.localResponse?.status).toBe(500);
    expect(JSON.parse(r.localResponse?.body ?? '')).toEqual(FAIL_CLOSED);
    expect(r.fault?.kind).toBe('fuel');
    expect(h.faults('fuel')).toBe(1);
    expect(h.metrics.prometheus()).toContain('gatehouse_wasm_faults_total{filter="looper",kind="fuel"} 1');
    expect(h.messages('error').some((m) => m.includes('fuel exhausted'))).toBe(true);
    await healthyStillServes();
  });

  it('fail_open lets the request through unchanged', async () => {
    const h = createHarness(hostile.infiniteLoop(), { name: 'looper', onError: 'fail_open', limits: { fuelPerCallback: 100_000 } });
    const r = await h.run(get('/through', { 'x-a': '1' }));
    expect(r.localResponse).toBeNull();
    expect(r.stoppedAt).toBe('completed');
    expect(r.request.headers['x-a']).toBe('1');
    expect(r.response?.status).toBe(200);
    expect(h.faults('fuel')).toBe(1);
  });

  it('unbounded recursion is stopped too (fuel or stack), without harming the host', async () => {
    const h = createHarness(hostile.deepRecursion(), { name: 'recurse' });
    const r = await h.run(get('/'));
    expect(r.localResponse?.status).toBe(500);
    expect(['fuel', 'trap']).toContain(r.fault?.kind);
    expect(h.faults()).toBe(1);
    await healthyStillServes();
  });
});

describe('unbounded memory growth', () => {
  it('stops at the configured cap, then the trap is a counted fault', async () => {
    const h = createHarness(hostile.memoryGrowth(), { name: 'grower', limits: { memoryPages: 40 } });
    const r = await h.run(get('/'));
    expect(h.messages('info')).toContain('pages=40');
    expect(r.localResponse?.status).toBe(500);
    expect(r.fault?.kind).toBe('trap');
    expect(h.faults('trap')).toBe(1);
  });

  it('an AssemblyScript guest allocating without bound hits the default 16 MiB cap', async () => {
    const h = createHarness(await buildWasm('test/fixtures/wasm/assembly/grow.ts'), { name: 'as-grower' });
    const r = await h.run(get('/'));
    expect(r.localResponse?.status).toBe(500);
    expect(r.fault).not.toBeNull();
    expect(h.faults()).toBe(1);
    // Logged every 1 MiB: never more than the cap's 16 MiB.
    const last = h.messages('info').filter((m) => m.startsWith('allocated ')).pop();
    expect(Number(last?.split(' ')[1])).toBeLessThan(16);
    await healthyStillServes();
  });
});

describe('a trap', () => {
  it('ends the call, discards the instance and re-creates it for the next request', async () => {
    const h = createHarness(hostile.statefulTrapOnPath(), { name: 'trapper' });
    expect(statuses((await h.run(get('/a')), h.messages('info').at(-1) ?? ''))).toEqual([1]);
    expect(statuses((await h.run(get('/b')), h.messages('info').at(-1) ?? ''))).toEqual([2]);
    expect(h.instance.generation).toBe(1);
    const bad = await h.run(get('/trap'));
    expect(bad.localResponse?.status).toBe(500);
    expect(bad.fault?.kind).toBe('trap');
    expect(h.instance.live).toBe(false);
    const next = await h.run(get('/c'));
    expect(next.localResponse).toBeNull();
    expect(h.instance.generation).toBe(2);
    // The guest's counter restarted: a fresh instance, not the poisoned one.
    expect(statuses(h.messages('info').at(-1) ?? '')).toEqual([1]);
    expect(h.faults('trap')).toBe(1);
  });

  it('repeated faults open the circuit: the guest is skipped and requests get on_error', async () => {
    const h = createHarness(hostile.trap(), { name: 'storm', limits: { circuitFaults: 3, circuitCooldownMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await h.run(get('/'))).fault?.kind).toBe('trap');
    expect(h.instance.circuitOpen).toBe(true);
    const generation = h.instance.generation;
    const r = await h.run(get('/'));
    expect(r.localResponse?.status).toBe(500);
    expect(r.fault?.kind).toBe('circuit_open');
    expect(h.instance.generation).toBe(generation);
    expect(h.faults('trap')).toBe(3);
    expect(h.faults('circuit_open')).toBe(1);
    expect(h.messages('error').some((m) => m.includes('circuit opened'))).toBe(true);
  });

  it('a guest abort (AssemblyScript abort) is a fault of kind abort', async () => {
    const h = createHarness(await buildWasm('test/fixtures/wasm/assembly/abort.ts'), { name: 'aborter' });
    const r = await h.run(get('/'));
    expect(r.localResponse?.status).toBe(500);
    expect(r.fault?.kind).toBe('abort');
    expect(r.fault?.message).toContain('deliberate failure');
  });
});

describe('out-of-bounds pointers in host calls', () => {
  it('every bad pointer or length gets InvalidMemoryAccess (6); the host is unharmed', async () => {
    const h = createHarness(hostile.badPointers(), { name: 'oob' });
    const r = await h.run(get('/'));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
    expect(r.fault).toBeNull();
    expect(r.localResponse).toBeNull();
    expect(r.request.headers['x-key']).toBeUndefined();
    expect(h.faults()).toBe(0);
    await healthyStillServes();
  });
});

describe('a forbidden import', () => {
  it('is refused at load with an error naming the import', () => {
    expect(() => createHarness(hostile.forbiddenImport())).toThrow(ModuleCheckError);
    expect(() => createHarness(hostile.forbiddenImport())).toThrow(/forbidden import "env\.system"/);
    expect(() => createHarness(hostile.forbiddenWasi())).toThrow(/"wasi_snapshot_preview1\.path_open"/);
  });
});

describe('a huge header value', () => {
  it('is refused with BadArgument (2) for a header and for a local response map; the request goes on', async () => {
    const h = createHarness(hostile.hugeHeader(200_000), { name: 'huge' });
    const r = await h.run(get('/'));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([2, 2]);
    expect(r.request.headers['x-huge']).toBeUndefined();
    expect(r.localResponse).toBeNull();
    expect(h.faults()).toBe(0);
  });

  it('a client header too large to serialise gives ResultMismatch (9) to get_header_map_pairs', async () => {
    const h = createHarness(
      watGuest({ onRequestHeaders: '(call $rec (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0x200) (i32.const 0x204))) (call $flush) (i32.const 0)' }),
      { limits: { maxHeaderMapBytes: 1024 } },
    );
    await h.run(get('/', { 'x-big': 'b'.repeat(2000) }));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([9]);
  });
});

describe('a Pause that never continues', () => {
  it('is ended by the pause timeout with the on_error outcome and a timeout fault', async () => {
    const h = createHarness(hostile.pauseForever(), { name: 'sleeper', limits: { pauseTimeoutMs: 50 } });
    const r = await h.run(get('/'));
    expect(r.localResponse?.status).toBe(500);
    expect(r.fault?.kind).toBe('timeout');
    expect(h.faults('timeout')).toBe(1);
    // A timeout is the stream's fault, not the instance's: the VM is kept.
    expect(h.instance.live).toBe(true);
    await healthyStillServes();
  });

  it('fail_open continues the request after the timeout', async () => {
    const h = createHarness(hostile.pauseForever(), { name: 'sleeper', onError: 'fail_open', limits: { pauseTimeoutMs: 20 } });
    const r = await h.run(get('/'));
    expect(r.localResponse).toBeNull();
    expect(r.stoppedAt).toBe('completed');
    expect(h.faults('timeout')).toBe(1);
  });
});
