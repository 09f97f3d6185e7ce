/**
 * Materialises a CompiledConfig into the live objects the hot path uses, once per
 * version: the router matcher (RegExp objects), balancers, upstream pools. A request
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
import { materializeAi, type AiRouteRuntime } from '../ai/route-runtime.js';
import { materializeKeyAuth, type KeyAuth } from '../plugins/key-auth/access.js';

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

export class Runtime {
  readonly version: number;
  readonly hash: string;
  readonly matcher: Matcher;
  readonly routes: readonly CompiledRoute[];
  /** Indexed like CompiledConfig.services. */
  readonly services: readonly ServiceRuntime[];
  /** Per route: its WASM filter instances in chain order, or null (no filters: no cost). */
  readonly routeFilters: readonly (readonly WasmInstance[] | null)[];
  /** Every filter instance this version uses. */
  readonly filters: readonly WasmInstance[];
  /** Per route: its AI gateway runtime, or null (not an AI route: no cost). */
  readonly routeAi: readonly (AiRouteRuntime | null)[];
  /** Per route: its key-auth step, or null (no auth: no cost). */
  readonly routeAuth: readonly (KeyAuth | null)[];
  constructor(
    version: number,
    hash: string,
    matcher: Matcher,
    routes: readonly CompiledRoute[],
    services: readonly ServiceRuntime[],
    routeFilters: readonly (readonly WasmInstance[] | null)[],
    filters: readonly WasmInstance[],
    routeAi: readonly (AiRouteRuntime | null)[] = [],
    routeAuth: readonly (KeyAuth | null)[] = [],
  ) {
    this.version = version;
    this.hash = hash;
    this.matcher = matcher;
    this.routes = routes;
    this.services = services;
    this.routeFilters = routeFilters;
    this.filters = filters;
    this.routeAi = routeAi;
    this.routeAuth = routeAuth;
  }
}

export function materialize(config: CompiledConfig, filterInstances: FilterInstances, upstreamState: UpstreamState, tokenCounters: TokenCounters): Runtime {
  const matcher = new Matcher(config.router);
  const filters = filterInstances.materialize(config.wasm);
  const routeFilters = config.routes.map((route) =>
    route.filters === null ? null : route.filters.map((i) => {
      const instance = filters[i];
      if (instance === undefined) throw new Error(`route ${route.name} references missing filter ${i}`);
      return instance;
    }),
  );
  // Per (upstream, connect timeout) live objects; services share them when they can.
  const upstreamCache = new Map<string, UpstreamRuntime>();
  const usedPools = new Set<string>();
  const services = config.services.map((service, serviceIndex) => {
    const compiled = config.upstreams[service.upstream];
    if (compiled === undefined) throw new Error(`service ${service.name} references missing upstream ${service.upstream}`);
    const tls = config.tls.services[serviceIndex] ?? null;
    const key = `${service.upstream}|${service.connectTimeout}|${tls?.key ?? ''}`;
    let upstream = upstreamCache.get(key);
    if (upstream === undefined) {
      const targets = compiled.targets.map((target) => {
        usedPools.add(proxyPoolKey(target.origin, service.connectTimeout, tls));
        return { target, pool: acquireProxyPool(target.origin, service.connectTimeout, tls) };
      });
      upstream = new UpstreamRuntime(compiled.name, targets, createBalancer(compiled, upstreamState), createPassiveHealth(compiled, upstreamState));
      upstreamCache.set(key, upstream);
    }
    return new ServiceRuntime(service, upstream, tls);
  });
  return new Runtime(config.version, config.hash, matcher, config.routes, services, routeFilters, filters, materializeAi(config.routes, tokenCounters), materializeKeyAuth(config.auth, config.routes));
}

/** After switching to `current`, close pools no version in use needs any more. */
export function retirePools(current: Runtime): void {
  const keep = new Set<string>();
  for (const service of current.services) {
    for (const t of service.upstream.targets) keep.add(proxyPoolKey(t.target.origin, service.config.connectTimeout, service.tls));
  }
  for (const ai of current.routeAi) {
    if (ai !== null) for (const t of ai.targets) keep.add(t.poolKey);
  }
  releasePoolsExcept(keep);
}
