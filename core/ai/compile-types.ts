/**
 * The compiled shape of a route's AI plugins (ai-proxy or ai-proxy-advanced, plus the
 * ai-prompt-* plugins on the same route): plain data, validated and defaulted at compile
 * time (core/ai/compile.ts), carried in the snapshot, materialised per worker into live
 * objects (core/ai/route-runtime.ts).
 */
import type { BalancerConfig } from './balance.js';
import type { PromptDecoratorConfig } from './decorate.js';
import type { PromptGuardConfig } from './guard.js';
import type { RouteType, TargetConfig } from './providers/provider.js';
import type { PromptTemplateConfig } from './template.js';

export type AiClientFormat = 'openai' | 'anthropic';

/** Cost limits and amounts of ai-rate-limiting-advanced are counted in micro-units of the currency. */
export const COST_UNITS = 1_000_000;

export interface CompiledAiTarget {
  /** route_type, model (provider, name, options) and auth, as the provider modules take them. */
  config: TargetConfig;
  weight: number;
  logStatistics: boolean;
  logPayloads: boolean;
  /** `provider/model` for logs and the X-Kong-LLM-Model header ('' model: the client's). */
  label: string;
}

export interface CompiledAiRoute {
  plugin: 'ai-proxy' | 'ai-proxy-advanced';
  routeType: RouteType;
  /** The format clients speak on this route. */
  llmFormat: AiClientFormat;
  responseStreaming: 'allow' | 'deny' | 'always';
  /** Bytes; 0 = unlimited (the worker's own body limit still applies). */
  maxRequestBodySize: number;
  modelNameHeader: boolean;
  targets: CompiledAiTarget[];
  balancer: BalancerConfig;
  /** `hash_on_header` for consistent-hashing, lower-case. */
  hashOnHeader: string;
  connectTimeout: number;
  readTimeout: number;
  writeTimeout: number;
  guard: PromptGuardConfig | null;
  decorator: PromptDecoratorConfig | null;
  template: PromptTemplateConfig | null;
  /** ai-rate-limiting-advanced on this route (core/ai/rate-limit-compile.ts), or null. */
  rateLimit: CompiledAiRateLimit | null;
}

/** One limit of ai-rate-limiting-advanced: `limit` per `window` seconds for a provider. */
export interface CompiledAiLimit {
  provider: string;
  /** Index of the route's first target of this provider (its prices, for cost). */
  target: number;
  /** Tokens, or cost in micro-units (currency × 1e6) for the `cost` strategy. */
  limit: number;
  window: number;
}

export interface CompiledAiRateLimit {
  /** Counter namespace: the config's `namespace`, else the plugin's id (stable across reloads). */
  namespace: string;
  identifier: 'consumer' | 'credential' | 'ip' | 'service' | 'header' | 'path' | 'consumer-group';
  /** Lower-case; '' unless identifier is `header`. */
  headerName: string;
  path: string;
  /** The route's service id ('' without one), for identifier `service`. */
  service: string;
  strategy: 'total_tokens' | 'prompt_tokens' | 'completion_tokens' | 'cost';
  sliding: boolean;
  /** Only the limits of providers the route's targets use, deduplicated. */
  limits: CompiledAiLimit[];
  /** Completion tokens reserved when the client sends no max_tokens. */
  defaultMaxTokens: number;
  hideClientHeaders: boolean;
  errorCode: number;
  errorMessage: string;
  retryAfterJitterMax: number;
  disablePenalty: boolean;
}
