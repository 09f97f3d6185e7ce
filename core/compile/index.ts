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
import { compilePlugins, type ExtraStep } from '../plugins/compile.js';
import { FILTER_CHAIN, FILTER_CHAIN_PRIORITY } from '../plugins/internal-steps.js';

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
  // A route's WASM filters are one step of its chain.
  const extra = routeFilters.map((f): ExtraStep[] | null => (f === null ? null : [{ name: FILTER_CHAIN, priority: FILTER_CHAIN_PRIORITY, config: f }]));
  const plugins = compilePlugins(config, active, extra);
  if (plugins.errors.length > 0) throw new CompileErrors(plugins.errors);
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
    wasm,
    tls: compileTls(config, serviceIndexById, services.length),
    plugins: plugins.plugins,
  };
}
