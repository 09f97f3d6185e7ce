/**
 * The shared token counter table: fixed and sliding windows, all-or-nothing batches,
 * settlement into the reservation's window, slot reuse, and exact counts when real
 * worker threads reserve and settle on one buffer at the same time.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl } from '../../helpers/built-module.js';
import { CounterProbe, TokenCounters, TokenCountersResult } from '../../../core/shared/token-counters.js';

const enc = new TextEncoder();

function probe(key: string, window: number, limit: number, amount: number): CounterProbe {
  const p = new CounterProbe(enc.encode(key), window, limit);
  p.amount = amount;
  return p;
}

/** A time inside window `index` of `window` seconds, `ms` into it. */
const at = (window: number, index: number, ms: number): number => index * window * 1000 + ms;

describe('token counters: windows', () => {
  it('fixed window: admits up to the limit exactly, refuses past it, resets at the next window', () => {
    const c = TokenCounters.create({ capacity: 64, maxKeyBytes: 64 });
    const t0 = at(60, 1000, 0);
    for (let i = 0; i < 10; i++) expect(c.reserve([probe('k', 60, 100, 10)], t0 + i, false)).toBe(TokenCountersResult.Ok);
    const over = probe('k', 60, 100, 1);
    expect(c.reserve([over], t0 + 50, false)).toBe(TokenCountersResult.Over);
    expect(over.over).toBe(true);
    expect(over.used).toBe(100);
    expect(over.remaining).toBe(0);
    expect(over.resetMs).toBe(60_000 - 50);
    // Fixed: the next window starts from zero.
    expect(c.reserve([probe('k', 60, 100, 100)], at(60, 1001, 0), false)).toBe(TokenCountersResult.Ok);
  });

  it('sliding window: the previous window counts by the part still inside the span', () => {
    const c = TokenCounters.create({ capacity: 64, maxKeyBytes: 64 });
    expect(c.reserve([probe('s', 10, 100, 80)], at(10, 500, 9_000), true)).toBe(TokenCountersResult.Ok);
    // 2.5 s into the next window: previous 80 weighs 75 % -> 60 used, 40 left.
    const p = probe('s', 10, 100, 41);
    expect(c.reserve([p], at(10, 501, 2_500), true)).toBe(TokenCountersResult.Over);
    expect(p.used).toBe(60);
    expect(c.reserve([probe('s', 10, 100, 40)], at(10, 501, 2_500), true)).toBe(TokenCountersResult.Ok);
    // The same history on a fixed window would have had room for 100.
    const f = TokenCounters.create({ capacity: 64, maxKeyBytes: 64 });
    f.reserve([probe('s', 10, 100, 80)], at(10, 500, 9_000), false);
    expect(f.reserve([probe('s', 10, 100, 100)], at(10, 501, 2_500), false)).toBe(TokenCountersResult.Ok);
  });

  it('a batch is all or nothing: one counter over its limit adds nothing anywhere', () => {
    const c = TokenCounters.create({ capacity: 64, maxKeyBytes: 64 });
    const now = at(60, 7, 0);
    c.reserve([probe('b', 60, 10, 9)], now, false);
    const a = probe('a', 60, 1000, 5);
    const b = probe('b', 60, 10, 5);
    expect(c.reserve([a, b], now, false)).toBe(TokenCountersResult.Over);
    expect(a.over).toBe(false);
    expect(b.over).toBe(true);
    expect(c.used(probe('a', 60, 1000, 0), now, false)).toBe(0);
    expect(c.used(probe('b', 60, 10, 0), now, false)).toBe(9);
  });

  it('settle replaces the reservation in its window, the previous one after a roll, and only once', () => {
    const c = TokenCounters.create({ capacity: 64, maxKeyBytes: 64 });
    const now = at(60, 3, 1_000);
    const p = probe('x', 60, 1000, 500);
    c.reserve([p], now, false);
    c.settle([p], [120], now + 10);
    expect(c.used(probe('x', 60, 1000, 0), now, false)).toBe(120);
    c.settle([p], [0], now + 20); // settled already: no effect
    expect(c.used(probe('x', 60, 1000, 0), now, false)).toBe(120);
    // A reservation that ends in the next window corrects the previous window (sliding sees it).
    const q = probe('x', 60, 1000, 300);
    c.reserve([q], now, true);
    c.settle([q], [30], at(60, 4, 30_000));
    expect(c.used(probe('x', 60, 1000, 0), at(60, 4, 30_000), true)).toBe((120 + 30) / 2);
  });

  it('reuses the slots of expired counters, and reports Full when no slot is free', () => {
    const c = TokenCounters.create({ capacity: 4, maxKeyBytes: 16 });
    const now = at(1, 100, 0);
    for (let i = 0; i < 4; i++) expect(c.reserve([probe(`k${i}`, 1, 10, 1)], now, false)).toBe(TokenCountersResult.Ok);
    expect(c.reserve([probe('k4', 1, 10, 1)], now, false)).toBe(TokenCountersResult.Full);
    // Two windows later every counter is over: their slots are reused.
    expect(c.reserve([probe('k4', 1, 10, 1)], at(1, 102, 0), false)).toBe(TokenCountersResult.Ok);
    expect(c.used(probe('k4', 1, 10, 0), at(1, 102, 0), false)).toBe(1);
  });

  it('attach sees the same counts; a foreign buffer is refused', () => {
    const c = TokenCounters.create({ capacity: 8, maxKeyBytes: 16 });
    c.reserve([probe('z', 60, 10, 7)], 1_000, false);
    expect(TokenCounters.attach(c.buffer).used(probe('z', 60, 10, 0), 1_000, false)).toBe(7);
    expect(() => TokenCounters.attach(new SharedArrayBuffer(64))).toThrow(/not an initialised table/);
  });
});

// Each op: reserve 10 on two counters at once (limit large), then settle to 3 and 1.
// Every 7th op also tries a reservation on a tight counter (limit `tight`), kept (never
// settled) when admitted: across both threads exactly floor(tight / 5) may pass.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then(({ TokenCounters, CounterProbe, TokenCountersResult }) => {
  const c = TokenCounters.attach(workerData.buffer);
  const enc = new TextEncoder();
  const now = workerData.now;
  let admittedTight = 0;
  for (let i = 0; i < workerData.n; i++) {
    const a = new CounterProbe(enc.encode('a'), 60, 1e12);
    const b = new CounterProbe(enc.encode('b'), 60, 1e12);
    a.amount = 10;
    b.amount = 10;
    if (c.reserve([a, b], now, false) !== TokenCountersResult.Ok) throw new Error('unexpected refusal');
    c.settle([a, b], [3, 1], now);
    if (i % 7 === 0) {
      const t = new CounterProbe(enc.encode('tight'), 60, workerData.tight);
      t.amount = 5;
      if (c.reserve([t], now, false) === TokenCountersResult.Ok) admittedTight++;
    }
  }
  parentPort.postMessage({ admittedTight });
});
`;

describe('token counters across worker threads', () => {
  it('2 workers x 10,000 reserve/settle ops: final counts are exact, a tight limit is never passed', async () => {
    const url = builtModuleUrl('core/shared/token-counters.ts');
    const c = TokenCounters.create({ capacity: 64, maxKeyBytes: 32 });
    const n = 10_000;
    const tight = 1_003; // room for 200 reservations of 5, not 201
    const now = at(60, 29_000_000, 5_000);
    const run = (): Promise<{ admittedTight: number }> =>
      new Promise((resolvePromise, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { url, buffer: c.buffer, n, tight, now } });
        w.once('message', (m: { admittedTight: number }) => {
          resolvePromise(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    expect(c.used(new CounterProbe(enc.encode('a'), 60, 1e12), now, false)).toBe(2 * n * 3);
    expect(c.used(new CounterProbe(enc.encode('b'), 60, 1e12), now, false)).toBe(2 * n * 1);
    const tried = 2 * Math.ceil(n / 7);
    expect(tried).toBeGreaterThan(200);
    expect(results[0]!.admittedTight + results[1]!.admittedTight).toBe(200);
    expect(c.used(new CounterProbe(enc.encode('tight'), 60, tight), now, false)).toBe(1_000);
  });
});
