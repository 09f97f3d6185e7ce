/**
 * ai-rate-limiting-advanced on the hot path: reserve at admission, settle at the end.
 *
 *   admit   (after template/guard/decorator, before a target is picked)
 *           amount = prompt estimate + max_tokens (by tokens_count_strategy: total =
 *           both, prompt = the estimate, completion = max_tokens, cost = their price in
 *           micro-units) -> TokenCounters.reserve over every (provider, window) limit of
 *           the route, all or nothing, atomic across workers -> a ticket
 *   reject  over any limit: error_code with error_message + the providers over their
 *           limit, Retry-After = seconds to that window's end + jitter; unless
 *           disable_penalty, the request's prompt part is still counted (Kong counts
 *           denied requests by default)
 *   settle  once, when the response ends whatever way: the reservation is replaced by the
 *           real usage on the provider that served, and by 0 on the route's other
 *           providers (and everywhere when nothing was served)
 *
 * A reservation is counted in the window it was made in; settling corrects that window
 * while it is still tracked (see core/shared/token-counters.ts).
 *
 * Identifiers, as Kong's rate limiters pick them: `consumer` counts per the consumer an
 * auth plugin identified (key-auth; its anonymous consumer is a consumer too, so anonymous
 * callers share one budget), else per credential, else per client IP; `credential` per
 * credential id, else per IP; `consumer-group` per IP (no consumer groups yet). `header`
 * without the header, and `path` on another path, also fall back to the client IP (Kong's
 * rate-limiting identifier rule); `service` on a route without a service too.
 */
import { createHash } from 'node:crypto';
import type { HttpResponse } from '../worker/http-front.js';
import { CounterProbe, TokenCountersResult } from '../shared/token-counters.js';
import type { TokenCounters } from '../shared/token-counters.js';
import { COST_UNITS } from './compile-types.js';
import type { CompiledAiRateLimit } from './compile-types.js';
import type { AiTargetRuntime } from './route-runtime.js';
import { estimatePromptTokens } from './tokens.js';
import type { ChatRequest, Usage } from './types.js';

/** What admission reads from the request. */
export interface RateLimitSubject {
  readonly remoteAddress: string;
  /** Who an auth plugin identified (RequestContext.consumer / credentialId); absent = nobody. */
  readonly consumer?: { readonly id: string } | null;
  readonly credentialId?: string | null;
  readonly path: string;
  header(name: string): string | undefined;
}

/** Kong's window names for the usual sizes (X-AI-RateLimit-Limit-minute-openai). */
const WINDOW_NAMES: Readonly<Record<number, string>> = { 1: 'second', 60: 'minute', 3600: 'hour', 86_400: 'day', 2_592_000: 'month', 31_536_000: 'year' };

const encoder = new TextEncoder();

interface LimitHeaders {
  limit: string;
  remaining: string;
  reset: string;
}

export class AiRateLimiter {
  readonly config: CompiledAiRateLimit;
  readonly #counters: TokenCounters;
  readonly #targets: readonly AiTargetRuntime[];
  /** Per limit: `namespace \0 provider \0`, the key without the identity. */
  readonly #prefixes: readonly string[];
  readonly #headers: readonly LimitHeaders[];

  constructor(config: CompiledAiRateLimit, counters: TokenCounters, targets: readonly AiTargetRuntime[]) {
    this.config = config;
    this.#counters = counters;
    this.#targets = targets;
    this.#prefixes = config.limits.map((l) => `${config.namespace}\0${l.provider}\0`);
    this.#headers = config.limits.map((l) => {
      const suffix = `${WINDOW_NAMES[l.window] ?? String(l.window)}-${l.provider}`;
      return { limit: `x-ai-ratelimit-limit-${suffix}`, remaining: `x-ai-ratelimit-remaining-${suffix}`, reset: `x-ai-ratelimit-reset-${suffix}` };
    });
  }

  /** Checks and reserves; the ticket says whether the request may go on. */
  admit(subject: RateLimitSubject, req: ChatRequest, nowMs: number): AiRateTicket {
    const config = this.config;
    const identity = this.#identity(subject);
    const prompt = estimatePromptTokens(req);
    const maxTokens = req.maxTokens ?? config.defaultMaxTokens;
    const probes = config.limits.map((l, i) => {
      const probe = new CounterProbe(this.#key(this.#prefixes[i] as string, identity), l.window, l.limit);
      probe.amount = this.#amount(l.target, req.model, prompt, maxTokens);
      return probe;
    });
    const result = this.#counters.reserve(probes, nowMs, config.sliding);
    if (result === TokenCountersResult.Over && !config.disablePenalty) {
      // The penalty: the prompt part of the refused request (nothing for completion_tokens).
      this.#counters.add(probes, config.limits.map((l) => this.#amount(l.target, req.model, prompt, 0)), nowMs);
    }
    return new AiRateTicket(this, probes, result);
  }

  /** The counted amount of `usage` (null: nothing served) on limit `i`'s provider. */
  settledAmount(i: number, provider: string | null, model: string, usage: Usage | null): number {
    const limit = this.config.limits[i];
    if (limit === undefined || usage === null || provider !== limit.provider) return 0;
    switch (this.config.strategy) {
      case 'prompt_tokens':
        return usage.prompt;
      case 'completion_tokens':
        return usage.completion;
      case 'cost':
        return toUnits(this.#cost(limit.target, model, usage));
      default:
        return usage.total;
    }
  }

  settle(probes: readonly CounterProbe[], actual: readonly number[], nowMs: number): void {
    this.#counters.settle(probes, actual, nowMs);
  }

  headerNames(i: number): LimitHeaders | undefined {
    return this.#headers[i];
  }

  /** The amount reserved on a limit whose prices are `target`'s. */
  #amount(target: number, model: string, prompt: number, maxTokens: number): number {
    switch (this.config.strategy) {
      case 'prompt_tokens':
        return prompt;
      case 'completion_tokens':
        return maxTokens;
      case 'cost':
        return toUnits(this.#cost(target, model, { prompt, completion: maxTokens, total: prompt + maxTokens, estimated: true }));
      default:
        return prompt + maxTokens;
    }
  }

  #cost(target: number, model: string, usage: Usage): number {
    const t = this.#targets[target];
    if (t === undefined) return 0;
    return t.cost(t.modelName !== '' ? t.modelName : model, usage);
  }

  #identity(subject: RateLimitSubject): string {
    const config = this.config;
    switch (config.identifier) {
      case 'header':
        return subject.header(config.headerName) ?? subject.remoteAddress;
      case 'path':
        return subject.path === config.path ? subject.path : subject.remoteAddress;
      case 'service':
        return config.service !== '' ? config.service : subject.remoteAddress;
      case 'consumer':
        return subject.consumer?.id ?? subject.credentialId ?? subject.remoteAddress;
      case 'credential':
        return subject.credentialId ?? subject.remoteAddress;
      default:
        // ip, and consumer-group (no consumer groups yet: Kong's fallback is the IP).
        return subject.remoteAddress;
    }
  }

  #key(prefix: string, identity: string): Uint8Array {
    const key = encoder.encode(prefix + identity);
    if (key.byteLength <= this.#counters.maxKeyBytes) return key;
    // A long identity (a header value) is replaced by its digest, keeping the key bounded.
    return encoder.encode(`${prefix}#${createHash('sha256').update(identity).digest('hex')}`);
  }
}

/** Cost in currency -> whole micro-units, rounding up (float noise below 1e-6 units ignored). */
function toUnits(cost: number): number {
  return Math.ceil(cost * COST_UNITS - 1e-6);
}

/** One admitted (or refused) request's reservation: settles once, writes the headers. */
export class AiRateTicket {
  readonly #limiter: AiRateLimiter;
  readonly #probes: readonly CounterProbe[];
  readonly #result: TokenCountersResult;
  readonly #retryAfter: number;
  #settled: boolean;

  constructor(limiter: AiRateLimiter, probes: readonly CounterProbe[], result: TokenCountersResult) {
    this.#limiter = limiter;
    this.#probes = probes;
    this.#result = result;
    this.#settled = result !== TokenCountersResult.Ok;
    let reset = 0;
    for (const p of probes) if (p.over || result === TokenCountersResult.Ok) reset = Math.max(reset, p.resetMs);
    const jitterMax = limiter.config.retryAfterJitterMax;
    const jitter = result === TokenCountersResult.Over && jitterMax > 0 ? Math.floor(Math.random() * (jitterMax + 1)) : 0;
    this.#retryAfter = Math.max(1, Math.ceil(reset / 1000)) + jitter;
  }

  get rejected(): boolean {
    return this.#result === TokenCountersResult.Over;
  }

  get status(): number {
    return this.#limiter.config.errorCode;
  }

  /** error_message followed by the providers over their limit. */
  get message(): string {
    const over = new Set<string>();
    this.#probes.forEach((p, i) => {
      if (p.over) over.add(this.#limiter.config.limits[i]?.provider ?? '');
    });
    return this.#limiter.config.errorMessage + [...over].join(', ');
  }

  /** Seconds until a refused request may be tried again (jitter included). */
  get retryAfter(): number {
    return this.#retryAfter;
  }

  /**
   * Replaces the reservation by what was used: `usage` on `provider`, 0 elsewhere (null
   * usage: nothing served). Only the first call counts.
   */
  settle(provider: string | null, model: string, usage: Usage | null, nowMs: number): void {
    if (this.#settled) return;
    this.#settled = true;
    const actual = this.#probes.map((_, i) => this.#limiter.settledAmount(i, provider, model, usage));
    this.#limiter.settle(this.#probes, actual, nowMs);
  }

  /** X-AI-RateLimit-* (unless hide_client_headers) and, when refused, Retry-After. */
  writeHeaders(res: HttpResponse): void {
    if (this.#result === TokenCountersResult.Full) return;
    const rejected = this.rejected;
    if (rejected) {
      res.writeHeader('retry-after', String(this.#retryAfter));
      res.writeHeader('x-ai-ratelimit-retry-after', String(this.#retryAfter));
      res.writeHeader('x-ai-ratelimit-reset', String(this.#retryAfter));
    }
    if (this.#limiter.config.hideClientHeaders) return;
    // Cost limits are counted in micro-units and shown in the configured currency units.
    const scale = this.#limiter.config.strategy === 'cost' ? COST_UNITS : 1;
    this.#probes.forEach((p, i) => {
      const names = this.#limiter.headerNames(i);
      if (names === undefined) return;
      res.writeHeader(names.limit, String(p.limit / scale));
      res.writeHeader(names.remaining, String(p.remaining / scale));
      res.writeHeader(names.reset, String(Math.max(1, Math.ceil(p.resetMs / 1000))));
    });
  }
}
