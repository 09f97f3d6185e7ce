/**
 * Amazon Bedrock Converse API (`/model/{id}/converse`, `/converse-stream`), signed with
 * SigV4 (service `bedrock`). Credentials come from `auth.aws_access_key_id` /
 * `auth.aws_secret_access_key` (Kong's fields), region from `options.bedrock.aws_region`.
 * The stream is AWS event-stream framed JSON (event-stream.ts), not SSE.
 */
import { FinishReason } from '../types.js';
import type { ChatRequest, ChatResponse, Parsed, StreamEvent, ToolCall, UpstreamRequest, Usage } from '../types.js';
import { arr, isObject, num, obj, parseJson, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { EventStreamDecoder } from './event-stream.js';
import { applyAuth, parseUpstreamError, resolveModel } from './provider.js';
import type { Provider, StreamParser, TargetConfig } from './provider.js';
import { signV4 } from './sigv4.js';

function argsOf(text: string): unknown {
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return { _raw: text };
  }
}

export function renderBedrockRequest(req: ChatRequest): JsonObject {
  const body: JsonObject = {};
  const system: JsonObject[] = [];
  const messages: { role: string; content: JsonObject[] }[] = [];
  const push = (role: string, blocks: JsonObject[]): void => {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    if (m.role === 'system') system.push({ text });
    else if (m.role === 'tool') {
      push('user', [{ toolResult: { toolUseId: m.toolCallId ?? '', content: [{ text }], status: m.isError === true ? 'error' : 'success' } }]);
    } else {
      const blocks: JsonObject[] = [];
      for (const p of m.content) {
        if (p.type === 'text') {
          if (p.text !== '') blocks.push({ text: p.text });
        } else if (p.data !== undefined) {
          blocks.push({ image: { format: (p.mediaType ?? 'image/png').replace('image/', ''), source: { bytes: p.data } } });
        }
      }
      for (const c of m.toolCalls ?? []) blocks.push({ toolUse: { toolUseId: c.id, name: c.name, input: argsOf(c.arguments) } });
      if (blocks.length > 0) push(m.role, blocks);
    }
  }
  body['messages'] = messages;
  if (system.length > 0) body['system'] = system;
  const inference: JsonObject = {};
  if (req.maxTokens !== undefined) inference['maxTokens'] = req.maxTokens;
  if (req.temperature !== undefined) inference['temperature'] = req.temperature;
  if (req.topP !== undefined) inference['topP'] = req.topP;
  if (req.stop !== undefined) inference['stopSequences'] = req.stop;
  if (Object.keys(inference).length > 0) body['inferenceConfig'] = inference;
  if (req.tools !== undefined && req.tools.length > 0 && req.toolChoice !== 'none') {
    const config: JsonObject = {
      tools: req.tools.map((t) => ({ toolSpec: { name: t.name, description: t.description ?? t.name, inputSchema: { json: t.parameters } } })),
    };
    const c = req.toolChoice;
    if (c === 'required') config['toolChoice'] = { any: {} };
    else if (typeof c === 'object') config['toolChoice'] = { tool: { name: c.name } };
    else if (c === 'auto') config['toolChoice'] = { auto: {} };
    body['toolConfig'] = config;
  }
  return body;
}

const FINISH_IN: Readonly<Record<string, FinishReason>> = {
  end_turn: FinishReason.stop,
  stop_sequence: FinishReason.stop,
  max_tokens: FinishReason.length,
  tool_use: FinishReason.toolCalls,
  guardrail_intervened: FinishReason.contentFilter,
  content_filtered: FinishReason.contentFilter,
};

export function parseBedrockUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const prompt = num(value, 'inputTokens');
  const completion = num(value, 'outputTokens');
  if (prompt === undefined && completion === undefined) return null;
  const p = prompt ?? 0;
  const c = completion ?? 0;
  return { prompt: p, completion: c, total: num(value, 'totalTokens') ?? p + c, estimated: false };
}

export function parseBedrockResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const message = obj(obj(body, 'output') ?? {}, 'message');
  if (message === undefined) return { ok: false, message: 'upstream answer has no output message' };
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of arr(message, 'content') ?? []) {
    if (!isObject(block)) continue;
    const t = str(block, 'text');
    if (t !== undefined) text += t;
    const use = obj(block, 'toolUse');
    if (use !== undefined) toolCalls.push({ id: str(use, 'toolUseId') ?? '', name: str(use, 'name') ?? '', arguments: JSON.stringify(use['input'] ?? {}) });
  }
  return {
    ok: true,
    value: {
      id: '',
      model: '',
      created: Math.floor(Date.now() / 1000),
      text,
      toolCalls,
      finishReason: FINISH_IN[str(body, 'stopReason') ?? 'end_turn'] ?? FinishReason.stop,
      usage: parseBedrockUsage(body['usage']),
    },
  };
}

export class BedrockStreamParser implements StreamParser {
  readonly #frames = new EventStreamDecoder();
  readonly #text = new TextDecoder();
  readonly #hiddenUsage: boolean;
  readonly #blockToTool = new Map<number, number>();
  #tools = 0;
  #finished = false;
  #done = false;

  constructor(hiddenUsage: boolean) {
    this.#hiddenUsage = hiddenUsage;
  }

  feed(chunk: Uint8Array | string): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.#done) return out;
    let messages;
    try {
      messages = this.#frames.feed(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    } catch (err) {
      this.#done = true;
      out.push({ type: 'error', status: 502, message: (err as Error).message, errorType: 'api_error' }, { type: 'end' });
      return out;
    }
    for (const m of messages) this.#take(m.headers, this.#text.decode(m.payload), out);
    return out;
  }

  end(): StreamEvent[] {
    if (this.#done) return [];
    this.#done = true;
    const out: StreamEvent[] = [];
    if (!this.#finished) out.push({ type: 'error', status: 502, message: 'upstream stream ended before it finished', errorType: 'api_error' });
    out.push({ type: 'end' });
    return out;
  }

  #take(headers: Record<string, string | number | boolean>, payload: string, out: StreamEvent[]): void {
    if (this.#done) return;
    const body = parseJson(payload);
    const data = isObject(body) ? body : {};
    if (headers[':message-type'] === 'exception' || headers[':message-type'] === 'error') {
      const type = String(headers[':exception-type'] ?? headers[':error-code'] ?? 'api_error');
      out.push({ type: 'error', status: type === 'throttlingException' ? 429 : 500, message: str(data, 'message') ?? type, errorType: type });
      out.push({ type: 'end' });
      this.#done = true;
      return;
    }
    switch (headers[':event-type']) {
      case 'messageStart':
        out.push({ type: 'start', id: '', model: '' });
        return;
      case 'contentBlockStart': {
        const use = obj(obj(data, 'start') ?? {}, 'toolUse');
        if (use === undefined) return;
        const index = this.#tools++;
        this.#blockToTool.set(num(data, 'contentBlockIndex') ?? 0, index);
        out.push({ type: 'tool_call', index, id: str(use, 'toolUseId') ?? '', name: str(use, 'name') ?? '', argumentsDelta: '' });
        return;
      }
      case 'contentBlockDelta': {
        const delta = obj(data, 'delta') ?? {};
        const text = str(delta, 'text');
        if (text !== undefined && text !== '') out.push({ type: 'text', text });
        const use = obj(delta, 'toolUse');
        const index = this.#blockToTool.get(num(data, 'contentBlockIndex') ?? 0);
        if (use !== undefined && index !== undefined) out.push({ type: 'tool_call', index, argumentsDelta: str(use, 'input') ?? '' });
        return;
      }
      case 'messageStop':
        this.#finished = true;
        out.push({ type: 'finish', reason: FINISH_IN[str(data, 'stopReason') ?? 'end_turn'] ?? FinishReason.stop });
        return;
      case 'metadata': {
        const usage = parseBedrockUsage(data['usage']);
        if (usage !== null) out.push({ type: 'usage', usage, hidden: this.#hiddenUsage });
        out.push({ type: 'end' });
        this.#done = true;
        return;
      }
      default:
        return;
    }
  }
}

export const bedrockProvider: Provider = {
  name: 'bedrock',
  buildChatRequest(client: ChatRequest, target: TargetConfig, now: Date = new Date()): Parsed<UpstreamRequest> {
    const resolved = resolveModel(client, target.model);
    if (!resolved.ok) return resolved;
    const region = target.model.options?.bedrock?.aws_region;
    if (region === undefined) return { ok: false, message: 'model.options.bedrock.aws_region is required for bedrock' };
    const auth = target.auth;
    if (auth?.aws_access_key_id === undefined || auth.aws_secret_access_key === undefined) {
      return { ok: false, message: 'auth.aws_access_key_id and auth.aws_secret_access_key are required for bedrock' };
    }
    const op = client.stream ? 'converse-stream' : 'converse';
    const configured = target.model.options?.upstream_url;
    const url = configured !== undefined && configured !== ''
      ? new URL(configured)
      : new URL(`https://bedrock-runtime.${region}.amazonaws.com`);
    if (url.pathname === '/' || url.pathname === '') url.pathname = `/model/${encodeURIComponent(resolved.value.model)}/${op}`;
    const bodyObj = renderBedrockRequest(resolved.value);
    const extra: Record<string, string> = {};
    // Header/param auth too, for gateways in front of Bedrock that want a key.
    applyAuth(auth, url, extra, bodyObj);
    const body = JSON.stringify(bodyObj);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: client.stream ? 'application/vnd.amazon.eventstream' : 'application/json', ...extra };
    const creds = auth.aws_session_token === undefined
      ? { accessKeyId: auth.aws_access_key_id, secretAccessKey: auth.aws_secret_access_key }
      : { accessKeyId: auth.aws_access_key_id, secretAccessKey: auth.aws_secret_access_key, sessionToken: auth.aws_session_token };
    const signed = signV4({ method: 'POST', url: url.toString(), headers, body, region, service: 'bedrock', now }, creds);
    return { ok: true, value: { method: 'POST', url: url.toString(), headers: signed.headers, body } };
  },
  parseChatResponse(body: string) {
    return parseBedrockResponse(parseJson(body));
  },
  createStreamParser(client: ChatRequest) {
    return new BedrockStreamParser(!client.streamUsage);
  },
  parseError: parseUpstreamError,
};
