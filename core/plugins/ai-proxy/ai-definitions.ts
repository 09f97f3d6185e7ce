/**
 * The AI plugins' compile side, shared by their folders: ai-proxy and ai-proxy-advanced
 * compile to a CompiledAiRoute (core/ai/compile.ts); the companions (prompt guard,
 * decorator, template, ai-rate-limiting-advanced) keep their validated config, and the
 * chain checks that they sit on a route with a proxy of a route type they can read.
 * Kong's priorities: ai-prompt-template 773, -decorator 772, -guard 771, ai-proxy(-advanced) 770,
 * ai-rate-limiting-advanced 905. AI plugins cannot be scoped to a consumer (a route's AI
 * target must not depend on who calls).
 */
import { checkPrompts, compileProxy, PROMPT_PLUGIN_ROUTE_TYPES } from '../../ai/compile.js';
import type { CompiledAiRoute } from '../../ai/compile-types.js';
import { NO_CONSUMER, type ChainView, type JsonSchema, type PluginDefinition } from '../definition.js';

export const AI_PROXIES = ['ai-proxy', 'ai-proxy-advanced'] as const;

/** The route's proxy config, or undefined; `report`: a route with both is an error. */
function proxyOf(view: ChainView, report = false): CompiledAiRoute | undefined {
  const basic = view.names.includes('ai-proxy');
  const advanced = view.names.includes('ai-proxy-advanced');
  if (basic && advanced) {
    if (report) view.error('ai-proxy-advanced', '', `route ${view.routeName} has both ai-proxy and ai-proxy-advanced; use one`);
    return undefined;
  }
  return view.compiled(basic ? 'ai-proxy' : 'ai-proxy-advanced') as CompiledAiRoute | undefined;
}

export function proxyDefinition(name: (typeof AI_PROXIES)[number], schema: JsonSchema): PluginDefinition<Record<string, unknown>, CompiledAiRoute | null> {
  return {
    name,
    version: '3.9.0',
    priority: 770,
    schema,
    scopes: NO_CONSUMER,
    compile(config, ctx) {
      return compileProxy({ path: ctx.path, config }, name === 'ai-proxy-advanced', ctx.errors);
    },
    checkChain(view) {
      if (name === 'ai-proxy') proxyOf(view, true);
    },
  };
}

/** A plugin that works inside an AI route's exchange. */
export function companionDefinition(name: string, priority: number, schema: JsonSchema): PluginDefinition<Record<string, unknown>, Record<string, unknown>> {
  const types = PROMPT_PLUGIN_ROUTE_TYPES[name];
  return {
    name,
    version: '3.9.0',
    priority,
    schema,
    scopes: NO_CONSUMER,
    compile(config, ctx) {
      checkPrompts(name, { path: ctx.path, config }, ctx.errors);
      // Token counters are namespaced by the plugin's id unless the config names a namespace.
      if (name === 'ai-rate-limiting-advanced' && (typeof config['namespace'] !== 'string' || config['namespace'] === '')) return { ...config, namespace: ctx.plugin.id };
      return config;
    },
    checkChain(view) {
      const proxy = proxyOf(view);
      if (proxy === undefined) {
        if (view.scopedToRoute(name)) view.error(name, '', `${name} needs ai-proxy or ai-proxy-advanced on route ${view.routeName}`);
        return;
      }
      // Inherited from the service or globally: it covers the routes it can and leaves the others alone.
      if (types !== undefined && proxy !== null && !types.includes(proxy.routeType) && view.scopedToRoute(name)) {
        view.error(name, '', `${name} works on ${types.join(' and ')} routes; route ${view.routeName} is ${proxy.routeType}`);
      }
    },
  };
}
