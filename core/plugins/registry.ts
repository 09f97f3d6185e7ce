/**
 * The one list of plugins Gatehouse runs. Adding a plugin is its folder plus one line here.
 *
 * Each line names the folder's compile side (definition.ts: schema, priority, compile step)
 * and its worker side (handler.ts: phase methods) as lazy imports, so the supervisor loads
 * only definitions (core/plugins/definitions.ts) and workers only handlers
 * (core/plugins/handlers.ts): neither side loads the other's code.
 */
import type { PluginDefinition } from './definition.js';
import type { PluginHandlerModule } from './contract.js';

export interface PluginEntry {
  readonly definition: () => Promise<{ definition: PluginDefinition<never, unknown> }>;
  readonly handler: () => Promise<{ handler: PluginHandlerModule<never, unknown> }>;
}

function entry(definition: PluginEntry['definition'], handler: PluginEntry['handler']): PluginEntry {
  return { definition, handler };
}

export const PLUGIN_ENTRIES: readonly PluginEntry[] = [
  entry(() => import('./key-auth/definition.js'), () => import('./key-auth/handler.js')),
  entry(() => import('./basic-auth/definition.js'), () => import('./basic-auth/handler.js')),
  entry(() => import('./jwt/definition.js'), () => import('./jwt/handler.js')),
  entry(() => import('./hmac-auth/definition.js'), () => import('./hmac-auth/handler.js')),
  entry(() => import('./acl/definition.js'), () => import('./acl/handler.js')),
  entry(() => import('./request-termination/definition.js'), () => import('./request-termination/handler.js')),
  entry(() => import('./cors/definition.js'), () => import('./cors/handler.js')),
  entry(() => import('./request-transformer/definition.js'), () => import('./request-transformer/handler.js')),
  entry(() => import('./response-transformer/definition.js'), () => import('./response-transformer/handler.js')),
  entry(() => import('./request-size-limiting/definition.js'), () => import('./request-size-limiting/handler.js')),
  entry(() => import('./ip-restriction/definition.js'), () => import('./ip-restriction/handler.js')),
  entry(() => import('./bot-detection/definition.js'), () => import('./bot-detection/handler.js')),
  entry(() => import('./redirect/definition.js'), () => import('./redirect/handler.js')),
  entry(() => import('./correlation-id/definition.js'), () => import('./correlation-id/handler.js')),
  entry(() => import('./ai-proxy/definition.js'), () => import('./ai-proxy/handler.js')),
  entry(() => import('./ai-proxy-advanced/definition.js'), () => import('./ai-proxy-advanced/handler.js')),
  entry(() => import('./ai-prompt-guard/definition.js'), () => import('./ai-prompt-guard/handler.js')),
  entry(() => import('./ai-prompt-decorator/definition.js'), () => import('./ai-prompt-decorator/handler.js')),
  entry(() => import('./ai-prompt-template/definition.js'), () => import('./ai-prompt-template/handler.js')),
  entry(() => import('./ai-rate-limiting-advanced/definition.js'), () => import('./ai-rate-limiting-advanced/handler.js')),
  entry(() => import('./http-log/definition.js'), () => import('./http-log/handler.js')),
  entry(() => import('./file-log/definition.js'), () => import('./file-log/handler.js')),
  entry(() => import('./tcp-log/definition.js'), () => import('./tcp-log/handler.js')),
  entry(() => import('./udp-log/definition.js'), () => import('./udp-log/handler.js')),
  entry(() => import('./syslog/definition.js'), () => import('./syslog/handler.js')),
  entry(() => import('./prometheus/definition.js'), () => import('./prometheus/handler.js')),
  entry(() => import('./opentelemetry/definition.js'), () => import('./opentelemetry/handler.js')),
];

/**
 * Kong plugins written in Lua that no other runtime can run: refused with a pointer to what
 * Gatehouse offers instead, never accepted and ignored.
 */
export const LUA_ONLY_PLUGINS: Readonly<Record<string, string>> = {
  'pre-function': 'runs Lua code, which Gatehouse cannot run; write a WASM filter (filter_chains) instead',
  'post-function': 'runs Lua code, which Gatehouse cannot run; write a WASM filter (filter_chains) instead',
};
