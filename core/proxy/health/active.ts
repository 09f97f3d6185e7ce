/**
 * Active health checks (Kong's `healthchecks.active`), supervisor side: probes every
 * target of every upstream entity whose active checks are on, and writes the verdicts
 * into the shared upstream state that every worker's balancer reads.
 *
 *   per upstream: healthy loop   every healthy.interval   probes the targets now healthy
 *                 unhealthy loop every unhealthy.interval probes the targets now unhealthy
 *   a probe:  http/https GET http_path (headers, Host, fresh connection, `timeout`)
 *             tcp        connect only
 *   outcome:  status in healthy.http_statuses -> success  (healthy.successes to come back)
 *             status in unhealthy.http_statuses -> http failure (unhealthy.http_failures)
 *             other status -> not counted; connect/TLS/socket error -> tcp failure;
 *             timeout -> timeout (unhealthy.timeouts)
 *
 * A loop runs its next round `interval` after the previous round ended, so rounds never
 * overlap; at most `concurrency` probes of one upstream run at once. Timers are unref'd.
 * `update` on reload keeps the loops of upstreams whose checks and targets did not change
 * (their counters live in the shared state, keyed by slot, so nothing is lost either way).
 *
 * Not probed: `grpc`/`grpcs` check types (no gRPC health client here); such upstreams are
 * logged once and left as they are.
 */
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import type { CompiledActiveChecks, CompiledTarget, CompiledUpstream } from '../../compile/types.js';
import { CheckKind, HealthReason, Outcome, type UpstreamState } from '../../shared/upstream-state.js';

export type TargetHealthText = 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF';

/** One row of Kong's `GET /upstreams/{id}/health`. */
export interface TargetHealthRow {
  id: string | null;
  target: string;
  weight: number;
  upstream: { id: string };
  health: TargetHealthText;
  data: { addresses: { ip: string; port: number; health: TargetHealthText; weight: number }[] };
}

export interface UpstreamHealthReport {
  total: number;
  data: TargetHealthRow[];
  next: null;
}

/** Kong's `?balancer_health=1` form. */
export interface BalancerHealthReport {
  data: {
    id: string;
    health: TargetHealthText;
    balancer_health: TargetHealthText;
    details: { healthy: boolean; weight: { total: number; available: number; unavailable: number } };
  };
}

export type HealthLog = (message: string, fields: Record<string, unknown>) => void;

export interface HealthCheckerOptions {
  /** Health changes and unsupported check types are reported here. */
  log?: HealthLog;
}

const NO_LOG: HealthLog = () => {};

function lookupKey(value: string): string {
  return value.toLowerCase();
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT' ||
    (err as { name?: unknown } | null)?.name === 'TimeoutError'
  );
}

/** The probes of one upstream entity. */
class UpstreamProber {
  readonly upstream: CompiledUpstream;
  readonly signature: string;
  readonly #checks: CompiledActiveChecks;
  readonly #state: UpstreamState;
  readonly #log: HealthLog;
  readonly #agent: Agent | null;
  readonly #healthy: Set<number>;
  readonly #unhealthy: Set<number>;
  /** The pending timer of the healthy [0] and unhealthy [1] loops. */
  readonly #timers: (NodeJS.Timeout | null)[] = [null, null];
  readonly #rounds = new Set<Promise<void>>();
  #stopped = false;

  constructor(upstream: CompiledUpstream, checks: CompiledActiveChecks, signature: string, state: UpstreamState, log: HealthLog) {
    this.upstream = upstream;
    this.signature = signature;
    this.#checks = checks;
    this.#state = state;
    this.#log = log;
    this.#healthy = new Set(checks.healthyStatuses);
    this.#unhealthy = new Set(checks.unhealthyStatuses);
    const http = checks.type === 'http' || checks.type === 'https';
    const tls = checks.type === 'https';
    this.#agent = http
      ? new Agent({
          connect: {
            timeout: checks.timeoutMs,
            rejectUnauthorized: checks.httpsVerifyCertificate,
            ...(tls && checks.httpsSni !== null ? { servername: checks.httpsSni } : {}),
          },
          keepAliveTimeout: 1000,
        })
      : null;
  }

  start(): void {
    if (this.#checks.type === 'grpc' || this.#checks.type === 'grpcs') {
      this.#log('active health checks of this type are not supported; targets are not probed', {
        upstream: this.upstream.name,
        type: this.#checks.type,
      });
      return;
    }
    if (this.#checks.healthyIntervalMs > 0) this.#loop(true, this.#checks.healthyIntervalMs);
    if (this.#checks.unhealthyIntervalMs > 0) this.#loop(false, this.#checks.unhealthyIntervalMs);
  }

  #loop(healthy: boolean, intervalMs: number): void {
    const which = healthy ? 0 : 1;
    const schedule = (): void => {
      const timer = setTimeout(tick, intervalMs);
      timer.unref();
      this.#timers[which] = timer;
    };
    const tick = (): void => {
      this.#timers[which] = null;
      if (this.#stopped) return;
      const round = this.round(healthy);
      this.#rounds.add(round);
      void round.finally(() => {
        this.#rounds.delete(round);
        if (!this.#stopped) schedule();
      });
    };
    schedule();
  }

  /** Probes every target (weight > 0) whose current health equals `healthy` (null: every target). */
  async round(healthy: boolean | null): Promise<void> {
    const queue: CompiledTarget[] = [];
    const seen = new Set<number>();
    for (const t of this.upstream.targets) {
      if (t.weight <= 0 || t.slot < 0 || seen.has(t.slot)) continue;
      seen.add(t.slot);
      if (healthy === null || this.#state.isHealthy(t.slot) === healthy) queue.push(t);
    }
    const workers = Math.min(this.#checks.concurrency, queue.length);
    const next = async (): Promise<void> => {
      for (let t = queue.shift(); t !== undefined && !this.#stopped; t = queue.shift()) await this.probe(t);
    };
    await Promise.all(Array.from({ length: workers }, next));
  }

  /** One probe of one target; the outcome goes to the shared state. */
  async probe(target: CompiledTarget): Promise<void> {
    const outcome = this.#checks.type === 'tcp' ? await this.#tcpProbe(target) : await this.#httpProbe(target);
    if (outcome === -1 || this.#stopped) return;
    const c = this.#checks;
    const threshold =
      outcome === Outcome.SUCCESS
        ? c.healthySuccesses
        : outcome === Outcome.HTTP_FAILURE
          ? c.unhealthyHttpFailures
          : outcome === Outcome.TCP_FAILURE
            ? c.unhealthyTcpFailures
            : c.unhealthyTimeouts;
    if (this.#state.report(target.slot, CheckKind.ACTIVE, outcome, threshold, HealthReason.ACTIVE)) {
      this.#log('target health changed by active check', {
        upstream: this.upstream.name,
        target: target.target,
        health: this.#state.isHealthy(target.slot) ? 'HEALTHY' : 'UNHEALTHY',
      });
    }
  }

  async #httpProbe(target: CompiledTarget): Promise<Outcome | -1> {
    const c = this.#checks;
    const scheme = c.type === 'https' ? 'https' : 'http';
    const headers = ['host', target.hostHeader, 'user-agent', 'gatehouse-healthcheck', ...c.headers];
    try {
      const res = await request(`${scheme}://${urlHost(target.host)}:${target.port}${c.httpPath}`, {
        dispatcher: this.#agent as Agent,
        method: 'GET',
        headers,
        headersTimeout: c.timeoutMs,
        bodyTimeout: c.timeoutMs,
        reset: true,
      });
      await res.body.dump({ limit: 64 * 1024 });
      if (this.#healthy.has(res.statusCode)) return Outcome.SUCCESS;
      if (this.#unhealthy.has(res.statusCode)) return Outcome.HTTP_FAILURE;
      return -1;
    } catch (err) {
      return isTimeout(err) ? Outcome.TIMEOUT : Outcome.TCP_FAILURE;
    }
  }

  #tcpProbe(target: CompiledTarget): Promise<Outcome> {
    return new Promise((resolve) => {
      const socket = connect({ host: target.host, port: target.port });
      const done = (outcome: Outcome): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => done(Outcome.TIMEOUT), this.#checks.timeoutMs);
      socket.once('connect', () => done(Outcome.SUCCESS));
      socket.once('error', () => done(Outcome.TCP_FAILURE));
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) if (timer !== null) clearTimeout(timer);
    await Promise.allSettled([...this.#rounds]);
    if (this.#agent !== null) await this.#agent.close();
  }
}

/**
 * Owns the probes of every upstream and answers the admin API's health questions.
 * Supervisor usage: `start(compiled.upstreams)` after the first build, `update(...)` after
 * each published reload, `stop()` at shutdown.
 */
export class HealthChecker {
  readonly #state: UpstreamState;
  readonly #log: HealthLog;
  /** Entity upstreams by id: the first compiled instance of each. */
  #upstreams = new Map<string, CompiledUpstream>();
  #probers = new Map<string, UpstreamProber>();
  #running = false;

  constructor(state: UpstreamState, options: HealthCheckerOptions = {}) {
    this.#state = state;
    this.#log = options.log ?? NO_LOG;
  }

  start(upstreams: readonly CompiledUpstream[]): void {
    this.#running = true;
    this.update(upstreams);
  }

  /** Adopts a new config's upstreams; unchanged upstreams keep probing without a pause. */
  update(upstreams: readonly CompiledUpstream[]): void {
    const next = new Map<string, CompiledUpstream>();
    for (const u of upstreams) if (u.id !== null && !next.has(u.id)) next.set(u.id, u);
    this.#upstreams = next;
    if (!this.#running) return;
    const probers = new Map<string, UpstreamProber>();
    for (const [id, upstream] of next) {
      const checks = upstream.healthchecks?.active ?? null;
      if (checks === null) continue;
      const signature = JSON.stringify([checks, upstream.targets.map((t) => [t.slot, t.host, t.port, t.weight, t.hostHeader])]);
      const old = this.#probers.get(id);
      if (old !== undefined && old.signature === signature) {
        probers.set(id, old);
        continue;
      }
      const prober = new UpstreamProber(upstream, checks, signature, this.#state, this.#log);
      probers.set(id, prober);
      prober.start();
    }
    for (const [id, old] of this.#probers) if (probers.get(id) !== old) void old.stop();
    this.#probers = probers;
  }

  async stop(): Promise<void> {
    this.#running = false;
    const probers = [...this.#probers.values()];
    this.#probers = new Map();
    await Promise.all(probers.map((p) => p.stop()));
  }

  /** Probes every target of the upstream once, now; for tests and an admin "check now". */
  async probeNow(idOrName: string): Promise<boolean> {
    const upstream = this.#find(idOrName);
    if (upstream === undefined || upstream.id === null) return false;
    const prober = this.#probers.get(upstream.id);
    if (prober === undefined) return false;
    await prober.round(null);
    return true;
  }

  #find(idOrName: string): CompiledUpstream | undefined {
    const byId = this.#upstreams.get(idOrName);
    if (byId !== undefined) return byId;
    const name = lookupKey(idOrName);
    for (const u of this.#upstreams.values()) if (lookupKey(u.name) === name) return u;
    return undefined;
  }

  #targetHealth(upstream: CompiledUpstream, target: CompiledTarget): TargetHealthText {
    if (upstream.healthchecks === null || target.slot < 0) return 'HEALTHCHECKS_OFF';
    return this.#state.isHealthy(target.slot) ? 'HEALTHY' : 'UNHEALTHY';
  }

  /** Kong's `GET /upstreams/{id|name}/health` body, or null for an unknown upstream. */
  health(idOrName: string): UpstreamHealthReport | null {
    const upstream = this.#find(idOrName);
    if (upstream === undefined || upstream.id === null) return null;
    const id = upstream.id;
    const data = upstream.targets.map((t): TargetHealthRow => {
      const health = this.#targetHealth(upstream, t);
      return {
        id: t.id,
        target: t.target,
        weight: t.weight,
        upstream: { id },
        health,
        data: { addresses: [{ ip: t.host, port: t.port, health, weight: t.weight }] },
      };
    });
    return { total: data.length, data, next: null };
  }

  /** Kong's `?balancer_health=1` body: the upstream as a whole against its `threshold`. */
  balancerHealth(idOrName: string): BalancerHealthReport | null {
    const upstream = this.#find(idOrName);
    if (upstream === undefined || upstream.id === null) return null;
    let total = 0;
    let available = 0;
    for (const t of upstream.targets) {
      const w = Math.max(0, t.weight);
      total += w;
      if (this.#targetHealth(upstream, t) !== 'UNHEALTHY') available += w;
    }
    const threshold = upstream.healthchecks?.threshold ?? 0;
    // No available weight means no target can be picked (the proxy answers 503), whatever
    // the threshold: with the default threshold 0 the old check called that HEALTHY.
    const healthy = available > 0 && (available * 100) / total >= threshold;
    const text: TargetHealthText = upstream.healthchecks === null ? 'HEALTHCHECKS_OFF' : healthy ? 'HEALTHY' : 'UNHEALTHY';
    return {
      data: {
        id: upstream.id,
        health: text,
        balancer_health: text,
        details: { healthy, weight: { total, available, unavailable: total - available } },
      },
    };
  }

  /**
   * Kong's POST /upstreams/{u}/targets/{t}/healthy|unhealthy: forces a target's health
   * (`target` is the target id or its host:port). Returns false when not found.
   */
  setTargetHealth(idOrName: string, target: string, healthy: boolean): boolean {
    const upstream = this.#find(idOrName);
    if (upstream === undefined) return false;
    const t = upstream.targets.find((x) => x.id === target || x.target === target);
    if (t === undefined || t.slot < 0) return false;
    this.#state.setHealthy(t.slot, healthy, HealthReason.MANUAL);
    return true;
  }
}
