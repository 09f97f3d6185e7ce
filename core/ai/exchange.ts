/**
 * One AI request through a worker (routes with ai-proxy / ai-proxy-advanced only):
 *
 *   uWS onData ──► whole body (≤ max_request_body_size) ──► JSON ──► ai-prompt-template
 *     ──► codec.parse (the route type's client format) ──► ai-prompt-guard ──► ai-prompt-decorator
 *     ──► pick a target (AiBalancer Attempt) ──► codec.build (provider request) ──► undici (AiAttempt)
 *   answer:
 *     non-streamed  upstream body buffered ──► codec.answer: parsed, rendered in the client's format
 *     streamed      upstream SSE chunk ──► codec stream parser ──► canonical events
 *                   ──► usage tracker + codec renderer ──► uWS write (a false return
 *                   pauses undici until onWritable)
 *     passthrough   OpenAI client, OpenAI-family provider: the provider's bytes (passthrough.ts)
 *     failure       error / timeout / 429 / 5xx: the next target when failover_criteria
 *                   allow it and nothing reached the client yet (Retry-After embargoes the
 *                   target); otherwise an error in the client's format
 *
 * What differs per route type (chat, completions, embeddings) is behind the route's codec
 * (core/ai/route-types/). Writing to the client: the base class (exchange-output.ts);
 * metrics and the log entry: call-record.ts. Upstream headers are built from scratch by
 * the provider module: the client's own credentials never leave the gateway.
 */
import type { HttpResponse } from '../worker/http-front.js';
import { VIA_TOKEN } from '../lib/headers.js';
import { statusLine } from '../lib/http-status.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';
import type { RequestContext } from '../worker/context.js';
import { AiAttempt } from './attempt.js';
import type { AttemptOwner } from './attempt.js';
import { parseRetryAfter } from './balance.js';
import type { Attempt, Outcome } from './balance.js';
import { AiCallRecord } from './call-record.js';
import { AiClientOutput, isTimeout } from './exchange-output.js';
import type { AiLogEntry, AiOwner } from './exchange-output.js';
import { isObject, parseJson } from './json-shape.js';
import { passesThrough, passthroughAnswer, passthroughStream } from './passthrough.js';
import type { OpenAiPassthroughStream } from './passthrough-stream.js';
import type { AiRateTicket } from './rate-limit.js';
import type { AiRouteRuntime, AiTargetRuntime } from './route-runtime.js';
import type { RouteCodec, StreamRenderer } from './route-types/codec.js';
import { codecFor } from './route-types/index.js';
import type { StreamParser } from './providers/provider.js';
import type { UsageTracker } from './tokens.js';
import type { AiRequest, ChatRequest, ClientError, StreamEvent, Usage } from './types.js';

export type { AiLogEntry, AiOwner } from './exchange-output.js';

export class AiExchange extends AiClientOutput implements AttemptOwner {
  readonly #route: AiRouteRuntime;
  readonly #codec: RouteCodec;
  #rawBody = '';
  #req: AiRequest | null = null;
  #attempt: Attempt | null = null;
  #current: AiAttempt | null = null;
  #target: AiTargetRuntime | null = null;
  #targetIndex = -1;
  #upstreamReq: AiRequest | null = null;
  #renderer: StreamRenderer | null = null;
  #parser: StreamParser | null = null;
  #tracker: UsageTracker | null = null;
  #pass: OpenAiPassthroughStream | null = null;
  #responseModel = '';
  #ttft = -1;
  readonly #record = new AiCallRecord();
  #lastError: ClientError | null = null;
  /** ai-rate-limiting-advanced reservation (core/ai/rate-limit.ts), or null. */
  #limit: AiRateTicket | null = null;

  constructor(ctx: RequestContext, route: AiRouteRuntime, owner: AiOwner, workerMaxBody: number) {
    const own = route.config.maxRequestBodySize;
    super(ctx, owner, route.config.llmFormat, own === 0 ? workerMaxBody : workerMaxBody === 0 ? own : Math.min(own, workerMaxBody));
    this.#route = route;
    this.#codec = codecFor(route.config.routeType, route.config.llmFormat);
  }

  // ---- request side ----

  protected onBody(text: string): void {
    const route = this.#route;
    const config = route.config;
    this.#rawBody = text;
    const body = parseJson(text);
    if (!isObject(body)) {
      this.reject(400, 'request body must be a JSON object');
      return;
    }
    let json = body;
    if (route.template !== null) {
      const t = route.template(json);
      if (!t.ok) return this.blockedBy('ai-prompt-template', t.message);
      json = t.value;
    }
    const parsed = this.#codec.parse(json);
    if (!parsed.ok) {
      this.reject(400, parsed.message);
      return;
    }
    let req = parsed.value;
    // Compile keeps guard and decorator off routes whose requests are not chat-shaped.
    if (route.guard !== null && 'messages' in req) {
      const g = route.guard.check(req);
      if (!g.ok) return this.blockedBy('ai-prompt-guard', g.message);
    }
    if (route.decorate !== null && 'messages' in req) req = route.decorate(req);
    if (req.stream && config.responseStreaming === 'deny') {
      this.reject(400, 'response streaming is disabled for this route');
      return;
    }
    if (!req.stream && config.responseStreaming === 'always' && this.#codec.streams) req = { ...req, stream: true } as AiRequest;
    this.#req = req;
    if (route.rateLimit !== null) {
      this.#limit = route.rateLimit.admit(this.ctx, this.#codec.asChat(req), Date.now());
      if (this.#limit.rejected) return this.reject(this.#limit.status, this.#limit.message);
    }
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
      if (last !== null) this.writeJson(last.status, last.body);
      else this.reject(503, 'no AI target is available');
      return;
    }
    // ai-proxy-advanced: each target uses its own model, whatever the client named.
    const clientReq = this.#route.targets.length > 1 && target.modelName !== '' ? { ...req, model: '' } : req;
    const built = this.#codec.build(target.provider, clientReq, target.config.config, new Date());
    if (!built.ok) {
      this.reject(400, built.message);
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
    this.resume = resume;
  }

  /** A streamed answer's chunk; false pauses undici until the client drains. */
  streamChunk(chunk: Buffer): boolean {
    const target = this.#target;
    const upstreamReq = this.#upstreamReq;
    if (target === null || upstreamReq === null) return false;
    if (this.#renderer === null && this.#pass === null) {
      const codec = this.#codec;
      const req = this.#req ?? upstreamReq;
      // passesThrough: the chat codec, so both requests are chat requests.
      if (passesThrough(codec, target.provider)) this.#pass = passthroughStream(target.provider, upstreamReq as ChatRequest, req as ChatRequest);
      else {
        this.#renderer = codec.createRenderer(req, this.ctx.requestId, this.#responseModel);
        this.#tracker = codec.createTracker(upstreamReq);
        this.#parser = codec.createStreamParser(target.provider, req);
      }
    }
    if (this.#pass !== null) return this.#passed(this.#pass, chunk);
    const events = this.#parser?.feed(chunk) ?? [];
    return this.#handleEvents(events, false);
  }

  streamDone(): void {
    if (this.#pass !== null) return void this.#passed(this.#pass, null);
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
      this.#lastError = this.clientError(status, error.message);
      this.errorText = `upstream answered ${status}: ${error.message}`;
      if (attempt.fail(this.#targetIndex, now, outcome)) return this.#next();
      this.#recordCall(null);
      this.writeJson(this.#lastError.status, this.#lastError.body);
      return;
    }
    const answer = passesThrough(this.#codec, target.provider) ? passthroughAnswer(req as ChatRequest, body) : this.#codec.answer(target.provider, req, body);
    if (!answer.ok) {
      this.errorText = answer.message;
      this.#lastError = this.clientError(502, `invalid answer from the AI provider: ${answer.message}`);
      if (attempt.fail(this.#targetIndex, now, { kind: 'invalid_header' })) return this.#next();
      this.#recordCall(null);
      this.writeJson(502, this.#lastError.body);
      return;
    }
    if (answer.model !== '') this.#responseModel = answer.model;
    const latency = performance.now() - this.ctx.upstreamStart;
    if (answer.output) this.#ttft = latency;
    const usage = answer.usage;
    attempt.fail(this.#targetIndex, now, { kind: 'success', ttftMs: latency, totalMs: latency, usage, cost: target.cost(this.#responseModel, usage) });
    this.#recordCall(usage);
    if (target.config.logPayloads) this.payloadOut = [answer.body];
    this.writeJson(200, answer.body);
  }

  /** The attempt failed at the transport level (connect, reset, timeout). */
  failed(err: Error): void {
    const attempt = this.#attempt;
    if (attempt === null) return;
    this.#current = null;
    this.ctx.abortUpstream = null;
    const timeout = isTimeout(err);
    const outcome: Outcome = timeout ? { kind: 'timeout' } : { kind: 'error' };
    this.errorText = err.message;
    if (this.committed) {
      // Bytes already reached the client: no failover. The parser reports a cut stream.
      attempt.fail(this.#targetIndex, Date.now(), outcome, true);
      if (this.#pass !== null) return void this.#passed(this.#pass, null);
      const events = this.#parser?.end() ?? [];
      this.#handleEvents(events, true);
      return;
    }
    this.#pass = null;
    this.#lastError = timeout ? this.clientError(504, 'The upstream server is timing out') : this.clientError(502, 'An invalid response was received from the upstream server');
    if (attempt.fail(this.#targetIndex, Date.now(), outcome)) return this.#next();
    this.#recordCall(null);
    this.writeJson(this.#lastError.status, this.#lastError.body);
  }

  // ---- streaming to the client ----

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
      if (ev.type === 'error' && !this.committed && out === '') return this.#streamError(ev.status, ev.message);
      // No usage from the provider (some never stream it): a client that asked for usage
      // gets the estimate, marked estimated in metrics and logs, never zero.
      if (ev.type === 'end' && !tracker.reported) out += renderer.push({ type: 'usage', usage: tracker.usage(), hidden: false });
      tracker.push(ev);
      if (ev.type === 'start' && ev.model !== '') this.#responseModel = ev.model;
      if (this.#ttft < 0 && (ev.type === 'text' || ev.type === 'tool_call')) this.#ttft = performance.now() - this.ctx.upstreamStart;
      out += renderer.push(ev);
      if (ev.type === 'end') ended = true;
    }
    if (out !== '') this.write(out);
    if (ended || final) this.#endStream();
    // Finished: keep reading the upstream's last bytes (returning false would pause the
    // socket for good and keep it out of the pool).
    return this.ctx.finished || !this.blocked;
  }

  /** An error before anything was shown: a failover is still clean. */
  #streamError(status: number, message: string): false {
    const attempt = this.#attempt;
    this.#lastError = this.clientError(status, message);
    this.errorText = message;
    this.#current = null;
    this.ctx.abortUpstream?.(new Error('upstream stream reported an error'));
    this.ctx.abortUpstream = null;
    if (attempt !== null && attempt.fail(this.#targetIndex, Date.now(), { kind: 'http', status })) {
      this.#renderer = null;
      this.#parser = null;
      this.#pass = null;
      this.#next();
      return false;
    }
    this.#recordCall(null);
    this.writeJson(this.#lastError.status, this.#lastError.body);
    return false;
  }

  /** The passthrough's counterpart of #handleEvents: one chunk, or the end (null). */
  #passed(pass: OpenAiPassthroughStream, chunk: Buffer | null): boolean {
    if (chunk === null) pass.end(this.committed);
    else pass.feed(chunk, this.committed);
    if (pass.error !== null) return this.#streamError(pass.error.status, pass.error.message);
    if (pass.model !== '') this.#responseModel = pass.model;
    if (this.#ttft < 0 && pass.output) this.#ttft = performance.now() - this.ctx.upstreamStart;
    if (pass.out !== '') this.write(pass.out);
    if (pass.ended || chunk === null) this.#endStream();
    return this.ctx.finished || !this.blocked;
  }

  #endStream(): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    const attempt = this.#attempt;
    const target = this.#target;
    const usage = this.#pass?.usage() ?? this.#tracker?.usage() ?? null;
    if (this.#current !== null && attempt !== null && target !== null && usage !== null) {
      const total = performance.now() - ctx.upstreamStart;
      attempt.fail(this.#targetIndex, Date.now(), { kind: 'success', ttftMs: this.#ttft < 0 ? total : this.#ttft, totalMs: total, usage, cost: target.cost(this.#responseModel, usage) });
    }
    this.#current = null;
    this.#recordCall(usage);
    this.#settle(usage);
    this.endOutput();
  }

  // ---- answers ----

  protected writeHead(res: HttpResponse, status: number, contentType: string): void {
    res.writeStatus(statusLine(status)).writeHeader('content-type', contentType).writeHeader('via', VIA_TOKEN).writeHeader(REQUEST_ID_HEADER, this.ctx.requestId);
    const target = this.#target;
    if (target !== null && this.#route.config.modelNameHeader) res.writeHeader('x-kong-llm-model', `${target.config.config.model.provider}/${this.#responseModel}`);
    this.#limit?.writeHeaders(res);
  }

  protected writeJson(status: number, body: string, close = false): void {
    const ctx = this.ctx;
    if (ctx.finished) return;
    ctx.finished = true;
    this.#settle(this.#record.usage);
    ctx.status = status;
    ctx.bytesOut += Buffer.byteLength(body);
    ctx.res.cork(() => {
      this.writeHead(ctx.res, status, 'application/json');
      ctx.res.end(body, close);
    });
    this.owner.finish(ctx);
  }

  protected logPayloads(): boolean {
    return this.#target?.config.logPayloads === true;
  }

  // ---- accounting ----

  /** The client went away (pipeline onAborted): settle with what was streamed so far. */
  aborted(): void {
    this.#settle(this.#pass?.usage() ?? (this.#renderer === null ? null : (this.#tracker?.usage() ?? null)));
  }

  /** Every end of an admitted request comes here; the ticket counts only the first call. */
  #settle(usage: Usage | null): void {
    this.#limit?.settle(this.#target?.config.config.model.provider ?? null, this.#responseModel, usage, Date.now());
  }

  #recordCall(usage: Usage | null): void {
    const target = this.#target;
    if (target !== null) this.#record.record(this.owner, this.ctx, target, this.#responseModel, usage, this.#ttft);
  }

  logEntry(): AiLogEntry {
    const target = this.#target;
    return this.#record.logEntry(this.ctx.tries, {
      plugin: this.#route.config.plugin,
      target,
      model: this.#responseModel,
      stream: this.#req?.stream === true,
      ttft: this.#ttft,
      error: this.errorText,
      payload: target !== null && target.config.logPayloads ? { request: this.#rawBody, response: (this.payloadOut ?? []).join('') } : null,
    });
  }
}
