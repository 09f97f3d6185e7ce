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
}
