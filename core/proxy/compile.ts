/**
 * Compile side of proxying: services and upstreams -> the plain tables workers balance over.
 *
 * A service whose host names an upstream entity balances over that upstream's targets; a
 * service with a bare host:port gets an implicit single-target upstream, so the worker has
 * one code path. The weighted round-robin order is precomputed here (smooth weighted
 * round robin, as nginx), so picking a target is one array read and one increment.
 */
import type { NormalizedConfig, NormalizedService, Protocol } from '../config/types.js';
import type { CompiledService, CompiledTarget, CompiledUpstream } from '../compile/types.js';

/** Longest schedule kept exactly; longer ones are scaled down proportionally. */
const MAX_SCHEDULE = 65_536;

export interface CompiledProxyTables {
  services: CompiledService[];
  upstreams: CompiledUpstream[];
  serviceIndexById: Map<string, number>;
}

function defaultPort(protocol: Protocol): number {
  return protocol === 'https' ? 443 : 80;
}

function hostHeader(host: string, port: number, protocol: Protocol): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === defaultPort(protocol) ? bracketed : `${bracketed}:${port}`;
}

function target(host: string, port: number, weight: number, protocol: Protocol, hostOverride: string | null): CompiledTarget {
  const authority = hostHeader(host, port, protocol);
  return {
    host,
    port,
    weight,
    origin: `${protocol}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`,
    hostHeader: hostOverride ?? authority,
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Smooth weighted round robin: an order where heavier targets recur evenly, not in bursts. */
export function buildSchedule(weights: readonly number[]): number[] {
  const live = weights.map((w) => (w > 0 ? w : 0));
  let divisor = 0;
  for (const w of live) if (w > 0) divisor = gcd(divisor, w);
  if (divisor === 0) return [];
  let reduced = live.map((w) => w / divisor);
  let total = reduced.reduce((a, b) => a + b, 0);
  if (total > MAX_SCHEDULE) {
    reduced = reduced.map((w) => (w > 0 ? Math.max(1, Math.round((w * MAX_SCHEDULE) / total)) : 0));
    total = reduced.reduce((a, b) => a + b, 0);
  }
  const current = new Array<number>(reduced.length).fill(0);
  const schedule: number[] = [];
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let i = 0; i < reduced.length; i++) {
      const w = reduced[i] ?? 0;
      if (w === 0) continue;
      current[i] = (current[i] ?? 0) + w;
      if (best === -1 || (current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    current[best] = (current[best] ?? 0) - total;
    schedule.push(best);
  }
  return schedule;
}

function serviceName(service: NormalizedService): string {
  return service.name ?? service.id;
}

export function compileProxyTables(config: NormalizedConfig): CompiledProxyTables {
  const upstreams: CompiledUpstream[] = [];
  const upstreamIndexByKey = new Map<string, number>();
  const services: CompiledService[] = [];
  const serviceIndexById = new Map<string, number>();
  const upstreamById = new Map(config.upstreams.map((u) => [u.id, u]));

  for (const service of config.services) {
    let key: string;
    let build: () => CompiledUpstream;
    const upstream = service.upstream === null ? undefined : upstreamById.get(service.upstream);
    if (upstream !== undefined) {
      // One compiled upstream per (upstream, protocol): the scheme is the service's.
      key = `u:${upstream.id}:${service.protocol}`;
      build = () => {
        const targets = upstream.targets.map((t) =>
          target(t.host, t.port, t.weight, service.protocol, upstream.host_header),
        );
        return {
          name: upstream.name,
          algorithm: upstream.algorithm,
          targets,
          schedule: buildSchedule(targets.map((t) => t.weight)),
        };
      };
    } else {
      key = `d:${service.protocol}:${service.host}:${service.port}`;
      build = () => ({
        name: `${service.host}:${service.port}`,
        algorithm: 'round-robin',
        targets: [target(service.host, service.port, 100, service.protocol, null)],
        schedule: [0],
      });
    }
    let index = upstreamIndexByKey.get(key);
    if (index === undefined) {
      index = upstreams.length;
      upstreams.push(build());
      upstreamIndexByKey.set(key, index);
    }
    serviceIndexById.set(service.id, services.length);
    services.push({
      id: service.id,
      name: serviceName(service),
      protocol: service.protocol,
      path: service.path,
      retries: service.retries,
      connectTimeout: service.connect_timeout,
      writeTimeout: service.write_timeout,
      readTimeout: service.read_timeout,
      upstream: index,
    });
  }
  return { services, upstreams, serviceIndexById };
}
