/**
 * Conformance: every proxy-wasm host function, driven from a hand-written WAT guest, with
 * its success result and its error statuses. Statuses come back through the guest's
 * `$rec`/`$flush` channel (see fixtures/wasm/wat-guest.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status as S } from '../../../core/wasm/abi/constants.js';
import { encodePairs } from '../../../core/wasm/abi/pairs.js';
import { DEFAULT_WASM_LIMITS } from '../../../core/wasm/limits.js';
import { createHarness, get, post, response, type Harness } from '../../../sdk/harness/index.js';
import { RET_CAS, RET_LEN, RET_PTR, RET_U64, rec, statuses, watGuest, type WatGuestOptions } from '../../fixtures/wasm/wat-guest.js';

const OOB = 0x7ffffff0;
const pairs = (p: [string, string][]): Uint8Array => encodePairs(p, DEFAULT_WASM_LIMITS) as Uint8Array;

/** Run one request through a guest whose request-headers callback is `body`; return the statuses it recorded. */
async function probe(body: string, options: Omit<WatGuestOptions, 'onRequestHeaders'> = {}, init = get('/probe?x=1', { 'x-in': 'v' })): Promise<{ s: number[]; h: Harness; logs: string[] }> {
  const h = createHarness(watGuest({ ...options, onRequestHeaders: `${body} (call $flush) (i32.const 0)` }), { name: 'probe' });
  await h.run(init);
  const logs = h.messages('info');
  return { s: statuses(logs.at(-1) ?? ''), h, logs };
}

describe('proxy_log / proxy_get_log_level', () => {
  it('logs at a level; bad level -> BadArgument; bad memory -> InvalidMemoryAccess', async () => {
    const { s, h } = await probe(
      [rec('proxy_log', 3, 0x400, 5), rec('proxy_log', 9, 0x400, 5), rec('proxy_log', 2, OOB, 100), rec('proxy_get_log_level', RET_PTR), rec('proxy_get_log_level', OOB)].join(' '),
      { data: { 0x400: 'hello' } },
    );
    expect(s).toEqual([S.Ok, S.BadArgument, S.InvalidMemoryAccess, S.Ok, S.InvalidMemoryAccess]);
    expect(h.messages('warn')).toContain('hello');
  });

  it('truncates a message longer than the cap', async () => {
    const h = createHarness(watGuest({ onRequestHeaders: '(drop (call $proxy_log (i32.const 2) (i32.const 0x1000) (i32.const 8000))) (i32.const 0)' }), { limits: { maxLogMessageBytes: 100 } });
    await h.run(get('/'));
    expect(h.messages('info')[0]?.length).toBe(100);
  });
});

describe('proxy_get_current_time_nanoseconds', () => {
  it('writes now as u64 nanoseconds; bad pointer -> InvalidMemoryAccess', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    // The guest stores the 8 bytes in shared data so the test can read them exactly.
    const { s, h } = await probe(
      `${rec('proxy_get_current_time_nanoseconds', RET_U64)} ${rec('proxy_get_current_time_nanoseconds', OOB)}
       (drop (call $proxy_set_shared_data (i32.const 0x400) (i32.const 1) (i32.const ${RET_U64}) (i32.const 8) (i32.const 0)))`,
      { data: { 0x400: 't' } },
    );
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(s).toEqual([S.Ok, S.InvalidMemoryAccess]);
    const value = h.kv.get('t')?.value;
    const ns = new DataView((value as Uint8Array).buffer).getBigUint64(0, true);
    expect(ns >= before && ns <= after).toBe(true);
  });
});

describe('header maps', () => {
  it('get value: found, missing -> NotFound, bad map -> BadArgument, bad key pointer -> InvalidMemoryAccess', async () => {
    const { s, logs } = await probe(
      [
        rec('proxy_get_header_map_value', 0, 0x400, 4, RET_PTR, RET_LEN), '(call $log_ret)',
        rec('proxy_get_header_map_value', 0, 0x410, 7, RET_PTR, RET_LEN),
        rec('proxy_get_header_map_value', 99, 0x400, 4, RET_PTR, RET_LEN),
        rec('proxy_get_header_map_value', 0, OOB, 100, RET_PTR, RET_LEN),
        rec('proxy_get_header_map_value', 2, 0x400, 4, RET_PTR, RET_LEN),
        rec('proxy_get_header_map_value', 0, 0x420, 5, RET_PTR, RET_LEN), '(call $log_ret)',
      ].join(' '),
      { data: { 0x400: 'x-in', 0x410: 'missing', 0x420: ':path' } },
    );
    // Response headers do not exist yet during the request phase: NotFound.
    expect(s).toEqual([S.Ok, S.NotFound, S.BadArgument, S.InvalidMemoryAccess, S.NotFound, S.Ok]);
    expect(logs.slice(0, 2)).toEqual(['v', '/probe?x=1']);
  });

  it('add / replace / remove change the forwarded request; bad pointers -> InvalidMemoryAccess', async () => {
    const h = createHarness(
      watGuest({
        data: { 0x400: 'x-new', 0x410: 'a', 0x420: 'b', 0x430: 'x-in', 0x440: 'x-gone' },
        onRequestHeaders: [
          rec('proxy_add_header_map_value', 0, 0x400, 5, 0x410, 1),
          rec('proxy_add_header_map_value', 0, 0x400, 5, 0x420, 1),
          rec('proxy_replace_header_map_value', 0, 0x430, 4, 0x420, 1),
          rec('proxy_remove_header_map_value', 0, 0x440, 6),
          rec('proxy_add_header_map_value', 0, OOB, 64, 0x410, 1),
          rec('proxy_replace_header_map_value', 0, 0x430, 4, OOB, 64),
          rec('proxy_remove_header_map_value', 0, OOB, 64),
          rec('proxy_remove_header_map_value', 42, 0x440, 6),
          '(call $flush) (i32.const 0)',
        ].join(' '),
      }),
    );
    const r = await h.run(get('/', { 'x-in': 'old', 'x-gone': 'bye' }));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([0, 0, 0, 0, 6, 6, 6, 2]);
    expect(r.request.headers['x-new']).toEqual(['a', 'b']);
    expect(r.request.headers['x-in']).toBe('b');
    expect(r.request.headers['x-gone']).toBeUndefined();
  });

  it('get/set pairs and size: the spec layout both ways; malformed pairs -> BadArgument', async () => {
    const good = pairs([[':method', 'GET'], [':path', '/rewritten'], ['x-only', '1']]);
    const bad = Uint8Array.from([5, 0, 0, 0, 1, 0, 0, 0]);
    const h = createHarness(
      watGuest({
        data: { 0x1000: good, 0x1800: bad },
        onRequestHeaders: [
          rec('proxy_get_header_map_size', 0, RET_PTR),
          rec('proxy_get_header_map_pairs', 0, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_set_header_map_pairs', 0, 0x1800, bad.length),
          rec('proxy_set_header_map_pairs', 0, OOB, 64),
          rec('proxy_set_header_map_pairs', 0, 0x1000, good.length),
          rec('proxy_get_header_map_size', 0, OOB),
          '(call $flush) (i32.const 0)',
        ].join(' '),
      }),
    );
    const r = await h.run(get('/p', { 'x-a': '1' }));
    const [dump, result] = h.messages('info');
    expect(statuses(result ?? '')).toEqual([0, 0, 2, 6, 0, 6]);
    const bytes = Buffer.from(dump ?? '', 'utf8');
    expect(bytes.readUInt32LE(0)).toBe(5); // :method :path :authority :scheme x-a
    expect(r.request.headers).toEqual({ ':method': 'GET', ':path': '/rewritten', 'x-only': '1' });
  });
});

describe('buffers', () => {
  it('plugin/vm configuration are readable, read-only; unknown type -> BadArgument; absent -> NotFound', async () => {
    const h = createHarness(
      watGuest({
        data: { 0x400: 'zz' },
        onConfigure: [
          rec('proxy_get_buffer_bytes', 7, 0, 100, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_buffer_bytes', 7, 2, 3, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_buffer_status', 6, RET_PTR, RET_LEN),
          rec('proxy_set_buffer_bytes', 7, 0, 1, 0x400, 2),
          rec('proxy_get_buffer_bytes', 99, 0, 1, RET_PTR, RET_LEN),
          rec('proxy_get_buffer_bytes', 4, 0, 1, RET_PTR, RET_LEN),
          rec('proxy_get_buffer_bytes', 7, 0, 100, OOB, RET_LEN),
          '(call $flush) (i32.const 1)',
        ].join(' '),
      }),
      { config: 'abcdef', vmConfig: 'vm' },
    );
    expect(h.messages('info').slice(0, 2)).toEqual(['abcdef', 'cde']);
    expect(statuses(h.messages('info')[2] ?? '')).toEqual([S.Ok, S.Ok, S.Ok, S.BadArgument, S.BadArgument, S.NotFound, S.InvalidMemoryAccess]);
  });

  it('request body: read in on_request_body, replaced with set_buffer_bytes, Pause buffers until end of stream', async () => {
    const h = createHarness(
      watGuest({
        data: { 0x400: '[', 0x410: ']' },
        onRequestBody: `
          (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
          ${rec('proxy_get_buffer_bytes', 0, 0, 1000, RET_PTR, RET_LEN)} (call $log_ret)
          ${rec('proxy_set_buffer_bytes', 0, 0, 0, 0x400, 1)}
          ${rec('proxy_set_buffer_bytes', 0, 1000, 0, 0x410, 1)}
          ${rec('proxy_set_buffer_bytes', 0, 0, 0, OOB, 16)}
          (call $flush) (i32.const 0)`,
      }),
    );
    const req = h.request(post('/b', 'x'));
    await req.requestHeaders(false);
    req.requestBody('hello ', false);
    expect(req.stream.takeRequestBody().byteLength).toBe(0); // paused: nothing released yet
    req.requestBody('world', true);
    expect(Buffer.from(req.stream.takeRequestBody()).toString()).toBe('[hello world]');
    expect(h.messages('info')).toEqual(['hello world', '0006']);
  });

  it('a body over the buffer cap is answered 413', async () => {
    const h = createHarness(watGuest({ onRequestBody: '(i32.const 1)' }), { limits: { maxBodyBufferBytes: 10 } });
    const r = await h.run(post('/', 'x'.repeat(11)));
    expect(r.localResponse?.status).toBe(413);
  });
});

describe('properties', () => {
  it('request, source, plugin and route properties; unknown -> NotFound; set then get; read-only -> BadArgument', async () => {
    const path = (p: string): string => `${p}\u0000`;
    const h = createHarness(
      watGuest({
        data: {
          0x400: 'request\u0000path', 0x420: 'request.method', 0x440: 'plugin_root_id', 0x460: 'plugin_name',
          0x480: 'source.address', 0x4a0: 'route_name', 0x4c0: 'nope.nothing', 0x4e0: 'my.flag', 0x500: 'on',
          0x520: 'request.path', 0x540: path('request.id'),
        },
        onRequestHeaders: [
          rec('proxy_get_property', 0x400, 12, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x420, 14, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x440, 14, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x460, 11, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x480, 14, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x4a0, 10, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_get_property', 0x4c0, 12, RET_PTR, RET_LEN),
          rec('proxy_set_property', 0x4e0, 7, 0x500, 2),
          rec('proxy_get_property', 0x4e0, 7, RET_PTR, RET_LEN), '(call $log_ret)',
          rec('proxy_set_property', 0x520, 12, 0x500, 2),
          rec('proxy_get_property', OOB, 12, RET_PTR, RET_LEN),
          '(call $flush) (i32.const 0)',
        ].join(' '),
      }),
      { name: 'props' },
    );
    await h.run({ method: 'PUT', path: '/p', routeName: 'r1', sourceAddress: '10.0.0.9' });
    expect(h.messages('info').slice(0, 7)).toEqual(['/p', 'PUT', 'props', 'props', '10.0.0.9', 'r1', 'on']);
    expect(statuses(h.messages('info')[7] ?? '')).toEqual([0, 0, 0, 0, 0, 0, S.NotFound, 0, 0, S.BadArgument, S.InvalidMemoryAccess]);
  });
});

describe('proxy_send_local_response', () => {
  it('answers from the filter; bad status -> BadArgument; bad body pointer -> InvalidMemoryAccess', async () => {
    const hdrs = pairs([['x-why', 'because']]);
    const h = createHarness(
      watGuest({
        data: { 0x400: 'denied', 0x410: 'detail', 0x1000: hdrs },
        onRequestHeaders: [
          rec('proxy_send_local_response', 42, 0, 0, 0x400, 6, 0, 0, -1),
          rec('proxy_send_local_response', 403, 0, 0, OOB, 64, 0, 0, -1),
          rec('proxy_send_local_response', 403, 0x410, 6, 0x400, 6, 0x1000, hdrs.length, -1),
          '(call $flush) (i32.const 0)',
        ].join(' '),
      }),
    );
    const r = await h.run(get('/'));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([2, 6, 0]);
    expect(r.localResponse).toMatchObject({ status: 403, body: 'denied', details: 'detail', headers: { 'x-why': 'because' } });
    expect(r.stoppedAt).toBe('request_headers');
  });
});

describe('shared data', () => {
  it('set, get with cas, stale cas -> CasMismatch, missing -> NotFound, oversized -> BadArgument, bad memory -> InvalidMemoryAccess', async () => {
    const { s, h, logs } = await probe(
      [
        rec('proxy_get_shared_data', 0x400, 3, RET_PTR, RET_LEN, RET_CAS),
        rec('proxy_set_shared_data', 0x400, 3, 0x410, 2, 0),
        rec('proxy_get_shared_data', 0x400, 3, RET_PTR, RET_LEN, RET_CAS), '(call $log_ret)',
        // set with the cas just read: Ok; again with the same (now stale) cas: CasMismatch
        `(call $rec (call $proxy_set_shared_data (i32.const 0x400) (i32.const 3) (i32.const 0x420) (i32.const 2) (i32.load (i32.const ${RET_CAS}))))`,
        `(call $rec (call $proxy_set_shared_data (i32.const 0x400) (i32.const 3) (i32.const 0x410) (i32.const 2) (i32.load (i32.const ${RET_CAS}))))`,
        rec('proxy_set_shared_data', 0x400, 3, 0x1000, 5000, 0),
        rec('proxy_get_shared_data', OOB, 3, RET_PTR, RET_LEN, RET_CAS),
        rec('proxy_get_shared_data', 0x400, 3, RET_PTR, RET_LEN, OOB),
      ].join(' '),
      { data: { 0x400: 'key', 0x410: 'v1', 0x420: 'v2' } },
    );
    expect(s).toEqual([S.NotFound, S.Ok, S.Ok, S.Ok, S.CasMismatch, S.BadArgument, S.InvalidMemoryAccess, S.InvalidMemoryAccess]);
    expect(logs[0]).toBe('v1');
    expect(h.sharedData('key')).toBe('v2');
  });
});

describe('metrics', () => {
  it('define, increment, record, get; bad type / negative counter / unknown id are refused', async () => {
    const { s, h } = await probe(
      [
        rec('proxy_define_metric', 0, 0x400, 5, RET_PTR),
        rec('proxy_define_metric', 1, 0x410, 5, RET_PTR + 4),
        rec('proxy_define_metric', 2, 0x420, 5, RET_PTR + 8),
        rec('proxy_define_metric', 9, 0x400, 5, RET_PTR + 12),
        `(call $rec (call $proxy_increment_metric (i32.load (i32.const ${RET_PTR})) (i64.const 3)))`,
        `(call $rec (call $proxy_increment_metric (i32.load (i32.const ${RET_PTR})) (i64.const -1)))`,
        `(call $rec (call $proxy_record_metric (i32.load (i32.const ${RET_PTR + 4})) (i64.const 42)))`,
        `(call $rec (call $proxy_record_metric (i32.load (i32.const ${RET_PTR + 8})) (i64.const 7)))`,
        `(call $rec (call $proxy_get_metric (i32.load (i32.const ${RET_PTR})) (i32.const ${RET_U64})))`,
        `(call $rec (call $proxy_increment_metric (i32.const 999) (i64.const 1)))`,
        rec('proxy_get_metric', 999, RET_U64),
        rec('proxy_define_metric', 0, OOB, 5, RET_PTR),
      ].join(' '),
      { data: { 0x400: 'c_one', 0x410: 'g_two', 0x420: 'h_thr' } },
    );
    expect(s).toEqual([0, 0, 0, 2, 0, 2, 0, 0, 0, 1, 1, 6]);
    expect(h.metric('c_one')).toBe(3);
    expect(h.metric('g_two')).toBe(42);
    expect(h.metric('h_thr')).toBe(1);
  });
});

describe('streams and contexts', () => {
  it('continue_stream: bad stream type -> BadArgument; set_effective_context: unknown -> BadArgument; unimplemented calls say so', async () => {
    const { s } = await probe(
      [
        rec('proxy_continue_stream', 7),
        rec('proxy_continue_stream', 0),
        rec('proxy_set_effective_context', 12345),
        rec('proxy_close_stream', 0),
        rec('proxy_register_shared_queue', 0x400, 1, RET_PTR),
        rec('proxy_call_foreign_function', 0x400, 1, 0, 0, RET_PTR, RET_LEN),
        rec('proxy_done'),
      ].join(' '),
    );
    expect(s).toEqual([S.BadArgument, S.Ok, S.BadArgument, S.Unimplemented, S.Unimplemented, S.Unimplemented, S.Ok]);
  });

  it('ABI 0.2.0 modules are accepted and use proxy_continue_request', async () => {
    const h = createHarness(
      watGuest({
        abiExport: 'proxy_abi_version_0_2_0',
        allocatorName: 'proxy_on_memory_allocate',
        onRequestHeaders: `${rec('proxy_continue_request')} (call $flush) (i32.const 0)`,
      }),
    );
    const r = await h.run(get('/'));
    expect(statuses(h.messages('info')[0] ?? '')).toEqual([0]);
    expect(r.localResponse).toBeNull();
  });
});

describe('ticks', () => {
  it('proxy_set_tick_period_milliseconds drives proxy_on_tick on the root context', async () => {
    const h = createHarness(
      watGuest({
        data: { 0x400: 'tick' },
        onConfigure: `${rec('proxy_set_tick_period_milliseconds', 10)} (call $flush) (i32.const 1)`,
        onTick: '(drop (call $proxy_log (i32.const 2) (i32.const 0x400) (i32.const 4)))',
      }),
    );
    for (let i = 0; i < 200 && h.messages('info').filter((m) => m === 'tick').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(h.messages('info')[0]).toBe('0');
    expect(h.messages('info').filter((m) => m === 'tick').length).toBeGreaterThanOrEqual(2);
    h.close();
  });
});

describe('proxy_http_call', () => {
  let server: Server;
  let upstream: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('x-upstream', 'yes');
      res.end(`called ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    upstream = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('dispatches through undici, delivers the response to the calling context, which resumes the paused request', async () => {
    const hdrs = pairs([[':method', 'GET'], [':path', '/auth?u=1'], [':authority', 'auth.local']]);
    const noPath = pairs([[':method', 'GET'], [':authority', 'x']]);
    const up = new TextEncoder().encode(upstream);
    const h = createHarness(
      watGuest({
        data: { 0x400: up, 0x500: 'x-upstream', 0x1000: hdrs, 0x1800: noPath, 0x1900: 'no such host!' },
        onRequestHeaders: `
          ${rec('proxy_http_call', 0x1900, 13, 0x1000, hdrs.length, 0, 0, 0, 0, 1000, RET_PTR)}
          ${rec('proxy_http_call', 0x400, up.length, 0x1800, noPath.length, 0, 0, 0, 0, 1000, RET_PTR)}
          ${rec('proxy_http_call', 0x400, up.length, 0x1000, hdrs.length, 0, 0, 0, 0, 1000, RET_PTR)}
          (call $flush) (i32.const 1)`,
        onHttpCallResponse: `
          ${rec('proxy_get_buffer_bytes', 4, 0, 1000, RET_PTR, RET_LEN)} (call $log_ret)
          ${rec('proxy_get_header_map_value', 6, 0x500, 10, RET_PTR, RET_LEN)} (call $log_ret)
          ${rec('proxy_continue_stream', 0)}
          (call $flush)`,
      }),
      { limits: { pauseTimeoutMs: 5000 } },
    );
    const r = await h.run(get('/'));
    expect(h.messages('info')).toEqual(['220', 'called GET /auth?u=1', 'yes', '000']);
    expect(r.localResponse).toBeNull();
    expect(r.stoppedAt).toBe('completed');
  });
});

describe('WASI subset', () => {
  it('fd_write goes to the log; random_get fills memory; bad pointers -> EFAULT; proc_exit ends the call as a fault', async () => {
    const imports = `
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_unstable" "random_get" (func $random_get (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))`;
    const h = createHarness(
      watGuest({
        imports,
        data: { 0x400: 'to stdout\n', 0x480: Uint8Array.from([0x00, 0x04, 0, 0, 10, 0, 0, 0]) },
        onRequestHeaders: `
          (call $rec (call $fd_write (i32.const 1) (i32.const 0x480) (i32.const 1) (i32.const 0x490)))
          (call $rec (call $fd_write (i32.const 9) (i32.const 0x480) (i32.const 1) (i32.const 0x490)))
          (call $rec (call $random_get (i32.const 0x4a0) (i32.const 16)))
          (call $rec (call $random_get (i32.const ${OOB}) (i32.const 64)))
          (call $flush)
          (call $proc_exit (i32.const 3))
          (i32.const 0)`,
      }),
    );
    const r = await h.run(get('/'));
    expect(h.messages('info')[0]).toBe('to stdout');
    // fd_write Ok, bad fd EBADF (8), random_get Ok, out of bounds EFAULT (21)
    expect(statuses(h.messages('info')[1] ?? '')).toEqual([0, 8, 0, 21]);
    expect(r.fault?.kind).toBe('abort');
    expect(r.fault?.message).toContain('proc_exit(3)');
  });
});

describe('response phase', () => {
  it('response headers are visible and writable in on_response_headers', async () => {
    const h = createHarness(
      watGuest({
        data: { 0x400: ':status', 0x410: 'x-added', 0x420: 'yes' },
        onResponseHeaders: `
          ${rec('proxy_get_header_map_value', 2, 0x400, 7, RET_PTR, RET_LEN)} (call $log_ret)
          ${rec('proxy_add_header_map_value', 2, 0x410, 7, 0x420, 3)}
          (call $flush) (i32.const 0)`,
      }),
    );
    const r = await h.run({ path: '/', response: response(201, 'body') });
    expect(h.messages('info')).toEqual(['201', '00']);
    expect(r.response).toMatchObject({ status: 201, body: 'body', headers: { 'x-added': 'yes' } });
  });
});
