import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl } from '../../helpers/built-module.js';
import { CAS_ABSENT, KvResult, SharedKv } from '../../../core/shared/kv.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then(({ SharedKv, KvResult }) => {
  const kv = SharedKv.attach(workerData.buffer);
  let conflicts = 0;
  for (let i = 0; i < workerData.increments; i++) {
    for (;;) {
      const cur = kv.get('counter');
      const n = cur === null ? 0 : Number(new TextDecoder().decode(cur.value));
      // 0xffffffff (CAS_ABSENT): create the key only if it is still missing.
      const r = kv.set('counter', String(n + 1), cur === null ? 0xffffffff : cur.cas);
      if (r === KvResult.Ok) break;
      if (r !== KvResult.CasMismatch) throw new Error('unexpected result ' + r);
      conflicts++;
    }
  }
  parentPort.postMessage({ conflicts });
});
`;

describe('SharedKv', () => {
  it('stores and returns values with a cas that changes on every write', () => {
    const kv = SharedKv.create({ capacity: 8, maxKeyBytes: 16, maxValueBytes: 16 });
    expect(kv.get('a')).toBeNull();
    expect(kv.set('a', 'one')).toBe(KvResult.Ok);
    const first = kv.get('a');
    expect(new TextDecoder().decode(first?.value)).toBe('one');
    expect(first?.cas).toBeGreaterThan(0);
    expect(kv.set('a', 'two', first?.cas)).toBe(KvResult.Ok);
    expect(kv.set('a', 'three', first?.cas)).toBe(KvResult.CasMismatch);
    expect(new TextDecoder().decode(kv.get('a')?.value)).toBe('two');
    expect(kv.set('a', 'forced', 0)).toBe(KvResult.Ok);
    expect(kv.size).toBe(1);
  });

  it('inserts a missing key whatever the cas (as Envoy does)', () => {
    const kv = SharedKv.create({ capacity: 8, maxKeyBytes: 16, maxValueBytes: 16 });
    expect(kv.set('new', 'v', 12345)).toBe(KvResult.Ok);
  });

  it('refuses oversized keys and values, and reports a full table', () => {
    const kv = SharedKv.create({ capacity: 2, maxKeyBytes: 4, maxValueBytes: 4 });
    expect(kv.set('toolong', 'v')).toBe(KvResult.TooLarge);
    expect(kv.set('k', 'toolong')).toBe(KvResult.TooLarge);
    expect(kv.set('k1', 'v')).toBe(KvResult.Ok);
    expect(kv.set('k2', 'v')).toBe(KvResult.Ok);
    expect(kv.set('k3', 'v')).toBe(KvResult.Full);
    expect(kv.set('k1', 'w')).toBe(KvResult.Ok);
  });

  it('keeps colliding keys apart (linear probing)', () => {
    const kv = SharedKv.create({ capacity: 3, maxKeyBytes: 8, maxValueBytes: 8 });
    for (const k of ['a', 'b', 'c']) kv.set(k, k.toUpperCase());
    for (const k of ['a', 'b', 'c']) expect(new TextDecoder().decode(kv.get(k)?.value)).toBe(k.toUpperCase());
  });

  it('attach() sees the same table', () => {
    const kv = SharedKv.create();
    kv.set('x', '1');
    const other = SharedKv.attach(kv.buffer);
    expect(new TextDecoder().decode(other.get('x')?.value)).toBe('1');
  });

  it('concurrent CAS increments from two worker threads add up exactly', async () => {
    const url = builtModuleUrl('core/shared/kv.ts');
    const kv = SharedKv.create();
    const increments = 5000;
    const run = (): Promise<{ conflicts: number }> =>
      new Promise((resolvePromise, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { url, buffer: kv.buffer, increments } });
        w.once('message', (m: { conflicts: number }) => {
          resolvePromise(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
    await Promise.all([run(), run()]);
    expect(new TextDecoder().decode(kv.get('counter')?.value)).toBe(String(2 * increments));
  });

  it('CAS_ABSENT inserts a missing key once; a second writer that also saw it missing gets CasMismatch', () => {
    const kv = SharedKv.create();
    expect(kv.set('first', '1', CAS_ABSENT)).toBe(KvResult.Ok);
    expect(kv.set('first', '1', CAS_ABSENT)).toBe(KvResult.CasMismatch);
    expect(new TextDecoder().decode(kv.get('first')?.value)).toBe('1');
    // cas 0 keeps Envoy's meaning: an unconditional write.
    expect(kv.set('first', '7', 0)).toBe(KvResult.Ok);
    expect(kv.get('first')?.cas).not.toBe(CAS_ABSENT);
  });
});
