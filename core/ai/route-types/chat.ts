/**
 * route_type `llm/v1/chat`: the client speaks OpenAI chat completions or Anthropic Messages
 * (the route's `llm_format`); every provider serves it through its chat API.
 */
import type { AiClientFormat } from '../compile-types.js';
import { UsageTracker, responseUsage } from '../tokens.js';
import { parseAnthropicRequest, renderAnthropicResponse } from '../translate/anthropic.js';
import { AnthropicStreamRenderer } from '../translate/anthropic-stream.js';
import { parseOpenAiRequest, renderOpenAiResponse } from '../translate/openai.js';
import { OpenAiStreamRenderer } from '../translate/openai-stream.js';
import type { ChatRequest, ChatResponse } from '../types.js';
import type { Provider } from '../providers/provider.js';
import type { RenderedAnswer, RouteCodec } from './codec.js';

export const CHAT_PROBE: ChatRequest = {
  model: 'probe',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'probe' }] }],
  stream: false,
  streamUsage: false,
  extra: {},
  extraFormat: 'openai',
};

/** Reads a provider's chat answer; `render` writes it in the client's format. */
export function chatAnswer(provider: Provider, req: ChatRequest, body: string, render: (res: ChatResponse) => string, alwaysUsage: boolean): RenderedAnswer {
  const parsed = provider.parseChatResponse(body);
  if (!parsed.ok) return parsed;
  const res = parsed.value;
  const model = res.model;
  const usage = responseUsage(req, res.usage, res.text, res.toolCalls);
  // The parser's object is ours: fill it in place rather than copy it.
  if (model === '') res.model = req.model;
  // OpenAI clients see only the provider's usage; Anthropic's format always carries one.
  if (res.usage === null && alwaysUsage) res.usage = usage;
  return { ok: true, body: render(res), usage, model, output: res.text !== '' || res.toolCalls.length > 0 };
}

function chatCodec(format: AiClientFormat): RouteCodec<ChatRequest> {
  const anthropic = format === 'anthropic';
  const render = anthropic ? renderAnthropicResponse : renderOpenAiResponse;
  return {
    routeType: 'llm/v1/chat',
    streams: true,
    probe: CHAT_PROBE,
    supports() {
      return true;
    },
    parse: anthropic ? parseAnthropicRequest : parseOpenAiRequest,
    build(provider, req, target, now) {
      return provider.buildChatRequest(req, target, now);
    },
    answer(provider, req, body) {
      return chatAnswer(provider, req, body, render, anthropic);
    },
    createStreamParser(provider, req) {
      return provider.createStreamParser(req);
    },
    createRenderer(req, requestId, model) {
      if (anthropic) return new AnthropicStreamRenderer({ id: `msg_${requestId}`, model });
      return new OpenAiStreamRenderer({ includeUsage: req.streamUsage, created: Math.floor(Date.now() / 1000), id: `chatcmpl-${requestId}`, model });
    },
    createTracker(req) {
      return new UsageTracker(req);
    },
    asChat(req) {
      return req;
    },
  };
}

export const chatOpenAiCodec: RouteCodec<ChatRequest> = chatCodec('openai');
export const chatAnthropicCodec: RouteCodec<ChatRequest> = chatCodec('anthropic');
