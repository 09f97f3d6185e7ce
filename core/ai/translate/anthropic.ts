/**
 * The Anthropic Messages wire format (`POST /v1/messages`) <-> the canonical model, both
 * ways. Anthropic puts system text in `system`, tool results inside user messages as
 * `tool_result` blocks and tool calls as `tool_use` blocks; canonical keeps them as
 * separate messages, so parse splits and render merges (consecutive same-role messages
 * merge, as the API requires alternating roles). Streaming lives in anthropic-stream.ts.
 */
import { FinishReason } from '../types.js';
import type { ChatMessage, ChatRequest, ChatResponse, ClientError, ContentPart, Parsed, ToolCall, ToolChoice, Usage } from '../types.js';
import { arr, isObject, num, obj, rest, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';

/** Anthropic requires max_tokens; used when neither the client nor the config gives one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const KNOWN_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'model', 'messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p', 'top_k',
  'stop_sequences', 'stream', 'metadata',
]);

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value.map((b) => (isObject(b) && str(b, 'type') === 'text' ? (str(b, 'text') ?? '') : '')).join('');
}

function parseImage(block: JsonObject): ContentPart | undefined {
  const source = obj(block, 'source');
  if (source === undefined) return undefined;
  if (str(source, 'type') === 'url') {
    const url = str(source, 'url');
    return url === undefined ? undefined : { type: 'image', url };
  }
  return { type: 'image', mediaType: str(source, 'media_type') ?? 'image/png', data: str(source, 'data') ?? '' };
}

/** One Anthropic message -> one or more canonical messages (tool results split out). */
function parseMessage(raw: unknown, at: number, out: ChatMessage[]): string | undefined {
  if (!isObject(raw)) return `messages[${at}] must be an object`;
  const role = str(raw, 'role');
  if (role !== 'user' && role !== 'assistant') return `messages[${at}].role must be user or assistant`;
  const content = raw['content'];
  if (typeof content === 'string') {
    out.push({ role, content: [{ type: 'text', text: content }] });
    return undefined;
  }
  if (!Array.isArray(content)) return `messages[${at}].content must be a string or an array`;
  const parts: ContentPart[] = [];
  const calls: ToolCall[] = [];
  for (const block of content) {
    if (!isObject(block)) return `messages[${at}].content has a non-object block`;
    switch (str(block, 'type')) {
      case 'text':
        parts.push({ type: 'text', text: str(block, 'text') ?? '' });
        break;
      case 'image': {
        const image = parseImage(block);
        if (image === undefined) return `messages[${at}] has an image without a source`;
        parts.push(image);
        break;
      }
      case 'tool_use':
        calls.push({ id: str(block, 'id') ?? '', name: str(block, 'name') ?? '', arguments: JSON.stringify(block['input'] ?? {}) });
        break;
      case 'tool_result': {
        const msg: ChatMessage = { role: 'tool', content: [{ type: 'text', text: textOf(block['content']) }], toolCallId: str(block, 'tool_use_id') ?? '' };
        if (block['is_error'] === true) msg.isError = true;
        out.push(msg);
        break;
      }
      default:
        // thinking, documents, …: nothing canonical carries them; skip rather than fail.
        break;
    }
  }
  if (parts.length > 0 || calls.length > 0) {
    const msg: ChatMessage = { role, content: parts };
    if (calls.length > 0) msg.toolCalls = calls;
    out.push(msg);
  }
  return undefined;
}

function parseToolChoice(value: unknown): ToolChoice | undefined {
  if (!isObject(value)) return undefined;
  switch (str(value, 'type')) {
    case 'auto': return 'auto';
    case 'any': return 'required';
    case 'none': return 'none';
    case 'tool': {
      const name = str(value, 'name');
      return name === undefined ? undefined : { name };
    }
    default: return undefined;
  }
}

/** An Anthropic Messages body -> canonical; unknown fields kept in `extra`. */
export function parseAnthropicRequest(body: unknown): Parsed<ChatRequest> {
  if (!isObject(body)) return { ok: false, message: 'request body must be a JSON object' };
  const rawMessages = arr(body, 'messages');
  if (rawMessages === undefined) return { ok: false, message: 'messages: Field required' };
  const messages: ChatMessage[] = [];
  const system = body['system'];
  if (system !== undefined) {
    const text = textOf(system);
    if (text !== '') messages.push({ role: 'system', content: [{ type: 'text', text }] });
  }
  for (let i = 0; i < rawMessages.length; i++) {
    const error = parseMessage(rawMessages[i], i, messages);
    if (error !== undefined) return { ok: false, message: error };
  }
  const req: ChatRequest = {
    model: str(body, 'model') ?? '',
    messages,
    stream: body['stream'] === true,
    // Anthropic streams always carry usage; a client of this format expects it.
    streamUsage: true,
    extra: rest(body, KNOWN_REQUEST_KEYS),
    extraFormat: 'anthropic',
  };
  const tools = arr(body, 'tools');
  if (tools !== undefined) {
    req.tools = [];
    for (const tool of tools) {
      const name = isObject(tool) ? str(tool, 'name') : undefined;
      if (!isObject(tool) || name === undefined) return { ok: false, message: 'each tool needs a name' };
      const def: { name: string; description?: string; parameters: Record<string, unknown> } = {
        name,
        parameters: obj(tool, 'input_schema') ?? { type: 'object', properties: {} },
      };
      const description = str(tool, 'description');
      if (description !== undefined) def.description = description;
      req.tools.push(def);
    }
  }
  const choice = parseToolChoice(body['tool_choice']);
  if (choice !== undefined) req.toolChoice = choice;
  const maxTokens = num(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = num(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const topK = num(body, 'top_k');
  if (topK !== undefined) req.topK = topK;
  const stop = arr(body, 'stop_sequences');
  if (stop !== undefined) req.stop = stop.filter((s): s is string => typeof s === 'string');
  const metadata = obj(body, 'metadata');
  const user = metadata === undefined ? undefined : str(metadata, 'user_id');
  if (user !== undefined) req.user = user;
  return { ok: true, value: req };
}

function renderPart(p: ContentPart): JsonObject {
  if (p.type === 'text') return { type: 'text', text: p.text };
  if (p.url !== undefined) return { type: 'image', source: { type: 'url', url: p.url } };
  return { type: 'image', source: { type: 'base64', media_type: p.mediaType ?? 'image/png', data: p.data ?? '' } };
}

function parseArgs(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A model can emit broken JSON; keep it visible rather than drop the call.
    return { _raw: text };
  }
}

/** Canonical -> an Anthropic Messages body (for Anthropic upstreams). */
export function renderAnthropicRequest(req: ChatRequest, defaultMaxTokens = ANTHROPIC_DEFAULT_MAX_TOKENS): JsonObject {
  const body: JsonObject = req.extraFormat === 'anthropic' ? { ...req.extra } : {};
  body['model'] = req.model;
  const system: string[] = [];
  const messages: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: JsonObject[]): void => {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system') {
      system.push(m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''));
    } else if (m.role === 'tool') {
      const block: JsonObject = { type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content.map((p) => (p.type === 'text' ? p.text : '')).join('') };
      if (m.isError === true) block['is_error'] = true;
      push('user', [block]);
    } else {
      const blocks = m.content.filter((p) => p.type !== 'text' || p.text !== '').map(renderPart);
      for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArgs(c.arguments) });
      if (blocks.length > 0) push(m.role, blocks);
    }
  }
  if (system.length > 0) body['system'] = system.join('\n\n');
  body['messages'] = messages;
  body['max_tokens'] = req.maxTokens ?? defaultMaxTokens;
  if (req.tools !== undefined) {
    body['tools'] = req.tools.map((t) => (t.description === undefined
      ? { name: t.name, input_schema: t.parameters }
      : { name: t.name, description: t.description, input_schema: t.parameters }));
  }
  if (req.toolChoice !== undefined) {
    const c = req.toolChoice;
    body['tool_choice'] = c === 'auto' ? { type: 'auto' } : c === 'required' ? { type: 'any' } : c === 'none' ? { type: 'none' } : { type: 'tool', name: c.name };
  }
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.topP !== undefined) body['top_p'] = req.topP;
  if (req.topK !== undefined) body['top_k'] = req.topK;
  if (req.stop !== undefined) body['stop_sequences'] = req.stop;
  if (req.stream) body['stream'] = true;
  if (req.user !== undefined) body['metadata'] = { user_id: req.user };
  return body;
}

const FINISH_IN: Readonly<Record<string, FinishReason>> = {
  end_turn: FinishReason.stop,
  stop_sequence: FinishReason.stop,
  pause_turn: FinishReason.stop,
  max_tokens: FinishReason.length,
  tool_use: FinishReason.toolCalls,
  refusal: FinishReason.contentFilter,
};

export function anthropicFinish(reason: string | undefined): FinishReason {
  return FINISH_IN[reason ?? 'end_turn'] ?? FinishReason.stop;
}

export function anthropicStopReason(reason: FinishReason): string {
  return reason === 'length' ? 'max_tokens' : reason === 'tool_calls' ? 'tool_use' : reason === 'content_filter' ? 'refusal' : 'end_turn';
}

/** Anthropic usage: prompt = input + cache reads + cache writes. */
export function parseAnthropicUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const input = num(value, 'input_tokens');
  const output = num(value, 'output_tokens');
  if (input === undefined && output === undefined) return null;
  const prompt = (input ?? 0) + (num(value, 'cache_read_input_tokens') ?? 0) + (num(value, 'cache_creation_input_tokens') ?? 0);
  const completion = output ?? 0;
  return { prompt, completion, total: prompt + completion, estimated: false };
}

/** An Anthropic Messages answer -> canonical. */
export function parseAnthropicResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body) || str(body, 'type') === 'error') return { ok: false, message: 'upstream answer is not a message' };
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of arr(body, 'content') ?? []) {
    if (!isObject(block)) continue;
    const type = str(block, 'type');
    if (type === 'text') text += str(block, 'text') ?? '';
    else if (type === 'tool_use') toolCalls.push({ id: str(block, 'id') ?? '', name: str(block, 'name') ?? '', arguments: JSON.stringify(block['input'] ?? {}) });
  }
  return {
    ok: true,
    value: {
      id: str(body, 'id') ?? '',
      model: str(body, 'model') ?? '',
      created: Math.floor(Date.now() / 1000),
      text,
      toolCalls,
      finishReason: anthropicFinish(str(body, 'stop_reason')),
      usage: parseAnthropicUsage(body['usage']),
    },
  };
}

/** Canonical -> an Anthropic Messages answer body. */
export function renderAnthropicResponse(res: ChatResponse): string {
  const content: JsonObject[] = [];
  if (res.text !== '' || res.toolCalls.length === 0) content.push({ type: 'text', text: res.text });
  for (const c of res.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArgs(c.arguments) });
  const usage = res.usage ?? { prompt: 0, completion: 0 };
  return JSON.stringify({
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: res.model,
    content,
    stop_reason: anthropicStopReason(res.finishReason),
    stop_sequence: null,
    usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
  });
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'api_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** `{"type":"error","error":{"type","message"}}`, Anthropic's error shape. */
export function renderAnthropicError(status: number, message: string): ClientError {
  return { status, body: JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } }) };
}
