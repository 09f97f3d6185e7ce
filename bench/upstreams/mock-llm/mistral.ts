/**
 * Mistral's dialect of the OpenAI chat format, served on the same `/v1/chat/completions`
 * path to requests for a Mistral model (mistral-*, open-mistral-*, codestral-*, …):
 * unknown body fields are a 422 (Mistral has no `stream_options`), and a stream carries
 * `usage` on its finishing chunk whether or not anyone asked for it.
 */
import type { MockAnswer, MockChat } from './scenario.js';

type Json = Record<string, unknown>;

const MISTRAL_MODEL = /^(mistral|open-mistral|open-mixtral|codestral|ministral|pixtral|magistral|devstral)/;

export function isMistralModel(model: unknown): boolean {
  return typeof model === 'string' && MISTRAL_MODEL.test(model);
}

/** Mistral's 422 for a body field it does not know, or null. */
export function mistralRejects(body: Json): string | null {
  if (!('stream_options' in body)) return null;
  return JSON.stringify({
    object: 'error',
    message: { detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted', input: body['stream_options'] }] },
    type: 'invalid_request_error',
    param: null,
    code: null,
  });
}

export function mistralFrames(a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string[] {
  const chunk = (delta: Json, finish: string | null, usage?: Json): string => {
    const body: Json = { id, object: 'chat.completion.chunk', created, model: chat.model, choices: [{ index: 0, delta, finish_reason: finish }] };
    if (usage !== undefined) body['usage'] = usage;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const usage = withUsage ? { prompt_tokens: a.promptTokens, total_tokens: a.promptTokens + a.completionTokens, completion_tokens: a.completionTokens } : undefined;
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  if (a.toolCall !== null) {
    // Mistral sends a tool call whole, in one chunk, then finishes on an empty delta.
    const c = a.toolCall;
    frames.push(chunk({ tool_calls: [{ id: c.id.replace('call_mock_', 'mock').padEnd(9, '0').slice(0, 9), function: { name: c.name, arguments: JSON.stringify(c.args) }, index: 0 }] }, null));
    frames.push(chunk({ content: '' }, 'tool_calls', usage));
  } else {
    for (const t of a.tokens) frames.push(chunk({ content: t }, null));
    frames.push(chunk({ content: '' }, 'stop', usage));
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}
