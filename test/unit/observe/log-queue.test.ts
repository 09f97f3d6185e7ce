/**
 * Kong's plugin queue (core/observe/log-queue.ts) alone, with a fake sender: batching and
 * coalescing, retries with backoff until max_retry_time, drop-oldest when full (counted),
 * max_bytes, concurrency_limit, and draining.
 */
import { describe, expect, it } from 'vitest';
import { LogQueue, type QueueOptions } from '../../../core/observe/log-queue.js';
import type { PluginEnv } from '../../../core/plugins/contract.js';
import { waitFor } from '../../helpers/wait.js';

const BASE: QueueOptions = { maxBatchSize: 1, maxCoalescingDelayMs: 1000, maxEntries: 10000, maxBytes: 0, maxRetryTimeMs: 60000, initialRetryDelayMs: 10, maxRetryDelayMs: 60000, concurrencyLimit: 1 };

function fakeEnv(): { env: PluginEnv; failures: Map<string, number>; warnings: string[] } {
  const failures = new Map<string, number>();
  const warnings: string[] = [];
  const env = {
    workerIndex: 0,
    consumers: [],
    tokenCounters: undefined as never,
    warn: (_plugin: string, message: string) => warnings.push(message),
    metrics: {
      failure: (plugin: string, kind: string, count = 1) => failures.set(`${plugin}/${kind}`, (failures.get(`${plugin}/${kind}`) ?? 0) + count),
      traffic: () => undefined,
    },
    listen: { host: '127.0.0.1', port: 8000 },
  } satisfies PluginEnv;
  return { env, failures, warnings };
}

describe('LogQueue', () => {
  it('sends one entry per batch at max_batch_size 1, in order', async () => {
    const { env } = fakeEnv();
    const batches: string[][] = [];
    const q = new LogQueue('t1', 'test', BASE, async (b) => void batches.push([...b]), env);
    for (const e of ['a', 'b', 'c']) q.enqueue(e);
    await waitFor(() => batches.length === 3, 2000, 'three batches');
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });

  it('coalesces up to max_batch_size, and sends a short batch once the delay has passed', async () => {
    const { env } = fakeEnv();
    const batches: string[][] = [];
    const q = new LogQueue('t2', 'test', { ...BASE, maxBatchSize: 3, maxCoalescingDelayMs: 200 }, async (b) => void batches.push([...b]), env);
    for (const e of ['1', '2', '3', '4']) q.enqueue(e);
    await waitFor(() => batches.length === 1, 1000, 'the full batch');
    expect(batches[0]).toEqual(['1', '2', '3']);
    // '4' waits for the coalescing delay, then goes alone.
    await waitFor(() => batches.length === 2, 2000, 'the short batch');
    expect(batches[1]).toEqual(['4']);
  });

  it('retries a failed batch with backoff until it is delivered; each failure counted', async () => {
    const { env, failures } = fakeEnv();
    let attempts = 0;
    const delivered: string[][] = [];
    const q = new LogQueue('t3', 'test', { ...BASE, initialRetryDelayMs: 5 }, async (b) => {
      attempts++;
      if (attempts < 4) throw new Error('down');
      delivered.push([...b]);
    }, env);
    q.enqueue('x');
    await waitFor(() => delivered.length === 1, 3000, 'delivery after retries');
    expect(attempts).toBe(4);
    expect(failures.get('test/send_failed')).toBe(3);
    expect(failures.has('test/dropped_retries_exhausted')).toBe(false);
  });

  it('gives a batch up after max_retry_time, counting its entries as lost', async () => {
    const { env, failures, warnings } = fakeEnv();
    const q = new LogQueue('t4', 'test', { ...BASE, maxBatchSize: 2, maxCoalescingDelayMs: 0, maxRetryTimeMs: 60, initialRetryDelayMs: 10, maxRetryDelayMs: 20 }, async () => {
      throw new Error('refused');
    }, env);
    q.enqueue('a');
    q.enqueue('b');
    await waitFor(() => failures.has('test/dropped_retries_exhausted'), 3000, 'giving up');
    expect(failures.get('test/dropped_retries_exhausted')).toBe(2);
    expect(failures.get('test/send_failed') ?? 0).toBeGreaterThan(1);
    expect(warnings.some((w) => w.includes('giving up') && w.includes('refused'))).toBe(true);
    await waitFor(() => q.idle, 1000, 'idle');
  });

  it('max_retry_time -1: a failed batch is not retried', async () => {
    const { env, failures } = fakeEnv();
    let attempts = 0;
    const q = new LogQueue('t5', 'test', { ...BASE, maxRetryTimeMs: -1 }, async () => {
      attempts++;
      throw new Error('no');
    }, env);
    q.enqueue('a');
    await waitFor(() => q.idle, 1000, 'idle');
    expect(attempts).toBe(1);
    expect(failures.get('test/dropped_retries_exhausted')).toBe(1);
  });

  it('drops the oldest waiting entries when max_entries is reached, and counts them', async () => {
    const { env, failures } = fakeEnv();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const q = new LogQueue('t6', 'test', { ...BASE, maxEntries: 3 }, async (b) => {
      await gate;
      sent.push(...b);
    }, env);
    // '1' goes in flight (counted), '2' and '3' wait; '4' and '5' push the oldest waiting out.
    q.enqueue('1');
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of ['2', '3', '4', '5']) q.enqueue(e);
    expect(failures.get('test/dropped_queue_full')).toBe(2);
    release();
    await waitFor(() => q.idle, 2000, 'idle');
    expect(sent).toEqual(['1', '4', '5']);
  });

  it('max_bytes: refuses an entry larger than it, drops the oldest waiting to fit others', async () => {
    const { env, failures } = fakeEnv();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const q = new LogQueue('t7', 'test', { ...BASE, maxBytes: 10 }, async (b) => {
      await gate;
      sent.push(...b);
    }, env);
    q.enqueue('x'.repeat(11));
    expect(failures.get('test/dropped_too_large')).toBe(1);
    q.enqueue('aaaa'); // in flight after a turn
    await new Promise((resolve) => setImmediate(resolve));
    q.enqueue('bbbb');
    q.enqueue('cccc');
    q.enqueue('dddd'); // 12 bytes waiting would exceed 10: 'bbbb' goes
    expect(failures.get('test/dropped_queue_full')).toBe(1);
    release();
    await waitFor(() => q.idle, 2000, 'idle');
    expect(sent).toEqual(['aaaa', 'cccc', 'dddd']);
  });

  it('concurrency_limit -1 sends the next batch while one is still in flight; 1 waits', async () => {
    for (const [limit, expected] of [[-1, 2], [1, 1]] as const) {
      const { env } = fakeEnv();
      let inFlight = 0;
      let most = 0;
      const q = new LogQueue(`t8${limit}`, 'test', { ...BASE, concurrencyLimit: limit }, async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight--;
      }, env);
      q.enqueue('a');
      q.enqueue('b');
      await waitFor(() => q.idle, 2000, 'idle');
      expect([limit, most]).toEqual([limit, expected]);
    }
  });

  it('drain sends what waits without waiting for the coalescing delay', async () => {
    const { env } = fakeEnv();
    const batches: string[][] = [];
    const q = new LogQueue('t9', 'test', { ...BASE, maxBatchSize: 100, maxCoalescingDelayMs: 60_000 }, async (b) => void batches.push([...b]), env);
    q.enqueue('a');
    q.enqueue('b');
    await q.drain(2000);
    expect(batches).toEqual([['a', 'b']]);
  });
});
