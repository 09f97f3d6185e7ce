import { describe, expect, it } from 'vitest';
import { parseWrkOutput, parseWrkSize, parseWrkTime } from '../../../bench/drivers/wrk-parse.js';
import { luaString, wrkScript } from '../../../bench/drivers/wrk-script.js';

// Captured from wrk 4.1.0 against the echo upstream (/status/500), with our done() hook.
const WITH_HOOK = `Running 1s test @ http://127.0.0.1:19002/status/500
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    77.47us   91.68us   2.16ms   98.39%
    Req/Sec   133.48k     3.43k  136.45k    90.00%
  Latency Distribution
     50%   79.00us
     75%   85.00us
     90%   96.00us
     99%  248.00us
  132274 requests in 1.00s, 19.93MB read
  Non-2xx or 3xx responses: 132274
Requests/sec: 132230.76
Transfer/sec:     19.92MB
GH_LATENCY 50 79.000000
GH_LATENCY 90 96.000000
GH_LATENCY 99 248.000000
GH_LATENCY 99.9 1553.000000
GH_LATENCY max 2159.000000
`;

const PLAIN = `Running 10s test @ http://127.0.0.1:8000/hello
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms    3.10ms   1.20s    95.00%
    Req/Sec    30.00k     2.00k   33.00k    70.00%
  Latency Distribution
     50%    1.10ms
     75%    1.40ms
     90%    2.00ms
     99%   12.50ms
  300000 requests in 10.01s, 40.50KB read
  Socket errors: connect 2, read 3, write 0, timeout 5
Requests/sec:  29970.03
Transfer/sec:      4.05KB
`;

describe('wrk output parsing', () => {
  it('reads totals, non-2xx and the exact percentiles of the done() hook', () => {
    const s = parseWrkOutput(WITH_HOOK);
    expect(s.requests).toBe(132274);
    expect(s.durationS).toBeCloseTo(1.0);
    expect(s.rps).toBeCloseTo(132230.76);
    expect(s.bytesPerSec).toBeCloseTo(19.92 * 1024 * 1024);
    expect(s.non2xx).toBe(132274);
    expect(s.errors).toBe(0);
    expect(s.latency).toEqual({ p50: 79, p90: 96, p99: 248, p999: 1553, max: 2159 });
    expect(s.histogram).toBeNull();
  });

  it('falls back to the --latency table and the thread-stats max, with units converted to µs', () => {
    const s = parseWrkOutput(PLAIN);
    expect(s.errors).toBe(10);
    expect(s.non2xx).toBe(0);
    expect(s.durationS).toBeCloseTo(10.01);
    expect(s.bytesPerSec).toBeCloseTo(4.05 * 1024);
    expect(s.latency.p50).toBeCloseTo(1100);
    expect(s.latency.p99).toBeCloseTo(12_500);
    expect(s.latency.max).toBeCloseTo(1_200_000);
    expect(Number.isNaN(s.latency.p999)).toBe(true);
  });

  it('rejects output without a summary', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/requests/);
  });

  it('converts wrk time and size units', () => {
    expect(parseWrkTime('250.00us')).toBe(250);
    expect(parseWrkTime('2.5s')).toBe(2_500_000);
    expect(parseWrkTime('1.00m')).toBe(60_000_000);
    expect(parseWrkSize('1.50GB')).toBe(1.5 * 1024 ** 3);
    expect(parseWrkSize('12B')).toBe(12);
    expect(() => parseWrkTime('fast')).toThrow();
  });
});

describe('wrk lua script', () => {
  it('escapes quotes, backslashes and non-ASCII bytes as Lua decimal escapes', () => {
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(luaString('é\n')).toBe('"\\195\\169\\010"');
  });

  it('sets method, headers and body and prints the percentiles we parse', () => {
    const lua = wrkScript({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(lua).toContain('wrk.method = "POST"');
    expect(lua).toContain('wrk.headers["content-type"] = "application/json"');
    expect(lua).toContain('wrk.body = "{\\"a\\":1}"');
    expect(lua).toContain('GH_LATENCY');
    expect(wrkScript({ method: 'GET', headers: {}, body: null })).not.toContain('wrk.body');
  });
});
