/**
 * The passthrough: an OpenAI-format client (`llm_format: openai`, `llm/v1/chat`) served by
 * a provider that already speaks that format (openai, azure, mistral, openai-compatible)
 * gets the provider's own bytes instead of a parse + re-render of every answer.
 *
 *   non-streamed 2xx  the body is parsed once (usage, model, whether it carried output)
 *                     and sent unchanged (passthroughAnswer below)
 *   streamed          SSE frames forwarded as they arrive, split on frame boundaries only,
 *                     JSON-parsed only where the gateway must look (passthrough-stream.ts)
 *   errors (non-2xx)  the translating path, unchanged: an error is rendered in the
 *                     client's format as before
 *
 * The choice is two identity compares (codec singleton, provider singleton) per call:
 * no allocation, nothing per request to configure. The model name the client sees is the
 * one the provider answered with — as on the translating path, which also writes the
 * provider's model into every chunk; an ai-proxy-advanced target's model rewrite shows
 * in the upstream request and in metrics, as in Kong.
 */
import { isObject, parseJson } from './json-shape.js';
import { OpenAiPassthroughStream } from './passthrough-stream.js';
import type { JsonObject } from './json-shape.js';
import { azureProvider, mistralProvider, openAiCompatibleProvider, openAiProvider } from './providers/openai.js';
import type { Provider } from './providers/provider.js';
import { chatOpenAiCodec } from './route-types/chat.js';
import type { RenderedAnswer, RouteCodec } from './route-types/codec.js';
import { responseUsage } from './tokens.js';
import { parseOpenAiResponse, parseOpenAiUsage } from './translate/openai.js';
import type { AiRequest, ChatRequest } from './types.js';

/** Providers whose chat answers are already in the OpenAI client's format. */
const OPENAI_FAMILY: ReadonlySet<Provider> = new Set([openAiProvider, azureProvider, mistralProvider, openAiCompatibleProvider]);

/** The stream reader for a passthrough call (`clientReq`: whether the client asked for usage). */
export function passthroughStream(provider: Provider, upstreamReq: ChatRequest, clientReq: ChatRequest): OpenAiPassthroughStream {
  return new OpenAiPassthroughStream(upstreamReq, clientReq.streamUsage, provider === mistralProvider);
}

/** Whether a call on this route's codec to this provider takes the passthrough. */
export function passesThrough(codec: RouteCodec<AiRequest>, provider: Provider): boolean {
  return codec === chatOpenAiCodec && OPENAI_FAMILY.has(provider);
}

/**
 * A 2xx chat answer read once for accounting; the client's body is the provider's, byte
 * for byte. The checks that make an answer invalid (not an object, no choices[0]) are the
 * translating path's, so failover decisions do not change.
 */
export function passthroughAnswer(req: ChatRequest, body: string): RenderedAnswer {
  const json = parseJson(body);
  if (!isObject(json)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const choices = json['choices'];
  const choice = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
  if (!isObject(choice)) return { ok: false, message: 'upstream answer has no choices' };
  const model = typeof json['model'] === 'string' ? json['model'] : '';
  const reported = parseOpenAiUsage(json['usage']);
  const message = isObject(choice['message']) ? choice['message'] : {};
  const content = message['content'];
  if (reported !== null && (content === null || content === undefined || typeof content === 'string')) {
    return { ok: true, body, usage: reported, model, output: (typeof content === 'string' && content !== '') || hasToolCalls(message) };
  }
  // No usage (an estimate from the answer's text), or content in parts: the full reader.
  const parsed = parseOpenAiResponse(json);
  if (!parsed.ok) return parsed;
  const res = parsed.value;
  const usage = responseUsage(req, res.usage, res.text, res.toolCalls);
  return { ok: true, body, usage, model, output: res.text !== '' || res.toolCalls.length > 0 };
}

/** The translating reader counts a call with a `function` object; so does this. */
function hasToolCalls(message: JsonObject): boolean {
  const calls = message['tool_calls'];
  return Array.isArray(calls) && calls.some((c) => isObject(c) && isObject(c['function']));
}
