/**
 * A piscina pool that validates and instruments guest modules off the hot path. Workers
 * load the compiled task (`pool-task.js`); when this file runs from TypeScript sources
 * (tests), the task is taken from the build output in dist/, so `npm run build` must have
 * run (npm test does it first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PrepareRequest, PreparedModule } from './prepare.js';

export type { PrepareRequest, PreparedModule } from './prepare.js';

export interface PreparePoolOptions {
  readonly maxThreads?: number;
}

export interface PreparePool {
  prepare(request: PrepareRequest): Promise<PreparedModule>;
  close(): Promise<void>;
}

function taskFile(): string {
  const here = import.meta.url;
  const sibling = new URL('./pool-task.js', here);
  if (!here.endsWith('.ts')) return fileURLToPath(sibling);
  const built = new URL('../../../dist/core/wasm/prepare/pool-task.js', here);
  if (!existsSync(built)) {
    throw new Error(`prepare pool needs the build output ${fileURLToPath(built)}: run \`npm run build\``);
  }
  return fileURLToPath(built);
}

export function createPreparePool(options: PreparePoolOptions = {}): PreparePool {
  const pool = new Piscina({
    filename: taskFile(),
    minThreads: 0,
    maxThreads: options.maxThreads ?? 1,
    idleTimeout: 30_000,
  });
  return {
    async prepare(request: PrepareRequest): Promise<PreparedModule> {
      // Copy so the caller's buffer is not detached by the transfer.
      const wasm = request.wasm.slice();
      return (await pool.run({ wasm, memoryPages: request.memoryPages, fuel: request.fuel }, { transferList: [wasm.buffer] })) as PreparedModule;
    },
    close: () => pool.destroy(),
  };
}
