import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { aiPromptDecoratorSchema } from '../../../core/ai/schema/ai-prompt-decorator.js';
import { aiPromptGuardSchema } from '../../../core/ai/schema/ai-prompt-guard.js';
import { aiPromptTemplateSchema } from '../../../core/ai/schema/ai-prompt-template.js';
import { aiProxyAdvancedSchema } from '../../../core/ai/schema/ai-proxy-advanced.js';
import { aiProxySchema } from '../../../core/ai/schema/ai-proxy.js';
import { aiRateLimitingAdvancedSchema } from '../../../core/ai/schema/ai-rate-limiting-advanced.js';

const schemas = {
  'ai-proxy': aiProxySchema(),
  'ai-proxy-advanced': aiProxyAdvancedSchema(),
  'ai-prompt-guard': aiPromptGuardSchema(),
  'ai-prompt-decorator': aiPromptDecoratorSchema(),
  'ai-prompt-template': aiPromptTemplateSchema(),
  'ai-rate-limiting-advanced': aiRateLimitingAdvancedSchema(),
};

function compile(schema: object) {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, formats: { uri: true } });
  return ajv.compile(schema);
}

/** Every object closes its properties and every property has a description. */
function walk(s: unknown, path: string, out: string[]): void {
  if (typeof s !== 'object' || s === null) return;
  const o = s as Record<string, unknown>;
  if (o['type'] === 'object' && o['additionalProperties'] !== false) out.push(`${path}: open object`);
  if (typeof o['description'] !== 'string') out.push(`${path}: no description`);
  for (const [k, v] of Object.entries((o['properties'] ?? {}) as Record<string, unknown>)) walk(v, `${path}.${k}`, out);
  if (o['items'] !== undefined) walk(o['items'], `${path}[]`, out);
}

describe('AI plugin schemas', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: compiles strictly, closed objects, a description per field`, () => {
      expect(() => compile(schema)).not.toThrow();
      const problems: string[] = [];
      walk(schema, name, problems);
      expect(problems).toEqual([]);
    });
  }

  it('ai-proxy: fills Kong defaults and rejects unknown fields', () => {
    const v = compile(schemas['ai-proxy']);
    const config: Record<string, unknown> = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' }, auth: { header_name: 'Authorization', header_value: 'Bearer x' } };
    expect(v(config)).toBe(true);
    expect(config).toMatchObject({ llm_format: 'openai', response_streaming: 'allow', max_request_body_size: 1_048_576, model_name_header: true });
    expect(v({ route_type: 'llm/v1/chat', model: { provider: 'openai' }, bogus: 1 })).toBe(false);
    expect(v({ route_type: 'llm/v1/chat', model: { provider: 'skynet' } })).toBe(false);
  });

  it('ai-proxy-advanced: balancer defaults (Kong)', () => {
    const v = compile(schemas['ai-proxy-advanced']);
    const config: Record<string, unknown> = { balancer: {}, targets: [{ route_type: 'llm/v1/chat', model: { provider: 'anthropic', name: 'claude' } }] };
    expect(v(config)).toBe(true);
    expect(config['balancer']).toMatchObject({ algorithm: 'round-robin', retries: 5, failover_criteria: ['error', 'timeout'], max_fails: 0, fail_timeout: 10_000, latency_strategy: 'tpot', tokens_count_strategy: 'total-tokens', hash_on_header: 'X-Kong-LLM-Request-ID' });
    expect((config['targets'] as Record<string, unknown>[])[0]?.['weight']).toBe(100);
    expect(v({ targets: [] })).toBe(false);
    expect(v({ balancer: { failover_criteria: ['http_418'] }, targets: [{ route_type: 'llm/v1/chat', model: { provider: 'openai' } }] })).toBe(false);
  });

  it('ai-rate-limiting-advanced: Kong example validates', () => {
    const v = compile(schemas['ai-rate-limiting-advanced']);
    const config: Record<string, unknown> = { llm_providers: [{ name: 'openai', limit: [100, 1000], window_size: [60, 3600] }] };
    expect(v(config)).toBe(true);
    expect(config).toMatchObject({ identifier: 'consumer', tokens_count_strategy: 'total_tokens', window_type: 'sliding', strategy: 'local', error_code: 429 });
  });

  it('prompt plugins: Kong examples validate', () => {
    expect(compile(schemas['ai-prompt-guard'])({ allow_patterns: ['.*'], deny_patterns: ['x'] })).toBe(true);
    const dec: Record<string, unknown> = { prompts: { prepend: [{ content: 'hi' }] } };
    expect(compile(schemas['ai-prompt-decorator'])(dec)).toBe(true);
    expect((dec['prompts'] as { prepend: { role: string }[] }).prepend[0]?.role).toBe('system');
    expect(compile(schemas['ai-prompt-template'])({ templates: [{ name: 'a', template: '{}' }] })).toBe(true);
    expect(compile(schemas['ai-prompt-template'])({})).toBe(false);
  });
});
