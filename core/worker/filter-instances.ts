/**
 * The live WASM filter instances of one worker, across config versions. An instance is
 * keyed by (module hash, name, config, on_error): a reload that leaves a filter unchanged
 * keeps its instance (and the guest's state); instances no version uses are closed.
 */
import type { CompiledWasm } from '../compile/types.js';
import { WasmInstance, type WasmLogSink } from '../wasm/instance.js';
import type { WasmMetrics } from '../wasm/metrics.js';
import { OnError } from '../wasm/faults.js';
import type { PreparedModule } from '../wasm/prepare/prepare.js';
import type { SharedKv } from '../shared/kv.js';

/** How long a filter removed by a reload stays usable for requests already running. */
const RETIRE_DELAY_MS = 60_000;

export class FilterInstances {
  readonly #kv: SharedKv;
  readonly #metrics: WasmMetrics;
  readonly #log: WasmLogSink;
  #live = new Map<string, WasmInstance>();

  constructor(kv: SharedKv, metrics: WasmMetrics, log: WasmLogSink) {
    this.#kv = kv;
    this.#metrics = metrics;
    this.#log = log;
  }

  get metrics(): WasmMetrics {
    return this.#metrics;
  }

  /** One instance per compiled filter (same indexes). Throws if a guest fails to start. */
  materialize(wasm: CompiledWasm): WasmInstance[] {
    return wasm.filters.map((filter) => {
      const module = wasm.modules[filter.module];
      if (module === undefined) throw new Error(`filter ${filter.name} references missing module ${filter.module}`);
      const key = `${module.hash}\u0000${filter.name}\u0000${filter.onError}\u0000${filter.config}`;
      const existing = this.#live.get(key);
      if (existing !== undefined) return existing;
      const prepared: PreparedModule = { bytes: module.bytes, hash: module.hash, abiVersion: module.abiVersion as PreparedModule['abiVersion'] };
      const instance = new WasmInstance(prepared, {
        name: filter.name,
        config: filter.config,
        onError: filter.onError === 'fail_open' ? OnError.FailOpen : OnError.FailClosed,
        kv: this.#kv,
        metrics: this.#metrics,
        log: this.#log,
      });
      this.#live.set(key, instance);
      return instance;
    });
  }

  /**
   * Forgets every instance not in `current` (after the runtime switched to it) and closes
   * them once requests that started on the old config have had time to finish.
   */
  retire(current: readonly WasmInstance[]): void {
    const keep = new Set(current);
    const next = new Map<string, WasmInstance>();
    const stale: WasmInstance[] = [];
    for (const [key, instance] of this.#live) {
      if (keep.has(instance)) next.set(key, instance);
      else stale.push(instance);
    }
    this.#live = next;
    if (stale.length > 0) {
      setTimeout(() => {
        for (const instance of stale) instance.close();
      }, RETIRE_DELAY_MS).unref();
    }
  }
}
