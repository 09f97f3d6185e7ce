/**
 * The piscina prepare pool runs the compiled task from dist/ (npm test builds first).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPreparePool, type PreparePool } from '../../../core/wasm/prepare/pool.js';
import { prepareModuleSync } from '../../../core/wasm/prepare/prepare.js';
import { forbiddenImport } from '../../fixtures/wasm/hostile.js';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';

let pool: PreparePool | null = null;

afterAll(async () => {
  await pool?.close();
});

describe('prepare pool', () => {
  it('prepares off-thread with the same result as the in-thread variant, leaving the input usable', async () => {
    pool = createPreparePool();
    const wasm = watGuest();
    const off = await pool.prepare({ wasm, memoryPages: 16, fuel: 5000 });
    const inThread = prepareModuleSync({ wasm, memoryPages: 16, fuel: 5000 });
    expect(off.hash).toBe(inThread.hash);
    expect(Buffer.from(off.bytes).equals(Buffer.from(inThread.bytes))).toBe(true);
    expect(wasm.byteLength).toBeGreaterThan(0);
  });

  it('rejects a forbidden import with the error naming it', async () => {
    pool ??= createPreparePool();
    await expect(pool.prepare({ wasm: forbiddenImport(), memoryPages: 16, fuel: 5000 })).rejects.toThrow(/env\.system/);
  });
});
