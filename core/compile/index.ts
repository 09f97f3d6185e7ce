/**
 * Stage 2: NormalizedConfig -> CompiledConfig. Pure: the same input and version give the
 * same output. Each domain compiles its own part; this file only assembles and stamps.
 */
import { createHash } from 'node:crypto';
import type { NormalizedConfig } from '../config/types.js';
import type { CompiledConfig, CompiledRoute } from './types.js';
import { compileRouter } from '../router/compile.js';
import { compileProxyTables } from '../proxy/compile.js';

export function configHash(config: NormalizedConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

export function compile(config: NormalizedConfig, version: number): CompiledConfig {
  const { services, upstreams, serviceIndexById } = compileProxyTables(config);
  // Kong leaves the routes of a disabled service out of the router.
  const disabled = new Set(config.services.filter((s) => !s.enabled).map((s) => s.id));
  const active = config.routes.filter((route) => route.service === null || !disabled.has(route.service));
  const routes: CompiledRoute[] = active.map((route) => ({
    id: route.id,
    name: route.name ?? route.id,
    service: route.service === null ? -1 : (serviceIndexById.get(route.service) ?? -1),
    protocols: route.protocols,
    stripPath: route.strip_path,
    preserveHost: route.preserve_host,
    pathHandling: route.path_handling,
    httpsRedirectStatusCode: route.https_redirect_status_code,
  }));
  return {
    version,
    hash: configHash(config),
    router: compileRouter(active),
    routes,
    services,
    upstreams,
  };
}
