/**
 * The one place that orders a request's flow through a worker:
 *
 *   limits (URL, headers) -> normalise path -> match route -> protocol check -> framing
 *     route without plugins: service -> body (none | one Buffer | stream) -> balance
 *       -> upstream (ProxyExchange streams the response) -> finish: log phase, metrics, access log
 *     route with plugins (its chain for this listener):
 *       rewrite + access phases (sync until a step returns a promise; the body is held
 *       meanwhile) -> exit? the answer through the response phases
 *       -> a responder plugin (ai-proxy) answers | the proxy as above, the body whole
 *          (a plugin read it), streamed through requestBody steps, or plain
 *       -> ChainExchange runs the response and body phases on the upstream's answer
 *
 * Every early exit is a JSON error from the table in lib/errors.ts. Objects per request on
 * a route without plugins: the RequestContext, the ProxyExchange, the header list and the
 * onAborted closure (plus the onData closure and a body Buffer/stream when there is a body).
 */
import type { HttpRequest, HttpResponse } from './http-front.js';
import { ERRORS, ErrorCode, GatehouseError } from '../lib/errors.js';
import { MatchResult } from '../router/match.js';
import { BalanceInput } from '../proxy/balancer/types.js';
import { normalizePath } from '../router/normalize-path.js';
import { buildUpstreamPath } from '../router/upstream-path.js';
import { buildUpstreamHeaders } from '../proxy/forwarded.js';
import { copyChunk, RequestBodyStream } from '../proxy/request-body.js';
import { ProxyExchange, type ExchangeOwner } from '../proxy/response-handler.js';
import { ChainExchange } from './chain-exchange.js';
import { classifyUpstreamError } from '../proxy/upstream-errors.js';
import type { AccessLog } from '../observe/log.js';
import { WorkerMetrics } from '../observe/metrics.js';
import { RequestContext, type ContextOwner } from './context.js';
import { writeError, writeRedirect } from './respond.js';
import type { Runtime } from './runtime.js';
import type { WorkerLimits } from './types.js';
import { isDigits } from '../lib/digits.js';
import { runAccess, runLog, runRequestBody, type RouteChain } from '../plugins/chain.js';
import { BodyReader } from './body-reader.js';
import { errorAnswer, sendAnswer } from './answer.js';

const CLIENT_CLOSED = 499;

/**
 * Which listener a Pipeline serves: one Pipeline per listener, sharing the runtime and
 * the metrics. `httpsPort` is where https-only routes redirect to (-1: TLS is off,
 * Kong's redirect to the default port 443).
 */
export interface ListenerInfo {
  scheme: 'http' | 'https';
  httpsPort: number;
  metrics?: WorkerMetrics;
  /**
   * The front's own check, run first (uws-guard.ts refuseOnUws: framing uWS let through);
   * it answers a refused request itself and returns its status, else 0. Absent for the
   * strict front, whose parser refused those requests before the pipeline.
   */
  refuse?: (ctx: RequestContext) => number;
}

const PLAIN_LISTENER: ListenerInfo = { scheme: 'http', httpsPort: -1 };

export class Pipeline implements ExchangeOwner, ContextOwner {
  #runtime: Runtime;
  #listenPort: number;
  readonly #scheme: 'http' | 'https';
  #httpsPort: number;
  readonly #limits: WorkerLimits;
  readonly #log: AccessLog;
  readonly #refuse: ((ctx: RequestContext) => number) | null;
  readonly #match = new MatchResult();
  readonly #balanceInput = new BalanceInput();
  /** Traffic metrics of this worker (snapshotted for the admin /metrics). */
  readonly metrics: WorkerMetrics;
  readonly #idPrefix: string;
  #counter = 0;
  /** Requests started and not yet finished. */
  inflight = 0;
  /** Called when inflight drops to zero (set while draining). */
  onIdle: (() => void) | null = null;
  /** The uWS handler, bound once. */
  readonly handle: (res: HttpResponse, req: HttpRequest) => void;
  /** Bound once: the answer writer's completion callback. */
  readonly #finish: (ctx: RequestContext) => void;

  constructor(runtime: Runtime, listenPort: number, limits: WorkerLimits, log: AccessLog, workerIndex: number, listener: ListenerInfo = PLAIN_LISTENER) {
    this.#runtime = runtime;
    this.#listenPort = listenPort;
    this.#scheme = listener.scheme;
    this.#httpsPort = listener.httpsPort;
    this.metrics = listener.metrics ?? new WorkerMetrics();
    this.#limits = limits;
    this.#log = log;
    this.#refuse = listener.refuse ?? null;
    const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
    this.#idPrefix = `${random}${workerIndex.toString(16).padStart(2, '0')}`;
    this.#finish = (ctx) => this.finish(ctx);
    this.handle = (res, req) => {
      const ctx = new RequestContext(res, req, this.#runtime, this, this.#scheme, this.#listenPort, this.#nextId(), performance.now());
      this.inflight++;
      try {
        this.#onRequest(ctx);
      } catch (err) {
        this.#crashed(ctx, err);
      }
    };
  }

  get runtime(): Runtime {
    return this.#runtime;
  }

  get maxBodyBytes(): number {
    return this.#limits.maxBodyBytes;
  }

  /** Switch config: requests already running keep the runtime they started with. */
  setRuntime(runtime: Runtime): void {
    this.#runtime = runtime;
  }

  /** The listener's port is known only after listen (it may be ephemeral). */
  setListenPort(port: number): void {
    this.#listenPort = port;
  }

  /** The TLS listener's port (for https redirects), or -1 when TLS is off. */
  setHttpsPort(port: number): void {
    this.#httpsPort = port;
  }

  #onRequest(ctx: RequestContext): void {
    const res = ctx.res;
    if (this.#refuse !== null) {
      const refused = this.#refuse(ctx);
      if (refused !== 0) return this.#refused(ctx, refused);
    }
    const limits = this.#limits;
    if (ctx.url.length + ctx.query.length > limits.maxUrlLength) return this.#local(ctx, ErrorCode.URI_TOO_LONG, true);
    if (ctx.headerBytes > limits.maxHeaderBytes) return this.#local(ctx, ErrorCode.HEADERS_TOO_LARGE, true);
    const path = normalizePath(ctx.url);
    if (path === null) return this.#local(ctx, ErrorCode.BAD_REQUEST, true);
    ctx.path = path;

    const runtime = ctx.runtime;
    const chains = this.#scheme === 'http' ? runtime.plugins.http : runtime.plugins.https;
    const m = this.#match;
    const route = runtime.matcher.match(ctx.method, ctx.host, ctx.port, path, ctx.headers, m) ? runtime.routes[m.route] : undefined;
    if (route === undefined) {
      // Global plugins still see the 404 (response and log phases: cors headers, log lines).
      ctx.chain = chains.noRoute;
      return this.#local(ctx, ErrorCode.NO_ROUTE, false);
    }
    ctx.route = route;
    ctx.matchedPathLength = m.pathLength;
    ctx.matchEntry = m.entry;
    // Kong checks only this direction: an https request on an http-only route is served.
    if (this.#scheme === 'http' && !route.protocols.includes('http')) return this.#requireHttps(ctx);

    // Body framing, decided from the headers before reading a byte of it.
    const contentLength = ctx.header('content-length');
    const chunked = ctx.header('transfer-encoding') !== undefined;
    let declared = -1;
    if (contentLength !== undefined) {
      if (!isDigits(contentLength)) return this.#local(ctx, ErrorCode.BAD_REQUEST, true);
      declared = Number(contentLength);
    }
    ctx.declaredLength = chunked ? -1 : declared;
    ctx.hasBody = chunked || declared > 0;
    const service = route.service < 0 ? undefined : runtime.services[route.service];
    if (service !== undefined) ctx.service = service;

    const chain = chains.routes[m.route] ?? null;
    if (chain !== null) {
      ctx.chain = chain;
      return this.#startChain(ctx, chain);
    }
    if (service === undefined) return this.#local(ctx, ErrorCode.NO_SERVICE, false);
    if (limits.maxBodyBytes > 0 && declared > limits.maxBodyBytes) return this.#local(ctx, ErrorCode.BODY_TOO_LARGE, true);
    this.#setUpstreamPath(ctx);
    res.onAborted(() => this.#onAborted(ctx));
    if (!ctx.hasBody) {
      this.#dispatch(ctx, -1, ctx.declaredLength);
      return;
    }
    res.onData((chunk, isLast) => this.#onClientData(ctx, chunk, isLast));
  }

  #setUpstreamPath(ctx: RequestContext): void {
    const route = ctx.route;
    const service = ctx.service;
    if (route === null || service === null) return;
    if (ctx.rawUpstreamPath !== null) {
      ctx.upstreamPath = ctx.rawUpstreamPath;
      return;
    }
    // A plugin's setPath is the whole upstream path, as Kong's set_path replaces upstream_uri.
    ctx.upstreamPath = ctx.pathOverride ?? buildUpstreamPath(service.config.path, ctx.path, ctx.matchedPathLength, route.stripPath, route.pathHandling);
    if (ctx.query.length > 0) ctx.upstreamPath += `?${ctx.query}`;
  }

  // ---- routes with plugins ----

  #startChain(ctx: RequestContext, chain: RouteChain): void {
    const limits = this.#limits;
    if (chain.responder === null && ctx.service === null) return this.#local(ctx, ErrorCode.NO_SERVICE, false);
    if (limits.maxBodyBytes > 0 && ctx.declaredLength > limits.maxBodyBytes) return this.#local(ctx, ErrorCode.BODY_TOO_LARGE, true);
    ctx.res.onAborted(() => this.#onAborted(ctx));
    let r: void | Promise<void>;
    try {
      r = runAccess(ctx, chain);
    } catch (err) {
      return this.#pluginFailed(ctx, err);
    }
    if (r === undefined) return this.#afterAccess(ctx, chain);
    // A step is waiting: hold what arrives of the body meanwhile (uWS delivers chunks only
    // to a handler attached now).
    if (ctx.hasBody) this.#bodyReader(ctx).hold();
    r.then(
      () => this.#afterAccess(ctx, chain),
      (err: unknown) => this.#pluginFailed(ctx, err),
    );
  }

  #afterAccess(ctx: RequestContext, chain: RouteChain): void {
    if (ctx.finished) return;
    if (ctx.answer !== null) return this.#answer(ctx);
    const responder = chain.responder;
    if (responder !== null) {
      const h = responder.handler;
      if (h?.respond !== undefined) {
        try {
          h.respond(ctx, responder.slot);
        } catch (err) {
          this.#pluginFailed(ctx, err);
        }
        return;
      }
    }
    if (ctx.service === null) return this.#local(ctx, ErrorCode.NO_SERVICE, false);
    // A plugin may have lowered the body limit (request-size-limiting).
    if (ctx.maxBody > 0 && ctx.declaredLength > ctx.maxBody) return this.#local(ctx, ErrorCode.BODY_TOO_LARGE, true);
    this.#setUpstreamPath(ctx);
    const steps = chain.requestBody;
    const whole = ctx.body;
    if (whole instanceof Buffer && steps !== null) {
      // A plugin read the body whole: the streaming steps see it as one last chunk.
      const out = runRequestBody(ctx, steps, whole, true);
      if (out === null) return this.#answer(ctx);
      ctx.body = out;
    }
    if (!ctx.hasBody || ctx.body instanceof Buffer) {
      // No body, or a plugin read it whole (or replaced it): one retryable Buffer.
      this.#dispatch(ctx, -1, -1);
      return;
    }
    if (steps !== null) {
      // Streaming steps may rewrite the body: it goes upstream chunked.
      const stream = new RequestBodyStream(ctx.res);
      ctx.body = stream;
      this.#dispatch(ctx, -1, -1);
      this.#bodyReader(ctx).handOff((chunk, last) => {
        if (ctx.finished) return;
        const out = runRequestBody(ctx, steps, chunk, last);
        if (out === null) {
          const abort = ctx.abortUpstream;
          this.#answer(ctx);
          const err = new Error('a plugin answered the request');
          abort?.(err);
          // Not connected yet (no abort): failing the stream ends the attempt too.
          stream.fail(err);
          return;
        }
        if (out.byteLength > 0 || last) stream.feed(out, last);
      });
      return;
    }
    const reader = ctx.reader;
    if (reader !== null) reader.handOff((chunk, last) => this.#onBody(ctx, chunk, last));
    else ctx.res.onData((chunk, isLast) => this.#onClientData(ctx, chunk, isLast));
  }

  #bodyReader(ctx: RequestContext): BodyReader {
    return (ctx.reader ??= new BodyReader(ctx.res, ctx));
  }

  /** A plugin threw or its promise failed: 500, as Kong answers a plugin error. */
  #pluginFailed(ctx: RequestContext, err: unknown): void {
    process.stderr.write(`gatehouse: a plugin failed on route ${ctx.routeName}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (ctx.finished) return;
    ctx.answer = errorAnswer(ErrorCode.INTERNAL);
    this.#answer(ctx);
  }

  /** ctx.answer through the response phases; the connection closes if the body was left unread. */
  #answer(ctx: RequestContext, phases = true): void {
    const unread = ctx.hasBody && !(ctx.reader?.complete ?? false) && !(ctx.body instanceof Buffer);
    sendAnswer(ctx, unread, this.#finish, phases);
  }

  // ---- the body ----

  /** A chunk from uWS on the plain path: counted, limited, copied. */
  #onClientData(ctx: RequestContext, chunk: ArrayBuffer, isLast: boolean): void {
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    const max = ctx.maxBody;
    if (max > 0 && ctx.bytesIn > max) {
      this.bodyTooLarge(ctx);
      return;
    }
    this.#onBody(ctx, copyChunk(chunk), isLast);
  }

  /** A counted chunk we own: dispatched with the first one, streamed after. */
  #onBody(ctx: RequestContext, chunk: Buffer, isLast: boolean): void {
    if (ctx.finished) return;
    const body = ctx.body;
    if (body === null) {
      if (isLast) {
        // The whole body came in one chunk: send it as one Buffer (retryable).
        ctx.body = chunk;
        this.#dispatch(ctx, -1, -1);
        return;
      }
      const stream = new RequestBodyStream(ctx.res);
      ctx.body = stream;
      stream.feed(chunk, false);
      this.#dispatch(ctx, -1, ctx.declaredLength);
      return;
    }
    if (body instanceof RequestBodyStream) body.feed(chunk, isLast);
  }

  #dispatch(ctx: RequestContext, exclude: number, streamedLength: number): void {
    const service = ctx.service;
    if (service === null) return;
    const upstream = service.upstream;
    // One BalanceInput per worker: pick() is synchronous, so it is never shared by two requests.
    const input = this.#balanceInput;
    input.fill(ctx.remoteAddress, ctx.headers, ctx.path, ctx.query, ctx.consumer === null ? null : ctx.consumer.id);
    if (upstream.balancer.needsCaptures) input.captures = ctx.runtime.matcher.uriCaptures(ctx.matchEntry, ctx.path);
    const index = upstream.balancer.pick(input, exclude);
    const target = index < 0 ? undefined : upstream.targets[index];
    if (target === undefined) {
      this.fail(ctx, new GatehouseError(ErrorCode.NO_HEALTHY_TARGET));
      return;
    }
    if (input.setCookie !== null) ctx.setCookie = input.setCookie;
    upstream.balancer.started(index);
    const route = ctx.route;
    const stripped = route !== null && route.stripPath ? ctx.path.slice(0, ctx.matchedPathLength) : '';
    const clientHost = route !== null && route.preserveHost ? ctx.header('host') : undefined;
    ctx.upstreamHeaders = buildUpstreamHeaders(ctx.headers, ctx.connection, {
      host: ctx.hostOverride ?? clientHost ?? target.target.hostHeader,
      clientIp: ctx.remoteAddress,
      proto: this.#scheme,
      forwardedHost: ctx.host,
      forwardedPort: this.#listenPort,
      forwardedPath: ctx.path,
      forwardedPrefix: stripped,
      requestId: ctx.requestId,
      contentLength: ctx.body instanceof RequestBodyStream ? streamedLength : -1,
    });
    ctx.streamedLength = streamedLength;
    ctx.tries++;
    ctx.upstreamStart = performance.now();
    const readTimeout = service.config.readTimeout;
    const chain = ctx.chain;
    target.pool.dispatch(
      {
        path: ctx.upstreamPath,
        method: ctx.method,
        headers: ctx.upstreamHeaders,
        body: ctx.body,
        headersTimeout: readTimeout,
        bodyTimeout: readTimeout,
        writeTimeout: service.config.writeTimeout,
      },
      // Only a chain with response or body steps needs the response phases.
      chain === null || (chain.response === null && chain.body === null) ? new ProxyExchange(ctx, this, index) : new ChainExchange(ctx, this, index, chain),
    );
  }

  // ---- ContextOwner / ExchangeOwner ----

  bodyTooLarge(ctx: RequestContext): void {
    const err = new GatehouseError(ErrorCode.BODY_TOO_LARGE);
    const body = ctx.body;
    if (body instanceof RequestBodyStream) body.fail(err);
    if (ctx.abortUpstream !== null) ctx.abortUpstream(err);
    else this.fail(ctx, err);
  }

  respondLocal(ctx: RequestContext): void {
    this.#answer(ctx, false);
  }

  retry(ctx: RequestContext, failedTarget: number, _err: Error): boolean {
    const service = ctx.service;
    if (service === null || ctx.finished) return false;
    if (ctx.tries > service.config.retries) return false;
    // A streamed body can be sent again only if the failed attempt never read from it
    // (a refused connect): otherwise part of it is gone.
    if (ctx.body instanceof RequestBodyStream && !ctx.body.replayable) return false;
    this.#dispatch(ctx, failedTarget, ctx.streamedLength);
    return true;
  }

  fail(ctx: RequestContext, err: Error): void {
    if (ctx.finished) return;
    const code = err instanceof GatehouseError ? err.code : classifyUpstreamError(err);
    // A body we did not read to its end leaves the connection unusable: close it.
    const close = ctx.body instanceof RequestBodyStream || code === ErrorCode.BODY_TOO_LARGE;
    if (ctx.chain !== null) {
      ctx.answer = errorAnswer(code);
      sendAnswer(ctx, close || (ctx.hasBody && !(ctx.body instanceof Buffer)), this.#finish);
      return;
    }
    ctx.finished = true;
    ctx.status = ERRORS[code].status;
    ctx.res.cork(() => writeError(ctx.res, code, ctx.requestId, close));
    this.finish(ctx);
  }

  finish(ctx: RequestContext): void {
    this.inflight--;
    const log = ctx.chain?.log ?? null;
    if (log !== null) runLog(ctx, log, pluginWarning);
    this.metrics.record(ctx, performance.now());
    this.#log.write(ctx);
    if (this.inflight === 0 && this.onIdle !== null) this.onIdle();
  }

  // ---- local answers ----

  #local(ctx: RequestContext, code: ErrorCode, close: boolean): void {
    if (ctx.chain !== null) {
      ctx.answer = errorAnswer(code);
      sendAnswer(ctx, close, this.#finish);
      return;
    }
    ctx.finished = true;
    ctx.status = writeError(ctx.res, code, ctx.requestId, close);
    this.finish(ctx);
  }

  /** The front answered already (it refused the request's framing). */
  #refused(ctx: RequestContext, status: number): void {
    ctx.finished = true;
    ctx.status = status;
    this.finish(ctx);
  }

  #requireHttps(ctx: RequestContext): void {
    const route = ctx.route;
    const status = route === null ? 426 : route.httpsRedirectStatusCode;
    ctx.finished = true;
    if (status === 426) {
      ctx.status = writeError(ctx.res, ErrorCode.HTTPS_REQUIRED, ctx.requestId);
    } else {
      const port = this.#httpsPort;
      const authority = port === -1 || port === 443 ? ctx.host : `${ctx.host}:${port}`;
      const location = `https://${authority}${ctx.url}${ctx.query.length > 0 ? `?${ctx.query}` : ''}`;
      ctx.status = writeRedirect(ctx.res, status, location, ctx.requestId);
    }
    this.finish(ctx);
  }

  #onAborted(ctx: RequestContext): void {
    ctx.aborted = true;
    if (ctx.finished) return;
    ctx.finished = true;
    ctx.status = CLIENT_CLOSED;
    const err = new Error('client closed the connection');
    const body = ctx.body;
    if (body instanceof RequestBodyStream) body.fail(err);
    ctx.reader?.abort(err);
    if (ctx.abortUpstream !== null) ctx.abortUpstream(err);
    this.finish(ctx);
  }

  /** A bug in the pipeline (or a plugin) answers 500 for this request instead of killing the worker. */
  #crashed(ctx: RequestContext, err: unknown): void {
    process.stderr.write(`gatehouse: request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (ctx.finished) return;
    ctx.finished = true;
    ctx.status = 500;
    try {
      ctx.res.cork(() => writeError(ctx.res, ErrorCode.INTERNAL, ctx.requestId, true));
    } catch {
      /* the response was already ended or aborted */
    }
    this.finish(ctx);
  }

  #nextId(): string {
    this.#counter++;
    return `${this.#idPrefix}${this.#counter.toString(16).padStart(8, '0')}`;
  }
}

function pluginWarning(plugin: string, message: string): void {
  process.stderr.write(`gatehouse: plugin ${plugin}: ${message}\n`);
}
