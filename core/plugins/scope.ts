/**
 * Kong's precedence among plugins of one name for a route: the route-scoped one, else
 * the one on the route's service, else the global one. (Consumer-scoped plugins are the
 * caller's concern: the AI plugins and key-auth refuse them.)
 */
import type { NormalizedPlugin, NormalizedRoute } from '../config/types.js';

export function pluginForRoute<T extends { readonly plugin: NormalizedPlugin }>(list: readonly T[], route: NormalizedRoute, name?: string): T | undefined {
  let service: T | undefined;
  let global: T | undefined;
  for (const v of list) {
    const p = v.plugin;
    if (name !== undefined && p.name !== name) continue;
    if (p.route !== null) {
      if (p.route === route.id) return v;
    } else if (p.service !== null) {
      if (p.service === route.service) service = v;
    } else global = v;
  }
  return service ?? global;
}
