/**
 * Handler modules for chain steps that do not come from the plugin registry: a route's
 * WASM filter chain (its instances live in this worker's FilterInstances).
 */
import type { PluginHandlerModule } from '../plugins/contract.js';
import type { WasmInstance } from '../wasm/instance.js';
import { FILTER_CHAIN } from '../plugins/internal-steps.js';
import { filterChainModule } from './wasm-chain.js';

export function internalHandlers(filters: readonly WasmInstance[]): ReadonlyMap<string, PluginHandlerModule<unknown, unknown>> {
  return new Map([[FILTER_CHAIN, filterChainModule(filters) as PluginHandlerModule<unknown, unknown>]]);
}
