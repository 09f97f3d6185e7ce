/**
 * Stage 2: NormalizedConfig -> CompiledConfig. Pure: the same input and version give the
 * same output. Each domain compiles its own part; this file only assembles and stamps.
 */
import { createHash } from 'node:crypto';
import type { ConfigError, NormalizedConfig } from '../config/types.js';
import type { CompiledConfig, CompiledRoute } from './types.js';
import { compileRouter } from '../router/compile.js';
import { compileProxyTables } from '../proxy/compile.js';
import { compileFilters, type PreparedFilters } from '../wasm/compile.js';
import { compileTls } from '../tls/compile.js';
import { compileAi } from '../ai/compile.js';
import { compileKeyAuth } from '../plugins/key-auth/compile.js';

/** Config errors only compile can find (plugin configs): the build reports them like validation errors. */
export class CompileErrors extends Error {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; '));
    this.errors = errors;
  }
}

export function configHash(config: NormalizedConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

const NO_FILTERS: PreparedFilters = new Map();

/** `prepared`: the validated, instrumented module of every filter the config names. */
export function compile(config: NormalizedConfig, version: number, prepared: PreparedFilters = NO_FILTERS): CompiledConfig {
  const { services, upstreams, serviceIndexById } = compileProxyTables(config);
  // Kong leaves the routes of a disabled service out of the router.
  const disabled = new Set(config.services.filter((s) => !s.enabled).map((s) => s.id));
  const active = config.routes.filter((route) => route.service === null || !disabled.has(route.service));
  const { wasm, routeFilters } = compileFilters(config, active, prepared);
  const ai = compileAi(config, active);
  const owners = active.map((_, i) => ({ readsBody: (routeFilters[i] ?? null) !== null || (ai.routeAi[i] ?? null) !== null }));
  const keyAuth = compileKeyAuth(config, active, owners);
  const errors = [...ai.errors, ...keyAuth.errors];
  if (errors.length > 0) throw new CompileErrors(errors);
  const routes: CompiledRoute[] = active.map((route, i) => ({
    id: route.id,
    name: route.name ?? route.id,
    service: route.service === null ? -1 : (serviceIndexById.get(route.service) ?? -1),
    protocols: route.protocols,
    stripPath: route.strip_path,
    preserveHost: route.preserve_host,
    pathHandling: route.path_handling,
    httpsRedirectStatusCode: route.https_redirect_status_code,
    filters: routeFilters[i] ?? null,
    ai: ai.routeAi[i] ?? null,
    keyAuth: keyAuth.routeKeyAuth[i] ?? -1,
  }));
  return {
    version,
    hash: configHash(config),
    router: compileRouter(active),
    routes,
    services,
    upstreams,
    wasm,
    tls: compileTls(config, serviceIndexById, services.length),
    auth: keyAuth.auth,
  };
}
