/**
 * The one place that orders a request's flow through a worker:
 *
 *   limits (URL, headers) -> normalise path -> match route -> protocol check
 *     -> key-auth (routes with it only: a Map lookup, or a 401) -> AI exchange | service check
 *     -> body (none | one Buffer | stream) -> balance -> upstream pool dispatch (ProxyExchange)
 *     -> response streamed by the exchange -> finish: access log
 *
 * Every early exit is a JSON error from the table in lib/errors.ts. Objects per request:
 * the RequestContext, the ProxyExchange, the header list and the onAborted closure (plus
 * the onData closure and a body Buffer/stream when there is a body).
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { ERRORS, ErrorCode, GatehouseError } from '../lib/errors.js';
import { MatchResult } from '../router/match.js';
import { BalanceInput } from '../proxy/balancer/types.js';
import { normalizePath } from '../router/normalize-path.js';
import { buildUpstreamPath } from '../router/upstream-path.js';
import { buildUpstreamHeaders } from '../proxy/forwarded.js';
import { copyChunk, RequestBodyStream } from '../proxy/request-body.js';
import { ProxyExchange, type ExchangeOwner } from '../proxy/response-handler.js';
import { FilteredExchange } from '../proxy/filtered-exchange.js';
import { classifyUpstreamError } from '../proxy/upstream-errors.js';
import type { AccessLog } from '../observe/log.js';
import { WorkerMetrics } from '../observe/metrics.js';
import { RequestContext } from './context.js';
import { FilteredRequest, type FilteredOwner } from './filtered-request.js';
import { writeError, writeLocalResponse, writeRedirect } from './respond.js';
import type { LocalResponse } from '../wasm/host-request.js';
import type { Runtime } from './runtime.js';
import type { WorkerLimits } from './types.js';
import { AiExchange, type AiOwner } from '../ai/exchange.js';
import { isDigits } from '../lib/digits.js';
import { authenticate, type AuthOwner } from './auth-step.js';

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
}

const PLAIN_LISTENER: ListenerInfo = { scheme: 'http', httpsPort: -1 };

export class Pipeline implements ExchangeOwner, FilteredOwner, AiOwner {
  #runtime: Runtime;
  #listenPort: number;
  readonly #scheme: 'http' | 'https';
  #httpsPort: number;
  readonly #limits: WorkerLimits;
  readonly #log: AccessLog;
  readonly #match = new MatchResult();
  readonly #balanceInput = new BalanceInput();
  /** key-auth's way back into the pipeline (auth-step.ts), bound once. */
  readonly #authOwner: AuthOwner = {
    proceed: (ctx, routeIndex, bodyRead) => this.#proceed(ctx, routeIndex, bodyRead),
    local: (ctx, code, close) => this.#local(ctx, code, close),
    fail: (ctx, err) => this.fail(ctx, err),
    aborted: (ctx) => this.#onAborted(ctx),
    finish: (ctx) => this.finish(ctx),
  };
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

  constructor(runtime: Runtime, listenPort: number, limits: WorkerLimits, log: AccessLog, workerIndex: number, listener: ListenerInfo = PLAIN_LISTENER) {
    this.#runtime = runtime;
    this.#listenPort = listenPort;
    this.#scheme = listener.scheme;
    this.#httpsPort = listener.httpsPort;
    this.metrics = listener.metrics ?? new WorkerMetrics();
    this.#limits = limits;
    this.#log = log;
    const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
    this.#idPrefix = `${random}${workerIndex.toString(16).padStart(2, '0')}`;
    this.handle = (res, req) => {
      try {
        this.#onRequest(res, req);
      } catch (err) {
        this.#crashed(res, err);
      }
    };
  }

  get runtime(): Runtime {
    return this.#runtime;
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

  #onRequest(res: HttpResponse, req: HttpRequest): void {
    const ctx = new RequestContext(res, req, this.#runtime, this.#listenPort, this.#nextId(), performance.now());
    this.inflight++;
    const limits = this.#limits;
    if (ctx.url.length + ctx.query.length > limits.maxUrlLength) return this.#local(ctx, ErrorCode.URI_TOO_LONG, true);
    if (ctx.headerBytes > limits.maxHeaderBytes) return this.#local(ctx, ErrorCode.HEADERS_TOO_LARGE, true);
    const path = normalizePath(ctx.url);
    if (path === null) return this.#local(ctx, ErrorCode.BAD_REQUEST, true);
    ctx.path = path;

    const runtime = ctx.runtime;
    const m = this.#match;
    if (!runtime.matcher.match(ctx.method, ctx.host, ctx.port, path, ctx.headers, m)) {
      return this.#local(ctx, ErrorCode.NO_ROUTE, false);
    }
    const route = runtime.routes[m.route];
    if (route === undefined) return this.#local(ctx, ErrorCode.NO_ROUTE, false);
    ctx.route = route;
    ctx.matchedPathLength = m.pathLength;
    ctx.matchEntry = m.entry;
    // Kong checks only this direction: an https request on an http-only route is served.
    if (this.#scheme === 'http' && !route.protocols.includes('http')) return this.#requireHttps(ctx);
    // Authentication comes before the route's filters, AI exchange or proxying.
    const auth = runtime.routeAuth[m.route] ?? null;
    if (auth !== null) return authenticate(ctx, auth, m.route, this.#scheme, limits.maxBodyBytes, this.#authOwner);
    this.#proceed(ctx, m.route, false);
  }

  /**
   * After routing (and authentication): the AI exchange, the filters, or the proxy.
   * `bodyRead`: key-auth already read the whole body into ctx.body (key_in_body; compile
   * allows it only on routes without filters or AI plugins).
   */
  #proceed(ctx: RequestContext, routeIndex: number, bodyRead: boolean): void {
    const runtime = ctx.runtime;
    const route = ctx.route;
    if (route === null) return this.#local(ctx, ErrorCode.NO_ROUTE, false);
    const res = ctx.res;
    const limits = this.#limits;
    const ai = runtime.routeAi[routeIndex] ?? null;
    if (ai !== null) {
      // An AI route answers from an LLM provider: it needs no service.
      const exchange = new AiExchange(ctx, ai, this, limits.maxBodyBytes);
      ctx.ai = exchange;
      res.onAborted(() => this.#onAborted(ctx));
      exchange.start(ctx.header('transfer-encoding') !== undefined || (ctx.header('content-length') ?? '0') !== '0');
      return;
    }
    const service = route.service < 0 ? undefined : runtime.services[route.service];
    if (service === undefined) return this.#local(ctx, ErrorCode.NO_SERVICE, false);
    ctx.service = service;
    const path = ctx.path;
    if (bodyRead) {
      ctx.upstreamPath = buildUpstreamPath(service.config.path, path, ctx.matchedPathLength, route.stripPath, route.pathHandling);
      if (ctx.query.length > 0) ctx.upstreamPath += `?${ctx.query}`;
      this.#dispatch(ctx, -1, -1);
      return;
    }

    // Body framing, decided from the headers before reading a byte of it.
    const contentLength = ctx.header('content-length');
    const chunked = ctx.header('transfer-encoding') !== undefined;
    let declared = -1;
    if (contentLength !== undefined) {
      if (!isDigits(contentLength)) return this.#local(ctx, ErrorCode.BAD_REQUEST, true);
      declared = Number(contentLength);
    }
    if (limits.maxBodyBytes > 0 && declared > limits.maxBodyBytes) {
      return this.#local(ctx, ErrorCode.BODY_TOO_LARGE, true);
    }
    const hasBody = chunked || declared > 0;

    ctx.upstreamPath = buildUpstreamPath(service.config.path, path, ctx.matchedPathLength, route.stripPath, route.pathHandling);
    if (ctx.query.length > 0) ctx.upstreamPath += `?${ctx.query}`;
    res.onAborted(() => this.#onAborted(ctx));
    const filters = runtime.routeFilters[routeIndex] ?? null;
    if (filters !== null) {
      const filtered = new FilteredRequest(ctx, filters, this, limits.maxBodyBytes);
      ctx.filtered = filtered;
      filtered.start(hasBody, chunked ? -1 : declared);
      return;
    }
    if (!hasBody) {
      this.#dispatch(ctx, -1, chunked ? -1 : declared);
      return;
    }
    res.onData((chunk, isLast) => this.#onBody(ctx, chunk, isLast, chunked ? -1 : declared));
  }

  #onBody(ctx: RequestContext, chunk: ArrayBuffer, isLast: boolean, declared: number): void {
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    const max = this.#limits.maxBodyBytes;
    if (max > 0 && ctx.bytesIn > max) {
      this.bodyTooLarge(ctx);
      return;
    }
    const body = ctx.body;
    if (body === null) {
      if (isLast) {
        // The whole body came in one chunk: send it as one Buffer (retryable).
        ctx.body = copyChunk(chunk);
        this.#dispatch(ctx, -1, -1);
        return;
      }
      const stream = new RequestBodyStream(ctx.res);
      ctx.body = stream;
      stream.feed(copyChunk(chunk), false);
      this.#dispatch(ctx, -1, declared);
      return;
    }
    if (body instanceof RequestBodyStream) body.feed(copyChunk(chunk), isLast);
  }

  #dispatch(ctx: RequestContext, exclude: number, streamedLength: number): void {
    const service = ctx.service;
    if (service === null) return;
    const upstream = service.upstream;
    // One BalanceInput per worker: pick() is synchronous, so it is never shared by two requests.
    const input = this.#balanceInput;
    input.fill(ctx.remoteAddress, ctx.headers, ctx.path, ctx.query, null);
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
      // A chain that cannot see the response (no response, log or done callback) leaves it
      // to the plain exchange: nothing of the response phases runs for it.
      ctx.filtered === null || !ctx.filtered.run.filtersResponse ? new ProxyExchange(ctx, this, index) : new FilteredExchange(ctx, this, index, ctx.filtered),
    );
  }

  // ---- FilteredOwner (routes with WASM filters) ----

  dispatchFiltered(ctx: RequestContext): void {
    // Filters may rewrite the body: it goes upstream chunked, without the client's length.
    this.#dispatch(ctx, -1, -1);
  }

  forwardBody(ctx: RequestContext, chunk: ArrayBuffer, isLast: boolean, declared: number): void {
    this.#onBody(ctx, chunk, isLast, declared);
  }

  respondLocal(ctx: RequestContext, response: LocalResponse): void {
    if (ctx.finished) return;
    ctx.finished = true;
    ctx.res.cork(() => {
      ctx.status = writeLocalResponse(ctx.res, response, ctx.requestId);
    });
    this.finish(ctx);
  }

  bodyTooLarge(ctx: RequestContext): void {
    const err = new GatehouseError(ErrorCode.BODY_TOO_LARGE);
    const body = ctx.body;
    if (body instanceof RequestBodyStream) body.fail(err);
    if (ctx.abortUpstream !== null) ctx.abortUpstream(err);
    else this.fail(ctx, err);
  }

  // ---- ExchangeOwner ----

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
    ctx.finished = true;
    ctx.status = ERRORS[code].status;
    // A body we did not read to its end leaves the connection unusable: close it.
    const close = ctx.body instanceof RequestBodyStream || code === ErrorCode.BODY_TOO_LARGE;
    ctx.res.cork(() => writeError(ctx.res, code, ctx.requestId, close));
    this.finish(ctx);
  }

  finish(ctx: RequestContext): void {
    this.inflight--;
    // proxy_on_log / on_done for each filter, after the response is complete.
    if (ctx.filtered !== null) ctx.filtered.run.finish();
    this.metrics.record(ctx, performance.now());
    this.#log.write(ctx);
    if (this.inflight === 0 && this.onIdle !== null) this.onIdle();
  }

  // ---- local answers ----

  #local(ctx: RequestContext, code: ErrorCode, close: boolean): void {
    ctx.finished = true;
    ctx.status = writeError(ctx.res, code, ctx.requestId, close);
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
    if (ctx.abortUpstream !== null) ctx.abortUpstream(err);
    if (ctx.ai !== null) ctx.ai.aborted();
    this.finish(ctx);
  }

  /** A bug in the pipeline answers 500 for this request instead of killing the worker. */
  #crashed(res: HttpResponse, err: unknown): void {
    process.stderr.write(`gatehouse: request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    try {
      writeError(res, ErrorCode.INTERNAL, '', true);
    } catch {
      /* the response was already ended or aborted */
    }
  }

  #nextId(): string {
    this.#counter++;
    return `${this.#idPrefix}${this.#counter.toString(16).padStart(8, '0')}`;
  }
}
