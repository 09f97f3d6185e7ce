/**
 * What every provider module exports, and the shared steps of building an upstream call
 * from Kong's `model` / `auth` config: model resolution, option defaults, URL choice and
 * auth placement. The client's own credentials are never copied: upstream headers are
 * built from scratch here.
 */
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, Parsed, StreamEvent, UpstreamRequest } from '../types.js';
import { errorMessage, isObject, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';

export const ProviderName = {
  openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  mistral: 'mistral',
  cohere: 'cohere',
  bedrock: 'bedrock',
  openaiCompatible: 'openai-compatible',
} as const;
export type ProviderName = (typeof ProviderName)[keyof typeof ProviderName];

export const RouteType = { chat: 'llm/v1/chat', completions: 'llm/v1/completions', embeddings: 'llm/v1/embeddings' } as const;
export type RouteType = (typeof RouteType)[keyof typeof RouteType];

/** Kong's `model.options` (the fields Gatehouse uses). */
export interface ModelOptions {
  upstream_url?: string;
  upstream_path?: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  anthropic_version?: string;
  azure_instance?: string;
  azure_deployment_id?: string;
  azure_api_version?: string;
  input_cost?: number;
  output_cost?: number;
  bedrock?: { aws_region?: string };
  gemini?: { api_endpoint?: string; project_id?: string; location_id?: string };
}

export interface ModelConfig {
  provider: ProviderName;
  name?: string;
  options?: ModelOptions;
}

/** Kong's `auth` block. */
export interface AuthConfig {
  header_name?: string;
  header_value?: string;
  param_name?: string;
  param_value?: string;
  param_location?: 'query' | 'body';
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
}

/** One upstream target: what ai-proxy has once, ai-proxy-advanced per target. */
export interface TargetConfig {
  route_type: RouteType;
  model: ModelConfig;
  auth?: AuthConfig;
}

/** Incremental upstream-stream parser: feed chunks as they arrive, never the whole body. */
export interface StreamParser {
  feed(chunk: Uint8Array | string): StreamEvent[];
  /** The upstream closed (or was cut): flush; a stream cut short yields an error event. */
  end(): StreamEvent[];
}

export interface UpstreamError {
  message: string;
  errorType: string;
}

export interface Provider {
  readonly name: ProviderName;
  /** `now` is injected for signing providers (Bedrock); others ignore it. */
  buildChatRequest(req: ChatRequest, target: TargetConfig, now?: Date): Parsed<UpstreamRequest>;
  parseChatResponse(body: string): Parsed<ChatResponse>;
  /** `req` is the request as sent upstream (after buildChatRequest decided usage options). */
  createStreamParser(req: ChatRequest): StreamParser;
  parseError(status: number, body: string): UpstreamError;
  /**
   * OpenAI's legacy Completions API, for providers that have it (openai, azure,
   * openai-compatible): route_type llm/v1/completions is forwarded as is. Providers without
   * it serve that route type through their chat API (core/ai/route-types/completions.ts).
   */
  buildCompletionsRequest?(req: ChatRequest, target: TargetConfig, now?: Date): Parsed<UpstreamRequest>;
  parseCompletionsResponse?(body: string): Parsed<ChatResponse>;
  createCompletionsStreamParser?(req: ChatRequest): StreamParser;
  /** route_type llm/v1/embeddings; a provider without these refuses that route type at config time. */
  buildEmbeddingsRequest?(req: EmbeddingsRequest, target: TargetConfig, now?: Date): Parsed<UpstreamRequest>;
  parseEmbeddingsResponse?(body: string): Parsed<EmbeddingsResponse>;
}

/** The model of a non-chat call: the configured one, or the client's when none is configured. */
export function resolveModelName(requested: string, model: ModelConfig): Parsed<string> {
  const name = model.name;
  if (name !== undefined && name !== '') {
    if (requested !== '' && requested !== name) return { ok: false, message: `cannot use own model - must be: ${name}` };
    return { ok: true, value: name };
  }
  if (requested === '') return { ok: false, message: 'model parameter not found in request, nor in gateway configuration' };
  return { ok: true, value: requested };
}

/**
 * Applies the configured model and its option defaults. As in Kong, a client that names a
 * different model than the configured one is refused.
 */
export function resolveModel(req: ChatRequest, model: ModelConfig): Parsed<ChatRequest> {
  const name = model.name;
  if (name !== undefined && name !== '' && req.model !== '' && req.model !== name) {
    return { ok: false, message: `cannot use own model - must be: ${name}` };
  }
  const out: ChatRequest = { ...req, model: name !== undefined && name !== '' ? name : req.model };
  if (out.model === '') return { ok: false, message: 'model parameter not found in request, nor in gateway configuration' };
  const o = model.options;
  if (o !== undefined) {
    if (out.maxTokens === undefined && o.max_tokens !== undefined) out.maxTokens = o.max_tokens;
    if (out.temperature === undefined && o.temperature !== undefined) out.temperature = o.temperature;
    if (out.topP === undefined && o.top_p !== undefined) out.topP = o.top_p;
    if (out.topK === undefined && o.top_k !== undefined) out.topK = o.top_k;
  }
  return { ok: true, value: out };
}

/**
 * `model.options.upstream_url` is the full operation URL (Kong); a bare origin
 * (`http://host:port` or with path `/`) gets the provider's default path appended.
 */
export function upstreamUrl(target: TargetConfig, defaultOrigin: string, defaultPath: string): URL {
  const configured = target.model.options?.upstream_url;
  if (configured === undefined || configured === '') return new URL(defaultPath, defaultOrigin);
  const url = new URL(configured);
  if (url.pathname === '/' || url.pathname === '') url.pathname = defaultPath;
  const path = target.model.options?.upstream_path;
  if (path !== undefined && path !== '') url.pathname = path;
  return url;
}

/** Puts the configured credential where `auth` says: a header, a query parameter or a body field. */
export function applyAuth(auth: AuthConfig | undefined, url: URL, headers: Record<string, string>, body: JsonObject | null): void {
  if (auth === undefined) return;
  if (auth.header_name !== undefined && auth.header_value !== undefined) headers[auth.header_name.toLowerCase()] = auth.header_value;
  if (auth.param_name !== undefined && auth.param_value !== undefined) {
    if (auth.param_location === 'body' && body !== null) body[auth.param_name] = auth.param_value;
    else url.searchParams.set(auth.param_name, auth.param_value);
  }
}

export function jsonRequest(url: URL, headers: Record<string, string>, body: JsonObject): UpstreamRequest {
  return { method: 'POST', url: url.toString(), headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The common error shapes: `{error:{message,type}}`, `{error:{message,status}}`, `{message}`. */
export function parseUpstreamError(status: number, body: string): UpstreamError {
  const json = parseJson(body);
  const error = isObject(json) ? obj(json, 'error') : undefined;
  const type = error === undefined ? undefined : (str(error, 'type') ?? str(error, 'status'));
  return {
    message: errorMessage(json) ?? (body.length > 0 && body.length < 500 ? body : `upstream answered ${status}`),
    errorType: type ?? (status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error'),
  };
}
