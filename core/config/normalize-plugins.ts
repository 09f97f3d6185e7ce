/**
 * Plugins and filter chains, nested or top-level, hoisted to flat lists with their
 * scope resolved to ids. Kong allows one plugin of a name per scope (service, route,
 * consumer) and one filter chain per service or route.
 */
import type { RawFilterChain, RawPlugin, RawRef } from './document-types.js';
import type { EntityIndex, NormalizeContext } from './normalize-context.js';
import type { KongProtocol, NormalizedFilterChain, NormalizedPlugin } from './types.js';
import { deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';
import { FILTER_CHAIN_DEFAULTS, FILTER_DEFAULTS } from './schema/filter-chain.js';
import { PLUGIN_DEFAULTS } from './schema/plugin.js';

export interface Scope {
  service: string | null;
  route: string | null;
  consumer: string | null;
}

export interface Placed<T> {
  raw: T;
  path: string;
  /** Scope implied by the parent entity (nested) — empty for top-level. */
  implied: { service?: string; route?: string; consumer?: string };
}

/** Resolve one scope field: the parent's id when nested, else the reference in the file. */
function scopeOf(ctx: NormalizeContext, index: EntityIndex, path: string, implied: string | undefined, ref: RawRef | undefined): string | null | undefined {
  if (implied !== undefined) return implied;
  if (ref === undefined) return null;
  return index.resolve(ctx, joinPath(path, index.kind), ref) ?? undefined;
}

/**
 * Where each normalized plugin was written in the file (`services[0].routes[1].plugins[0]`),
 * for errors found after normalization (plugin config checks at compile time). Kept out of
 * the entity itself, so the admin API and config hashes never see it.
 */
const SOURCE_PATHS = new WeakMap<NormalizedPlugin, string>();

/** The plugin's path in the file it came from, or `fallback` (admin API entities, copies). */
export function pluginSourcePath(plugin: NormalizedPlugin, fallback: string): string {
  return SOURCE_PATHS.get(plugin) ?? fallback;
}

export function buildPlugins(ctx: NormalizeContext, plugins: Placed<RawPlugin>[]): NormalizedPlugin[] {
  const out: NormalizedPlugin[] = [];
  const scopes = new Map<string, string>();
  const instanceNames = new Map<string, string>();
  for (const { raw, path, implied } of plugins) {
    // Kong Enterprise fields that change which plugins run, or in what order.
    if (raw.consumer_group !== undefined) ctx.error(joinPath(path, 'consumer_group'), 'not supported: consumer groups are not implemented');
    if (raw.ordering !== undefined) ctx.error(joinPath(path, 'ordering'), 'not supported: plugins run in Kong\'s static priority order');
    if (raw.consumer_group !== undefined || raw.ordering !== undefined) continue;
    const service = scopeOf(ctx, ctx.services, path, implied.service, raw.service);
    const route = scopeOf(ctx, ctx.routes, path, implied.route, raw.route);
    const consumer = scopeOf(ctx, ctx.consumers, path, implied.consumer, raw.consumer);
    if (service === undefined || route === undefined || consumer === undefined) continue;
    const key = `${raw.name}\0${service ?? ''}\0${route ?? ''}\0${consumer ?? ''}`;
    const prev = scopes.get(key);
    if (prev !== undefined) {
      ctx.error(path, `duplicate plugin "${raw.name}" for the same scope (also ${prev})`);
      continue;
    }
    scopes.set(key, path);
    if (raw.instance_name !== undefined) {
      const prevName = instanceNames.get(raw.instance_name);
      if (prevName !== undefined) {
        ctx.error(joinPath(path, 'instance_name'), `duplicate instance_name "${raw.instance_name}" (also ${prevName})`);
        continue;
      }
      instanceNames.set(raw.instance_name, path);
    }
    const plugin: NormalizedPlugin = {
      id: raw.id?.toLowerCase() ?? deriveId('plugin', key),
      name: raw.name,
      service,
      route,
      consumer,
      config: raw.config ?? {},
      enabled: raw.enabled ?? PLUGIN_DEFAULTS.enabled,
      protocols: (raw.protocols ?? [...PLUGIN_DEFAULTS.protocols]) as KongProtocol[],
      tags: raw.tags ?? [],
      instance_name: raw.instance_name ?? null,
    };
    SOURCE_PATHS.set(plugin, path);
    out.push(plugin);
  }
  return out;
}

export function buildFilterChains(ctx: NormalizeContext, chains: Placed<RawFilterChain>[]): NormalizedFilterChain[] {
  const out: NormalizedFilterChain[] = [];
  const owners = new Map<string, string>();
  const names = new Map<string, string>();
  for (const { raw, path, implied } of chains) {
    const nested = implied.service !== undefined || implied.route !== undefined;
    if (!nested && (raw.service === undefined) === (raw.route === undefined)) {
      ctx.error(path, 'must set exactly one of service, route');
      continue;
    }
    const service = scopeOf(ctx, ctx.services, path, implied.service, raw.service);
    const route = scopeOf(ctx, ctx.routes, path, implied.route, raw.route);
    if (service === undefined || route === undefined) continue;
    const owner = service !== null ? `service\0${service}` : `route\0${route ?? ''}`;
    const prev = owners.get(owner);
    if (prev !== undefined) {
      ctx.error(path, `duplicate filter chain for the same ${service !== null ? 'service' : 'route'} (also ${prev})`);
      continue;
    }
    owners.set(owner, path);
    if (raw.name !== undefined) {
      const prevName = names.get(raw.name);
      if (prevName !== undefined) {
        ctx.error(joinPath(path, 'name'), `duplicate name "${raw.name}" (also ${prevName})`);
        continue;
      }
      names.set(raw.name, path);
    }
    out.push({
      id: raw.id?.toLowerCase() ?? deriveId('filter_chain', raw.name ?? owner),
      name: raw.name ?? null,
      service,
      route,
      enabled: raw.enabled ?? FILTER_CHAIN_DEFAULTS.enabled,
      filters: raw.filters.map((f) => ({
        name: f.name,
        config: f.config ?? null,
        enabled: f.enabled ?? FILTER_DEFAULTS.enabled,
        on_error: f.on_error ?? FILTER_DEFAULTS.on_error,
      })),
      tags: raw.tags ?? [],
    });
  }
  return out;
}
