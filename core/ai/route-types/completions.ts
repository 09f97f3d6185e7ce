/**
 * route_type `llm/v1/completions`: OpenAI's legacy Completions API on the client side
 * (OpenAI format only). As Kong does, providers that still have that API (openai, azure,
 * openai-compatible: `/v1/completions`, Azure `/openai/deployments/<id>/completions`) get
 * the call as is; the others (anthropic, gemini, mistral, cohere, bedrock) get it as a
 * chat call whose one user message is the prompt, and their answer comes back as a
 * `text_completion`. Completions-only fields (suffix, echo, logprobs, best_of, n) have no
 * chat equivalent and are not sent to those providers.
 */
import { UsageTracker, responseUsage } from '../tokens.js';
import {
  CompletionsStreamRenderer,
  parseOpenAiCompletionsRequest,
  renderOpenAiCompletionsResponse,
} from '../translate/openai-completions.js';
import type { ChatRequest, ChatResponse, Parsed } from '../types.js';
import { CHAT_PROBE, chatAnswer } from './chat.js';
import type { RenderedAnswer, RouteCodec } from './codec.js';

function nativeAnswer(parsed: Parsed<ChatResponse>, req: ChatRequest): RenderedAnswer {
  if (!parsed.ok) return parsed;
  const res = parsed.value;
  const model = res.model;
  const usage = responseUsage(req, res.usage, res.text, res.toolCalls);
  if (model === '') res.model = req.model;
  return { ok: true, body: renderOpenAiCompletionsResponse(res), usage, model, output: res.text !== '' };
}

export const completionsCodec: RouteCodec<ChatRequest> = {
  routeType: 'llm/v1/completions',
  streams: true,
  probe: CHAT_PROBE,
  supports() {
    return true;
  },
  parse: parseOpenAiCompletionsRequest,
  build(provider, req, target, now) {
    if (provider.buildCompletionsRequest !== undefined) return provider.buildCompletionsRequest(req, target, now);
    return provider.buildChatRequest(req.extraFormat === 'openai' && Object.keys(req.extra).length > 0 ? { ...req, extra: {} } : req, target, now);
  },
  answer(provider, req, body) {
    if (provider.parseCompletionsResponse !== undefined) return nativeAnswer(provider.parseCompletionsResponse(body), req);
    return chatAnswer(provider, req, body, renderOpenAiCompletionsResponse, false);
  },
  createStreamParser(provider, req) {
    return provider.createCompletionsStreamParser?.(req) ?? provider.createStreamParser(req);
  },
  createRenderer(req, requestId, model) {
    return new CompletionsStreamRenderer({ includeUsage: req.streamUsage, created: Math.floor(Date.now() / 1000), id: `cmpl-${requestId}`, model });
  },
  createTracker(req) {
    return new UsageTracker(req);
  },
  asChat(req) {
    return req;
  },
};
