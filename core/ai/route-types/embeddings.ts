/**
 * route_type `llm/v1/embeddings`: OpenAI's embeddings API on the client side (OpenAI
 * format only), never streamed. Providers with an embeddings API in Gatehouse: openai,
 * azure, mistral, openai-compatible (OpenAI-shaped) and gemini (`:batchEmbedContents`);
 * the others are refused at config time (supports()).
 *
 * Usage is the provider's (prompt tokens only), else an estimate of the inputs marked as
 * one; completion tokens are always 0, so a cost is the input price only.
 */
import { countTokens } from '../tokens.js';
import type { UsageTracker } from '../tokens.js';
import {
  parseOpenAiEmbeddingsRequest,
  renderOpenAiEmbeddingsResponse,
} from '../translate/openai-embeddings.js';
import type { EmbeddingsRequest, Usage } from '../types.js';
import type { RouteCodec, StreamRenderer } from './codec.js';
import type { StreamParser } from '../providers/provider.js';

/** An estimated usage of an embeddings call: every input's tokens, at least one. */
export function estimateEmbeddingsUsage(req: EmbeddingsRequest): Usage {
  let prompt = 0;
  for (const text of req.input) prompt += countTokens(text, req.model);
  prompt = Math.max(1, prompt);
  return { prompt, completion: 0, total: prompt, estimated: true };
}

function neverStreamed(): never {
  // The exchange streams only when the request says so, and parse() never says so here.
  throw new Error('llm/v1/embeddings is never streamed');
}

export const embeddingsCodec: RouteCodec<EmbeddingsRequest> = {
  routeType: 'llm/v1/embeddings',
  streams: false,
  probe: { model: 'probe', input: ['probe'], encodingFormat: 'float', stream: false, streamUsage: false },
  supports(provider) {
    return provider.buildEmbeddingsRequest !== undefined && provider.parseEmbeddingsResponse !== undefined;
  },
  parse: parseOpenAiEmbeddingsRequest,
  build(provider, req, target, now) {
    if (provider.buildEmbeddingsRequest === undefined) return { ok: false, message: `llm/v1/embeddings is not supported by provider ${provider.name}` };
    return provider.buildEmbeddingsRequest(req, target, now);
  },
  answer(provider, req, body) {
    const parsed = provider.parseEmbeddingsResponse?.(body) ?? { ok: false, message: `llm/v1/embeddings is not supported by provider ${provider.name}` };
    if (!parsed.ok) return parsed;
    const res = parsed.value;
    if (res.vectors.length !== req.input.length) return { ok: false, message: `upstream answer has ${res.vectors.length} embeddings for ${req.input.length} inputs` };
    const model = res.model;
    if (model === '') res.model = req.model;
    const usage = res.usage ?? estimateEmbeddingsUsage(req);
    res.usage = usage;
    return { ok: true, body: renderOpenAiEmbeddingsResponse(res, req.encodingFormat), usage, model, output: res.vectors.length > 0 };
  },
  createStreamParser(): StreamParser {
    return neverStreamed();
  },
  createRenderer(): StreamRenderer {
    return neverStreamed();
  },
  createTracker(): UsageTracker {
    return neverStreamed();
  },
  /** The inputs as one user message and no completion: a reservation is the inputs' estimate. */
  asChat(req) {
    return {
      model: req.model,
      messages: [{ role: 'user', content: req.input.map((text) => ({ type: 'text', text })) }],
      maxTokens: 0,
      stream: false,
      streamUsage: false,
      extra: {},
      extraFormat: 'openai',
    };
  },
};
