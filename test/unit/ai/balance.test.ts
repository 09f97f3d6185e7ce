import { describe, expect, it } from 'vitest';
import { AiBalancer, parseRetryAfter } from '../../../core/ai/balance.js';
import type { Outcome } from '../../../core/ai/balance.js';

const ok = (totalMs: number, completion = 10): Outcome => ({ kind: 'success', ttftMs: totalMs / 2, totalMs, usage: { prompt: 5, completion, total: 5 + completion, estimated: false }, cost: 0.01 });

function counts(b: AiBalancer, n: number, now = 0): number[] {
  const c = new Array<number>(b.size).fill(0);
  for (let i = 0; i < n; i++) c[b.pick(now)]! += 1;
  return c;
}

describe('AiBalancer', () => {
  it('round-robin follows weights exactly over a cycle and spreads evenly', () => {
    const b = new AiBalancer([70, 25, 5]);
    expect(counts(b, 100)).toEqual([70, 25, 5]);
    const even = new AiBalancer([1, 1]);
    expect([even.pick(0), even.pick(0), even.pick(0), even.pick(0)]).toEqual([0, 1, 0, 1]);
  });

  it('priority: the highest-weight group first, the next group when it is unavailable', () => {
    const b = new AiBalancer([10, 10, 1], { algorithm: 'priority', max_fails: 1, fail_timeout: 1000, failover_criteria: ['error', 'http_500'] });
    expect(counts(b, 4)).toEqual([2, 2, 0]);
    b.report(0, 0, { kind: 'error' });
    b.report(1, 0, { kind: 'http', status: 500 });
    expect(b.pick(10)).toBe(2);
    expect(b.pick(1000)).not.toBe(2); // circuits closed again after fail_timeout
  });

  it('lowest-latency moves traffic away from a target that slows down', () => {
    const b = new AiBalancer([1, 1], { algorithm: 'lowest-latency', latency_strategy: 'e2e' }, { exploreEvery: 10 });
    let now = 0;
    const latency = [100, 100];
    const served = [0, 0];
    for (let i = 0; i < 200; i++) {
      if (i === 50) latency[0] = 1000; // target 0 slows down
      const t = b.pick(now);
      if (i >= 60) served[t]! += 1;
      b.report(t, now, ok(latency[t]!));
      now += 10;
    }
    // Shortly after the slowdown, target 0 only gets the exploration picks (1 in 10).
    expect(served[0]!).toBeLessThanOrEqual(14);
    expect(served[1]!).toBeGreaterThanOrEqual(126);
    expect(b.latency(0)).toBeGreaterThan(b.latency(1));
  });

  it('lowest-usage picks the least used target (tokens or cost) per weight', () => {
    const b = new AiBalancer([1, 1], { algorithm: 'lowest-usage' });
    b.report(0, 0, ok(10, 100));
    expect(b.pick(0)).toBe(1);
    b.report(1, 0, ok(10, 500));
    expect(b.pick(0)).toBe(0);
  });

  it('consistent-hashing keeps a key on its target and moves only that key when its target goes away', () => {
    const b = new AiBalancer([1, 1, 1], { algorithm: 'consistent-hashing', max_fails: 1, failover_criteria: ['error'] });
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const first = keys.map((k) => b.pick(0, k));
    expect(keys.map((k) => b.pick(0, k))).toEqual(first);
    expect(new Set(first).size).toBe(3);
    b.report(1, 0, { kind: 'error' });
    const after = keys.map((k) => b.pick(1, k));
    for (let i = 0; i < keys.length; i++) {
      if (first[i] !== 1) expect(after[i]).toBe(first[i]);
      else expect(after[i]).not.toBe(1);
    }
  });

  it('failover criteria decide whether to try another target', () => {
    const b = new AiBalancer([1, 1], { failover_criteria: ['error', 'timeout', 'http_429'] });
    expect(b.shouldFailover({ kind: 'http', status: 429 })).toBe(true);
    expect(b.shouldFailover({ kind: 'http', status: 500 })).toBe(false);
    expect(b.shouldFailover({ kind: 'timeout' })).toBe(true);
    expect(b.shouldFailover(ok(1))).toBe(false);
  });

  it('Retry-After embargoes a target until it passes', () => {
    const b = new AiBalancer([1, 1], { failover_criteria: ['http_429'] });
    b.report(0, 1000, { kind: 'http', status: 429, retryAfterMs: 5000 });
    expect(b.available(0, 5999)).toBe(false);
    expect(counts(b, 4, 3000)).toEqual([0, 4]);
    expect(b.available(0, 6000)).toBe(true);
    expect(b.nextAvailableAt(3000)).toBe(3000);
    b.report(1, 1000, { kind: 'http', status: 429, retryAfterMs: 7000 });
    expect(b.pick(3000)).toBe(-1);
    expect(b.nextAvailableAt(3000)).toBe(6000);
  });

  it('circuit breaker: max_fails within fail_timeout opens; 403/404 never count; max_fails 0 disables', () => {
    const b = new AiBalancer([1, 1], { max_fails: 2, fail_timeout: 100, failover_criteria: ['error', 'http_500', 'http_404'] });
    b.report(0, 0, { kind: 'error' });
    b.report(0, 150, { kind: 'error' }); // first failure fell out of the window
    expect(b.available(0, 151)).toBe(true);
    b.report(0, 160, { kind: 'http', status: 500 });
    expect(b.available(0, 161)).toBe(false);
    expect(b.available(0, 260)).toBe(true);
    b.report(1, 0, { kind: 'http', status: 404 });
    b.report(1, 1, { kind: 'http', status: 404 });
    expect(b.available(1, 2)).toBe(true);
    const off = new AiBalancer([1], { max_fails: 0 });
    for (let i = 0; i < 10; i++) off.report(0, i, { kind: 'error' });
    expect(off.available(0, 10)).toBe(true);
  });

  it('an attempt never reuses a target, stops after retries, and never fails over a committed stream', () => {
    const b = new AiBalancer([1, 1, 1], { retries: 1, failover_criteria: ['http_500'] });
    const a = b.attempt();
    const first = a.next(0);
    expect(a.fail(first, 0, { kind: 'http', status: 500 })).toBe(true);
    const second = a.next(0);
    expect(second).not.toBe(first);
    expect(a.next(0)).toBe(-1);
    const c = b.attempt();
    const t = c.next(0);
    expect(c.fail(t, 0, { kind: 'http', status: 500 }, true)).toBe(false);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
