/**
 * Cohere Chat API v2 (`POST /v2/chat`) as the mock speaks it: OpenAI-like request
 * messages and tools, an answer with `message.content[]` blocks, `finish_reason` in upper
 * case and usage twice (`billed_units` and `tokens`); `stream: true` answers SSE frames
 * named by `event:` with the same JSON `type`:
 *
 *   message-start, content-start, content-delta*, content-end          (text)
 *   message-start, tool-plan-delta*, tool-call-start, tool-call-delta*, tool-call-end   (tools)
 *   message-end {delta: {finish_reason, usage}}
 *
 * Errors are `{id, message}`. Shapes follow docs.cohere.com/v2 and the cohere-python SDK.
 */
import type { MockAnswer, MockChat, MockTool } from './scenario.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Message content: a string, or `[{type: 'text', text}]` / documents. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (isObj(p) && typeof p['text'] === 'string' ? p['text'] : '')).join(' ');
}

export function readCohereChat(body: Json): MockChat {
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObj) : [];
  const tools: MockTool[] = (Array.isArray(body['tools']) ? body['tools'] : []).filter(isObj).map((t) => {
    const fn = isObj(t['function']) ? t['function'] : {};
    return { name: String(fn['name'] ?? ''), parameters: isObj(fn['parameters']) ? fn['parameters'] : {} };
  });
  return {
    model: String(body['model'] ?? 'command-mock'),
    promptText: messages.map((m) => contentText(m['content'])).join(' '),
    tools,
    afterToolResult: messages[messages.length - 1]?.['role'] === 'tool',
    stream: body['stream'] === true,
    includeUsage: true,
  };
}

function usage(a: MockAnswer): Json {
  const counts = { input_tokens: a.promptTokens, output_tokens: a.completionTokens };
  return { billed_units: { ...counts }, tokens: { ...counts } };
}

const TOOL_PLAN = 'I will call the tool.';

function toolCallId(a: MockAnswer): string {
  return `${a.toolCall?.name ?? 'tool'}_${(a.toolCall?.id ?? '').replace('call_', '')}`;
}

export function cohereBody(a: MockAnswer, id: string, withUsage: boolean): string {
  const message: Json = { role: 'assistant' };
  if (a.toolCall === null) message['content'] = [{ type: 'text', text: a.tokens.join('') }];
  else {
    message['tool_plan'] = TOOL_PLAN;
    message['tool_calls'] = [{ id: toolCallId(a), type: 'function', function: { name: a.toolCall.name, arguments: JSON.stringify(a.toolCall.args) } }];
  }
  const body: Json = { id, finish_reason: a.toolCall === null ? 'COMPLETE' : 'TOOL_CALL', message };
  if (withUsage) body['usage'] = usage(a);
  return JSON.stringify(body);
}

export function cohereFrames(a: MockAnswer, id: string, withUsage: boolean): string[] {
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const frames = [ev('message-start', { id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })];
  if (a.toolCall !== null) {
    for (const word of TOOL_PLAN.match(/\S+\s*/g) ?? []) frames.push(ev('tool-plan-delta', { delta: { message: { tool_plan: word } } }));
    frames.push(ev('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: toolCallId(a), type: 'function', function: { name: a.toolCall.name, arguments: '' } } } } }));
    for (const piece of a.toolCall.argPieces) frames.push(ev('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: piece } } } } }));
    frames.push(ev('tool-call-end', { index: 0 }));
  } else {
    frames.push(ev('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }));
    for (const t of a.tokens) frames.push(ev('content-delta', { index: 0, delta: { message: { content: { text: t } } } }));
    frames.push(ev('content-end', { index: 0 }));
  }
  const end: Json = { finish_reason: a.toolCall === null ? 'COMPLETE' : 'TOOL_CALL' };
  if (withUsage) end['usage'] = usage(a);
  frames.push(ev('message-end', { delta: end }));
  return frames;
}

export function cohereError(message: string, id: string): string {
  return JSON.stringify({ id, message });
}
