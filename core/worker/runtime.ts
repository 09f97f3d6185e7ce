/**
 * Materialises a CompiledConfig into the live objects the hot path uses, once per
 * version: the router matcher (RegExp objects), balancers, upstream pools, plugin chains. A request
 * holds the Runtime it started with, so a reload never changes a request mid-flight.
 */
import type { CompiledConfig, CompiledRoute, CompiledService, CompiledTarget, CompiledUpstreamTls } from '../compile/types.js';
import { Matcher } from '../router/match.js';
import { createBalancer } from '../proxy/balancer/create.js';
import type { Balancer } from '../proxy/balancer/types.js';
import { createPassiveHealth, type PassiveHealth } from '../proxy/health/passive.js';
import type { UpstreamState } from '../shared/upstream-state.js';
import type { TokenCounters } from '../shared/token-counters.js';
import { acquireProxyPool, proxyPoolKey, releasePoolsExcept } from '../proxy/upstream.js';
import type { UpstreamPool } from '../proxy/upstream-pool.js';
import type { WasmInstance } from '../wasm/instance.js';
import type { FilterInstances } from './filter-instances.js';
import type { PluginEnv } from '../plugins/contract.js';
import { materializePlugins, type LivePlugins } from '../plugins/chain.js';
import { materializeConsumers } from '../plugins/consumer.js';
import { HANDLERS } from '../plugins/handlers.js';
import { internalHandlers } from './internal-handlers.js';
import type { WorkerMetrics } from '../observe/metrics.js';
import { WarnLimiter } from '../observe/warn-limiter.js';

/** A plugin's warnings: at most one line per plugin per window (a dead log sink fails on every request). */
const WARN_WINDOW_MS = 10_000;

export interface TargetRuntime {
  readonly target: CompiledTarget;
  readonly pool: UpstreamPool;
}

export class UpstreamRuntime {
  readonly name: string;
  readonly targets: readonly TargetRuntime[];
  readonly balancer: Balancer;
  /** Passive health checks, or null when the upstream has none (no per-request cost). */
  readonly passive: PassiveHealth | null;
  constructor(name: string, targets: readonly TargetRuntime[], balancer: Balancer, passive: PassiveHealth | null) {
    this.name = name;
    this.targets = targets;
    this.balancer = balancer;
    this.passive = passive;
  }
}

export class ServiceRuntime {
  readonly config: CompiledService;
  readonly upstream: UpstreamRuntime;
  /** TLS towards the upstream (`https` services), or null. */
  readonly tls: CompiledUpstreamTls | null;
  constructor(config: CompiledService, upstream: UpstreamRuntime, tls: CompiledUpstreamTls | null = null) {
    this.config = config;
    this.upstream = upstream;
    this.tls = tls;
  }
}

/** How long a retired version's plugin handlers stay open for requests still running on it. */
const RETIRE_DELAY_MS = 60_000;

export class Runtime {
  readonly version: number;
  readonly hash: string;
  readonly matcher: Matcher;
  readonly routes: readonly CompiledRoute[];
  /** Indexed like CompiledConfig.services. */
  readonly services: readonly ServiceRuntime[];
  /** Every route's plugin chain, per listener scheme. */
  readonly plugins: LivePlugins;
  /** Every WASM filter instance this version uses. */
  readonly filters: readonly WasmInstance[];
  constructor(version: number, hash: string, matcher: Matcher, routes: readonly CompiledRoute[], services: readonly ServiceRuntime[], plugins: LivePlugins, filters: readonly WasmInstance[]) {
    this.version = version;
    this.hash = hash;
    this.matcher = matcher;
    this.routes = routes;
    this.services = services;
    this.plugins = plugins;
    this.filters = filters;
  }
}

/** What materialising a version needs from the worker besides the config. */
export interface WorkerTables {
  readonly filterInstances: FilterInstances;
  readonly upstreamState: UpstreamState;
  readonly tokenCounters: TokenCounters;
  readonly workerIndex: number;
  readonly listen: { readonly host: string; readonly port: number };
  /** The worker's traffic metrics (shared by its listeners; plugins feed them too). */
  readonly metrics: WorkerMetrics;
  readonly warnings?: WarnLimiter;
}

/** Per worker: plugins' warnings to stderr, rate-limited per plugin. */
export function pluginWarnings(workerIndex: number): WarnLimiter {
  return new WarnLimiter(WARN_WINDOW_MS, (line) => process.stderr.write(`gatehouse worker ${workerIndex}: ${line}\n`));
}

export function materialize(config: CompiledConfig, tables: WorkerTables): Runtime {
  const matcher = new Matcher(config.router);
  const filters = tables.filterInstances.materialize(config.wasm);
  // Per (upstream, connect timeout) live objects; services share them when they can.
  const upstreamCache = new Map<string, UpstreamRuntime>();
  const services = config.services.map((service, serviceIndex) => {
    const compiled = config.upstreams[service.upstream];
    if (compiled === undefined) throw new Error(`service ${service.name} references missing upstream ${service.upstream}`);
    const tls = config.tls.services[serviceIndex] ?? null;
    const key = `${service.upstream}|${service.connectTimeout}|${tls?.key ?? ''}`;
    let upstream = upstreamCache.get(key);
    if (upstream === undefined) {
      const targets = compiled.targets.map((target) => ({ target, pool: acquireProxyPool(target.origin, service.connectTimeout, tls) }));
      upstream = new UpstreamRuntime(compiled.name, targets, createBalancer(compiled, tables.upstreamState), createPassiveHealth(compiled, tables.upstreamState));
      upstreamCache.set(key, upstream);
    }
    return new ServiceRuntime(service, upstream, tls);
  });
  const warnings = tables.warnings ?? pluginWarnings(tables.workerIndex);
  const env: PluginEnv = {
    workerIndex: tables.workerIndex,
    listen: tables.listen,
    consumers: materializeConsumers(config.plugins.consumers),
    tokenCounters: tables.tokenCounters,
    warn: (plugin, message) => {
      warnings.warn(plugin, `plugin ${plugin}: ${message}`);
    },
    metrics: tables.metrics,
  };
  const internal = internalHandlers(filters);
  const plugins = materializePlugins(config.plugins, env, (name) => HANDLERS.get(name) ?? internal.get(name));
  // With a prometheus plugin, Kong's rule: only the requests it sees feed the traffic series.
  tables.metrics.recordsAll = !config.plugins.instances.some((i) => i.name === 'prometheus');
  return new Runtime(config.version, config.hash, matcher, config.routes, services, plugins, filters);
}

/** After switching to `current`, close pools no version in use needs any more. */
export function retirePools(current: Runtime): void {
  const keep = new Set<string>();
  for (const service of current.services) {
    for (const t of service.upstream.targets) keep.add(proxyPoolKey(t.target.origin, service.config.connectTimeout, service.tls));
  }
  for (const h of current.plugins.handlers) if (h.pools !== undefined) for (const key of h.pools) keep.add(key);
  releasePoolsExcept(keep);
}

/**
 * Closes the handlers of `previous` that `current` no longer uses, once requests that
 * started on it have had time to finish (handlers with sockets or timers: log plugins).
 */
export function retirePlugins(previous: Runtime, current: Runtime): void {
  const keep = new Set(current.plugins.handlers);
  const gone = previous.plugins.handlers.filter((h) => !keep.has(h) && h.close !== undefined);
  if (gone.length === 0) return;
  setTimeout(() => {
    for (const h of gone) h.close?.();
  }, RETIRE_DELAY_MS).unref();
}
