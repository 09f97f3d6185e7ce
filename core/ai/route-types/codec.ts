/**
 * What differs between AI route types (`llm/v1/chat`, `llm/v1/completions`,
 * `llm/v1/embeddings`), behind one small interface the exchange calls: read the client's
 * body, build a provider's request, read the provider's answer and render it back, and,
 * for route types that stream, the stream parser and the client-side stream renderer.
 *
 * Codecs are stateless singletons, one per route type and client format (index.ts):
 * choosing one is a table lookup, and the chat codec adds no allocation to a chat request
 * (it does what the exchange did inline before).
 */
import type { Provider, RouteType, StreamParser, TargetConfig } from '../providers/provider.js';
import type { JsonObject } from '../json-shape.js';
import type { UsageTracker } from '../tokens.js';
import type { AiRequest, ChatRequest, Parsed, StreamEvent, UpstreamRequest, Usage } from '../types.js';

/** Canonical stream events -> the client's SSE text; '' when nothing is due. */
export interface StreamRenderer {
  push(ev: StreamEvent): string;
}

/** A provider's non-streamed answer, read and rendered for the client, or why it could not be. */
export type RenderedAnswer =
  | {
      ok: true;
      /** The client's response body. */
      body: string;
      /** The provider's usage, or an estimate (marked). */
      usage: Usage;
      /** The model the provider says answered; '' when it said none. */
      model: string;
      /** The answer carried output (text, tool calls, vectors): time to first token is its latency. */
      output: boolean;
    }
  | { ok: false; message: string };

/**
 * One route type as seen by the exchange. `R` is its canonical request; methods (not
 * function properties) so a codec of ChatRequest serves where AiRequest is expected.
 */
export interface RouteCodec<R extends AiRequest = AiRequest> {
  readonly routeType: RouteType;
  /** Whether requests of this route type may stream (`response_streaming: always` applies). */
  readonly streams: boolean;
  /** A minimal request a target's upstream call is built from at config time (a probe). */
  readonly probe: R;
  /** Whether `provider` can serve this route type at all. */
  supports(provider: Provider): boolean;
  /** The client's JSON body -> the canonical request; a failure is the client's 400 message. */
  parse(json: JsonObject): Parsed<R>;
  build(provider: Provider, req: R, target: TargetConfig, now: Date): Parsed<UpstreamRequest>;
  /** A 2xx answer body -> the client's body and the call's usage. */
  answer(provider: Provider, req: R, body: string): RenderedAnswer;
  /** `req`: the client's request (its stream options decide what usage is hidden). */
  createStreamParser(provider: Provider, req: R): StreamParser;
  createRenderer(req: R, requestId: string, model: string): StreamRenderer;
  createTracker(req: R): UsageTracker;
  /** The request as chat, for what only reads chat (ai-rate-limiting-advanced's estimate). */
  asChat(req: R): ChatRequest;
}
