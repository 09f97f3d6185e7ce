/**
 * OpenAI chat completions and embeddings. Streams always ask the upstream for usage
 * (`stream_options.include_usage`); when the client did not ask, the usage chunk is
 * marked hidden so accounting sees it and the client never does.
 * The OpenAI-speaking providers (azure, mistral, openai-compatible) are this module with
 * a different URL, auth header or quirks: see openAiFamily().
 */
import type { ChatRequest, EmbeddingsRequest, Parsed, UpstreamRequest } from '../types.js';
import { parseJson } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import {
  parseOpenAiEmbeddingsResponse,
  parseOpenAiResponse,
  renderOpenAiEmbeddingsRequest,
  renderOpenAiRequest,
} from '../translate/openai.js';
import { OpenAiStreamParser } from '../translate/openai-stream.js';
import { applyAuth, jsonRequest, parseUpstreamError, resolveModel } from './provider.js';
import type { Provider, ProviderName, TargetConfig } from './provider.js';

export interface OpenAiFamilyOptions {
  name: ProviderName;
  /** URL for a chat call (embeddings: `embeddings: true`). */
  url(target: TargetConfig, model: string, embeddings: boolean): Parsed<URL>;
  /** Provider quirks applied to the rendered body. */
  adjust?(body: JsonObject, req: ChatRequest): void;
  /** Whether the upstream accepts `stream_options` (Mistral does not, and sends usage anyway). */
  streamOptions: boolean;
}

/** The request as it goes upstream: streamed calls always ask for usage. */
export function upstreamChatRequest(req: ChatRequest): ChatRequest {
  return req.stream ? { ...req, streamUsage: true } : req;
}

export function openAiFamily(opts: OpenAiFamilyOptions): Provider {
  return {
    name: opts.name,
    buildChatRequest(client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> {
      const resolved = resolveModel(client, target.model);
      if (!resolved.ok) return resolved;
      const url = opts.url(target, resolved.value.model, false);
      if (!url.ok) return url;
      const body = renderOpenAiRequest(upstreamChatRequest(resolved.value));
      if (!opts.streamOptions) delete body['stream_options'];
      opts.adjust?.(body, resolved.value);
      const headers: Record<string, string> = {};
      if (client.stream) headers['accept'] = 'text/event-stream';
      applyAuth(target.auth, url.value, headers, body);
      return { ok: true, value: jsonRequest(url.value, headers, body) };
    },
    parseChatResponse(body: string) {
      return parseOpenAiResponse(parseJson(body));
    },
    createStreamParser(client: ChatRequest) {
      return new OpenAiStreamParser(!client.streamUsage);
    },
    parseError: parseUpstreamError,
    buildEmbeddingsRequest(req: EmbeddingsRequest, target: TargetConfig): Parsed<UpstreamRequest> {
      const model = target.model.name !== undefined && target.model.name !== '' ? target.model.name : req.model;
      const url = opts.url(target, model, true);
      if (!url.ok) return url;
      const body = renderOpenAiEmbeddingsRequest({ ...req, model });
      const headers: Record<string, string> = {};
      applyAuth(target.auth, url.value, headers, body);
      return { ok: true, value: jsonRequest(url.value, headers, body) };
    },
    parseEmbeddingsResponse(body: string) {
      return parseOpenAiEmbeddingsResponse(parseJson(body));
    },
  };
}

function fixedUrl(origin: string, chatPath: string, embeddingsPath: string) {
  return (target: TargetConfig, _model: string, embeddings: boolean): Parsed<URL> => {
    const configured = target.model.options?.upstream_url;
    const path = embeddings ? embeddingsPath : chatPath;
    if (configured === undefined || configured === '') return { ok: true, value: new URL(path, origin) };
    const url = new URL(configured);
    if (url.pathname === '/' || url.pathname === '') url.pathname = path;
    else if (embeddings) url.pathname = url.pathname.replace(/chat\/completions$/, 'embeddings');
    const override = target.model.options?.upstream_path;
    if (override !== undefined && override !== '') url.pathname = override;
    return { ok: true, value: url };
  };
}

export const openAiProvider: Provider = openAiFamily({
  name: 'openai',
  url: fixedUrl('https://api.openai.com', '/v1/chat/completions', '/v1/embeddings'),
  streamOptions: true,
});

/** vLLM, Ollama, llama.cpp, LM Studio, …: OpenAI wire format at `upstream_url` (required). */
export const openAiCompatibleProvider: Provider = openAiFamily({
  name: 'openai-compatible',
  url(target, model, embeddings) {
    if (target.model.options?.upstream_url === undefined) {
      return { ok: false, message: 'model.options.upstream_url is required for openai-compatible' };
    }
    return fixedUrl('http://127.0.0.1', '/v1/chat/completions', '/v1/embeddings')(target, model, embeddings);
  },
  streamOptions: true,
});

export const mistralProvider: Provider = openAiFamily({
  name: 'mistral',
  url: fixedUrl('https://api.mistral.ai', '/v1/chat/completions', '/v1/embeddings'),
  adjust(body) {
    // Mistral spells "must call a tool" as `any`.
    if (body['tool_choice'] === 'required') body['tool_choice'] = 'any';
  },
  streamOptions: false,
});

/** Azure's default api-version, Kong's default for `azure_api_version`. */
export const AZURE_DEFAULT_API_VERSION = '2023-05-15';

export const azureProvider: Provider = openAiFamily({
  name: 'azure',
  url(target, model, embeddings) {
    const o = target.model.options ?? {};
    const op = embeddings ? 'embeddings' : 'chat/completions';
    let url: URL;
    if (o.upstream_url !== undefined && o.upstream_url !== '') {
      url = new URL(o.upstream_url);
      if (url.pathname === '/' || url.pathname === '') url.pathname = `/openai/deployments/${encodeURIComponent(o.azure_deployment_id ?? model)}/${op}`;
    } else {
      if (o.azure_instance === undefined) return { ok: false, message: 'model.options.azure_instance is required for azure' };
      url = new URL(`https://${o.azure_instance}.openai.azure.com/openai/deployments/${encodeURIComponent(o.azure_deployment_id ?? model)}/${op}`);
    }
    url.searchParams.set('api-version', o.azure_api_version ?? AZURE_DEFAULT_API_VERSION);
    return { ok: true, value: url };
  },
  streamOptions: true,
});
