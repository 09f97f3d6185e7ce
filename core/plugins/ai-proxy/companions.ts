/**
 * The AI companions (ai-prompt-guard, -decorator, -template, ai-rate-limiting-advanced) in
 * the worker: handlers with no phase of their own. They sit in the route's chain for
 * their config; the route's ai-proxy handler reads them from there (handler.ts) and runs
 * them inside its exchange, in the order that exchange defines.
 */
import type { PluginHandler, PluginHandlerModule } from '../contract.js';

export interface AiCompanion extends PluginHandler {
  readonly aiCompanion: string;
  readonly config: Record<string, unknown>;
}

export function isAiCompanion(h: PluginHandler | null): h is AiCompanion {
  return h !== null && typeof (h as Partial<AiCompanion>).aiCompanion === 'string';
}

export function companionHandler(name: string): PluginHandlerModule<Record<string, unknown>, undefined> {
  return {
    name,
    create: (config): AiCompanion => ({ aiCompanion: name, config }),
  };
}
