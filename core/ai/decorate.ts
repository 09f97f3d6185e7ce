/**
 * ai-prompt-decorator: fixed messages prepended and appended to every chat, in config
 * order. Messages are built once at compile time; per request only arrays are joined.
 * Prepended system messages go before the client's own, so the client cannot precede them.
 */
import type { ChatMessage, ChatRequest, Role } from './types.js';

export interface DecoratorMessage {
  role?: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptDecoratorConfig {
  prompts?: { prepend?: readonly DecoratorMessage[]; append?: readonly DecoratorMessage[] };
}

function toMessage(m: DecoratorMessage): ChatMessage {
  const role: Role = m.role ?? 'system';
  return { role, content: [{ type: 'text', text: m.content }] };
}

/** Returns the decorating function; identity when there is nothing to add. */
export function compilePromptDecorator(config: PromptDecoratorConfig): (req: ChatRequest) => ChatRequest {
  const prepend = (config.prompts?.prepend ?? []).map(toMessage);
  const append = (config.prompts?.append ?? []).map(toMessage);
  if (prepend.length === 0 && append.length === 0) return (req) => req;
  return (req) => ({ ...req, messages: [...prepend, ...req.messages, ...append] });
}
