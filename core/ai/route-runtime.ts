/**
 * The live objects of one AI route, built once per config version in each worker (by the
 * ai-proxy handler, on the route's first request): providers, an undici Pool per target
 * origin, the ai-proxy-advanced balancer state (per route: two routes with equal configs
 * never share an embargo), and the prompt plugins compiled into functions (an absent
 * plugin is null, so a request pays nothing for it).
 */
import type { Pool } from 'undici';
import { AiBalancer } from './balance.js';
import type { CompiledAiRoute, CompiledAiTarget } from './compile-types.js';
import { compilePromptDecorator } from './decorate.js';
import { compilePromptGuard } from './guard.js';
import type { PromptGuard } from './guard.js';
import { Pricing } from './pricing.js';
import { AiRateLimiter } from './rate-limit.js';
import type { TokenCounters } from '../shared/token-counters.js';
import { providerFor } from './providers/index.js';
import { CHAT_PROBE } from './route-types/chat.js';
import type { Provider } from './providers/provider.js';
import { compilePromptTemplates } from './template.js';
import type { ChatRequest, Parsed } from './types.js';
import type { JsonObject } from './json-shape.js';
import { acquirePool, poolKey } from '../proxy/upstream.js';

/** Prices come from each target's `model.options.input_cost/output_cost` (Kong's fields). */
const PRICING = new Pricing({});

export class AiTargetRuntime {
  readonly config: CompiledAiTarget;
  readonly provider: Provider;
  readonly pool: Pool;
  readonly poolKey: string;
  /** The configured model name, or '' (the client's model is used). */
  readonly modelName: string;

  constructor(config: CompiledAiTarget, connectTimeout: number) {
    this.config = config;
    this.provider = providerFor(config.config.model.provider);
    this.modelName = config.config.model.name ?? '';
    // The origin never depends on the request for a configured target: probe it once.
    const built = this.provider.buildChatRequest({ ...CHAT_PROBE, model: this.modelName === '' ? 'probe' : this.modelName }, config.config, new Date());
    if (!built.ok) throw new Error(`AI target ${config.label}: ${built.message}`);
    const origin = new URL(built.value.url).origin;
    this.poolKey = poolKey(origin, connectTimeout);
    this.pool = acquirePool(origin, connectTimeout);
  }

  cost(model: string, usage: { prompt: number; completion: number; total: number; estimated: boolean }): number {
    return PRICING.cost(this.config.config.model.provider, model, usage, this.config.config.model.options);
  }
}

export class AiRouteRuntime {
  readonly config: CompiledAiRoute;
  readonly targets: readonly AiTargetRuntime[];
  readonly balancer: AiBalancer;
  readonly template: ((body: JsonObject) => Parsed<JsonObject>) | null;
  readonly guard: PromptGuard | null;
  readonly decorate: ((req: ChatRequest) => ChatRequest) | null;
  /** ai-rate-limiting-advanced over the shared token counters, or null. */
  readonly rateLimit: AiRateLimiter | null;

  /** `targets`: the proxy's target runtimes (shared by every route of one ai-proxy entity). */
  constructor(config: CompiledAiRoute, counters: TokenCounters, targets: readonly AiTargetRuntime[]) {
    this.config = config;
    this.targets = targets;
    this.balancer = new AiBalancer(config.targets.map((t) => t.weight), config.balancer);
    this.template = config.template === null ? null : compilePromptTemplates(config.template);
    this.guard = config.guard === null ? null : compilePromptGuard(config.guard);
    this.decorate = config.decorator === null ? null : compilePromptDecorator(config.decorator);
    this.rateLimit = config.rateLimit === null ? null : new AiRateLimiter(config.rateLimit, counters, this.targets);
  }
}
