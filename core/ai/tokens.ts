/**
 * Token accounting: usage from provider events, and an estimate when a provider sends
 * none (marked `estimated: true`, never zero). Estimates use js-tiktoken (o200k_base for
 * the GPT-4o/o-series/GPT-4.1/GPT-5 families, cl100k_base otherwise) once
 * loadTokenizers() has run, and chars/4 until then or for other vendors' models where
 * no public tokenizer exists; the estimate only has to be close, never exact.
 * Very large prompts should be counted off the hot path (DESIGN: piscina pool).
 */
import type { Tiktoken } from 'js-tiktoken/lite';
import type { ChatRequest, StreamEvent, ToolCall, Usage } from './types.js';

export const TokenEncoding = { cl100k: 'cl100k_base', o200k: 'o200k_base' } as const;
export type TokenEncoding = (typeof TokenEncoding)[keyof typeof TokenEncoding];

const encoders = new Map<TokenEncoding, Tiktoken>();

/** Loads both encodings (a few MB of ranks); call once at startup, off the request path. */
export async function loadTokenizers(): Promise<void> {
  if (encoders.size === 2) return;
  const [{ Tiktoken: Tk }, cl100k, o200k] = await Promise.all([
    import('js-tiktoken/lite'),
    import('js-tiktoken/ranks/cl100k_base'),
    import('js-tiktoken/ranks/o200k_base'),
  ]);
  encoders.set('cl100k_base', new Tk(cl100k.default));
  encoders.set('o200k_base', new Tk(o200k.default));
}

export function tokenizersLoaded(): boolean {
  return encoders.size === 2;
}

export function encodingForModel(model: string): TokenEncoding {
  const m = model.toLowerCase();
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m) ? 'o200k_base' : 'cl100k_base';
}

/** Tokens in `text` for `model`: exact for OpenAI families once loaded, else ceil(chars/4). */
export function countTokens(text: string, model: string): number {
  if (text === '') return 0;
  const enc = encoders.get(encodingForModel(model));
  if (enc !== undefined) return enc.encode(text, 'all').length;
  return Math.ceil(text.length / 4);
}

/** Per-message framing tokens in the chat format (OpenAI's published counting recipe). */
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

/** Prompt estimate for a canonical request: message texts, framing, tool schemas. */
export function estimatePromptTokens(req: ChatRequest): number {
  let n = REPLY_PRIMING;
  for (const m of req.messages) {
    n += PER_MESSAGE;
    for (const p of m.content) n += p.type === 'text' ? countTokens(p.text, req.model) : 85; // a low-detail image tile
    for (const c of m.toolCalls ?? []) n += countTokens(c.name, req.model) + countTokens(c.arguments, req.model);
  }
  if (req.tools !== undefined) n += countTokens(JSON.stringify(req.tools), req.model);
  return Math.max(1, n);
}

export function estimateCompletionTokens(text: string, toolCalls: readonly ToolCall[], model: string): number {
  let n = countTokens(text, model);
  for (const c of toolCalls) n += countTokens(c.name, model) + countTokens(c.arguments, model);
  return n;
}

/** An estimated usage: never zero (at least one prompt token; one completion token when any output). */
export function estimateUsage(req: ChatRequest, text: string, toolCalls: readonly ToolCall[]): Usage {
  const prompt = estimatePromptTokens(req);
  const completion = Math.max(text === '' && toolCalls.length === 0 ? 0 : 1, estimateCompletionTokens(text, toolCalls, req.model));
  return { prompt, completion, total: prompt + completion, estimated: true };
}

/**
 * Tokens to reserve at admission (ai-rate-limiting-advanced): the prompt estimate plus the
 * most the answer may use.
 */
export function reservationTokens(req: ChatRequest, defaultMaxTokens: number): number {
  return estimatePromptTokens(req) + (req.maxTokens ?? defaultMaxTokens);
}

/**
 * Follows a canonical stream and yields its final usage: the last usage the provider
 * reported (providers that report cumulatively are already reduced to final values by their
 * parsers; nothing is summed here), or an estimate from the streamed text when none came.
 * Keeps the streamed text only as a running token count, not the text itself.
 */
export class UsageTracker {
  readonly #req: ChatRequest;
  #reported: Usage | null = null;
  #completionTokens = 0;
  #sawOutput = false;

  constructor(req: ChatRequest) {
    this.#req = req;
  }

  push(ev: StreamEvent): void {
    switch (ev.type) {
      case 'text':
        this.#completionTokens += countTokens(ev.text, this.#req.model);
        this.#sawOutput = true;
        return;
      case 'tool_call':
        this.#completionTokens += countTokens((ev.name ?? '') + ev.argumentsDelta, this.#req.model);
        this.#sawOutput = true;
        return;
      case 'usage':
        this.#reported = ev.usage;
        return;
      default:
        return;
    }
  }

  /** The provider reported usage in the stream (else usage() is an estimate). */
  get reported(): boolean {
    return this.#reported !== null;
  }

  usage(): Usage {
    if (this.#reported !== null) return this.#reported;
    const prompt = estimatePromptTokens(this.#req);
    const completion = Math.max(this.#sawOutput ? 1 : 0, this.#completionTokens);
    return { prompt, completion, total: prompt + completion, estimated: true };
  }
}

/** The usage of a non-streamed answer, or an estimate when the provider sent none. */
export function responseUsage(req: ChatRequest, usage: Usage | null, text: string, toolCalls: readonly ToolCall[]): Usage {
  return usage ?? estimateUsage(req, text, toolCalls);
}
