/**
 * One AI request through a worker (routes with ai-proxy / ai-proxy-advanced only):
 *
 *   uWS onData ──► whole body (≤ max_request_body_size) ──► JSON ──► ai-prompt-template
 *     ──► parse in the route's llm_format ──► ai-prompt-guard ──► ai-prompt-decorator
 *     ──► pick a target (AiBalancer Attempt) ──► provider request ──► undici (AiAttempt)
 *   answer:
 *     non-streamed  upstream body buffered ──► parsed ──► rendered in the client's format
 *     streamed      upstream SSE chunk ──► provider stream parser ──► canonical events
 *                   ──► usage tracker + client renderer ──► uWS write (a false return
 *                   pauses undici until onWritable)
 *     failure       error / timeout / 429 / 5xx: the next target when failover_criteria
 *                   allow it and nothing reached the client yet (Retry-After embargoes the
 *                   target); otherwise an error in the client's format
 *
 * Upstream headers are built from scratch by the provider module: the client's own
 * credentials never leave the gateway. Every client-facing error uses the client's wire
 * format (OpenAI `{error:{…}}` or Anthropic `{type:"error",…}`).
 */
import type { HttpResponse } from 'uWebSockets.js';
import { VIA_TOKEN } from '../lib/headers.js';
import { statusLine } from '../lib/http-status.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';
import type { AiSample } from '../observe/metrics.js';
import type { RequestContext } from '../worker/context.js';
import { AiAttempt } from './attempt.js';
import type { AttemptOwner } from './attempt.js';
import { parseRetryAfter } from './balance.js';
import type { Attempt, Outcome } from './balance.js';
import { isObject, parseJson } from './json-shape.js';
import type { JsonObject } from './json-shape.js';
import type { AiRouteRuntime, AiTargetRuntime } from './route-runtime.js';
import { responseUsage, UsageTracker } from './tokens.js';
import { parseAnthropicRequest, renderAnthropicError, renderAnthropicResponse } from './translate/anthropic.js';
import { AnthropicStreamRenderer } from './translate/anthropic-stream.js';
import { parseOpenAiRequest, renderOpenAiError, renderOpenAiResponse } from './translate/openai.js';
import { OpenAiStreamRenderer } from './translate/openai-stream.js';
import type { ChatRequest, ClientError, StreamEvent, Usage } from './types.js';

/** What the exchange needs from the pipeline. */
export interface AiOwner {
  readonly metrics: { recordAi(sample: AiSample): void; recordAiBlocked(route: string, plugin: string): void };
  /** The response is complete (or cut): access log, metrics, inflight count. */
  finish(ctx: RequestContext): void;
}

/** The `ai` block of the access-log line. */
export interface AiLogEntry {
  plugin: string;
  provider: string;
  model: string;
  tries: number;
  stream: boolean;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated: boolean } | null;
  cost: number;
  latency_ms: number;
  ttft_ms: number | null;
  error: string | null;
  payload?: { request: string; response: string };
}

interface StreamRenderer {
  push(ev: StreamEvent): string;
}

export class AiExchange implements AttemptOwner {
  readonly ctx: RequestContext;
  readonly #route: AiRouteRuntime;
  readonly #owner: AiOwner;
  readonly #maxBody: number;
  #chunks: Buffer[] = [];
  #received = 0;
  #rawBody = '';
  #req: ChatRequest | null = null;
  #attempt: Attempt | null = null;
  #current: AiAttempt | null = null;
  #target: AiTargetRuntime | null = null;
  #targetIndex = -1;
  #upstreamReq: ChatRequest | null = null;
  #committed = false;
  #blocked = false;
  #resume: (() => void) | null = null;
  #renderer: StreamRenderer | null = null;
  #tracker: UsageTracker | null = null;
  #responseModel = '';
  #ttft = -1;
  #lastError: ClientError | null = null;
  #payloadOut: string[] | null = null;
  readonly #onWritable: () => boolean;

  constructor(ctx: RequestContext, route: AiRouteRuntime, owner: AiOwner, workerMaxBody: number) {
    this.ctx = ctx;
    this.#route = route;
    this.#owner = owner;
    const own = route.config.maxRequestBodySize;
    this.#maxBody = own === 0 ? workerMaxBody : workerMaxBody === 0 ? own : Math.min(own, workerMaxBody);
    this.#onWritable = () => this.#writable();
  }

  // ---- request side ----

  start(hasBody: boolean): void {
    if (!hasBody) {
      this.#reject(400, 'request body is required');
      return;
    }
    this.ctx.res.onData((chunk, isLast) => this.#onData(chunk, isLast));
  }

  #onData(chunk: ArrayBuffer, isLast: boolean): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    this.#received += chunk.byteLength;
    if (this.#maxBody > 0 && this.#received > this.#maxBody) {
      this.#chunks = [];
      this.#reject(413, `request body is larger than ${this.#maxBody} bytes`, true);
      return;
    }
    // uWS reuses the chunk's memory after this callback: copy.
    this.#chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (!isLast) return;
    const body = Buffer.concat(this.#chunks).toString('utf8');
    this.#chunks = [];
    this.#onBody(body);
  }

  #onBody(text: string): void {
    const route = this.#route;
    const config = route.config;
    this.#rawBody = text;
    let json = parseJson(text);
    if (!isObject(json)) {
      this.#reject(400, 'request body must be a JSON object');
      return;
    }
    if (route.template !== null) {
      const t = route.template(json);
      if (!t.ok) return this.#blockedBy('ai-prompt-template', t.message);
      json = t.value;
    }
    const parsed = config.llmFormat === 'anthropic' ? parseAnthropicRequest(json) : parseOpenAiRequest(json as JsonObject);
    if (!parsed.ok) {
      this.#reject(400, parsed.message);
      return;
    }
    let req = parsed.value;
    if (route.guard !== null) {
      const g = route.guard.check(req);
      if (!g.ok) return this.#blockedBy('ai-prompt-guard', g.message);
    }
    if (route.decorate !== null) req = route.decorate(req);
    if (req.stream && config.responseStreaming === 'deny') {
      this.#reject(400, 'response streaming is disabled for this route');
      return;
    }
    if (!req.stream && config.responseStreaming === 'always') req = { ...req, stream: true };
    this.#req = req;
    const key = this.ctx.header(config.hashOnHeader);
    this.#attempt = route.balancer.attempt(key);
    this.#next();
  }

  // ---- target selection and dispatch ----

  #next(): void {
    const ctx = this.ctx;
    const req = this.#req;
    const attempt = this.#attempt;
    if (ctx.finished || req === null || attempt === null) return;
    const index = attempt.next(Date.now());
    const target = index < 0 ? undefined : this.#route.targets[index];
    if (target === undefined) {
      const last = this.#lastError;
      if (last !== null) this.#writeJson(last.status, last.body);
      else this.#reject(503, 'no AI target is available');
      return;
    }
    // ai-proxy-advanced: each target uses its own model, whatever the client named.
    const clientReq = this.#route.targets.length > 1 && target.modelName !== '' ? { ...req, model: '' } : req;
    const built = target.provider.buildChatRequest(clientReq, target.config.config, new Date());
    if (!built.ok) {
      this.#reject(400, built.message);
      return;
    }
    this.#target = target;
    this.#targetIndex = index;
    this.#upstreamReq = { ...clientReq, model: target.modelName !== '' ? target.modelName : clientReq.model };
    this.#responseModel = this.#upstreamReq.model;
    ctx.tries++;
    ctx.upstreamStart = performance.now();
    ctx.upstreamFirstByte = 0;
    const url = new URL(built.value.url);
    const current = new AiAttempt(this, req.stream);
    this.#current = current;
    const timeout = this.#route.config.readTimeout;
    target.pool.dispatch(
      { path: url.pathname + url.search, method: built.value.method, headers: built.value.headers, body: built.value.body, headersTimeout: timeout, bodyTimeout: timeout },
      current,
    );
  }

  // ---- AttemptOwner: callbacks from the current undici attempt ----

  isCurrent(a: AiAttempt): boolean {
    return this.#current === a && !this.ctx.finished;
  }

  connected(abort: (err?: Error) => void): void {
    if (this.ctx.aborted) {
      abort(new Error('client closed the connection'));
      return;
    }
    this.ctx.abortUpstream = abort;
  }

  headers(resume: () => void): void {
    this.ctx.upstreamFirstByte = performance.now();
    this.#resume = resume;
  }

  /** A streamed answer's chunk; false pauses undici until the client drains. */
  streamChunk(chunk: Buffer): boolean {
    let renderer = this.#renderer;
    const target = this.#target;
    const upstreamReq = this.#upstreamReq;
    if (target === null || upstreamReq === null) return false;
    if (renderer === null) {
      renderer = this.#createRenderer();
      this.#renderer = renderer;
      this.#tracker = new UsageTracker(upstreamReq);
      this.#parser = target.provider.createStreamParser(this.#req ?? upstreamReq);
    }
    const events = this.#parser?.feed(chunk) ?? [];
    return this.#handleEvents(events, false);
  }

  #parser: ReturnType<AiTargetRuntime['provider']['createStreamParser']> | null = null;

  streamDone(): void {
    const events = this.#parser?.end() ?? [{ type: 'error', status: 502, message: 'upstream stream was empty', errorType: 'api_error' } as const, { type: 'end' } as const];
    this.#handleEvents(events, true);
  }

  /** A non-streamed answer, or any non-2xx answer, read whole. */
  buffered(status: number, body: string, retryAfter: string | undefined): void {
    const target = this.#target;
    const attempt = this.#attempt;
    const req = this.#upstreamReq;
    if (target === null || attempt === null || req === null) return;
    this.#current = null;
    this.ctx.abortUpstream = null;
    const now = Date.now();
    if (status < 200 || status >= 300) {
      const retryAfterMs = parseRetryAfter(retryAfter, now);
      const outcome: Outcome = retryAfterMs === undefined ? { kind: 'http', status } : { kind: 'http', status, retryAfterMs };
      const error = target.provider.parseError(status, body);
      this.#lastError = this.#clientError(status, error.message);
      this.#errorText = `upstream answered ${status}: ${error.message}`;
      if (attempt.fail(this.#targetIndex, now, outcome)) return this.#next();
      this.#recordCall(null);
      this.#writeJson(this.#lastError.status, this.#lastError.body);
      return;
    }
    const parsed = target.provider.parseChatResponse(body);
    if (!parsed.ok) {
      this.#errorText = parsed.message;
      this.#lastError = this.#clientError(502, `invalid answer from the AI provider: ${parsed.message}`);
      if (attempt.fail(this.#targetIndex, now, { kind: 'invalid_header' })) return this.#next();
      this.#recordCall(null);
      this.#writeJson(502, this.#lastError.body);
      return;
    }
    const res = parsed.value;
    if (res.model !== '') this.#responseModel = res.model;
    if (res.text !== '' || res.toolCalls.length > 0) this.#ttft = performance.now() - this.ctx.upstreamStart;
    const usage = responseUsage(req, res.usage, res.text, res.toolCalls);
    const out = { ...res, model: res.model === '' ? req.model : res.model, usage: res.usage ?? (this.#route.config.llmFormat === 'anthropic' ? usage : null) };
    const text = this.#route.config.llmFormat === 'anthropic' ? renderAnthropicResponse(out) : renderOpenAiResponse(out);
    const latency = performance.now() - this.ctx.upstreamStart;
    attempt.fail(this.#targetIndex, now, { kind: 'success', ttftMs: latency, totalMs: latency, usage, cost: target.cost(this.#responseModel, usage) });
    this.#recordCall(usage);
    if (target.config.logPayloads) this.#payloadOut = [text];
    this.#writeJson(200, text);
  }

  /** The attempt failed at the transport level (connect, reset, timeout). */
  failed(err: Error): void {
    const attempt = this.#attempt;
    if (attempt === null) return;
    this.#current = null;
    this.ctx.abortUpstream = null;
    const timeout = isTimeout(err);
    const outcome: Outcome = timeout ? { kind: 'timeout' } : { kind: 'error' };
    this.#errorText = err.message;
    if (this.#committed) {
      // Bytes already reached the client: no failover. The parser reports a cut stream.
      attempt.fail(this.#targetIndex, Date.now(), outcome, true);
      const events = this.#parser?.end() ?? [];
      this.#handleEvents(events, true);
      return;
    }
    this.#lastError = timeout ? this.#clientError(504, 'The upstream server is timing out') : this.#clientError(502, 'An invalid response was received from the upstream server');
    if (attempt.fail(this.#targetIndex, Date.now(), outcome)) return this.#next();
    this.#recordCall(null);
    this.#writeJson(this.#lastError.status, this.#lastError.body);
  }

  // ---- streaming to the client ----

  #createRenderer(): StreamRenderer {
    const req = this.#req;
    const model = this.#responseModel;
    if (this.#route.config.llmFormat === 'anthropic') return new AnthropicStreamRenderer({ id: `msg_${this.ctx.requestId}`, model });
    return new OpenAiStreamRenderer({ includeUsage: req?.streamUsage === true, created: Math.floor(Date.now() / 1000), id: `chatcmpl-${this.ctx.requestId}`, model });
  }

  #handleEvents(events: readonly StreamEvent[], final: boolean): boolean {
    const renderer = this.#renderer;
    const tracker = this.#tracker;
    if (renderer === null || tracker === null) {
      if (final) this.failed(new Error('upstream stream ended without data'));
      return false;
    }
    let out = '';
    let ended = false;
    for (const ev of events) {
      if (ev.type === 'error' && !this.#committed && out === '') {
        // An error before anything was shown: a failover is still clean.
        const attempt = this.#attempt;
        this.#lastError = this.#clientError(ev.status, ev.message);
        this.#errorText = ev.message;
        this.#current = null;
        this.ctx.abortUpstream?.(new Error('upstream stream reported an error'));
        this.ctx.abortUpstream = null;
        if (attempt !== null && attempt.fail(this.#targetIndex, Date.now(), { kind: 'http', status: ev.status })) {
          this.#renderer = null;
          this.#parser = null;
          this.#next();
          return false;
        }
        this.#recordCall(null);
        this.#writeJson(this.#lastError.status, this.#lastError.body);
        return false;
      }
      tracker.push(ev);
      if (ev.type === 'start' && ev.model !== '') this.#responseModel = ev.model;
      if (this.#ttft < 0 && (ev.type === 'text' || ev.type === 'tool_call')) this.#ttft = performance.now() - this.ctx.upstreamStart;
      out += renderer.push(ev);
      if (ev.type === 'end') ended = true;
    }
    if (out !== '') this.#write(out);
    if (ended || final) this.#endStream();
    return !this.#blocked && !this.ctx.finished;
  }

  #write(text: string): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    if (this.#payloadOut !== null) this.#payloadOut.push(text);
    else if (this.#target?.config.logPayloads === true) this.#payloadOut = [text];
    const buf = Buffer.from(text, 'utf8');
    ctx.bytesOut += buf.byteLength;
    ctx.res.cork(() => {
      if (!this.#committed) {
        this.#committed = true;
        ctx.status = 200;
        this.#writeHead(ctx.res, 200, 'text/event-stream; charset=utf-8');
        ctx.res.writeHeader('cache-control', 'no-cache');
      }
      if (!ctx.res.write(buf) && !this.#blocked) {
        this.#blocked = true;
        ctx.res.onWritable(this.#onWritable);
      }
    });
  }

  #writable(): boolean {
    this.#blocked = false;
    const resume = this.#resume;
    if (resume !== null && !this.ctx.finished) resume();
    return true;
  }

  #endStream(): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    const attempt = this.#attempt;
    const target = this.#target;
    const usage = this.#tracker?.usage() ?? null;
    if (this.#current !== null && attempt !== null && target !== null && usage !== null) {
      const total = performance.now() - ctx.upstreamStart;
      attempt.fail(this.#targetIndex, Date.now(), { kind: 'success', ttftMs: this.#ttft < 0 ? total : this.#ttft, totalMs: total, usage, cost: target.cost(this.#responseModel, usage) });
    }
    this.#current = null;
    this.#recordCall(usage);
    ctx.finished = true;
    ctx.res.cork(() => {
      if (!this.#committed) {
        this.#committed = true;
        ctx.status = 200;
        this.#writeHead(ctx.res, 200, 'text/event-stream; charset=utf-8');
      }
      ctx.res.end();
    });
    this.#owner.finish(ctx);
  }

  // ---- answers ----

  #clientError(status: number, message: string): ClientError {
    return this.#route.config.llmFormat === 'anthropic' ? renderAnthropicError(status, message) : renderOpenAiError(status, message);
  }

  #reject(status: number, message: string, close = false): void {
    this.#errorText = message;
    this.#writeJson(status, this.#clientError(status, message).body, close);
  }

  #blockedBy(plugin: string, message: string): void {
    this.#owner.metrics.recordAiBlocked(this.ctx.route?.name ?? '', plugin);
    this.#reject(400, message);
  }

  #writeHead(res: HttpResponse, status: number, contentType: string): void {
    res.writeStatus(statusLine(status)).writeHeader('content-type', contentType).writeHeader('via', VIA_TOKEN).writeHeader(REQUEST_ID_HEADER, this.ctx.requestId);
    const target = this.#target;
    if (target !== null && this.#route.config.modelNameHeader) res.writeHeader('x-kong-llm-model', `${target.config.config.model.provider}/${this.#responseModel}`);
  }

  #writeJson(status: number, body: string, close = false): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.finished = true;
    ctx.status = status;
    ctx.bytesOut += Buffer.byteLength(body);
    ctx.res.cork(() => {
      this.#writeHead(ctx.res, status, 'application/json');
      ctx.res.end(body, close);
    });
    this.#owner.finish(ctx);
  }

  // ---- accounting ----

  #errorText: string | null = null;
  #usage: Usage | null = null;
  #cost = 0;
  #latency = -1;

  #recordCall(usage: Usage | null): void {
    const target = this.#target;
    const ctx = this.ctx;
    if (target === null) return;
    this.#usage = usage;
    this.#latency = performance.now() - ctx.upstreamStart;
    this.#cost = usage === null ? 0 : target.cost(this.#responseModel, usage);
    this.#owner.metrics.recordAi({
      provider: target.config.config.model.provider,
      model: target.modelName !== '' ? target.modelName : this.#responseModel,
      route: ctx.route?.name ?? '',
      consumer: '',
      promptTokens: usage?.prompt ?? 0,
      completionTokens: usage?.completion ?? 0,
      estimated: usage?.estimated ?? false,
      cost: this.#cost,
      latencyMs: this.#latency,
      ttftMs: this.#ttft,
    });
  }

  /** The `ai` block of this request's access-log line. */
  logEntry(): AiLogEntry {
    const target = this.#target;
    const u = this.#usage;
    const entry: AiLogEntry = {
      plugin: this.#route.config.plugin,
      provider: target === null ? '' : target.config.config.model.provider,
      model: this.#responseModel,
      tries: this.ctx.tries,
      stream: this.#req?.stream === true,
      usage: u === null ? null : { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total, estimated: u.estimated },
      cost: this.#cost,
      latency_ms: Math.round(this.#latency * 1000) / 1000,
      ttft_ms: this.#ttft < 0 ? null : Math.round(this.#ttft * 1000) / 1000,
      error: this.#errorText,
    };
    if (target !== null && target.config.logPayloads) entry.payload = { request: this.#rawBody, response: (this.#payloadOut ?? []).join('') };
    return entry;
  }
}

function isTimeout(err: Error): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
