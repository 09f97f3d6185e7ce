/**
 * Compile side of proxying: services and upstreams -> the plain tables workers balance over.
 *
 * A service whose host names an upstream entity balances over that upstream's targets; a
 * service with a bare host:port gets an implicit single-target upstream, so the worker has
 * one code path. The weighted round-robin order is precomputed here (smooth weighted
 * round robin, as nginx), so picking a target is one array read and one increment.
 *
 * Every target of an upstream entity gets a slot in the shared upstream state (health,
 * in-flight, latency), numbered here in order; the supervisor renumbers them with
 * TargetSlots.assign (proxy/health/table.ts) so a reload keeps unchanged targets' state.
 * Upstream entities no service uses are compiled too (appended, `referenced: false`):
 * Kong health-checks every upstream, and the admin health endpoint shows them.
 */
import type { NormalizedConfig, NormalizedService, NormalizedUpstream, Protocol } from '../config/types.js';
import type {
  CompiledActiveChecks,
  CompiledHashing,
  CompiledHealthchecks,
  CompiledPassiveChecks,
  CompiledService,
  CompiledTarget,
  CompiledUpstream,
  HashOnKind,
} from '../compile/types.js';

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

function target(
  id: string | null,
  address: string,
  host: string,
  port: number,
  weight: number,
  protocol: Protocol,
  hostOverride: string | null,
  slotKey: string,
): CompiledTarget {
  const authority = hostHeader(host, port, protocol);
  return {
    id,
    target: address,
    slot: -1,
    slotKey,
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

// ---- healthchecks and hashing (Kong's upstream fields, defaults already filled in) ----

type Loose = Record<string, unknown>;

function obj(value: unknown): Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : {};
}
function num(value: unknown, dflt: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : dflt;
}
function codes(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

const CHECK_TYPES = ['http', 'https', 'tcp', 'grpc', 'grpcs'] as const;

function probeHeaders(value: unknown): string[] {
  const flat: string[] = [];
  for (const [name, values] of Object.entries(obj(value))) {
    const list = Array.isArray(values) ? values : [values];
    for (const v of list) if (typeof v === 'string') flat.push(name.toLowerCase(), v);
  }
  return flat;
}

/**
 * Kong's rule (balancer/healthcheckers.lua): an upstream uses health checks when an active
 * interval or a passive unhealthy threshold is non-zero; otherwise it reports
 * HEALTHCHECKS_OFF and every target takes traffic.
 */
export function compileHealthchecks(raw: Loose): CompiledHealthchecks | null {
  const active = obj(raw['active']);
  const aHealthy = obj(active['healthy']);
  const aUnhealthy = obj(active['unhealthy']);
  const passive = obj(raw['passive']);
  const pHealthy = obj(passive['healthy']);
  const pUnhealthy = obj(passive['unhealthy']);
  const type = CHECK_TYPES.find((t) => t === active['type']) ?? 'http';
  const activeChecks: CompiledActiveChecks = {
    type,
    timeoutMs: Math.round(num(active['timeout'], 1) * 1000),
    concurrency: Math.max(1, num(active['concurrency'], 10)),
    httpPath: typeof active['http_path'] === 'string' ? active['http_path'] : '/',
    httpsSni: typeof active['https_sni'] === 'string' ? active['https_sni'] : null,
    httpsVerifyCertificate: active['https_verify_certificate'] !== false,
    headers: probeHeaders(active['headers']),
    healthyIntervalMs: Math.round(num(aHealthy['interval'], 0) * 1000),
    healthyStatuses: codes(aHealthy['http_statuses']),
    healthySuccesses: num(aHealthy['successes'], 0),
    unhealthyIntervalMs: Math.round(num(aUnhealthy['interval'], 0) * 1000),
    unhealthyStatuses: codes(aUnhealthy['http_statuses']),
    unhealthyTcpFailures: num(aUnhealthy['tcp_failures'], 0),
    unhealthyTimeouts: num(aUnhealthy['timeouts'], 0),
    unhealthyHttpFailures: num(aUnhealthy['http_failures'], 0),
  };
  const passiveChecks: CompiledPassiveChecks = {
    healthyStatuses: codes(pHealthy['http_statuses']),
    healthySuccesses: num(pHealthy['successes'], 0),
    unhealthyStatuses: codes(pUnhealthy['http_statuses']),
    unhealthyTcpFailures: num(pUnhealthy['tcp_failures'], 0),
    unhealthyTimeouts: num(pUnhealthy['timeouts'], 0),
    unhealthyHttpFailures: num(pUnhealthy['http_failures'], 0),
  };
  const activeOn = activeChecks.healthyIntervalMs > 0 || activeChecks.unhealthyIntervalMs > 0;
  const passiveOn =
    passiveChecks.unhealthyTcpFailures > 0 || passiveChecks.unhealthyTimeouts > 0 || passiveChecks.unhealthyHttpFailures > 0;
  if (!activeOn && !passiveOn) return null;
  return {
    active: activeOn ? activeChecks : null,
    passive: passiveOn ? passiveChecks : null,
    threshold: num(raw['threshold'], 0),
  };
}

const HASH_KINDS: readonly HashOnKind[] = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'];

function hashKind(value: string): HashOnKind {
  return HASH_KINDS.find((k) => k === value) ?? 'none';
}

function hashName(kind: HashOnKind, upstream: NormalizedUpstream, fallback: boolean): string {
  switch (kind) {
    case 'header':
      return ((fallback ? upstream.hash_fallback_header : upstream.hash_on_header) ?? '').toLowerCase();
    case 'cookie':
      return upstream.hash_on_cookie ?? '';
    case 'query_arg':
      return (fallback ? upstream.hash_fallback_query_arg : upstream.hash_on_query_arg) ?? '';
    case 'uri_capture':
      return (fallback ? upstream.hash_fallback_uri_capture : upstream.hash_on_uri_capture) ?? '';
    default:
      return '';
  }
}

export function compileHashing(upstream: NormalizedUpstream): CompiledHashing {
  const on = hashKind(upstream.hash_on);
  const fallback = hashKind(upstream.hash_fallback);
  return {
    on,
    onName: hashName(on, upstream, false),
    fallback,
    fallbackName: hashName(fallback, upstream, true),
    cookiePath: upstream.hash_on_cookie_path,
  };
}

function serviceName(service: NormalizedService): string {
  return service.name ?? service.id;
}

/** The shared-state identity of a target: stable across reloads while name and address stay. */
export function targetSlotKey(upstreamName: string, target: string): string {
  return `${upstreamName}|${target}`;
}

function entityUpstream(upstream: NormalizedUpstream, protocol: Protocol, referenced: boolean): CompiledUpstream {
  const targets = upstream.targets.map((t) =>
    target(t.id, t.target, t.host, t.port, t.weight, protocol, upstream.host_header, targetSlotKey(upstream.name, t.target)),
  );
  return {
    id: upstream.id,
    name: upstream.name,
    algorithm: upstream.algorithm,
    slots: upstream.slots,
    hashing: compileHashing(upstream),
    healthchecks: compileHealthchecks(upstream.healthchecks),
    referenced,
    targets,
    schedule: buildSchedule(targets.map((t) => t.weight)),
  };
}

const NO_HASHING: CompiledHashing = { on: 'none', onName: '', fallback: 'none', fallbackName: '', cookiePath: '/' };

function implicitUpstream(service: NormalizedService): CompiledUpstream {
  const address = `${service.host}:${service.port}`;
  return {
    id: null,
    name: address,
    algorithm: 'round-robin',
    slots: 0,
    hashing: { ...NO_HASHING },
    healthchecks: null,
    referenced: true,
    targets: [target(null, address, service.host, service.port, 100, service.protocol, null, '')],
    schedule: [0],
  };
}

/**
 * Numbers the slots of entity targets 0, 1, 2, … in table order. Targets of one entity
 * compiled twice (an upstream used by an http and an https service) share one slot:
 * health and in-flight belong to the address, not to the scheme.
 */
export function numberSlots(upstreams: readonly CompiledUpstream[]): number {
  const byKey = new Map<string, number>();
  for (const upstream of upstreams) {
    for (const t of upstream.targets) {
      if (t.slotKey === '') continue;
      let slot = byKey.get(t.slotKey);
      if (slot === undefined) {
        slot = byKey.size;
        byKey.set(t.slotKey, slot);
      }
      t.slot = slot;
    }
  }
  return byKey.size;
}

export function compileProxyTables(config: NormalizedConfig): CompiledProxyTables {
  const upstreams: CompiledUpstream[] = [];
  const upstreamIndexByKey = new Map<string, number>();
  const services: CompiledService[] = [];
  const serviceIndexById = new Map<string, number>();
  const upstreamById = new Map(config.upstreams.map((u) => [u.id, u]));
  const usedUpstreams = new Set<string>();

  for (const service of config.services) {
    let key: string;
    let build: () => CompiledUpstream;
    const upstream = service.upstream === null ? undefined : upstreamById.get(service.upstream);
    if (upstream !== undefined) {
      // One compiled upstream per (upstream, protocol): the scheme is the service's.
      key = `u:${upstream.id}:${service.protocol}`;
      usedUpstreams.add(upstream.id);
      build = () => entityUpstream(upstream, service.protocol, true);
    } else {
      key = `d:${service.protocol}:${service.host}:${service.port}`;
      build = () => implicitUpstream(service);
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
  for (const upstream of config.upstreams) {
    if (!usedUpstreams.has(upstream.id)) upstreams.push(entityUpstream(upstream, 'http', false));
  }
  numberSlots(upstreams);
  return { services, upstreams, serviceIndexById };
}
