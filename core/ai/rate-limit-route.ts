/**
 * ai-rate-limiting-advanced for one route: the plain CompiledAiRateLimit the worker
 * materialises (core/ai/rate-limit.ts), from the plugin's validated config and the
 * route's AI targets. Pure data in, data out (no config-stage imports): the ai-proxy
 * handler derives it once per route and version.
 *
 * Which providers a route is limited by: every configured provider that one of the route's
 * targets uses. The check happens at admission, before a target is picked, so a request
 * on an ai-proxy-advanced route is checked (and reserved) against each of its providers'
 * limits; at the end the provider that served gets the real usage and the others are
 * settled to 0. That is conservative (a request is refused when any of its route's
 * providers is exhausted) but can never let one provider overshoot its limit through a
 * failover. Limits of providers no target uses do not apply to the route.
 */
import { COST_UNITS } from './compile-types.js';
import type { CompiledAiLimit, CompiledAiRateLimit, CompiledAiTarget } from './compile-types.js';

/** Completion tokens reserved when neither the client nor any target sets max_tokens. */
export const DEFAULT_RESERVED_MAX_TOKENS = 4096;

interface RawLimits {
  name: string;
  limit: number[];
  window_size: number[];
}

/** The limits of `config` that apply to a route with `targets`; null when none applies. */
export function compileRateLimit(
  pluginId: string,
  config: Record<string, unknown>,
  targets: readonly CompiledAiTarget[],
  serviceId: string | null,
): CompiledAiRateLimit | null {
  const strategy = config['tokens_count_strategy'] as CompiledAiRateLimit['strategy'];
  const scale = strategy === 'cost' ? COST_UNITS : 1;
  const limits: CompiledAiLimit[] = [];
  for (const p of config['llm_providers'] as RawLimits[]) {
    const target = targets.findIndex((t) => t.config.model.provider === p.name);
    if (target < 0) continue;
    p.limit.forEach((limit, i) => {
      const window = p.window_size[i];
      if (window !== undefined) limits.push({ provider: p.name, target, limit: Math.floor(limit * scale + 1e-6), window });
    });
  }
  if (limits.length === 0) return null;
  let defaultMaxTokens = 0;
  for (const t of targets) defaultMaxTokens = Math.max(defaultMaxTokens, t.config.model.options?.max_tokens ?? 0);
  const namespace = typeof config['namespace'] === 'string' && config['namespace'] !== '' ? config['namespace'] : pluginId;
  return {
    namespace,
    identifier: config['identifier'] as CompiledAiRateLimit['identifier'],
    headerName: typeof config['header_name'] === 'string' ? config['header_name'].toLowerCase() : '',
    path: typeof config['path'] === 'string' ? config['path'] : '',
    service: serviceId ?? '',
    strategy,
    sliding: config['window_type'] !== 'fixed',
    limits,
    defaultMaxTokens: defaultMaxTokens > 0 ? defaultMaxTokens : DEFAULT_RESERVED_MAX_TOKENS,
    hideClientHeaders: config['hide_client_headers'] === true,
    errorCode: config['error_code'] as number,
    errorMessage: config['error_message'] as string,
    retryAfterJitterMax: config['retry_after_jitter_max'] as number,
    disablePenalty: config['disable_penalty'] === true,
  };
}
