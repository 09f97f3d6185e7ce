/**
 * ai-proxy and ai-proxy-advanced in the worker: the route's responder. respond() hands the
 * request to an AiExchange (core/ai/exchange.ts) built over the route's AI runtime: the
 * proxy's targets (one set per plugin entity, shared by its routes) plus the companions
 * on this route's chain (prompt template, guard, decorator, ai-rate-limiting-advanced),
 * combined once per route and config version, on the route's first request.
 *
 * The log phase settles an exchange the client abandoned (status 499) and puts the call's
 * `ai` entry into the log (access log and log plugins).
 */
import { AiExchange } from '../../ai/exchange.js';
import type { CompiledAiRoute } from '../../ai/compile-types.js';
import type { PromptDecoratorConfig } from '../../ai/decorate.js';
import type { PromptGuardConfig } from '../../ai/guard.js';
import { PROMPT_PLUGIN_ROUTE_TYPES } from '../../ai/prompt-route-types.js';
import { compileRateLimit } from '../../ai/rate-limit-route.js';
import { AiRouteRuntime, AiTargetRuntime } from '../../ai/route-runtime.js';
import type { PromptTemplateConfig } from '../../ai/template.js';
import type { TokenCounters } from '../../shared/token-counters.js';
import type { RequestContext } from '../../worker/context.js';
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { isAiCompanion } from './companions.js';

const CLIENT_CLOSED = 499;

class AiProxyHandler implements PluginHandler {
  readonly pools: readonly string[];
  readonly #config: CompiledAiRoute;
  readonly #targets: readonly AiTargetRuntime[];
  readonly #counters: TokenCounters;
  /** Per route (this version's CompiledRoute objects): its AI runtime. */
  readonly #routes = new WeakMap<object, AiRouteRuntime>();

  constructor(config: CompiledAiRoute, env: PluginEnv) {
    this.#config = config;
    this.#counters = env.tokenCounters;
    this.#targets = config.targets.map((t) => new AiTargetRuntime(t, config.connectTimeout));
    this.pools = this.#targets.map((t) => t.poolKey);
  }

  respond(req: PluginRequest, slot: number): void {
    const ctx = req as RequestContext;
    const exchange = new AiExchange(ctx, this.#routeOf(ctx), ctx.owner);
    ctx.setState(slot, exchange);
    exchange.start();
  }

  log(req: PluginRequest, slot: number): void {
    const exchange = req.getState(slot);
    if (!(exchange instanceof AiExchange)) return;
    if (req.status === CLIENT_CLOSED) exchange.aborted();
    req.setLogValue('ai', exchange.logEntry());
  }

  #routeOf(ctx: RequestContext): AiRouteRuntime {
    const key = ctx.route ?? this;
    let runtime = this.#routes.get(key);
    if (runtime !== undefined) return runtime;
    const companions = new Map<string, Record<string, unknown>>();
    for (const step of ctx.chain?.steps ?? []) if (isAiCompanion(step.handler)) companions.set(step.handler.aiCompanion, step.handler.config);
    const base = this.#config;
    // A prompt plugin inherited from the service or globally applies where it can read the requests.
    const fits = (name: string): Record<string, unknown> | null => {
      const config = companions.get(name);
      const types = PROMPT_PLUGIN_ROUTE_TYPES[name];
      return config !== undefined && (types === undefined || types.includes(base.routeType)) ? config : null;
    };
    const limit = companions.get('ai-rate-limiting-advanced');
    const compiled: CompiledAiRoute = {
      ...base,
      guard: fits('ai-prompt-guard') as PromptGuardConfig | null,
      decorator: fits('ai-prompt-decorator') as PromptDecoratorConfig | null,
      template: fits('ai-prompt-template') as PromptTemplateConfig | null,
      rateLimit: limit === undefined ? null : compileRateLimit(String(limit['namespace']), limit, base.targets, ctx.service?.config.id ?? null),
    };
    runtime = new AiRouteRuntime(compiled, this.#counters, this.#targets);
    this.#routes.set(key, runtime);
    return runtime;
  }
}

export function aiProxyHandler(name: string): PluginHandlerModule<CompiledAiRoute, undefined> {
  return { name, create: (config, env) => new AiProxyHandler(config, env) };
}

export const handler = aiProxyHandler('ai-proxy');
