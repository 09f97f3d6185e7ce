/**
 * Materialises a CompiledConfig into the live objects the hot path uses, once per
 * version: the router matcher (RegExp objects), balancers, undici pools. A request
 * holds the Runtime it started with, so a reload never changes a request mid-flight.
 */
import type { Pool } from 'undici';
import type { CompiledConfig, CompiledRoute, CompiledService, CompiledTarget } from '../compile/types.js';
import { Matcher } from '../router/match.js';
import { RoundRobin } from '../proxy/balancer/round-robin.js';
import { acquirePool, poolKey, releasePoolsExcept } from '../proxy/upstream.js';

export interface TargetRuntime {
  readonly target: CompiledTarget;
  readonly pool: Pool;
}

export class UpstreamRuntime {
  readonly name: string;
  readonly targets: readonly TargetRuntime[];
  readonly balancer: RoundRobin;
  constructor(name: string, targets: readonly TargetRuntime[], balancer: RoundRobin) {
    this.name = name;
    this.targets = targets;
    this.balancer = balancer;
  }
}

export class ServiceRuntime {
  readonly config: CompiledService;
  readonly upstream: UpstreamRuntime;
  constructor(config: CompiledService, upstream: UpstreamRuntime) {
    this.config = config;
    this.upstream = upstream;
  }
}

export class Runtime {
  readonly version: number;
  readonly hash: string;
  readonly matcher: Matcher;
  readonly routes: readonly CompiledRoute[];
  /** Indexed like CompiledConfig.services. */
  readonly services: readonly ServiceRuntime[];
  constructor(version: number, hash: string, matcher: Matcher, routes: readonly CompiledRoute[], services: readonly ServiceRuntime[]) {
    this.version = version;
    this.hash = hash;
    this.matcher = matcher;
    this.routes = routes;
    this.services = services;
  }
}

export function materialize(config: CompiledConfig): Runtime {
  const matcher = new Matcher(config.router);
  // Per (upstream, connect timeout) live objects; services share them when they can.
  const upstreamCache = new Map<string, UpstreamRuntime>();
  const usedPools = new Set<string>();
  const services = config.services.map((service) => {
    const compiled = config.upstreams[service.upstream];
    if (compiled === undefined) throw new Error(`service ${service.name} references missing upstream ${service.upstream}`);
    const key = `${service.upstream}|${service.connectTimeout}`;
    let upstream = upstreamCache.get(key);
    if (upstream === undefined) {
      const targets = compiled.targets.map((target) => {
        usedPools.add(poolKey(target.origin, service.connectTimeout));
        return { target, pool: acquirePool(target.origin, service.connectTimeout) };
      });
      upstream = new UpstreamRuntime(compiled.name, targets, new RoundRobin(compiled.schedule));
      upstreamCache.set(key, upstream);
    }
    return new ServiceRuntime(service, upstream);
  });
  return new Runtime(config.version, config.hash, matcher, config.routes, services);
}

/** After switching to `current`, close pools no version in use needs any more. */
export function retirePools(current: Runtime): void {
  const keep = new Set<string>();
  for (const service of current.services) {
    for (const t of service.upstream.targets) keep.add(poolKey(t.target.origin, service.config.connectTimeout));
  }
  releasePoolsExcept(keep);
}
