/**
 * What the mock answers, independent of wire format: a deterministic reply (the configured
 * text split into word tokens) or a tool call, and usage counts tests can predict:
 *   prompt tokens     = whitespace-separated words in every message text (at least 1)
 *   completion tokens = reply word count, or TOOL_CALL_TOKENS for a tool call
 */

export interface MockTool {
  name: string;
  parameters: Record<string, unknown>;
}

/** A request as the mock understands it, whatever format it came in. */
export interface MockChat {
  model: string;
  promptText: string;
  tools: MockTool[];
  /** The conversation ends with a tool result: answer in text, do not call again. */
  afterToolResult: boolean;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
}

export interface MockAnswer {
  tokens: string[];
  toolCall: { id: string; name: string; args: Record<string, unknown>; argPieces: string[] } | null;
  promptTokens: number;
  completionTokens: number;
}

export const TOOL_CALL_TOKENS = 7;
export const DEFAULT_REPLY = 'Hello from the mock model.';

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

/** The reply's stream pieces: each word with its trailing space. */
export function replyTokens(reply: string): string[] {
  return reply.match(/\S+\s*/g) ?? [];
}

function placeholder(schema: unknown): unknown {
  const type = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['type'] : undefined;
  switch (type) {
    case 'number': case 'integer': return 1;
    case 'boolean': return true;
    case 'array': return [];
    case 'object': return {};
    default: return 'mock';
  }
}

/** Arguments for a tool: a placeholder for every required property. */
export function toolArguments(parameters: Record<string, unknown>): Record<string, unknown> {
  const props = (parameters['properties'] ?? {}) as Record<string, unknown>;
  const required = Array.isArray(parameters['required']) ? (parameters['required'] as string[]) : Object.keys(props);
  const args: Record<string, unknown> = {};
  for (const name of required) args[name] = placeholder(props[name]);
  return args;
}

export function answer(chat: MockChat, reply: string, seq: number): MockAnswer {
  const promptTokens = Math.max(1, wordCount(chat.promptText));
  const tool = chat.tools[0];
  if (tool !== undefined && !chat.afterToolResult) {
    const args = toolArguments(tool.parameters);
    const json = JSON.stringify(args);
    const half = Math.ceil(json.length / 2);
    return {
      tokens: [],
      toolCall: { id: `call_mock_${seq}`, name: tool.name, args, argPieces: [json.slice(0, half), json.slice(half)] },
      promptTokens,
      completionTokens: TOOL_CALL_TOKENS,
    };
  }
  const tokens = replyTokens(reply);
  return { tokens, toolCall: null, promptTokens, completionTokens: tokens.length };
}
