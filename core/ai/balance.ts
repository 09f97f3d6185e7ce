/**
 * ai-proxy-advanced target selection as a pure state machine: time is passed in, nothing
 * reads a clock or does I/O, so every decision is reproducible in a test.
 *
 * Per target it keeps: smooth weighted round-robin state, an EWMA of latency, cumulative
 * usage, recent failures (circuit breaker, Kong's `max_fails` within `fail_timeout`), and
 * a `Retry-After` embargo. pick() chooses among targets that are neither open-circuited,
 * embargoed nor already tried for this request; Attempt walks one request through its
 * retries so a failover never reuses a target.
 */
import type { Usage } from './types.js';

export const BalancerAlgorithm = {
  roundRobin: 'round-robin',
  lowestLatency: 'lowest-latency',
  lowestUsage: 'lowest-usage',
  consistentHashing: 'consistent-hashing',
  priority: 'priority',
} as const;
export type BalancerAlgorithm = (typeof BalancerAlgorithm)[keyof typeof BalancerAlgorithm];

export const FailoverCriterion = {
  error: 'error',
  timeout: 'timeout',
  invalidHeader: 'invalid_header',
  http403: 'http_403',
  http404: 'http_404',
  http429: 'http_429',
  http500: 'http_500',
  http502: 'http_502',
  http503: 'http_503',
  http504: 'http_504',
  nonIdempotent: 'non_idempotent',
} as const;
export type FailoverCriterion = (typeof FailoverCriterion)[keyof typeof FailoverCriterion];

export interface BalancerConfig {
  algorithm: BalancerAlgorithm;
  /** `tpot` (ms per output token), `e2e` (total ms) or `ttft` (ms to first token; Gatehouse addition). */
  latency_strategy: 'tpot' | 'e2e' | 'ttft';
  tokens_count_strategy: 'total-tokens' | 'prompt-tokens' | 'completion-tokens' | 'cost';
  failover_criteria: readonly FailoverCriterion[];
  /** Failures within fail_timeout that open a target's circuit; 0 disables the breaker. */
  max_fails: number;
  /** Milliseconds: the failure window and how long an open circuit stays open. */
  fail_timeout: number;
  /** Further targets tried after the first one fails. */
  retries: number;
}

export const BALANCER_DEFAULTS: BalancerConfig = {
  algorithm: 'round-robin',
  latency_strategy: 'tpot',
  tokens_count_strategy: 'total-tokens',
  failover_criteria: ['error', 'timeout'],
  max_fails: 0,
  fail_timeout: 10_000,
  retries: 5,
};

export type Outcome =
  | { kind: 'success'; ttftMs: number; totalMs: number; usage: Usage | null; cost: number }
  | { kind: 'error' }
  | { kind: 'timeout' }
  | { kind: 'invalid_header' }
  | { kind: 'http'; status: number; retryAfterMs?: number };

export interface BalancerOptions {
  /** Weight of the newest latency sample in the EWMA. */
  ewmaAlpha?: number;
  /** lowest-latency: every Nth pick goes to the target with the oldest sample, so a recovered target is noticed. */
  exploreEvery?: number;
}

class TargetState {
  current = 0;
  ewma = -1;
  sampledAt = -Infinity;
  usage = 0;
  failures: number[] = [];
  openUntil = -Infinity;
  embargoUntil = -Infinity;
  constructor(readonly weight: number) {}
}

/** FNV-1a, 32 bit. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class AiBalancer {
  readonly config: BalancerConfig;
  readonly #targets: TargetState[];
  readonly #alpha: number;
  readonly #exploreEvery: number;
  #picks = 0;

  constructor(weights: readonly number[], config: Partial<BalancerConfig> = {}, opts: BalancerOptions = {}) {
    this.config = { ...BALANCER_DEFAULTS, ...config };
    this.#targets = weights.map((w) => new TargetState(Math.max(0, w)));
    this.#alpha = opts.ewmaAlpha ?? 0.3;
    this.#exploreEvery = opts.exploreEvery ?? 20;
  }

  get size(): number {
    return this.#targets.length;
  }

  /** Not open-circuited, not under a Retry-After embargo, and with a weight. */
  available(index: number, now: number): boolean {
    const t = this.#targets[index];
    return t !== undefined && t.weight > 0 && now >= t.openUntil && now >= t.embargoUntil;
  }

  /**
   * The earliest time a target is available: `now` when one already is, else when the first
   * circuit or embargo ends (for a 503's Retry-After); Infinity when no target has a weight.
   */
  nextAvailableAt(now: number): number {
    let at = Infinity;
    for (const t of this.#targets) if (t.weight > 0) at = Math.min(at, Math.max(now, t.openUntil, t.embargoUntil));
    return at;
  }

  /** The target index to use, or -1 when none is available. */
  pick(now: number, hashKey?: string, exclude?: ReadonlySet<number>): number {
    const candidates: number[] = [];
    for (let i = 0; i < this.#targets.length; i++) if (this.available(i, now) && exclude?.has(i) !== true) candidates.push(i);
    if (candidates.length === 0) return -1;
    this.#picks++;
    switch (this.config.algorithm) {
      case 'priority':
        return this.#roundRobin(this.#topGroup(candidates));
      case 'lowest-latency':
        return this.#lowestLatency(candidates);
      case 'lowest-usage':
        return this.#lowestUsage(candidates);
      case 'consistent-hashing':
        return hashKey === undefined || hashKey === '' ? this.#roundRobin(candidates) : this.#rendezvous(candidates, hashKey);
      default:
        return this.#roundRobin(candidates);
    }
  }

  /** Smooth weighted round-robin (nginx): even spread, exact proportions over a cycle. */
  #roundRobin(candidates: readonly number[]): number {
    let best = -1;
    let total = 0;
    for (const i of candidates) {
      const t = this.#targets[i]!;
      t.current += t.weight;
      total += t.weight;
      if (best === -1 || t.current > this.#targets[best]!.current) best = i;
    }
    this.#targets[best]!.current -= total;
    return best;
  }

  /** Priority groups are weights: the highest weight present is the first group (Kong). */
  #topGroup(candidates: readonly number[]): number[] {
    let top = -1;
    for (const i of candidates) top = Math.max(top, this.#targets[i]!.weight);
    return candidates.filter((i) => this.#targets[i]!.weight === top);
  }

  #lowestLatency(candidates: readonly number[]): number {
    // Unmeasured targets first, so each gets a sample.
    for (const i of candidates) if (this.#targets[i]!.ewma < 0) return i;
    if (this.#exploreEvery > 0 && this.#picks % this.#exploreEvery === 0) {
      let stalest = candidates[0]!;
      for (const i of candidates) if (this.#targets[i]!.sampledAt < this.#targets[stalest]!.sampledAt) stalest = i;
      return stalest;
    }
    let best = candidates[0]!;
    for (const i of candidates) {
      const t = this.#targets[i]!;
      const b = this.#targets[best]!;
      if (t.ewma / t.weight < b.ewma / b.weight) best = i;
    }
    return best;
  }

  #lowestUsage(candidates: readonly number[]): number {
    let best = candidates[0]!;
    for (const i of candidates) {
      const t = this.#targets[i]!;
      const b = this.#targets[best]!;
      if (t.usage / t.weight < b.usage / b.weight) best = i;
    }
    return best;
  }

  /** Weighted rendezvous hashing: a key keeps its target while that target is available. */
  #rendezvous(candidates: readonly number[], key: string): number {
    let best = candidates[0]!;
    let bestScore = -Infinity;
    for (const i of candidates) {
      const h = (fnv1a(`${key}#${i}`) + 1) / 4294967297; // (0, 1)
      const score = -this.#targets[i]!.weight / Math.log(h);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /** Whether this outcome sends the request on to another target (`failover_criteria`). */
  shouldFailover(outcome: Outcome): boolean {
    const c = this.config.failover_criteria;
    switch (outcome.kind) {
      case 'success': return false;
      case 'error': return c.includes('error');
      case 'timeout': return c.includes('timeout');
      case 'invalid_header': return c.includes('invalid_header');
      case 'http': return c.includes(`http_${outcome.status}` as FailoverCriterion);
    }
  }

  /** Whether the outcome counts against the target's circuit (Kong: error/timeout/invalid_header always, 403/404 never). */
  #isFailure(outcome: Outcome): boolean {
    if (outcome.kind === 'success') return false;
    if (outcome.kind !== 'http') return true;
    if (outcome.status === 403 || outcome.status === 404) return false;
    return this.shouldFailover(outcome);
  }

  report(index: number, now: number, outcome: Outcome): void {
    const t = this.#targets[index];
    if (t === undefined) return;
    if (outcome.kind === 'success') {
      const sample = this.#latencySample(outcome);
      t.ewma = t.ewma < 0 ? sample : this.#alpha * sample + (1 - this.#alpha) * t.ewma;
      t.sampledAt = now;
      t.usage += this.#usageAmount(outcome);
      t.failures.length = 0;
      return;
    }
    if (outcome.kind === 'http' && outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
      t.embargoUntil = Math.max(t.embargoUntil, now + outcome.retryAfterMs);
    }
    if (outcome.kind === 'timeout') {
      // A timeout is a latency sample too: at least as slow as anything seen.
      t.ewma = Math.max(t.ewma, 0) * 2 + 1;
      t.sampledAt = now;
    }
    if (this.config.max_fails === 0 || !this.#isFailure(outcome)) return;
    const windowStart = now - this.config.fail_timeout;
    t.failures = t.failures.filter((at) => at > windowStart);
    t.failures.push(now);
    if (t.failures.length >= this.config.max_fails) {
      t.openUntil = now + this.config.fail_timeout;
      t.failures.length = 0;
    }
  }

  #latencySample(o: Outcome & { kind: 'success' }): number {
    switch (this.config.latency_strategy) {
      case 'e2e': return o.totalMs;
      case 'ttft': return o.ttftMs;
      default: return o.totalMs / Math.max(1, o.usage?.completion ?? 1);
    }
  }

  #usageAmount(o: Outcome & { kind: 'success' }): number {
    const u = o.usage;
    switch (this.config.tokens_count_strategy) {
      case 'cost': return o.cost;
      case 'prompt-tokens': return u?.prompt ?? 0;
      case 'completion-tokens': return u?.completion ?? 0;
      default: return u?.total ?? 0;
    }
  }

  /** Latency EWMA of a target (ms, or ms/token for tpot); -1 before the first sample. */
  latency(index: number): number {
    return this.#targets[index]?.ewma ?? -1;
  }

  /** One request's walk over targets: at most 1 + retries, never the same target twice. */
  attempt(hashKey?: string): Attempt {
    return new Attempt(this, hashKey);
  }
}

export class Attempt {
  readonly tried = new Set<number>();
  readonly #balancer: AiBalancer;
  readonly #hashKey: string | undefined;

  constructor(balancer: AiBalancer, hashKey: string | undefined) {
    this.#balancer = balancer;
    this.#hashKey = hashKey;
  }

  /** The next target to try, or -1 when retries are spent or nothing is left. */
  next(now: number): number {
    if (this.tried.size > this.#balancer.config.retries) return -1;
    const i = this.#balancer.pick(now, this.#hashKey, this.tried);
    if (i >= 0) this.tried.add(i);
    return i;
  }

  /**
   * Records an outcome and says whether to try another target. A caller that has already
   * sent bytes of a streamed answer to the client must not fail over (pass `committed`):
   * a client never gets half an answer from two providers.
   */
  fail(index: number, now: number, outcome: Outcome, committed = false): boolean {
    this.#balancer.report(index, now, outcome);
    return !committed && this.#balancer.shouldFailover(outcome);
  }
}

/** Retry-After (seconds or an HTTP date) -> milliseconds from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
