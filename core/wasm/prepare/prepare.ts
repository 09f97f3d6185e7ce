/**
 * The whole load-time preparation of a guest: validate its interface, instrument it with
 * fuel and a memory cap, and hash it. Synchronous and CPU-heavy (binaryen): the gateway
 * runs it in the piscina pool (prepare/pool.ts); the harness and `gatehouse check` call it
 * in-thread.
 */
import type { AbiVersion } from '../abi/constants.js';
import { checkModuleInterface } from './imports-check.js';
import { instrumentModule } from './instrument.js';
import { contentHash } from './hash.js';

export interface PrepareRequest {
  readonly wasm: Uint8Array;
  readonly memoryPages: number;
  /** Fuel budget per callback (also the start-section budget). */
  readonly fuel: number;
}

export interface PreparedModule {
  /** Instrumented bytes, ready for `new WebAssembly.Module`. */
  readonly bytes: Uint8Array;
  /** sha256 (hex) of the original bytes, memory cap and fuel: the compile-cache key. */
  readonly hash: string;
  readonly abiVersion: AbiVersion;
}

export { contentHash } from './hash.js';

/** Validate and instrument; throws ModuleCheckError (naming the import/export) or a compile error. */
export function prepareModuleSync(request: PrepareRequest): PreparedModule {
  const { wasm, memoryPages, fuel } = request;
  let original: WebAssembly.Module;
  try {
    original = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new Error(`invalid wasm module: ${(err as Error).message}`);
  }
  const iface = checkModuleInterface(original);
  const bytes = instrumentModule(wasm, { memoryPages, startFuel: fuel });
  return { bytes, hash: contentHash(wasm, memoryPages, fuel), abiVersion: iface.abiVersion };
}
