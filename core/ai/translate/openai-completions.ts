/**
 * OpenAI's legacy Completions API (`POST /v1/completions`, route_type `llm/v1/completions`)
 * <-> the canonical chat model. The prompt becomes one user message, so prompt plugins,
 * usage estimates and every chat-only provider work unchanged; the answer's text is
 * rendered back as a `text_completion`.
 *
 *   client {prompt, max_tokens, …} ──► ChatRequest (messages: [user: prompt])
 *     ├─ OpenAI-family upstream: renderOpenAiCompletionsRequest ──► /v1/completions
 *     └─ any other provider: its chat request (completions-only fields are dropped)
 *   ChatResponse / StreamEvent ──► text_completion body / `text_completion` SSE chunks
 *
 * Only one prompt per request: an array of several prompts asks for one choice per prompt,
 * which the canonical model (one answer) cannot carry.
 */
import type { ChatRequest, ChatResponse, FinishReason, Parsed, StreamEvent, Usage } from '../types.js';
import { arr, isObject, num, obj, rest, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';
import { sseFrame } from '../sse.js';
import { openAiFinish, parseOpenAiUsage, readOpenAiSampling, renderOpenAiUsage, writeOpenAiSampling } from './openai.js';

const KNOWN_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'model', 'prompt', 'max_tokens', 'temperature', 'top_p', 'stop', 'stream', 'stream_options', 'user',
]);

/** A client completions body -> canonical; other fields (suffix, echo, logprobs, n, …) kept in `extra`. */
export function parseOpenAiCompletionsRequest(body: unknown): Parsed<ChatRequest> {
  if (!isObject(body)) return { ok: false, message: 'request body must be a JSON object' };
  const raw = body['prompt'];
  let prompt: string | undefined;
  if (typeof raw === 'string') prompt = raw;
  else if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'string') prompt = raw[0];
  else if (Array.isArray(raw) && raw.length > 1 && raw.every((p) => typeof p === 'string')) {
    return { ok: false, message: "'prompt' arrays with more than one prompt are not supported: send one request per prompt" };
  }
  if (prompt === undefined) return { ok: false, message: "'prompt' must be a string" };
  const req: ChatRequest = {
    model: str(body, 'model') ?? '',
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    stream: body['stream'] === true,
    streamUsage: false,
    extra: rest(body, KNOWN_REQUEST_KEYS),
    extraFormat: 'openai',
  };
  const maxTokens = num(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  readOpenAiSampling(body, req);
  return { ok: true, value: req };
}

/** The prompt of a completions request: the text of its messages (one user message unless a plugin added more). */
export function promptText(req: ChatRequest): string {
  let text = '';
  for (const m of req.messages) for (const p of m.content) if (p.type === 'text') text = text === '' ? p.text : `${text}\n\n${p.text}`;
  return text;
}

/** Canonical -> an OpenAI completions body for an upstream with that API. */
export function renderOpenAiCompletionsRequest(req: ChatRequest): JsonObject {
  const body: JsonObject = req.extraFormat === 'openai' ? { ...req.extra } : {};
  body['model'] = req.model;
  body['prompt'] = promptText(req);
  writeOpenAiSampling(req, body);
  if (req.user !== undefined) body['user'] = req.user;
  return body;
}

/** An OpenAI completions answer -> canonical (the first choice). */
export function parseOpenAiCompletionsResponse(body: unknown): Parsed<ChatResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const choice = arr(body, 'choices')?.[0];
  if (!isObject(choice)) return { ok: false, message: 'upstream answer has no choices' };
  return {
    ok: true,
    value: {
      id: str(body, 'id') ?? '',
      model: str(body, 'model') ?? '',
      created: num(body, 'created') ?? Math.floor(Date.now() / 1000),
      text: str(choice, 'text') ?? '',
      toolCalls: [],
      finishReason: openAiFinish(str(choice, 'finish_reason')),
      usage: parseOpenAiUsage(body['usage']),
    },
  };
}

function finishOut(reason: FinishReason): string {
  // The legacy API knows only stop, length and content_filter.
  return reason === 'length' || reason === 'content_filter' ? reason : 'stop';
}

/** Canonical -> a `text_completion` answer body for the client (tool calls have no place in it). */
export function renderOpenAiCompletionsResponse(res: ChatResponse): string {
  const body: JsonObject = {
    id: res.id,
    object: 'text_completion',
    created: res.created,
    model: res.model,
    choices: [{ text: res.text, index: 0, logprobs: null, finish_reason: finishOut(res.finishReason) }],
  };
  if (res.usage !== null) body['usage'] = renderOpenAiUsage(res.usage);
  return JSON.stringify(body);
}

export interface CompletionsRenderOptions {
  includeUsage: boolean;
  created: number;
  id: string;
  model: string;
}

/** Canonical events -> `text_completion` SSE chunks and `data: [DONE]`; usage only when the client asked. */
export class CompletionsStreamRenderer {
  readonly #opts: CompletionsRenderOptions;
  #id: string;
  #model: string;
  #usage: Usage | null = null;
  #ended = false;
  #finished = false;

  constructor(opts: CompletionsRenderOptions) {
    this.#opts = opts;
    this.#id = opts.id;
    this.#model = opts.model;
  }

  #chunk(text: string, finish: string | null): string {
    return sseFrame(JSON.stringify({
      id: this.#id,
      object: 'text_completion',
      created: this.#opts.created,
      model: this.#model,
      choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    }));
  }

  push(ev: StreamEvent): string {
    if (this.#ended) return '';
    switch (ev.type) {
      case 'start':
        if (ev.id !== '') this.#id = ev.id;
        if (ev.model !== '') this.#model = ev.model;
        return '';
      case 'text':
        return this.#chunk(ev.text, null);
      case 'tool_call':
        return '';
      case 'finish':
        if (this.#finished) return '';
        this.#finished = true;
        return this.#chunk('', finishOut(ev.reason));
      case 'usage':
        this.#usage = ev.usage;
        return '';
      case 'error':
        this.#ended = true;
        return sseFrame(JSON.stringify({ error: { message: ev.message, type: ev.errorType, param: null, code: null } })) + 'data: [DONE]\n\n';
      case 'end': {
        this.#ended = true;
        let text = '';
        if (this.#opts.includeUsage && this.#usage !== null) {
          text = sseFrame(JSON.stringify({ id: this.#id, object: 'text_completion', created: this.#opts.created, model: this.#model, choices: [], usage: renderOpenAiUsage(this.#usage) }));
        }
        return text + 'data: [DONE]\n\n';
      }
    }
  }
}
