/** AI plugin configs are validated at build time: errors name the bad field, the config is refused. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ai-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(doc: unknown): Promise<{ code: number | null; out: string }> {
  const file = join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(file, stringify(doc));
  const r = await runCli(['check', file]);
  return { code: r.code, out: r.stdout + r.stderr };
}

const routes = [{ name: 'chat', paths: ['/chat'] }];

describe('gatehouse check: AI plugin configs', () => {
  it('a valid ai-proxy config passes', async () => {
    const r = await check({ _format_version: '3.0', routes, plugins: [{ name: 'ai-proxy', route: 'chat', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } }] });
    expect(r.out).not.toContain('plugins[');
    expect(r.code).toBe(0);
  });

  it('schema, regex and provider errors come back with the path of the field', async () => {
    const r = await check({
      _format_version: '3.0',
      routes,
      plugins: [
        { name: 'ai-proxy', route: 'chat', config: { route_type: 'llm/v1/chat', model: { provider: 'nope' } } },
        { name: 'ai-prompt-guard', route: 'chat', config: { deny_patterns: ['(unclosed'] } },
        { name: 'ai-proxy-advanced', config: { targets: [{ route_type: 'llm/v1/chat', model: { provider: 'openai-compatible', name: 'm' } }], balancer: { algorithm: 'fastest' } } },
      ],
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('plugins[0].config.model.provider: must be one of: openai, azure, anthropic, gemini, mistral, cohere, bedrock, openai-compatible');
    expect(r.out).toContain('plugins[1].config.deny_patterns[0]: invalid regular expression');
    expect(r.out).toContain('plugins[2].config.balancer.algorithm: must be one of:');
  });

  it('provider requirements are checked when the schema passes', async () => {
    const r = await check({
      _format_version: '3.0',
      routes,
      plugins: [{ name: 'ai-proxy', route: 'chat', config: { route_type: 'llm/v1/chat', model: { provider: 'openai-compatible', name: 'm' } } }],
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('plugins[0].config.model: model.options.upstream_url is required for openai-compatible');
  });

  it('a plugin nested under a route of a service is named by its place in the file, not its hoisted index', async () => {
    const r = await check({
      _format_version: '3.0',
      plugins: [{ name: 'ai-prompt-guard', route: 'chat', config: { deny_patterns: ['(unclosed'] } }],
      services: [{
        name: 'llm',
        url: 'http://127.0.0.1:9',
        routes: [
          { name: 'other', paths: ['/other'] },
          { name: 'chat', paths: ['/chat'], plugins: [{ name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' }, max_request_body_size: -5 } }] },
        ],
      }],
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('services[0].routes[1].plugins[0].config.max_request_body_size: must be >= 0');
    expect(r.out).toContain('plugins[0].config.deny_patterns[0]: invalid regular expression');
    expect(r.out).not.toMatch(/^plugins\[1\]/m);
  });
});
