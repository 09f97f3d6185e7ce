/**
 * Fuel instrumentation, done once at load time with binaryen (assemblyscript's own
 * optimiser). binaryen's `log-execution` pass inserts a call to an imported
 * `env.log_execution(i32)` at every function entry, function exit and loop head; we turn
 * that import into a module-internal function that decrements a mutable i32 global and
 * executes `unreachable` when it drops below zero, then inline it so the check costs a
 * global get/sub/set and a branch. The host refuels through the exported
 * `__gh_fuel_set(i32)` before every callback and reads what is left with `__gh_fuel_get()`
 * (a trap with fuel <= 0 is a CPU-budget fault, not a guest bug).
 *
 * Finally the memory maximum is capped (prepare/memory-cap.ts).
 */
import binaryen from 'binaryen';
import { FUEL_GET_EXPORT, FUEL_GLOBAL, FUEL_SET_EXPORT } from '../abi/import-names.js';
import { capMemory } from './memory-cap.js';

export { FUEL_GET_EXPORT, FUEL_GLOBAL, FUEL_SET_EXPORT };

const FUEL_FN = '__gh_fuel_tick';

export interface InstrumentOptions {
  /** Memory cap in 64 KiB pages written into the module. */
  readonly memoryPages: number;
  /**
   * Initial fuel: what a wasm `start` section may spend during instantiation, before the
   * host can refuel (AssemblyScript builds use `_initialize` instead, which is refuelled).
   */
  readonly startFuel: number;
  /**
   * False: the same passes with an empty tick (the fuel global, exports and inlining stay,
   * nothing is counted). Only the fuel micro-benchmark's baseline wants this.
   */
  readonly ticks?: boolean;
}

function findLoggerImport(module: binaryen.Module): string | null {
  const n = module.getNumFunctions();
  for (let i = 0; i < n; i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module === 'env' && info.base === 'log_execution') return info.name;
  }
  return null;
}

/** Instrument `wasm` with a fuel counter and a memory cap; returns new bytes. */
export function instrumentModule(wasm: Uint8Array, options: InstrumentOptions): Uint8Array {
  const module = binaryen.readBinaryWithFeatures(wasm, binaryen.Features.All);
  if (module.getExport(FUEL_SET_EXPORT) !== 0 || module.getGlobal(FUEL_GLOBAL) !== 0) {
    module.dispose();
    throw new Error(`module already defines ${FUEL_SET_EXPORT} or ${FUEL_GLOBAL}`);
  }
  try {
    module.addGlobal(FUEL_GLOBAL, binaryen.i32, true, module.i32.const(options.startFuel | 0));
    module.runPasses(['log-execution']);
    const logger = findLoggerImport(module);
    if (logger !== null) {
      module.removeFunction(logger);
      const fuel = (): number => module.global.get(FUEL_GLOBAL, binaryen.i32);
      module.addFunction(
        logger,
        binaryen.i32,
        binaryen.none,
        [],
        options.ticks === false
          ? module.nop()
          : module.block(null, [
              module.global.set(FUEL_GLOBAL, module.i32.sub(fuel(), module.i32.const(1))),
              module.if(module.i32.lt_s(fuel(), module.i32.const(0)), module.unreachable()),
            ]),
      );
      // Inline the tick everywhere: it is tiny, and a call per loop iteration would cost more.
      binaryen.setAlwaysInlineMaxSize(32);
      module.runPasses(['inlining']);
    }
    module.addFunction(
      `${FUEL_FN}_set`,
      binaryen.i32,
      binaryen.none,
      [],
      module.global.set(FUEL_GLOBAL, module.local.get(0, binaryen.i32)),
    );
    module.addFunction(`${FUEL_FN}_get`, binaryen.none, binaryen.i32, [], module.global.get(FUEL_GLOBAL, binaryen.i32));
    module.addFunctionExport(`${FUEL_FN}_set`, FUEL_SET_EXPORT);
    module.addFunctionExport(`${FUEL_FN}_get`, FUEL_GET_EXPORT);
    if (!module.validate()) throw new Error('instrumented module failed validation');
    return capMemory(module.emitBinary(), options.memoryPages);
  } finally {
    module.dispose();
  }
}
