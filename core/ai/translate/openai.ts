/**
 * The OpenAI chat-completions wire format <-> the canonical model, both ways: a client
 * that speaks OpenAI (parse request, render response/error) and an upstream that speaks
 * it (render request, parse response) use the same codec, so round trips are exact.
 * Streaming lives in openai-stream.ts; the legacy completions and the embeddings formats in
 * openai-completions.ts and openai-embeddings.ts.
 */
import { FinishReason } from '../types.js';
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ClientError,
  ContentPart,
  Parsed,
  Role,
  ToolCall,
  ToolChoice,
  Usage,
} from '../types.js';
import { arr, isObject, num, obj, rest, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';

const KNOWN_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'max_tokens', 'max_completion_tokens', 'temperature',
  'top_p', 'stop', 'stream', 'stream_options', 'response_format', 'user',
]);

const ROLES: Readonly<Record<string, Role>> = {
  system: 'system', developer: 'system', user: 'user', assistant: 'assistant', tool: 'tool', function: 'tool',
};

function parseContent(content: unknown): ContentPart[] | undefined {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return undefined;
  const parts: ContentPart[] = [];
  for (const part of content) {
    if (!isObject(part)) return undefined;
    const type = str(part, 'type');
    if (type === 'text') parts.push({ type: 'text', text: str(part, 'text') ?? '' });
    else if (type === 'image_url') {
      const image = part['image_url'];
      const url = typeof image === 'string' ? image : isObject(image) ? str(image, 'url') : undefined;
      if (url === undefined) return undefined;
      parts.push(imageFromUrl(url));
    } else return undefined;
  }
  return parts;
}

/** `data:image/png;base64,AAAA` becomes an inline image; any other URL stays a URL. */
export function imageFromUrl(url: string): ContentPart {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m !== null) return { type: 'image', mediaType: m[1] ?? 'application/octet-stream', data: m[2] ?? '' };
  return { type: 'image', url };
}

export function imageUrl(part: ContentPart & { type: 'image' }): string {
  return part.url ?? `data:${part.mediaType ?? 'application/octet-stream'};base64,${part.data ?? ''}`;
}

function parseToolCalls(value: unknown): ToolCall[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const calls: ToolCall[] = [];
  for (const call of value) {
    if (!isObject(call)) continue;
    const fn = obj(call, 'function');
    if (fn === undefined) continue;
    calls.push({ id: str(call, 'id') ?? '', name: str(fn, 'name') ?? '', arguments: str(fn, 'arguments') ?? '' });
  }
  return calls;
}

function parseMessage(raw: unknown, at: number): Parsed<ChatMessage> {
  if (!isObject(raw)) return { ok: false, message: `messages[${at}] must be an object` };
  const role = ROLES[str(raw, 'role') ?? ''];
  if (role === undefined) return { ok: false, message: `messages[${at}].role is not a known role` };
  const content = parseContent(raw['content']);
  if (content === undefined) return { ok: false, message: `messages[${at}].content is not valid content` };
  const msg: ChatMessage = { role, content };
  const calls = parseToolCalls(raw['tool_calls']);
  if (calls !== undefined && calls.length > 0) msg.toolCalls = calls;
  const callId = str(raw, 'tool_call_id');
  if (callId !== undefined) msg.toolCallId = callId;
  const name = str(raw, 'name');
  if (name !== undefined) msg.name = name;
  return { ok: true, value: msg };
}

function parseToolChoice(value: unknown): ToolChoice | undefined {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (isObject(value)) {
    const fn = obj(value, 'function');
    const name = fn === undefined ? undefined : str(fn, 'name');
    if (name !== undefined) return { name };
  }
  return undefined;
}

/**
 * What the chat and legacy completions APIs share in a request: usage in streams,
 * sampling (`temperature`, `top_p`, `stop`) and `user` (read), and `max_tokens`,
 * sampling and streaming (written; `user` is written last by each caller).
 */
export function readOpenAiSampling(body: JsonObject, req: ChatRequest): void {
  const opts = obj(body, 'stream_options');
  if (opts !== undefined && opts['include_usage'] === true) req.streamUsage = true;
  const temperature = num(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const stop = body['stop'];
  if (typeof stop === 'string') req.stop = [stop];
  else if (Array.isArray(stop)) req.stop = stop.filter((s): s is string => typeof s === 'string');
  const user = str(body, 'user');
  if (user !== undefined) req.user = user;
}

export function writeOpenAiSampling(req: ChatRequest, body: JsonObject): void {
  if (req.maxTokens !== undefined) body['max_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.topP !== undefined) body['top_p'] = req.topP;
  if (req.stop !== undefined) body['stop'] = req.stop;
  if (req.stream) {
    body['stream'] = true;
    body['stream_options'] = { include_usage: req.streamUsage };
  }
}

/** An OpenAI chat-completions body -> canonical; unknown fields kept in `extra`. */
export function parseOpenAiRequest(body: unknown): Parsed<ChatRequest> {
  if (!isObject(body)) return { ok: false, message: 'request body must be a JSON object' };
  const rawMessages = arr(body, 'messages');
  if (rawMessages === undefined) return { ok: false, message: "'messages' must be an array" };
  const messages: ChatMessage[] = [];
  for (let i = 0; i < rawMessages.length; i++) {
    const parsed = parseMessage(rawMessages[i], i);
    if (!parsed.ok) return parsed;
    messages.push(parsed.value);
  }
  const req: ChatRequest = {
    model: str(body, 'model') ?? '',
    messages,
    stream: body['stream'] === true,
    streamUsage: false,
    extra: rest(body, KNOWN_REQUEST_KEYS),
    extraFormat: 'openai',
  };
  readOpenAiSampling(body, req);
  const tools = arr(body, 'tools');
  if (tools !== undefined) {
    req.tools = [];
    for (const tool of tools) {
      const fn = isObject(tool) ? obj(tool, 'function') : undefined;
      const name = fn === undefined ? undefined : str(fn, 'name');
      if (fn === undefined || name === undefined) return { ok: false, message: 'each tool needs function.name' };
      const def: { name: string; description?: string; parameters: Record<string, unknown> } = {
        name,
        parameters: obj(fn, 'parameters') ?? { type: 'object', properties: {} },
      };
      const description = str(fn, 'description');
      if (description !== undefined) def.description = description;
      req.tools.push(def);
    }
  }
  const choice = parseToolChoice(body['tool_choice']);
  if (choice !== undefined) req.toolChoice = choice;
  const maxTokens = num(body, 'max_completion_tokens') ?? num(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const format = obj(body, 'response_format');
  const formatType = format === undefined ? undefined : str(format, 'type');
  if (format !== undefined && (formatType === 'text' || formatType === 'json_object' || formatType === 'json_schema')) {
    req.responseFormat = { type: formatType };
    const js = obj(format, 'json_schema');
    if (js !== undefined) {
      const name = str(js, 'name');
      if (name !== undefined) req.responseFormat.name = name;
      const schema = obj(js, 'schema');
      if (schema !== undefined) req.responseFormat.schema = schema;
      if (typeof js['strict'] === 'boolean') req.responseFormat.strict = js['strict'];
    }
  }
  return { ok: true, value: req };
}

function renderContent(parts: ContentPart[]): string | JsonObject[] | null {
  if (parts.length === 0) return null;
  if (parts.every((p) => p.type === 'text')) return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
  return parts.map((p) =>
    p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: imageUrl(p) } },
  );
}

function renderMessage(m: ChatMessage): JsonObject {
  const out: JsonObject = { role: m.role, content: renderContent(m.content) };
  if (m.role === 'tool') {
    out['content'] = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    out['tool_call_id'] = m.toolCallId ?? '';
  } else if (m.name !== undefined) out['name'] = m.name;
  if (m.toolCalls !== undefined && m.toolCalls.length > 0) {
    out['tool_calls'] = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return out;
}

/** Canonical -> an OpenAI chat-completions body (for OpenAI-speaking upstreams). */
export function renderOpenAiRequest(req: ChatRequest): JsonObject {
  const body: JsonObject = req.extraFormat === 'openai' ? { ...req.extra } : {};
  body['model'] = req.model;
  body['messages'] = req.messages.map(renderMessage);
  if (req.tools !== undefined) {
    body['tools'] = req.tools.map((t) => ({
      type: 'function',
      function: t.description === undefined
        ? { name: t.name, parameters: t.parameters }
        : { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
  if (req.toolChoice !== undefined) {
    body['tool_choice'] = typeof req.toolChoice === 'string' ? req.toolChoice : { type: 'function', function: { name: req.toolChoice.name } };
  }
  writeOpenAiSampling(req, body);
  if (req.responseFormat !== undefined) {
    const f = req.responseFormat;
    if (f.type === 'json_schema') {
      const js: JsonObject = { name: f.name ?? 'response', schema: f.schema ?? {} };
      if (f.strict !== undefined) js['strict'] = f.strict;
      body['response_format'] = { type: 'json_schema', json_schema: js };
    } else body['response_format'] = { type: f.type };
  }
  if (req.user !== undefined) body['user'] = req.user;
  return body;
}

const FINISH_IN: Readonly<Record<string, FinishReason>> = {
  stop: FinishReason.stop,
  length: FinishReason.length,
  tool_calls: FinishReason.toolCalls,
  function_call: FinishReason.toolCalls,
  content_filter: FinishReason.contentFilter,
};

export function openAiFinish(reason: string | undefined): FinishReason {
  return FINISH_IN[reason ?? 'stop'] ?? FinishReason.stop;
}

/** `{prompt_tokens, completion_tokens, total_tokens}` -> Usage; null when absent. */
export function parseOpenAiUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const prompt = num(value, 'prompt_tokens');
  const completion = num(value, 'completion_tokens');
  if (prompt === undefined && completion === undefined) return null;
  const p = prompt ?? 0;
  const c = completion ?? 0;
  return { prompt: p, completion: c, total: num(value, 'total_tokens') ?? p + c, estimated: false };
}

export function renderOpenAiUsage(u: Usage): JsonObject {
  return { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total };
}

/** An OpenAI chat-completions answer -> canonical. */
export function parseOpenAiResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const choice = arr(body, 'choices')?.[0];
  if (!isObject(choice)) return { ok: false, message: 'upstream answer has no choices' };
  const message = obj(choice, 'message') ?? {};
  const content = message['content'];
  const text = typeof content === 'string' ? content : (parseContent(content) ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
  return {
    ok: true,
    value: {
      id: str(body, 'id') ?? '',
      model: str(body, 'model') ?? '',
      created: num(body, 'created') ?? Math.floor(Date.now() / 1000),
      text,
      toolCalls: parseToolCalls(message['tool_calls']) ?? [],
      finishReason: openAiFinish(str(choice, 'finish_reason')),
      usage: parseOpenAiUsage(body['usage']),
    },
  };
}

/** Canonical -> an OpenAI chat-completions answer body. */
export function renderOpenAiResponse(res: ChatResponse): string {
  const message: JsonObject = { role: 'assistant', content: res.toolCalls.length > 0 && res.text === '' ? null : res.text };
  if (res.toolCalls.length > 0) {
    message['tool_calls'] = res.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  const body: JsonObject = {
    id: res.id,
    object: 'chat.completion',
    created: res.created,
    model: res.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: res.finishReason === 'error' ? 'stop' : res.finishReason }],
  };
  if (res.usage !== null) body['usage'] = renderOpenAiUsage(res.usage);
  return JSON.stringify(body);
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'service_unavailable',
  504: 'timeout',
};

/** `{"error":{"message","type","param","code"}}`, OpenAI's error shape. */
export function renderOpenAiError(status: number, message: string, code: string | null = null): ClientError {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status, body: JSON.stringify({ error: { message, type, param: null, code } }) };
}
