/**
 * Compile side of the AI gateway: the AI plugins of each route (ai-proxy or
 * ai-proxy-advanced, with ai-prompt-template / -guard / -decorator) validated against
 * their schemas (ajv, Kong's defaults filled in), checked beyond the schema (regexes,
 * URLs, provider requirements, by building a probe request with the provider module),
 * and reduced to a plain CompiledAiRoute per route.
 *
 * Precedence per plugin name, as Kong: route-scoped, then service-scoped, then global.
 * Consumer-scoped AI plugins are refused (a route's AI target cannot depend on who calls).
 * Errors are ConfigErrors with the plugin's path in the file
 * (`services[0].routes[1].plugins[0].config.<field>`, or `plugins[i]…` for a top-level one);
 * plugins made through the admin API fall back to their index in the normalized list.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { ConfigError, NormalizedConfig, NormalizedPlugin, NormalizedRoute } from '../config/types.js';
import { pluginSourcePath } from '../config/normalize-plugins.js';
import { pluginForRoute } from '../plugins/scope.js';
import { joinPath, pushPluginConfigErrors } from '../config/schema-errors.js';
import { BALANCER_DEFAULTS } from './balance.js';
import type { BalancerConfig } from './balance.js';
import type { CompiledAiRoute, CompiledAiTarget } from './compile-types.js';
import type { PromptDecoratorConfig } from './decorate.js';
import { invalidPatterns } from './guard.js';
import type { PromptGuardConfig } from './guard.js';
import type { RouteType, TargetConfig } from './providers/provider.js';
import { aiPromptDecoratorSchema } from './schema/ai-prompt-decorator.js';
import { aiPromptGuardSchema } from './schema/ai-prompt-guard.js';
import { aiPromptTemplateSchema } from './schema/ai-prompt-template.js';
import { aiProxyAdvancedSchema } from './schema/ai-proxy-advanced.js';
import { aiProxySchema } from './schema/ai-proxy.js';
import { aiRateLimitingAdvancedSchema } from './schema/ai-rate-limiting-advanced.js';
import { checkRateLimit, compileRateLimit } from './rate-limit-compile.js';
import { checkRouteTarget, routeTypeFormats } from './route-types/index.js';
import type { PromptTemplateConfig } from './template.js';

export const AI_PLUGINS = ['ai-proxy', 'ai-proxy-advanced', 'ai-prompt-guard', 'ai-prompt-decorator', 'ai-prompt-template', 'ai-rate-limiting-advanced'] as const;
type AiPluginName = (typeof AI_PLUGINS)[number];

/** ai-proxy has no timeouts of its own: Kong's upstream defaults. */
const DEFAULT_TIMEOUT_MS = 60_000;

let validators: Record<AiPluginName, ValidateFunction> | null = null;

function validatorsOnce(): Record<AiPluginName, ValidateFunction> {
  if (validators === null) {
    // `uri` is checked by parsing the URL below, with a clearer message than a regex.
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, formats: { uri: true } });
    validators = {
      'ai-proxy': ajv.compile(aiProxySchema()),
      'ai-proxy-advanced': ajv.compile(aiProxyAdvancedSchema()),
      'ai-prompt-guard': ajv.compile(aiPromptGuardSchema()),
      'ai-prompt-decorator': ajv.compile(aiPromptDecoratorSchema()),
      'ai-prompt-template': ajv.compile(aiPromptTemplateSchema()),
      'ai-rate-limiting-advanced': ajv.compile(aiRateLimitingAdvancedSchema()),
    };
  }
  return validators;
}

function isAiPlugin(name: string): name is AiPluginName {
  return (AI_PLUGINS as readonly string[]).includes(name);
}

interface Validated {
  index: number;
  /** Where the plugin is in the file (`services[0].routes[0].plugins[0]`), else `plugins[index]`. */
  path: string;
  plugin: NormalizedPlugin;
  /** The config with defaults filled in. */
  config: Record<string, unknown>;
}

export interface AiCompileResult {
  /** Indexed like the `routes` passed in. */
  routeAi: (CompiledAiRoute | null)[];
  errors: ConfigError[];
}

function checkTarget(target: TargetConfig, path: string, errors: ConfigError[]): void {
  const url = target.model.options?.upstream_url;
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') errors.push({ path: joinPath(path, 'model.options.upstream_url'), message: 'must be an http or https URL' });
    } catch {
      errors.push({ path: joinPath(path, 'model.options.upstream_url'), message: 'must be a URL' });
      return;
    }
  }
  // The provider serves the route type, and a probe request for it builds (route-types/).
  const problem = checkRouteTarget(target);
  if (problem !== null) errors.push({ path: joinPath(path, problem.field), message: problem.message });
}

function targetOf(raw: Record<string, unknown>, routeType: RouteType): CompiledAiTarget {
  const model = raw['model'] as TargetConfig['model'];
  const config: TargetConfig = { route_type: routeType, model };
  if (raw['auth'] !== undefined) config.auth = raw['auth'] as NonNullable<TargetConfig['auth']>;
  const logging = (raw['logging'] ?? {}) as { log_statistics?: boolean; log_payloads?: boolean };
  return {
    config,
    weight: typeof raw['weight'] === 'number' ? raw['weight'] : 100,
    logStatistics: logging.log_statistics === true,
    logPayloads: logging.log_payloads === true,
    label: `${model.provider}/${model.name ?? ''}`,
  };
}

function compileProxy(v: Validated, errors: ConfigError[]): CompiledAiRoute | null {
  const c = v.config;
  const path = `${v.path}.config`;
  const before = errors.length;
  const advanced = v.plugin.name === 'ai-proxy-advanced';
  let targets: CompiledAiTarget[];
  let balancer: BalancerConfig;
  let routeType: RouteType;
  let timeouts = { connect: DEFAULT_TIMEOUT_MS, read: DEFAULT_TIMEOUT_MS, write: DEFAULT_TIMEOUT_MS };
  let hashOnHeader = 'x-kong-llm-request-id';
  if (advanced) {
    const raw = c['targets'] as Record<string, unknown>[];
    routeType = raw[0]?.['route_type'] as RouteType;
    targets = raw.map((t, i) => {
      const tp = joinPath(joinPath(path, 'targets'), i);
      if (t['route_type'] !== routeType) errors.push({ path: joinPath(tp, 'route_type'), message: `every target must have the same route_type (targets[0] has ${routeType})` });
      const target = targetOf(t, t['route_type'] as RouteType);
      checkTarget(target.config, tp, errors);
      return target;
    });
    const b = c['balancer'] as Record<string, unknown>;
    balancer = {
      algorithm: b['algorithm'] as BalancerConfig['algorithm'],
      latency_strategy: b['latency_strategy'] as BalancerConfig['latency_strategy'],
      tokens_count_strategy: b['tokens_count_strategy'] as BalancerConfig['tokens_count_strategy'],
      failover_criteria: b['failover_criteria'] as BalancerConfig['failover_criteria'],
      max_fails: b['max_fails'] as number,
      fail_timeout: b['fail_timeout'] as number,
      retries: b['retries'] as number,
    };
    timeouts = { connect: b['connect_timeout'] as number, read: b['read_timeout'] as number, write: b['write_timeout'] as number };
    hashOnHeader = String(b['hash_on_header']).toLowerCase();
  } else {
    routeType = c['route_type'] as RouteType;
    const target = targetOf(c, routeType);
    checkTarget(target.config, path, errors);
    targets = [target];
    balancer = { ...BALANCER_DEFAULTS, retries: 0, failover_criteria: [] };
  }
  const format = c['llm_format'] as CompiledAiRoute['llmFormat'];
  if (!routeTypeFormats(routeType).includes(format)) {
    errors.push({ path: joinPath(path, 'llm_format'), message: `llm_format ${format} serves llm/v1/chat only; ${routeType} speaks the OpenAI format (llm_format: openai)` });
  }
  if (errors.length > before) return null;
  return {
    plugin: advanced ? 'ai-proxy-advanced' : 'ai-proxy',
    routeType,
    llmFormat: c['llm_format'] as CompiledAiRoute['llmFormat'],
    responseStreaming: c['response_streaming'] as CompiledAiRoute['responseStreaming'],
    maxRequestBodySize: c['max_request_body_size'] as number,
    modelNameHeader: c['model_name_header'] as boolean,
    targets,
    balancer,
    hashOnHeader,
    connectTimeout: timeouts.connect,
    readTimeout: timeouts.read,
    writeTimeout: timeouts.write,
    guard: null,
    decorator: null,
    template: null,
    rateLimit: null,
  };
}

function checkPrompts(v: Validated, errors: ConfigError[]): void {
  const path = `${v.path}.config`;
  if (v.plugin.name === 'ai-prompt-guard') {
    for (const key of ['allow_patterns', 'deny_patterns'] as const) {
      const list = (v.config[key] ?? []) as string[];
      for (const bad of invalidPatterns(list)) errors.push({ path: `${joinPath(path, key)}[${bad.index}]`, message: `invalid regular expression: ${bad.message}` });
    }
  } else if (v.plugin.name === 'ai-rate-limiting-advanced') {
    checkRateLimit(v.config, path, errors);
  } else if (v.plugin.name === 'ai-prompt-template') {
    const seen = new Set<string>();
    (v.config['templates'] as { name: string }[]).forEach((t, i) => {
      if (seen.has(t.name)) errors.push({ path: `${joinPath(path, 'templates')}[${i}].name`, message: `duplicate template name "${t.name}"` });
      seen.add(t.name);
    });
  }
}

/** Validates every enabled AI plugin once; errors for bad configs and unsupported scopes. */
function validateAll(config: NormalizedConfig, errors: ConfigError[]): Validated[] {
  const v = validatorsOnce();
  const out: Validated[] = [];
  config.plugins.forEach((plugin, index) => {
    if (!plugin.enabled || !isAiPlugin(plugin.name)) return;
    const path = pluginSourcePath(plugin, `plugins[${index}]`);
    if (plugin.consumer !== null) {
      errors.push({ path: joinPath(path, 'consumer'), message: `${plugin.name} cannot be scoped to a consumer` });
      return;
    }
    const copy = structuredClone(plugin.config);
    const validate = v[plugin.name];
    if (!validate(copy)) {
      pushPluginConfigErrors(errors, path, validate.errors);
      return;
    }
    const validated = { index, path, plugin, config: copy };
    const before = errors.length;
    checkPrompts(validated, errors);
    if (errors.length === before) out.push(validated);
  });
  return out;
}

/**
 * Route types whose requests each prompt plugin can read: the guard and templates see a
 * chat's messages or a completion's prompt, the decorator edits chat messages only (as in
 * Kong); an embeddings input is no prompt.
 */
const PROMPT_PLUGIN_ROUTE_TYPES: Readonly<Record<string, readonly RouteType[]>> = {
  'ai-prompt-guard': ['llm/v1/chat', 'llm/v1/completions'],
  'ai-prompt-decorator': ['llm/v1/chat'],
  'ai-prompt-template': ['llm/v1/chat', 'llm/v1/completions'],
};

/**
 * Whether a prompt plugin applies to a route of `routeType`. Scoped to this very route and
 * unable to: a config error. Inherited from the service or globally: it covers the routes
 * it can and leaves the others alone.
 */
function promptPluginFits(p: Validated, routeType: RouteType, route: NormalizedRoute, errors: ConfigError[]): boolean {
  const types = PROMPT_PLUGIN_ROUTE_TYPES[p.plugin.name] ?? [];
  if (types.includes(routeType)) return true;
  if (p.plugin.route === route.id) {
    errors.push({ path: p.path, message: `${p.plugin.name} works on ${types.join(' and ')} routes; route ${route.name ?? route.id} is ${routeType}` });
  }
  return false;
}

export function compileAi(config: NormalizedConfig, routes: readonly NormalizedRoute[]): AiCompileResult {
  const errors: ConfigError[] = [];
  const validated = validateAll(config, errors);
  if (validated.length === 0) return { routeAi: routes.map(() => null), errors };
  // Each proxy plugin compiles once, whatever number of routes it applies to.
  const compiled = new Map<number, CompiledAiRoute | null>();
  const proxyOf = (v: Validated): CompiledAiRoute | null => {
    let c = compiled.get(v.index);
    if (c === undefined) {
      c = compileProxy(v, errors);
      compiled.set(v.index, c);
    }
    return c;
  };
  const routeAi = routes.map((route): CompiledAiRoute | null => {
    const basic = pluginForRoute(validated, route, 'ai-proxy');
    const advanced = pluginForRoute(validated, route, 'ai-proxy-advanced');
    const guard = pluginForRoute(validated, route, 'ai-prompt-guard');
    const decorator = pluginForRoute(validated, route, 'ai-prompt-decorator');
    const template = pluginForRoute(validated, route, 'ai-prompt-template');
    const rateLimit = pluginForRoute(validated, route, 'ai-rate-limiting-advanced');
    if (basic !== undefined && advanced !== undefined) {
      errors.push({ path: advanced.path, message: `route ${route.name ?? route.id} has both ai-proxy (${basic.path}) and ai-proxy-advanced; use one` });
      return null;
    }
    const proxy = basic ?? advanced;
    if (proxy === undefined) {
      for (const p of [guard, decorator, template, rateLimit]) {
        if (p !== undefined && p.plugin.route === route.id) errors.push({ path: p.path, message: `${p.plugin.name} needs ai-proxy or ai-proxy-advanced on route ${route.name ?? route.id}` });
      }
      return null;
    }
    const base = proxyOf(proxy);
    if (base === null) return null;
    const fits = (p: Validated | undefined): p is Validated => p !== undefined && promptPluginFits(p, base.routeType, route, errors);
    return {
      ...base,
      guard: fits(guard) ? (guard.config as PromptGuardConfig) : null,
      decorator: fits(decorator) ? (decorator.config as PromptDecoratorConfig) : null,
      template: fits(template) ? (template.config as unknown as PromptTemplateConfig) : null,
      rateLimit: rateLimit === undefined ? null : compileRateLimit(rateLimit.plugin.id, rateLimit.config, base.targets, route.service),
    };
  });
  return { routeAi, errors };
}
