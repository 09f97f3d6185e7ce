/**
 * route_type llm/v1/embeddings through a real gateway with the official openai client:
 * served by the mock OpenAI (OpenAI-shaped, usage from the provider) and by the mock Gemini
 * (`:batchEmbedContents`, no usage: an estimate, flagged); single and batch input, float
 * and base64 encodings; metrics and cost (input price only). Config errors for a provider
 * without embeddings, for llm_format anthropic and for a decorator on an embeddings route.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mockEmbedding, startMockLlm, wordCount } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { runCli, startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig, metricSum } from './ai-config.js';

let openai: MockLlm;
let gemini: MockLlm;
let gw: Gateway;
const INPUT_COST = 3; // per 1M prompt tokens
const OUTPUT_COST = 1000; // must never be charged for embeddings

const proxy = (provider: string, url: string, name: string) => ({
  name: 'ai-proxy',
  config: { route_type: 'llm/v1/embeddings', model: { provider, name, options: { upstream_url: url, input_cost: INPUT_COST, output_cost: OUTPUT_COST } }, auth: { header_name: 'x-goog-api-key', header_value: 'gw-key' } },
});

beforeAll(async () => {
  openai = await startMockLlm({ provider: 'openai' });
  gemini = await startMockLlm({ provider: 'gemini' });
  gw = await startGateway(aiConfig([
    { name: 'emb-openai', path: '/emb-openai/v1/embeddings', plugins: [proxy('openai', openai.url, 'text-embedding-mock')] },
    { name: 'emb-gemini', path: '/emb-gemini/v1/embeddings', plugins: [proxy('gemini', gemini.url, 'gemini-embedding-mock')] },
  ]), { workers: 2 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await openai?.close();
  await gemini?.close();
});

function client(prefix: string): OpenAI {
  return new OpenAI({ apiKey: 'client-key', baseURL: `${gw.url}/${prefix}/v1`, maxRetries: 0 });
}

async function scrape(): Promise<string> {
  return (await fetch(`${gw.adminUrl}/metrics`)).text();
}

describe('llm/v1/embeddings served by the mock OpenAI', () => {
  it('single input (the client asks for base64 by default and decodes it)', async () => {
    const res = await client('emb-openai').embeddings.create({ model: 'text-embedding-mock', input: 'hello embedding world' });
    expect(res.object).toBe('list');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]?.embedding).toEqual(mockEmbedding('hello embedding world'));
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const sent = openai.requests[openai.requests.length - 1];
    expect(sent?.path).toBe('/v1/embeddings');
    // The upstream is asked for floats; the gateway encodes base64 for the client.
    expect(sent?.body).toMatchObject({ model: 'text-embedding-mock', input: ['hello embedding world'], encoding_format: 'float' });
  });

  it('batch input with encoding_format float, vectors in input order', async () => {
    const input = ['first text', 'the second text', 'third'];
    const res = await client('emb-openai').embeddings.create({ model: 'text-embedding-mock', input, encoding_format: 'float', dimensions: 8 });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data.map((d) => d.embedding)).toEqual(input.map(mockEmbedding));
    expect(res.usage.prompt_tokens).toBe(input.reduce((s, t) => s + wordCount(t), 0));
    expect(openai.requests[openai.requests.length - 1]?.body).toMatchObject({ dimensions: 8 });
  });

  it('a client asking for another model is refused; a bad input is a 400 in OpenAI shape', async () => {
    const own = await client('emb-openai').embeddings.create({ model: 'other-model', input: 'x' }).catch((e: unknown) => e);
    expect(own).toBeInstanceOf(OpenAI.BadRequestError);
    expect((own as Error).message).toContain('cannot use own model');
    const res = await fetch(`${gw.url}/emb-openai/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 42 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("'input' must be a string");
  });

  it('metrics: prompt tokens from the provider, no completion tokens, cost at the input price only', async () => {
    const before = await scrape();
    const input = ['alpha beta', 'gamma delta epsilon'];
    await client('emb-openai').embeddings.create({ model: 'text-embedding-mock', input });
    await client('emb-openai').embeddings.create({ model: 'text-embedding-mock', input: 'one more input here' });
    const after = await scrape();
    const labels = { ai_provider: 'openai', ai_model: 'text-embedding-mock', route: 'emb-openai' };
    const delta = (name: string, extra: Record<string, string> = {}) => metricSum(after, name, { ...labels, ...extra }) - metricSum(before, name, { ...labels, ...extra });
    const prompt = 5 + 4;
    expect(delta('ai_llm_requests_total')).toBe(2);
    expect(delta('ai_llm_tokens_total', { token_type: 'prompt_tokens' })).toBe(prompt);
    expect(delta('ai_llm_tokens_total', { token_type: 'completion_tokens' })).toBe(0);
    expect(delta('ai_llm_tokens_total', { token_type: 'total_tokens' })).toBe(prompt);
    expect(delta('gatehouse_ai_estimated_tokens_total')).toBe(0);
    expect(delta('ai_llm_cost_total')).toBeCloseTo((prompt * INPUT_COST) / 1_000_000, 12);
  });
});

describe('llm/v1/embeddings served by the mock Gemini (translated to batchEmbedContents)', () => {
  it('batch input: one Gemini request per input; vectors back in OpenAI shape; usage estimated', async () => {
    const input = ['gemini one', 'gemini two three'];
    const res = await client('emb-gemini').embeddings.create({ model: 'gemini-embedding-mock', input, encoding_format: 'float' });
    expect(res.model).toBe('gemini-embedding-mock');
    expect(res.data.map((d) => d.embedding)).toEqual(input.map(mockEmbedding));
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
    const sent = gemini.requests[gemini.requests.length - 1];
    expect(sent?.path).toBe('/v1beta/models/gemini-embedding-mock:batchEmbedContents');
    expect(sent?.headers['x-goog-api-key']).toBe('gw-key');
    expect(sent?.body).toEqual({
      requests: input.map((text) => ({ model: 'models/gemini-embedding-mock', content: { parts: [{ text }] } })),
    });
  });

  it('single input, base64 for the default client; metrics count an estimate, flagged as one', async () => {
    const before = await scrape();
    const res = await client('emb-gemini').embeddings.create({ model: 'gemini-embedding-mock', input: 'count me by estimate' });
    expect(res.data[0]?.embedding).toEqual(mockEmbedding('count me by estimate'));
    const after = await scrape();
    const labels = { ai_provider: 'gemini', ai_model: 'gemini-embedding-mock', route: 'emb-gemini' };
    const delta = (name: string, extra: Record<string, string> = {}) => metricSum(after, name, { ...labels, ...extra }) - metricSum(before, name, { ...labels, ...extra });
    const prompt = delta('ai_llm_tokens_total', { token_type: 'prompt_tokens' });
    expect(prompt).toBe(res.usage.prompt_tokens);
    expect(prompt).toBeGreaterThan(0);
    expect(delta('ai_llm_tokens_total', { token_type: 'completion_tokens' })).toBe(0);
    expect(delta('gatehouse_ai_estimated_tokens_total', { token_type: 'prompt_tokens' })).toBe(prompt);
  });
});

describe('gatehouse check: route types', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ai-rt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function check(doc: unknown): Promise<{ code: number | null; out: string }> {
    const file = join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(file, stringify(doc));
    const r = await runCli(['check', file]);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  it('valid completions and embeddings configs pass', async () => {
    const r = await check({
      _format_version: '3.0',
      routes: [{ name: 'c', paths: ['/c'] }, { name: 'e', paths: ['/e'] }],
      plugins: [
        { name: 'ai-proxy', route: 'c', config: { route_type: 'llm/v1/completions', model: { provider: 'gemini', name: 'gemini-2.5-flash' } } },
        { name: 'ai-proxy', route: 'e', config: { route_type: 'llm/v1/embeddings', model: { provider: 'mistral', name: 'mistral-embed' } } },
      ],
    });
    expect(r.out).not.toContain('plugins[');
    expect(r.code).toBe(0);
  });

  it('unsupported provider/route-type pairs, llm_format anthropic and a decorator on an embeddings route are refused with paths', async () => {
    const r = await check({
      _format_version: '3.0',
      routes: [{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['/b'] }, { name: 'c', paths: ['/c'] }, { name: 'd', paths: ['/d'] }],
      plugins: [
        { name: 'ai-proxy', route: 'a', config: { route_type: 'llm/v1/embeddings', model: { provider: 'anthropic', name: 'claude' } } },
        { name: 'ai-proxy', route: 'b', config: { route_type: 'llm/v1/completions', llm_format: 'anthropic', model: { provider: 'openai', name: 'gpt-3.5-turbo-instruct' } } },
        { name: 'ai-proxy-advanced', route: 'c', config: { targets: [{ route_type: 'llm/v1/embeddings', model: { provider: 'cohere', name: 'embed-english-v3.0' } }] } },
        { name: 'ai-proxy', route: 'd', config: { route_type: 'llm/v1/embeddings', model: { provider: 'openai', name: 'text-embedding-3-small' } } },
        { name: 'ai-prompt-decorator', route: 'd', config: { prompts: { prepend: [{ role: 'system', content: 'be brief' }] } } },
      ],
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('plugins[0].config.route_type: llm/v1/embeddings is not supported by provider anthropic (providers for llm/v1/embeddings: openai, azure, gemini, mistral, openai-compatible)');
    expect(r.out).toContain('plugins[1].config.llm_format: llm_format anthropic serves llm/v1/chat only; llm/v1/completions speaks the OpenAI format');
    expect(r.out).toContain('plugins[2].config.targets[0].route_type: llm/v1/embeddings is not supported by provider cohere');
    expect(r.out).toContain('plugins[4]: ai-prompt-decorator works on llm/v1/chat routes; route d is llm/v1/embeddings');
  });
});
