/**
 * The canonical chat model every AI module speaks. Client formats (translate/*) parse into
 * it and render out of it; providers (providers/*) build upstream requests from it and
 * parse upstream answers and streams back into it. Nothing here knows a wire format.
 *
 *   client body --translate.parseRequest--> ChatRequest --provider.buildRequest--> upstream
 *   upstream    --provider.parseResponse / createStreamParser--> ChatResponse / StreamEvent[]
 *               --translate.renderResponse / createStreamRenderer--> client body / SSE text
 */

export const Role = { system: 'system', user: 'user', assistant: 'assistant', tool: 'tool' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image by URL (`https://…` or a `data:` URL); `mediaType`/`data` when inline base64. */
export interface ImagePart {
  type: 'image';
  url?: string;
  mediaType?: string;
  data?: string;
}

export type ContentPart = TextPart | ImagePart;

/** A call the model asked for; `arguments` is JSON text, as OpenAI carries it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: Role;
  content: ContentPart[];
  /** Assistant messages: the tool calls the model made. */
  toolCalls?: ToolCall[];
  /** Tool messages: which call this result answers. */
  toolCallId?: string;
  /** Tool messages: the function name, when the format carries it (Gemini needs it). */
  name?: string;
  /** Tool messages: the result was an error (Anthropic `is_error`, Bedrock `status`). */
  isError?: boolean;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  schema?: Record<string, unknown>;
  strict?: boolean;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  streamUsage: boolean;
  responseFormat?: ResponseFormat;
  user?: string;
  /**
   * Client fields this model has no slot for (e.g. OpenAI `seed`, `logit_bias`), keyed by
   * the client format they came from; a provider that speaks that format passes them on.
   */
  extra: Record<string, unknown>;
  extraFormat: 'openai' | 'anthropic';
}

export const FinishReason = {
  stop: 'stop',
  length: 'length',
  toolCalls: 'tool_calls',
  contentFilter: 'content_filter',
  error: 'error',
} as const;
export type FinishReason = (typeof FinishReason)[keyof typeof FinishReason];

export interface Usage {
  prompt: number;
  completion: number;
  total: number;
  /** True when the provider sent no usage and the numbers are our own token estimate. */
  estimated: boolean;
}

export interface ChatResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage | null;
}

/**
 * Embeddings (route_type `llm/v1/embeddings`). Never streamed: `stream`/`streamUsage` are
 * always false, so the exchange can treat every canonical request alike (AiRequest).
 */
export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  /** How the client wants vectors: JSON numbers, or base64 of little-endian float32. */
  encodingFormat: 'float' | 'base64';
  user?: string;
  stream: false;
  streamUsage: false;
}

/**
 * The canonical request of any route type. Chat and completions (`llm/v1/completions`:
 * the prompt becomes one user message) are ChatRequests; embeddings their own shape.
 */
export type AiRequest = ChatRequest | EmbeddingsRequest;

export interface EmbeddingsResponse {
  model: string;
  vectors: number[][];
  usage: Usage | null;
}

/**
 * What a provider stream parser emits, in order:
 *   start, (text | tool_call)*, finish, usage?, end
 * `usage` may come before or after `finish` depending on the provider; renderers cope.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; text: string }
  /** First delta of a call carries id and name; later ones only argument text. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'finish'; reason: FinishReason }
  /**
   * `hidden`: the gateway asked the provider for usage the client did not ask for; count
   * it, never show it.
   */
  | { type: 'usage'; usage: Usage; hidden: boolean }
  | { type: 'error'; status: number; message: string; errorType: string }
  | { type: 'end' };

/** An upstream HTTP request, ready for undici. */
export interface UpstreamRequest {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A client-facing error, already shaped for the client's format. */
export interface ClientError {
  status: number;
  body: string;
}

/** A parse that can fail with a client-facing message (400). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
