/**
 * OpenAI chat completions, legacy completions and embeddings. Streams always ask the upstream for usage
 * (`stream_options.include_usage`); when the client did not ask, the usage chunk is
 * marked hidden so accounting sees it and the client never does.
 * The OpenAI-speaking providers (azure, mistral, openai-compatible) are this module with
 * a different URL, auth header or quirks: see openAiFamily().
 */
import type { ChatRequest, EmbeddingsRequest, Parsed, UpstreamRequest } from '../types.js';
import { parseJson } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { parseOpenAiResponse, renderOpenAiRequest } from '../translate/openai.js';
import { parseOpenAiCompletionsResponse, renderOpenAiCompletionsRequest } from '../translate/openai-completions.js';
import { parseOpenAiEmbeddingsResponse, renderOpenAiEmbeddingsRequest } from '../translate/openai-embeddings.js';
import { OpenAiStreamParser } from '../translate/openai-stream.js';
import { applyAuth, jsonRequest, parseUpstreamError, resolveModel, resolveModelName } from './provider.js';
import type { Provider, ProviderName, TargetConfig } from './provider.js';

/** Which OpenAI operation a call goes to. */
export type OpenAiOperation = 'chat' | 'completions' | 'embeddings';

const OPERATION_PATHS: Readonly<Record<OpenAiOperation, string>> = {
  chat: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
};

export interface OpenAiFamilyOptions {
  name: ProviderName;
  url(target: TargetConfig, model: string, op: OpenAiOperation): Parsed<URL>;
  /** Provider quirks applied to the rendered body. */
  adjust?(body: JsonObject, req: ChatRequest): void;
  /**
   * Whether the upstream accepts `stream_options` (Mistral does not, and sends usage
   * anyway; Azure only from api-version 2024-09-01 and answers 400 before that).
   */
  streamOptions: boolean | ((target: TargetConfig) => boolean);
  /** Whether the upstream has the legacy `/v1/completions` API (Mistral does not). */
  completions: boolean;
}

/** The request as it goes upstream: streamed calls always ask for usage. */
export function upstreamChatRequest(req: ChatRequest): ChatRequest {
  return req.stream ? { ...req, streamUsage: true } : req;
}

function acceptsStreamOptions(opts: OpenAiFamilyOptions, target: TargetConfig): boolean {
  return typeof opts.streamOptions === 'function' ? opts.streamOptions(target) : opts.streamOptions;
}

export function openAiFamily(opts: OpenAiFamilyOptions): Provider {
  const provider: Provider = {
    name: opts.name,
    buildChatRequest(client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> {
      const resolved = resolveModel(client, target.model);
      if (!resolved.ok) return resolved;
      const url = opts.url(target, resolved.value.model, 'chat');
      if (!url.ok) return url;
      const body = renderOpenAiRequest(upstreamChatRequest(resolved.value));
      if (!acceptsStreamOptions(opts, target)) delete body['stream_options'];
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
      const model = resolveModelName(req.model, target.model);
      if (!model.ok) return model;
      const url = opts.url(target, model.value, 'embeddings');
      if (!url.ok) return url;
      const body = renderOpenAiEmbeddingsRequest({ ...req, model: model.value });
      const headers: Record<string, string> = {};
      applyAuth(target.auth, url.value, headers, body);
      return { ok: true, value: jsonRequest(url.value, headers, body) };
    },
    parseEmbeddingsResponse(body: string) {
      return parseOpenAiEmbeddingsResponse(parseJson(body));
    },
  };
  if (opts.completions) {
    provider.buildCompletionsRequest = (client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> => {
      const resolved = resolveModel(client, target.model);
      if (!resolved.ok) return resolved;
      const url = opts.url(target, resolved.value.model, 'completions');
      if (!url.ok) return url;
      const body = renderOpenAiCompletionsRequest(upstreamChatRequest(resolved.value));
      if (!acceptsStreamOptions(opts, target)) delete body['stream_options'];
      const headers: Record<string, string> = {};
      if (client.stream) headers['accept'] = 'text/event-stream';
      applyAuth(target.auth, url.value, headers, body);
      return { ok: true, value: jsonRequest(url.value, headers, body) };
    };
    provider.parseCompletionsResponse = (body: string) => parseOpenAiCompletionsResponse(parseJson(body));
    provider.createCompletionsStreamParser = (client: ChatRequest) => new OpenAiStreamParser(!client.streamUsage, true);
  }
  return provider;
}

/**
 * The default origin + operation path, or `upstream_url`: a bare origin gets the operation's
 * path; a full chat URL (Kong's `upstream_url` is the operation URL) has its
 * `chat/completions` tail swapped for the operation.
 */
function fixedUrl(origin: string) {
  return (target: TargetConfig, _model: string, op: OpenAiOperation): Parsed<URL> => {
    const configured = target.model.options?.upstream_url;
    const path = OPERATION_PATHS[op];
    if (configured === undefined || configured === '') return { ok: true, value: new URL(path, origin) };
    const url = new URL(configured);
    if (url.pathname === '/' || url.pathname === '') url.pathname = path;
    else if (op !== 'chat') url.pathname = url.pathname.replace(/chat\/completions$/, op);
    const override = target.model.options?.upstream_path;
    if (override !== undefined && override !== '') url.pathname = override;
    return { ok: true, value: url };
  };
}

export const openAiProvider: Provider = openAiFamily({
  name: 'openai',
  url: fixedUrl('https://api.openai.com'),
  streamOptions: true,
  completions: true,
});

/** vLLM, Ollama, llama.cpp, LM Studio, …: OpenAI wire format at `upstream_url` (required). */
export const openAiCompatibleProvider: Provider = openAiFamily({
  name: 'openai-compatible',
  url(target, model, op) {
    if (target.model.options?.upstream_url === undefined) {
      return { ok: false, message: 'model.options.upstream_url is required for openai-compatible' };
    }
    return fixedUrl('http://127.0.0.1')(target, model, op);
  },
  streamOptions: true,
  completions: true,
});

export const mistralProvider: Provider = openAiFamily({
  name: 'mistral',
  url: fixedUrl('https://api.mistral.ai'),
  adjust(body) {
    // Mistral spells "must call a tool" as `any`.
    if (body['tool_choice'] === 'required') body['tool_choice'] = 'any';
  },
  streamOptions: false,
  // Mistral has no legacy completions API: llm/v1/completions goes through its chat API.
  completions: false,
});

/** Azure's default api-version, Kong's default for `azure_api_version`. */
export const AZURE_DEFAULT_API_VERSION = '2023-05-15';
/** The first Azure api-version that accepts `stream_options` (older ones answer 400). */
export const AZURE_STREAM_OPTIONS_SINCE = '2024-09-01';

/** api-versions are dates (`2024-10-21`, `2024-08-01-preview`): they compare as strings. */
export function azureAcceptsStreamOptions(target: TargetConfig): boolean {
  return (target.model.options?.azure_api_version ?? AZURE_DEFAULT_API_VERSION) >= AZURE_STREAM_OPTIONS_SINCE;
}

export const azureProvider: Provider = openAiFamily({
  name: 'azure',
  url(target, model, operation) {
    const o = target.model.options ?? {};
    const op = operation === 'chat' ? 'chat/completions' : operation;
    let url: URL;
    if (o.upstream_url !== undefined && o.upstream_url !== '') {
      url = new URL(o.upstream_url);
      if (url.pathname === '/' || url.pathname === '') url.pathname = `/openai/deployments/${encodeURIComponent(o.azure_deployment_id ?? model)}/${op}`;
      else if (operation !== 'chat') url.pathname = url.pathname.replace(/chat\/completions$/, op);
    } else {
      if (o.azure_instance === undefined) return { ok: false, message: 'model.options.azure_instance is required for azure' };
      url = new URL(`https://${o.azure_instance}.openai.azure.com/openai/deployments/${encodeURIComponent(o.azure_deployment_id ?? model)}/${op}`);
    }
    url.searchParams.set('api-version', o.azure_api_version ?? AZURE_DEFAULT_API_VERSION);
    return { ok: true, value: url };
  },
  // Older api-versions stream without usage: the tracker records an estimate, marked as one.
  streamOptions: azureAcceptsStreamOptions,
  completions: true,
});
