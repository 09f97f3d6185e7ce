/**
 * Compile side of the AI plugins (each a folder in core/plugins/ with its definition): the
 * checks beyond the schema (regexes, URLs, provider requirements, by building a probe
 * request with the provider module) and the plain CompiledAiRoute of ai-proxy and
 * ai-proxy-advanced. The prompt plugins and ai-rate-limiting-advanced keep their validated
 * configs; the ai-proxy handler combines them per route in the worker.
 */
import type { ConfigError } from '../config/types.js';
import { joinPath } from '../config/schema-errors.js';
import { BALANCER_DEFAULTS } from './balance.js';
import type { BalancerConfig } from './balance.js';
import type { CompiledAiRoute, CompiledAiTarget } from './compile-types.js';
import type { PromptDecoratorConfig } from './decorate.js';
import { invalidPatterns } from './guard.js';
import type { PromptGuardConfig } from './guard.js';
import type { RouteType, TargetConfig } from './providers/provider.js';
import { checkRateLimit } from './rate-limit-compile.js';
import { checkRouteTarget, routeTypeFormats } from './route-types/index.js';
import type { PromptTemplateConfig } from './template.js';

/** ai-proxy has no timeouts of its own: Kong's upstream defaults. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** A validated AI plugin config: where it is (errors go under `<path>.config`) and the config with defaults. */
export interface Validated {
  path: string;
  config: Record<string, unknown>;
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

export function compileProxy(v: Validated, advanced: boolean, errors: ConfigError[]): CompiledAiRoute | null {
  const c = v.config;
  const path = `${v.path}.config`;
  const before = errors.length;
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

export function checkPrompts(name: string, v: Validated, errors: ConfigError[]): void {
  const path = `${v.path}.config`;
  if (name === 'ai-prompt-guard') {
    for (const key of ['allow_patterns', 'deny_patterns'] as const) {
      const list = (v.config[key] ?? []) as string[];
      for (const bad of invalidPatterns(list)) errors.push({ path: `${joinPath(path, key)}[${bad.index}]`, message: `invalid regular expression: ${bad.message}` });
    }
  } else if (name === 'ai-rate-limiting-advanced') {
    checkRateLimit(v.config, path, errors);
  } else if (name === 'ai-prompt-template') {
    const seen = new Set<string>();
    (v.config['templates'] as { name: string }[]).forEach((t, i) => {
      if (seen.has(t.name)) errors.push({ path: `${joinPath(path, 'templates')}[${i}].name`, message: `duplicate template name "${t.name}"` });
      seen.add(t.name);
    });
  }
}

export { PROMPT_PLUGIN_ROUTE_TYPES } from './prompt-route-types.js';
