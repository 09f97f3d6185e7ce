/**
 * The wire formats the mock speaks: reading a request into a MockChat and writing
 * answers, stream frames and errors the way the real APIs do (OpenAI chat completions and
 * legacy completions, Anthropic Messages, Gemini generateContent here; Cohere v2 chat in
 * cohere.ts, Bedrock Converse in bedrock.ts).
 */
import { bedrockError, readBedrockChat } from './bedrock.js';
import { cohereError, readCohereChat } from './cohere.js';
import type { MockAnswer, MockChat, MockTool } from './scenario.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function texts(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => {
    if (!isObj(p)) return '';
    if (typeof p['text'] === 'string') return p['text'];
    if (p['type'] === 'tool_result') return texts(p['content']);
    return '';
  }).join(' ');
}

export const MockFormat = { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini', cohere: 'cohere', bedrock: 'bedrock' } as const;
export type MockFormat = (typeof MockFormat)[keyof typeof MockFormat];

export function readChat(format: MockFormat, body: Json, model: string): MockChat {
  if (format === 'cohere') return readCohereChat(body);
  if (format === 'bedrock') return readBedrockChat(body, model, false);
  if (format === 'openai') {
    const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObj) : [];
    const tools: MockTool[] = (Array.isArray(body['tools']) ? body['tools'] : []).filter(isObj).map((t) => {
      const fn = isObj(t['function']) ? t['function'] : {};
      return { name: String(fn['name'] ?? ''), parameters: isObj(fn['parameters']) ? fn['parameters'] : {} };
    });
    const opts = isObj(body['stream_options']) ? body['stream_options'] : {};
    return {
      model: String(body['model'] ?? model),
      promptText: messages.map((m) => texts(m['content'])).join(' '),
      tools,
      afterToolResult: messages[messages.length - 1]?.['role'] === 'tool',
      stream: body['stream'] === true,
      includeUsage: opts['include_usage'] === true,
    };
  }
  if (format === 'anthropic') {
    const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObj) : [];
    const tools: MockTool[] = (Array.isArray(body['tools']) ? body['tools'] : []).filter(isObj)
      .map((t) => ({ name: String(t['name'] ?? ''), parameters: isObj(t['input_schema']) ? t['input_schema'] : {} }));
    const last = messages[messages.length - 1];
    const lastContent = last === undefined ? [] : last['content'];
    return {
      model: String(body['model'] ?? model),
      promptText: [texts(body['system']), ...messages.map((m) => texts(m['content']))].join(' '),
      tools,
      afterToolResult: Array.isArray(lastContent) && lastContent.some((b) => isObj(b) && b['type'] === 'tool_result'),
      stream: body['stream'] === true,
      includeUsage: true,
    };
  }
  const contents = Array.isArray(body['contents']) ? body['contents'].filter(isObj) : [];
  const tools: MockTool[] = [];
  for (const t of Array.isArray(body['tools']) ? body['tools'].filter(isObj) : []) {
    for (const d of Array.isArray(t['functionDeclarations']) ? t['functionDeclarations'].filter(isObj) : []) {
      tools.push({ name: String(d['name'] ?? ''), parameters: isObj(d['parameters']) ? d['parameters'] : {} });
    }
  }
  const system = isObj(body['systemInstruction']) ? texts(body['systemInstruction']['parts']) : '';
  const lastParts = contents[contents.length - 1]?.['parts'];
  return {
    model,
    promptText: [system, ...contents.map((c) => texts(c['parts']))].join(' '),
    tools,
    afterToolResult: Array.isArray(lastParts) && lastParts.some((p) => isObj(p) && isObj(p['functionResponse'])),
    stream: false,
    includeUsage: true,
  };
}

// ---- OpenAI -------------------------------------------------------------------------

export function openAiBody(a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string {
  const message: Json = { role: 'assistant', content: a.toolCall === null ? a.tokens.join('') : null, refusal: null };
  if (a.toolCall !== null) {
    message['tool_calls'] = [{ id: a.toolCall.id, type: 'function', function: { name: a.toolCall.name, arguments: JSON.stringify(a.toolCall.args) } }];
  }
  const body: Json = {
    id, object: 'chat.completion', created, model: chat.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.toolCall === null ? 'stop' : 'tool_calls' }],
  };
  if (withUsage) body['usage'] = { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens };
  return JSON.stringify(body);
}

/** The stream as a list of frames; the server writes them with the configured delays. */
export function openAiFrames(a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string[] {
  const chunk = (delta: Json, finish: string | null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: chat.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  if (a.toolCall !== null) {
    const c = a.toolCall;
    frames.push(chunk({ tool_calls: [{ index: 0, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null));
    for (const piece of c.argPieces) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    frames.push(chunk({}, 'tool_calls'));
  } else {
    for (const t of a.tokens) frames.push(chunk({ content: t }, null));
    frames.push(chunk({}, 'stop'));
  }
  if (chat.includeUsage && withUsage) {
    frames.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: chat.model, choices: [], usage: { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens } })}\n\n`);
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

// ---- OpenAI legacy completions (/v1/completions) -------------------------------------

/** A completions body as the mock understands it: the prompt (string, or strings joined) is the whole prompt text. */
export function readCompletion(body: Json, model: string): MockChat {
  const prompt = body['prompt'];
  const opts = isObj(body['stream_options']) ? body['stream_options'] : {};
  return {
    model: String(body['model'] ?? model),
    promptText: typeof prompt === 'string' ? prompt : Array.isArray(prompt) ? prompt.map(String).join(' ') : '',
    tools: [],
    afterToolResult: false,
    stream: body['stream'] === true,
    includeUsage: opts['include_usage'] === true,
  };
}

export function completionBody(a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string {
  const body: Json = {
    id, object: 'text_completion', created, model: chat.model,
    choices: [{ text: a.tokens.join(''), index: 0, logprobs: null, finish_reason: 'stop' }],
  };
  if (withUsage) body['usage'] = { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens };
  return JSON.stringify(body);
}

export function completionFrames(a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string[] {
  const chunk = (text: string, finish: string | null): string =>
    `data: ${JSON.stringify({ id, object: 'text_completion', created, model: chat.model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
  const frames = a.tokens.map((t) => chunk(t, null));
  frames.push(chunk('', 'stop'));
  if (chat.includeUsage && withUsage) {
    frames.push(`data: ${JSON.stringify({ id, object: 'text_completion', created, model: chat.model, choices: [], usage: { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens } })}\n\n`);
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

// ---- Anthropic ----------------------------------------------------------------------

export function anthropicBody(a: MockAnswer, chat: MockChat, id: string): string {
  const content: Json[] = a.toolCall === null
    ? [{ type: 'text', text: a.tokens.join('') }]
    : [{ type: 'tool_use', id: a.toolCall.id.replace('call_', 'toolu_'), name: a.toolCall.name, input: a.toolCall.args }];
  return JSON.stringify({
    id, type: 'message', role: 'assistant', model: chat.model, content,
    stop_reason: a.toolCall === null ? 'end_turn' : 'tool_use', stop_sequence: null,
    usage: { input_tokens: a.promptTokens, output_tokens: a.completionTokens },
  });
}

export function anthropicFrames(a: MockAnswer, chat: MockChat, id: string): string[] {
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const frames = [
    ev('message_start', { message: { id, type: 'message', role: 'assistant', model: chat.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: a.promptTokens, output_tokens: 1 } } }),
  ];
  if (a.toolCall !== null) {
    frames.push(ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: a.toolCall.id.replace('call_', 'toolu_'), name: a.toolCall.name, input: {} } }));
    frames.push(ev('ping', {}));
    for (const piece of a.toolCall.argPieces) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } }));
  } else {
    frames.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    frames.push(ev('ping', {}));
    for (const t of a.tokens) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } }));
  }
  frames.push(ev('content_block_stop', { index: 0 }));
  // Cumulative usage: the final output total, not an increment.
  frames.push(ev('message_delta', { delta: { stop_reason: a.toolCall === null ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: a.completionTokens } }));
  frames.push(ev('message_stop', {}));
  return frames;
}

// ---- Gemini -------------------------------------------------------------------------

function geminiUsage(a: MockAnswer, completion: number): Json {
  return { promptTokenCount: a.promptTokens, candidatesTokenCount: completion, totalTokenCount: a.promptTokens + completion };
}

export function geminiBody(a: MockAnswer, chat: MockChat, id: string): string {
  const parts = a.toolCall === null ? [{ text: a.tokens.join('') }] : [{ functionCall: { name: a.toolCall.name, args: a.toolCall.args } }];
  return JSON.stringify({
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: geminiUsage(a, a.completionTokens),
    modelVersion: chat.model,
    responseId: id,
  });
}

export function geminiFrames(a: MockAnswer, chat: MockChat, id: string): string[] {
  const frame = (parts: Json[], completion: number, finish: boolean): string => {
    const cand: Json = { content: { role: 'model', parts }, index: 0 };
    if (finish) cand['finishReason'] = 'STOP';
    return `data: ${JSON.stringify({ candidates: [cand], usageMetadata: geminiUsage(a, completion), modelVersion: chat.model, responseId: id })}\r\n\r\n`;
  };
  if (a.toolCall !== null) return [frame([{ functionCall: { name: a.toolCall.name, args: a.toolCall.args } }], a.completionTokens, true)];
  return a.tokens.map((t, i) => frame([{ text: t }], i + 1, i === a.tokens.length - 1));
}

// ---- Errors -------------------------------------------------------------------------

const OPENAI_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'invalid_request_error', 404: 'invalid_request_error', 429: 'requests', 500: 'server_error', 503: 'server_error' };
const ANTHROPIC_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 404: 'not_found_error', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };
const GEMINI_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

export function errorBody(format: MockFormat, status: number, message: string): string {
  if (format === 'cohere') return cohereError(message, `mock-error-${status}`);
  if (format === 'bedrock') return bedrockError(status, message).body;
  if (format === 'anthropic') return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } });
  if (format === 'gemini') return JSON.stringify({ error: { code: status, message, status: GEMINI_STATUS[status] ?? 'UNKNOWN' } });
  return JSON.stringify({ error: { message, type: OPENAI_TYPES[status] ?? 'server_error', param: null, code: status === 429 ? 'rate_limit_exceeded' : null } });
}
