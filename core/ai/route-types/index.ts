/**
 * The codec of each route type and client format, and the config-time check of a target
 * against its route type (used by core/ai/compile.ts): which providers serve which route
 * type, which client formats a route type speaks, and a probe request built with the
 * provider module so a target that cannot be served is refused before it is published.
 *
 *   route_type          client formats      providers
 *   llm/v1/chat         openai, anthropic   all
 *   llm/v1/completions  openai              all (openai, azure, openai-compatible natively;
 *                                           the others through their chat API)
 *   llm/v1/embeddings   openai              openai, azure, mistral, openai-compatible, gemini
 */
import type { AiClientFormat } from '../compile-types.js';
import { PROVIDERS, providerFor } from '../providers/index.js';
import type { RouteType, TargetConfig } from '../providers/provider.js';
import type { AiRequest } from '../types.js';
import { chatAnthropicCodec, chatOpenAiCodec } from './chat.js';
import type { RouteCodec } from './codec.js';
import { completionsCodec } from './completions.js';
import { embeddingsCodec } from './embeddings.js';

const OPENAI_CODECS: Readonly<Record<RouteType, RouteCodec<AiRequest>>> = {
  'llm/v1/chat': chatOpenAiCodec,
  'llm/v1/completions': completionsCodec,
  'llm/v1/embeddings': embeddingsCodec,
};

/** The codec for a route; an Anthropic-format route is always chat (compile refuses the rest). */
export function codecFor(routeType: RouteType, format: AiClientFormat): RouteCodec<AiRequest> {
  return format === 'anthropic' ? chatAnthropicCodec : OPENAI_CODECS[routeType];
}

/** Client formats each route type speaks. */
export function routeTypeFormats(routeType: RouteType): readonly AiClientFormat[] {
  return routeType === 'llm/v1/chat' ? ['openai', 'anthropic'] : ['openai'];
}

/** Providers that serve `routeType`, in Kong's order. */
export function providersServing(routeType: RouteType): string[] {
  const codec = OPENAI_CODECS[routeType];
  return Object.values(PROVIDERS).filter((p) => codec.supports(p)).map((p) => p.name);
}

export interface RouteTargetProblem {
  /** The offending field, relative to the target: `route_type` or `model`. */
  field: 'route_type' | 'model';
  message: string;
}

/** Whether `target` can be served for its route type: null, or what is wrong and where. */
export function checkRouteTarget(target: TargetConfig): RouteTargetProblem | null {
  const codec = OPENAI_CODECS[target.route_type];
  const provider = providerFor(target.model.provider);
  if (!codec.supports(provider)) {
    return { field: 'route_type', message: `${target.route_type} is not supported by provider ${provider.name} (providers for ${target.route_type}: ${providersServing(target.route_type).join(', ')})` };
  }
  const probe = { ...codec.probe, model: target.model.name ?? codec.probe.model };
  const built = codec.build(provider, probe, target, new Date(0));
  return built.ok ? null : { field: 'model', message: built.message };
}
