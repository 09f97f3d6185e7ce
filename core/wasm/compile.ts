/**
 * Compile side of WASM filters: filter_chains -> per-route ordered filter lists.
 *
 * A route runs its service's filter chain, then its own (both when both exist), in the
 * order the chain lists them; disabled chains and disabled filters are left out here, so
 * the worker never tests an `enabled` flag. Each distinct (module, config, on_error) is one
 * CompiledFilter, shared by every route that uses it: one instance per worker, not one
 * per route. Module bytes were prepared by the supervisor (supervisor/wasm-filters.ts).
 */
import type { NormalizedConfig, NormalizedFilter, NormalizedRoute } from '../config/types.js';
import type { CompiledFilter, CompiledWasm, CompiledWasmModule } from '../compile/types.js';

/** Prepared modules by filter name. */
export type PreparedFilters = ReadonlyMap<string, CompiledWasmModule>;

export interface CompiledFilterTables {
  wasm: CompiledWasm;
  /** Per route (same order as the routes given): filter indexes, or null. */
  routeFilters: (number[] | null)[];
}

function configText(config: NormalizedFilter['config']): string {
  if (config === null) return '';
  return typeof config === 'string' ? config : JSON.stringify(config);
}

export function compileFilters(config: NormalizedConfig, routes: readonly NormalizedRoute[], prepared: PreparedFilters): CompiledFilterTables {
  const modules: CompiledWasmModule[] = [];
  const moduleIndex = new Map<string, number>();
  const filters: CompiledFilter[] = [];
  const filterIndex = new Map<string, number>();

  const intern = (f: NormalizedFilter): number => {
    const module = prepared.get(f.name);
    if (module === undefined) throw new Error(`filter "${f.name}" was not prepared`);
    let m = moduleIndex.get(module.hash);
    if (m === undefined) {
      m = modules.length;
      modules.push(module);
      moduleIndex.set(module.hash, m);
    }
    const compiled: CompiledFilter = { name: f.name, module: m, config: configText(f.config), onError: f.on_error };
    const key = JSON.stringify(compiled);
    let index = filterIndex.get(key);
    if (index === undefined) {
      index = filters.length;
      filters.push(compiled);
      filterIndex.set(key, index);
    }
    return index;
  };

  const byService = new Map<string, number[]>();
  const byRoute = new Map<string, number[]>();
  for (const chain of config.filter_chains) {
    if (!chain.enabled) continue;
    const list = chain.filters.filter((f) => f.enabled).map(intern);
    if (chain.service !== null) byService.set(chain.service, [...(byService.get(chain.service) ?? []), ...list]);
    if (chain.route !== null) byRoute.set(chain.route, [...(byRoute.get(chain.route) ?? []), ...list]);
  }

  const routeFilters = routes.map((route) => {
    const list = [...(route.service === null ? [] : (byService.get(route.service) ?? [])), ...(byRoute.get(route.id) ?? [])];
    return list.length === 0 ? null : list;
  });
  return { wasm: { modules, filters }, routeFilters };
}

/** Every filter name a config refers to, with the JSON path of its first use. */
export function referencedFilters(config: NormalizedConfig): Map<string, string> {
  const names = new Map<string, string>();
  config.filter_chains.forEach((chain, i) => {
    chain.filters.forEach((f, j) => {
      if (!names.has(f.name)) names.set(f.name, `filter_chains[${i}].filters[${j}].name`);
    });
  });
  return names;
}
