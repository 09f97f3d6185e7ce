/**
 * Google Gemini `generateContent` / `streamGenerateContent?alt=sse` (AI Studio), or Vertex
 * AI when `model.options.gemini` names an endpoint, project and location. Gemini has no
 * stream terminator: the stream ends at EOF, so usage (cumulative `usageMetadata`, latest
 * wins) and the end event come from end().
 * Embeddings (llm/v1/embeddings) use `:batchEmbedContents`, as Kong does, one request per
 * input; the Gemini API reports no usage for them, so the exchange counts an estimate.
 */
import { FinishReason } from '../types.js';
import type { ChatMessage, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, Parsed, StreamEvent, ToolCall, UpstreamRequest, Usage } from '../types.js';
import { SseStreamParser, streamCut } from '../sse.js';
import { arr, isObject, num, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { applyAuth, jsonRequest, parseUpstreamError, resolveModel, resolveModelName } from './provider.js';
import type { Provider, StreamParser, TargetConfig } from './provider.js';

function textOf(m: ChatMessage): string {
  return m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function argsOf(text: string): unknown {
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return { _raw: text };
  }
}

/** Canonical -> a Gemini GenerateContentRequest body. */
export function renderGeminiRequest(req: ChatRequest): JsonObject {
  const body: JsonObject = {};
  const system: string[] = [];
  const contents: { role: string; parts: JsonObject[] }[] = [];
  const callNames = new Map<string, string>();
  const push = (role: string, parts: JsonObject[]): void => {
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of req.messages) {
    if (m.role === 'system') {
      system.push(textOf(m));
      continue;
    }
    if (m.role === 'tool') {
      const name = m.name ?? callNames.get(m.toolCallId ?? '') ?? '';
      const text = textOf(m);
      const parsed = parseJson(text);
      push('user', [{ functionResponse: { name, response: isObject(parsed) ? parsed : { content: text } } }]);
      continue;
    }
    const parts: JsonObject[] = [];
    for (const p of m.content) {
      if (p.type === 'text') {
        if (p.text !== '') parts.push({ text: p.text });
      } else if (p.data !== undefined) parts.push({ inlineData: { mimeType: p.mediaType ?? 'image/png', data: p.data } });
      else parts.push({ fileData: { fileUri: p.url ?? '', mimeType: p.mediaType ?? 'image/*' } });
    }
    for (const c of m.toolCalls ?? []) {
      callNames.set(c.id, c.name);
      parts.push({ functionCall: { name: c.name, args: argsOf(c.arguments) } });
    }
    if (parts.length > 0) push(m.role === 'assistant' ? 'model' : 'user', parts);
  }
  if (system.length > 0) body['systemInstruction'] = { parts: [{ text: system.join('\n\n') }] };
  body['contents'] = contents;
  if (req.tools !== undefined && req.tools.length > 0) {
    body['tools'] = [{
      functionDeclarations: req.tools.map((t) => (t.description === undefined
        ? { name: t.name, parameters: t.parameters }
        : { name: t.name, description: t.description, parameters: t.parameters })),
    }];
  }
  if (req.toolChoice !== undefined) {
    const c = req.toolChoice;
    body['toolConfig'] = {
      functionCallingConfig: typeof c === 'string'
        ? { mode: c === 'required' ? 'ANY' : c === 'none' ? 'NONE' : 'AUTO' }
        : { mode: 'ANY', allowedFunctionNames: [c.name] },
    };
  }
  const gen: JsonObject = {};
  if (req.maxTokens !== undefined) gen['maxOutputTokens'] = req.maxTokens;
  if (req.temperature !== undefined) gen['temperature'] = req.temperature;
  if (req.topP !== undefined) gen['topP'] = req.topP;
  if (req.topK !== undefined) gen['topK'] = req.topK;
  if (req.stop !== undefined) gen['stopSequences'] = req.stop;
  if (req.responseFormat !== undefined && req.responseFormat.type !== 'text') {
    gen['responseMimeType'] = 'application/json';
    if (req.responseFormat.schema !== undefined) gen['responseJsonSchema'] = req.responseFormat.schema;
  }
  if (Object.keys(gen).length > 0) body['generationConfig'] = gen;
  return body;
}

const FINISH_IN: Readonly<Record<string, FinishReason>> = {
  STOP: FinishReason.stop,
  MAX_TOKENS: FinishReason.length,
  SAFETY: FinishReason.contentFilter,
  RECITATION: FinishReason.contentFilter,
  BLOCKLIST: FinishReason.contentFilter,
  PROHIBITED_CONTENT: FinishReason.contentFilter,
  SPII: FinishReason.contentFilter,
  MALFORMED_FUNCTION_CALL: FinishReason.error,
};

export function parseGeminiUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const prompt = num(value, 'promptTokenCount');
  const candidates = num(value, 'candidatesTokenCount');
  if (prompt === undefined && candidates === undefined) return null;
  const completion = (candidates ?? 0) + (num(value, 'thoughtsTokenCount') ?? 0);
  const p = prompt ?? 0;
  return { prompt: p, completion, total: num(value, 'totalTokenCount') ?? p + completion, estimated: false };
}

interface CandidateParts {
  text: string;
  calls: { name: string; args: unknown; id?: string }[];
  finish: string | undefined;
}

function readCandidate(body: JsonObject): CandidateParts {
  const out: CandidateParts = { text: '', calls: [], finish: undefined };
  const cand = arr(body, 'candidates')?.[0];
  if (!isObject(cand)) return out;
  out.finish = str(cand, 'finishReason');
  for (const part of arr(obj(cand, 'content') ?? {}, 'parts') ?? []) {
    if (!isObject(part) || part['thought'] === true) continue;
    const text = str(part, 'text');
    if (text !== undefined) out.text += text;
    const call = obj(part, 'functionCall');
    if (call !== undefined) {
      const c: { name: string; args: unknown; id?: string } = { name: str(call, 'name') ?? '', args: call['args'] ?? {} };
      const id = str(call, 'id');
      if (id !== undefined) c.id = id;
      out.calls.push(c);
    }
  }
  return out;
}

function finishOf(raw: string | undefined, sawCalls: boolean): FinishReason {
  const reason = FINISH_IN[raw ?? 'STOP'] ?? FinishReason.stop;
  return reason === 'stop' && sawCalls ? FinishReason.toolCalls : reason;
}

export function parseGeminiResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const c = readCandidate(body);
  const toolCalls: ToolCall[] = c.calls.map((call, i) => ({ id: call.id ?? `call_${i}`, name: call.name, arguments: JSON.stringify(call.args) }));
  return {
    ok: true,
    value: {
      id: str(body, 'responseId') ?? '',
      model: str(body, 'modelVersion') ?? '',
      created: Math.floor(Date.now() / 1000),
      text: c.text,
      toolCalls,
      finishReason: finishOf(c.finish, toolCalls.length > 0),
      usage: parseGeminiUsage(body['usageMetadata']),
    },
  };
}

export class GeminiStreamParser extends SseStreamParser implements StreamParser {
  readonly #hiddenUsage: boolean;
  #started = false;
  #calls = 0;
  #finish: string | undefined;
  #usage: Usage | null = null;

  constructor(hiddenUsage: boolean) {
    super();
    this.#hiddenUsage = hiddenUsage;
  }

  /** Gemini has no end marker: a stream that reported its finish reason ended properly. */
  protected override onCut(out: StreamEvent[]): void {
    if (this.#finish === undefined) {
      out.push(streamCut());
    } else {
      out.push({ type: 'finish', reason: finishOf(this.#finish, this.#calls > 0) });
      if (this.#usage !== null) out.push({ type: 'usage', usage: this.#usage, hidden: this.#hiddenUsage });
    }
    out.push({ type: 'end' });
  }

  protected take(data: string, out: StreamEvent[]): void {
    const body = parseJson(data);
    if (!isObject(body) || this.done) return;
    const error = obj(body, 'error');
    if (error !== undefined) {
      out.push({ type: 'error', status: num(error, 'code') ?? 500, message: str(error, 'message') ?? 'upstream error', errorType: str(error, 'status') ?? 'api_error' });
      this.done = true;
      out.push({ type: 'end' });
      return;
    }
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'start', id: str(body, 'responseId') ?? '', model: str(body, 'modelVersion') ?? '' });
    }
    const c = readCandidate(body);
    if (c.text !== '') out.push({ type: 'text', text: c.text });
    for (const call of c.calls) {
      const index = this.#calls++;
      out.push({ type: 'tool_call', index, id: call.id ?? `call_${index}`, name: call.name, argumentsDelta: JSON.stringify(call.args) });
    }
    if (c.finish !== undefined) this.#finish = c.finish;
    const usage = parseGeminiUsage(body['usageMetadata']);
    if (usage !== null) this.#usage = usage;
  }
}

function geminiUrl(target: TargetConfig, model: string, stream: boolean): URL {
  const op = stream ? 'streamGenerateContent' : 'generateContent';
  const o = target.model.options ?? {};
  let url: URL;
  if (o.upstream_url !== undefined && o.upstream_url !== '') {
    url = new URL(o.upstream_url);
    if (url.pathname === '/' || url.pathname === '') url.pathname = `/v1beta/models/${model}:${op}`;
    else if (stream) url.pathname = url.pathname.replace(/:generateContent$/, ':streamGenerateContent');
  } else if (o.gemini?.api_endpoint !== undefined && o.gemini.project_id !== undefined && o.gemini.location_id !== undefined) {
    const g = o.gemini;
    url = new URL(`https://${g.api_endpoint}/v1/projects/${g.project_id}/locations/${g.location_id}/publishers/google/models/${model}:${op}`);
  } else {
    url = new URL(`https://generativelanguage.googleapis.com/v1beta/models/${model}:${op}`);
  }
  if (stream) url.searchParams.set('alt', 'sse');
  return url;
}

function geminiEmbedUrl(target: TargetConfig, model: string): Parsed<URL> {
  const o = target.model.options ?? {};
  if (o.upstream_url !== undefined && o.upstream_url !== '') {
    const url = new URL(o.upstream_url);
    if (url.pathname === '/' || url.pathname === '') url.pathname = `/v1beta/models/${model}:batchEmbedContents`;
    else url.pathname = url.pathname.replace(/:(generateContent|streamGenerateContent|embedContent)$/, ':batchEmbedContents');
    return { ok: true, value: url };
  }
  if (o.gemini?.api_endpoint !== undefined) {
    return { ok: false, message: 'llm/v1/embeddings with gemini needs the Gemini API (generativelanguage.googleapis.com); Vertex AI (model.options.gemini) is not supported for embeddings' };
  }
  return { ok: true, value: new URL(`https://generativelanguage.googleapis.com/v1beta/models/${model}:batchEmbedContents`) };
}

/** Canonical -> a Gemini BatchEmbedContentsRequest body. */
export function renderGeminiEmbeddingsRequest(req: EmbeddingsRequest, model: string): JsonObject {
  return {
    requests: req.input.map((text) => {
      const r: JsonObject = { model: `models/${model}`, content: { parts: [{ text }] } };
      if (req.dimensions !== undefined) r['outputDimensionality'] = req.dimensions;
      return r;
    }),
  };
}

/** A BatchEmbedContentsResponse (`embeddings[].values`) or EmbedContentResponse (`embedding.values`) -> canonical. */
export function parseGeminiEmbeddingsResponse(body: unknown): Parsed<EmbeddingsResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const single = obj(body, 'embedding');
  const list = single !== undefined ? [single] : arr(body, 'embeddings');
  if (list === undefined) return { ok: false, message: 'upstream answer has no embeddings' };
  const vectors: number[][] = [];
  for (const e of list) {
    const values = isObject(e) ? arr(e, 'values') : undefined;
    if (values === undefined) return { ok: false, message: 'upstream answer has an embedding without values' };
    vectors.push(values as number[]);
  }
  return { ok: true, value: { model: '', vectors, usage: null } };
}

export const geminiProvider: Provider = {
  name: 'gemini',
  buildChatRequest(client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> {
    const resolved = resolveModel(client, target.model);
    if (!resolved.ok) return resolved;
    const url = geminiUrl(target, resolved.value.model, client.stream);
    const body = renderGeminiRequest(resolved.value);
    const headers: Record<string, string> = {};
    if (client.stream) headers['accept'] = 'text/event-stream';
    applyAuth(target.auth, url, headers, body);
    return { ok: true, value: jsonRequest(url, headers, body) };
  },
  parseChatResponse(body: string) {
    return parseGeminiResponse(parseJson(body));
  },
  createStreamParser(client: ChatRequest) {
    return new GeminiStreamParser(!client.streamUsage);
  },
  parseError: parseUpstreamError,
  buildEmbeddingsRequest(req: EmbeddingsRequest, target: TargetConfig): Parsed<UpstreamRequest> {
    const model = resolveModelName(req.model, target.model);
    if (!model.ok) return model;
    const url = geminiEmbedUrl(target, model.value);
    if (!url.ok) return url;
    const body = renderGeminiEmbeddingsRequest(req, model.value);
    const headers: Record<string, string> = {};
    applyAuth(target.auth, url.value, headers, body);
    return { ok: true, value: jsonRequest(url.value, headers, body) };
  },
  parseEmbeddingsResponse(body: string) {
    return parseGeminiEmbeddingsResponse(parseJson(body));
  },
};
