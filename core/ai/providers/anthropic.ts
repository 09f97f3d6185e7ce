/** Anthropic Messages API (`POST /v1/messages`, `anthropic-version` header). */
import type { ChatRequest, Parsed, UpstreamRequest } from '../types.js';
import { parseJson } from '../json-shape.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, parseAnthropicResponse, renderAnthropicRequest } from '../translate/anthropic.js';
import { AnthropicStreamParser } from '../translate/anthropic-stream.js';
import { applyAuth, jsonRequest, parseUpstreamError, resolveModel, upstreamUrl } from './provider.js';
import type { Provider, TargetConfig } from './provider.js';

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

export const anthropicProvider: Provider = {
  name: 'anthropic',
  buildChatRequest(client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> {
    const resolved = resolveModel(client, target.model);
    if (!resolved.ok) return resolved;
    const url = upstreamUrl(target, 'https://api.anthropic.com', '/v1/messages');
    const body = renderAnthropicRequest(resolved.value, target.model.options?.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS);
    const headers: Record<string, string> = { 'anthropic-version': target.model.options?.anthropic_version ?? ANTHROPIC_DEFAULT_VERSION };
    if (client.stream) headers['accept'] = 'text/event-stream';
    applyAuth(target.auth, url, headers, body);
    return { ok: true, value: jsonRequest(url, headers, body) };
  },
  parseChatResponse(body: string) {
    return parseAnthropicResponse(parseJson(body));
  },
  createStreamParser(client: ChatRequest) {
    return new AnthropicStreamParser(!client.streamUsage);
  },
  parseError: parseUpstreamError,
};
