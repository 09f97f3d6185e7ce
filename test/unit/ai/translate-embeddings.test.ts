/** llm/v1/embeddings: the OpenAI embeddings format, Gemini's batchEmbedContents, the codec and the provider check. */
import { describe, expect, it } from 'vitest';
import { parseGeminiEmbeddingsResponse, renderGeminiEmbeddingsRequest } from '../../../core/ai/providers/gemini.js';
import { PROVIDERS } from '../../../core/ai/providers/index.js';
import type { TargetConfig } from '../../../core/ai/providers/provider.js';
import { embeddingsCodec } from '../../../core/ai/route-types/embeddings.js';
import { checkRouteTarget, providersServing } from '../../../core/ai/route-types/index.js';
import {
  base64Vector,
  parseOpenAiEmbeddingsRequest,
  parseOpenAiEmbeddingsResponse,
  renderOpenAiEmbeddingsResponse,
} from '../../../core/ai/translate/openai-embeddings.js';
import type { EmbeddingsRequest } from '../../../core/ai/types.js';

function parse(body: unknown): EmbeddingsRequest {
  const r = parseOpenAiEmbeddingsRequest(body);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const target = (provider: string, options: Record<string, unknown> = { upstream_url: 'http://127.0.0.1:9' }): TargetConfig =>
  ({ route_type: 'llm/v1/embeddings', model: { provider: provider as 'openai', name: 'emb', options } });

describe('embeddings request', () => {
  it('a string or an array of strings; encoding_format and dimensions checked; never a stream', () => {
    expect(parse({ model: 'e', input: 'one' })).toEqual({ model: 'e', input: ['one'], encodingFormat: 'float', stream: false, streamUsage: false });
    expect(parse({ input: ['a', 'b'], encoding_format: 'base64', dimensions: 4, user: 'u' })).toMatchObject({ input: ['a', 'b'], encodingFormat: 'base64', dimensions: 4, user: 'u' });
    for (const bad of [{ input: 1 }, { input: [] }, { input: [[1, 2]] }, { input: 'x', encoding_format: 'int8' }, { input: 'x', dimensions: 0 }, 'text']) {
      expect(parseOpenAiEmbeddingsRequest(bad).ok).toBe(false);
    }
  });
});

describe('embeddings response', () => {
  it('vectors are ordered by index; usage is prompt-only', () => {
    const r = parseOpenAiEmbeddingsResponse({ object: 'list', model: 'e', data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }], usage: { prompt_tokens: 5, total_tokens: 5 } });
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toEqual({ model: 'e', vectors: [[1], [2]], usage: { prompt: 5, completion: 0, total: 5, estimated: false } });
    expect(parseOpenAiEmbeddingsResponse({ data: [{ index: 0 }] }).ok).toBe(false);
    expect(parseOpenAiEmbeddingsResponse({ object: 'list' }).ok).toBe(false);
  });

  it('renders floats or base64 of little-endian float32', () => {
    const res = { model: 'e', vectors: [[0.5, -1, 0.25]], usage: { prompt: 2, completion: 0, total: 2, estimated: true } };
    expect(JSON.parse(renderOpenAiEmbeddingsResponse(res, 'float'))).toEqual({
      object: 'list', model: 'e', data: [{ object: 'embedding', index: 0, embedding: [0.5, -1, 0.25] }], usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    const b64 = (JSON.parse(renderOpenAiEmbeddingsResponse(res, 'base64')) as { data: { embedding: string }[] }).data[0]?.embedding ?? '';
    const buf = Buffer.from(b64, 'base64');
    expect([buf.readFloatLE(0), buf.readFloatLE(4), buf.readFloatLE(8)]).toEqual([0.5, -1, 0.25]);
    expect(base64Vector([])).toBe('');
  });
});

describe('gemini embeddings', () => {
  it('one batchEmbedContents request per input, dimensions as outputDimensionality', () => {
    expect(renderGeminiEmbeddingsRequest(parse({ input: ['a', 'b'], dimensions: 3 }), 'text-embedding-004')).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 3 },
      ],
    });
  });

  it('reads batch and single answers; no usage (Gemini sends none)', () => {
    expect(parseGeminiEmbeddingsResponse({ embeddings: [{ values: [1, 2] }, { values: [3] }] })).toEqual({ ok: true, value: { model: '', vectors: [[1, 2], [3]], usage: null } });
    expect(parseGeminiEmbeddingsResponse({ embedding: { values: [4] } })).toEqual({ ok: true, value: { model: '', vectors: [[4]], usage: null } });
    expect(parseGeminiEmbeddingsResponse({ embeddings: [{}] }).ok).toBe(false);
  });

  it('builds the AI Studio URL (configured origin or default); Vertex is refused', () => {
    const req = parse({ input: 'x' });
    const own = embeddingsCodec.build(PROVIDERS.gemini, req, target('gemini'), new Date(0));
    expect(own.ok && new URL(own.value.url).pathname).toBe('/v1beta/models/emb:batchEmbedContents');
    const full = embeddingsCodec.build(PROVIDERS.gemini, req, target('gemini', { upstream_url: 'http://h/v1beta/models/emb:generateContent' }), new Date(0));
    expect(full.ok && new URL(full.value.url).pathname).toBe('/v1beta/models/emb:batchEmbedContents');
    const def = embeddingsCodec.build(PROVIDERS.gemini, req, target('gemini', {}), new Date(0));
    expect(def.ok && def.value.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/emb:batchEmbedContents');
    const vertex = embeddingsCodec.build(PROVIDERS.gemini, req, target('gemini', { gemini: { api_endpoint: 'x', project_id: 'p', location_id: 'l' } }), new Date(0));
    expect(vertex.ok === false && vertex.message).toContain('Vertex AI');
  });
});

describe('embeddings codec', () => {
  it('OpenAI-shaped providers: the operation URL, floats asked upstream', () => {
    const req = parse({ input: 'x', encoding_format: 'base64' });
    const az = embeddingsCodec.build(PROVIDERS.azure, req, target('azure', { upstream_url: 'http://h/openai/deployments/d1/chat/completions' }), new Date(0));
    expect(az.ok && new URL(az.value.url).pathname).toBe('/openai/deployments/d1/embeddings');
    const mi = embeddingsCodec.build(PROVIDERS.mistral, req, target('mistral', {}), new Date(0));
    expect(mi.ok && mi.value.url).toBe('https://api.mistral.ai/v1/embeddings');
    expect(mi.ok && JSON.parse(mi.value.body)).toEqual({ model: 'emb', input: ['x'], encoding_format: 'float' });
  });

  it("the provider's usage, else an estimate marked as one (never zero); the count of vectors must match", () => {
    const req = { ...parse({ input: ['abcd efgh', 'ijkl'] }), model: 'emb' };
    const estimated = embeddingsCodec.answer(PROVIDERS.gemini, req, JSON.stringify({ embeddings: [{ values: [1] }, { values: [2] }] }));
    if (!estimated.ok) throw new Error(estimated.message);
    expect(estimated.usage.estimated).toBe(true);
    expect(estimated.usage.prompt).toBeGreaterThan(0);
    expect(estimated.usage.completion).toBe(0);
    expect(JSON.parse(estimated.body)).toMatchObject({ model: 'emb', usage: { prompt_tokens: estimated.usage.prompt, total_tokens: estimated.usage.prompt } });
    const reported = embeddingsCodec.answer(PROVIDERS.openai, req, JSON.stringify({ model: 'emb-2', data: [{ index: 0, embedding: [1] }, { index: 1, embedding: [2] }], usage: { prompt_tokens: 3, total_tokens: 3 } }));
    expect(reported.ok && reported.usage).toEqual({ prompt: 3, completion: 0, total: 3, estimated: false });
    expect(reported.ok && reported.model).toBe('emb-2');
    const short = embeddingsCodec.answer(PROVIDERS.gemini, req, JSON.stringify({ embeddings: [{ values: [1] }] }));
    expect(short.ok === false && short.message).toContain('1 embeddings for 2 inputs');
  });

  it('the rate limiter sees the inputs as one user message and no completion', () => {
    const chat = embeddingsCodec.asChat(parse({ model: 'e', input: ['a', 'b'] }));
    expect(chat.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
    expect(chat.maxTokens).toBe(0);
  });
});

describe('which providers serve which route type', () => {
  it('embeddings: openai, azure, gemini, mistral, openai-compatible; the others refused by name', () => {
    expect(providersServing('llm/v1/embeddings')).toEqual(['openai', 'azure', 'gemini', 'mistral', 'openai-compatible']);
    for (const p of ['anthropic', 'cohere', 'bedrock']) {
      expect(checkRouteTarget(target(p))).toEqual({ field: 'route_type', message: expect.stringContaining(`not supported by provider ${p}`) as unknown as string });
    }
    expect(checkRouteTarget(target('mistral'))).toBeNull();
  });

  it('completions and chat: every provider', () => {
    expect(providersServing('llm/v1/completions')).toHaveLength(Object.keys(PROVIDERS).length);
    expect(checkRouteTarget({ route_type: 'llm/v1/completions', model: { provider: 'cohere', name: 'command-r' } })).toBeNull();
    expect(checkRouteTarget({ route_type: 'llm/v1/completions', model: { provider: 'openai-compatible', name: 'm' } })?.field).toBe('model');
  });
});
