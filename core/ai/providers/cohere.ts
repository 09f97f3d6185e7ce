/**
 * Cohere Chat API v2 (`POST /v2/chat`): OpenAI-like messages, but `p`/`k` sampling names,
 * upper-case `tool_choice`, finish reasons like `COMPLETE`, usage under `tokens` (what
 * the model saw) and `billed_units`, and named stream events (message-start,
 * content-delta, tool-call-start/-delta, message-end).
 */
import { FinishReason } from '../types.js';
import type { ChatRequest, ChatResponse, Parsed, StreamEvent, ToolCall, UpstreamRequest, Usage } from '../types.js';
import { SseStreamParser } from '../sse.js';
import { isObject, num, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { applyAuth, jsonRequest, parseUpstreamError, resolveModel, upstreamUrl } from './provider.js';
import type { Provider, StreamParser, TargetConfig } from './provider.js';

export function renderCohereRequest(req: ChatRequest): JsonObject {
  const body: JsonObject = { model: req.model };
  body['messages'] = req.messages.map((m) => {
    const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    const out: JsonObject = { role: m.role, content: text };
    if (m.role === 'tool') out['tool_call_id'] = m.toolCallId ?? '';
    if (m.toolCalls !== undefined && m.toolCalls.length > 0) {
      out['tool_calls'] = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      if (text === '') delete out['content'];
    }
    return out;
  });
  if (req.tools !== undefined) {
    body['tools'] = req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.parameters } }));
  }
  if (req.toolChoice === 'required' || typeof req.toolChoice === 'object') body['tool_choice'] = 'REQUIRED';
  else if (req.toolChoice === 'none') body['tool_choice'] = 'NONE';
  if (req.maxTokens !== undefined) body['max_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.topP !== undefined) body['p'] = req.topP;
  if (req.topK !== undefined) body['k'] = req.topK;
  if (req.stop !== undefined) body['stop_sequences'] = req.stop;
  if (req.responseFormat !== undefined && req.responseFormat.type !== 'text') {
    body['response_format'] = req.responseFormat.schema === undefined ? { type: 'json_object' } : { type: 'json_object', json_schema: req.responseFormat.schema };
  }
  if (req.stream) body['stream'] = true;
  return body;
}

const FINISH_IN: Readonly<Record<string, FinishReason>> = {
  COMPLETE: FinishReason.stop,
  STOP_SEQUENCE: FinishReason.stop,
  MAX_TOKENS: FinishReason.length,
  TOOL_CALL: FinishReason.toolCalls,
  ERROR: FinishReason.error,
  TIMEOUT: FinishReason.error,
};

export function parseCohereUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  // What Cohere charges for (Kong counts these too); `tokens` (everything the model read,
  // including its own prompt scaffolding) only when billed units are absent.
  const counts = obj(value, 'billed_units') ?? obj(value, 'tokens');
  if (counts === undefined) return null;
  const prompt = num(counts, 'input_tokens') ?? 0;
  const completion = num(counts, 'output_tokens') ?? 0;
  return { prompt, completion, total: prompt + completion, estimated: false };
}

function toolCalls(value: unknown): ToolCall[] {
  const out: ToolCall[] = [];
  for (const c of Array.isArray(value) ? value : []) {
    if (!isObject(c)) continue;
    const fn = obj(c, 'function') ?? {};
    out.push({ id: str(c, 'id') ?? '', name: str(fn, 'name') ?? '', arguments: str(fn, 'arguments') ?? '' });
  }
  return out;
}

export function parseCohereResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const message = obj(body, 'message') ?? {};
  const content = message['content'];
  const text = typeof content === 'string'
    ? content
    : (Array.isArray(content) ? content : []).map((b) => (isObject(b) && str(b, 'type') === 'text' ? (str(b, 'text') ?? '') : '')).join('');
  return {
    ok: true,
    value: {
      id: str(body, 'id') ?? '',
      model: '',
      created: Math.floor(Date.now() / 1000),
      text,
      toolCalls: toolCalls(message['tool_calls']),
      finishReason: FINISH_IN[str(body, 'finish_reason') ?? 'COMPLETE'] ?? FinishReason.stop,
      usage: parseCohereUsage(body['usage']),
    },
  };
}

export class CohereStreamParser extends SseStreamParser implements StreamParser {
  readonly #hiddenUsage: boolean;
  #calls = -1;

  constructor(hiddenUsage: boolean) {
    super();
    this.#hiddenUsage = hiddenUsage;
  }

  protected take(data: string, out: StreamEvent[]): void {
    const ev = parseJson(data);
    if (!isObject(ev) || this.done) return;
    const delta = obj(ev, 'delta') ?? {};
    const message = obj(delta, 'message') ?? {};
    switch (str(ev, 'type')) {
      case 'message-start':
        out.push({ type: 'start', id: str(ev, 'id') ?? '', model: '' });
        return;
      case 'content-delta': {
        const text = str(obj(message, 'content') ?? {}, 'text') ?? '';
        if (text !== '') out.push({ type: 'text', text });
        return;
      }
      case 'tool-call-start': {
        const call = obj(message, 'tool_calls') ?? {};
        const fn = obj(call, 'function') ?? {};
        this.#calls++;
        out.push({ type: 'tool_call', index: this.#calls, id: str(call, 'id') ?? '', name: str(fn, 'name') ?? '', argumentsDelta: str(fn, 'arguments') ?? '' });
        return;
      }
      case 'tool-call-delta': {
        const fn = obj(obj(message, 'tool_calls') ?? {}, 'function') ?? {};
        const args = str(fn, 'arguments') ?? '';
        if (args !== '' && this.#calls >= 0) out.push({ type: 'tool_call', index: this.#calls, argumentsDelta: args });
        return;
      }
      case 'message-end': {
        out.push({ type: 'finish', reason: FINISH_IN[str(delta, 'finish_reason') ?? 'COMPLETE'] ?? FinishReason.stop });
        const usage = parseCohereUsage(delta['usage']);
        if (usage !== null) out.push({ type: 'usage', usage, hidden: this.#hiddenUsage });
        out.push({ type: 'end' });
        this.done = true;
        return;
      }
      default:
        return;
    }
  }
}

export const cohereProvider: Provider = {
  name: 'cohere',
  buildChatRequest(client: ChatRequest, target: TargetConfig): Parsed<UpstreamRequest> {
    const resolved = resolveModel(client, target.model);
    if (!resolved.ok) return resolved;
    const url = upstreamUrl(target, 'https://api.cohere.com', '/v2/chat');
    const body = renderCohereRequest(resolved.value);
    const headers: Record<string, string> = {};
    if (client.stream) headers['accept'] = 'text/event-stream';
    applyAuth(target.auth, url, headers, body);
    return { ok: true, value: jsonRequest(url, headers, body) };
  },
  parseChatResponse(body: string) {
    const parsed = parseCohereResponse(parseJson(body));
    return parsed;
  },
  createStreamParser(client: ChatRequest) {
    return new CohereStreamParser(!client.streamUsage);
  },
  parseError: parseUpstreamError,
};

