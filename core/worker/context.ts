/**
 * RequestContext: everything one request needs, copied from the uWS request at once
 * (a uWS HttpRequest is valid only inside its handler). A fixed-shape class: the
 * constructor sets every field, so V8 keeps one hidden class for all requests.
 *
 * It is also the plugin API (core/plugins/contract.ts PluginRequest): plugins read and
 * change the request through these methods, keep per-request state in the chain's slots,
 * and answer with exit(). A route without plugins never touches that part.
 */
import type { HttpRequest, HttpResponse } from './http-front.js';
import type { CompiledRoute } from '../compile/types.js';
import type { Runtime, ServiceRuntime } from './runtime.js';
import type { RequestBodyStream } from '../proxy/request-body.js';
import type { Consumer } from '../plugins/consumer.js';
import { setConsumerHeaders } from '../plugins/consumer.js';
import type { PluginHandler, PluginRequest } from '../plugins/contract.js';
import { runBody, runResponse, type RouteChain } from '../plugins/chain.js';
import { ResponseHead, type RawHeader } from '../plugins/response-head.js';
import { BodyReader, type BodyOwner } from './body-reader.js';
import { serializeForLog } from '../observe/log-serializer.js';
import type { WorkerMetrics } from '../observe/metrics.js';

// Header copying without a closure per request: uWS calls collect() for each header,
// and collect() appends to the array of the context being built.
let collecting: string[] = [];
let collectedBytes = 0;
let collectedConnection = '';
function collect(name: string, value: string): void {
  collecting.push(name, value);
  collectedBytes += name.length + value.length + 4;
  if (name === 'connection') collectedConnection = value;
}

const decoder = new TextDecoder();
const EMPTY_BODY = Buffer.alloc(0);
/** The response head before there is one (read-only use only). */
const NO_RESPONSE = new ResponseHead(0, []);

/** A response decided by the gateway or a plugin (exit), before the response phase. */
export interface LocalAnswer {
  status: number;
  /** Flat `[name, value, …]`. */
  headers: string[];
  body: Buffer | string;
}

/** What the request needs from the pipeline that owns it, beyond the fields. */
export interface ContextOwner {
  /** The body broke the size limit while a plugin was reading it. */
  bodyTooLarge(ctx: RequestContext): void;
  readonly maxBodyBytes: number;
  /** The response is complete (or cut): log phase, metrics, access log. */
  finish(ctx: RequestContext): void;
  readonly metrics: WorkerMetrics;
}

export class RequestContext implements PluginRequest, BodyOwner {
  readonly res: HttpResponse;
  readonly runtime: Runtime;
  readonly owner: ContextOwner;
  readonly scheme: 'http' | 'https';
  /** Request method (a plugin may change the upstream's). */
  method: string;
  /** Raw path as received (before normalisation), without the query. */
  readonly url: string;
  /** Raw query string without `?`, or ''. */
  query: string;
  /** Flat `[name, value, …]`, names lower-case, in arrival order; plugin changes go here. */
  headers: string[];
  readonly headerBytes: number;
  /** The Connection header's value ('' when absent): its tokens are hop-by-hop too. */
  readonly connection: string;
  readonly remoteAddress: string;
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startTime: number;
  /** Date.now() at arrival (log entries). */
  readonly startedAt: number;
  /** Host header without port, lower-case ('' when absent). */
  host: string;
  /** Port from the Host header, else the listener's. */
  port: number;
  /** Normalised path used for routing. */
  path: string;
  route: CompiledRoute | null;
  service: ServiceRuntime | null;
  /** Length of the matched path part (for strip_path). */
  matchedPathLength: number;
  /** Router entry that matched (for uri captures). */
  matchEntry: number;
  /** A Set-Cookie the balancer asks for (consistent hashing on a cookie), or null. */
  setCookie: string | null;
  upstreamPath: string;
  /** The whole upstream path a plugin set (setPath), or null. */
  pathOverride: string | null;
  /** The whole upstream request target a WASM filter set through `:path` (path and query, sent as is), or null. */
  rawUpstreamPath: string | null;
  /** Headers to send upstream, built once (reused by retries). */
  upstreamHeaders: string[] | null;
  /** null (no body), a complete Buffer, or a stream fed by uWS onData. */
  body: Buffer | RequestBodyStream | null;
  /** Content-Length or chunked body announced by the client. */
  hasBody: boolean;
  /** The client's Content-Length, -1 when chunked or absent. */
  declaredLength: number;
  /** Content-Length sent upstream with a streamed body (-1: chunked); kept for a retry. */
  streamedLength: number;
  /** Aborts the current upstream request (set by the client's onConnect). */
  abortUpstream: ((err: Error) => void) | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** performance.now() when the upstream request was dispatched / answered; 0 = not yet. */
  upstreamStart: number;
  upstreamFirstByte: number;
  tries: number;
  /** The upstream's status and raw headers (log entries), or 0 / null when it never answered. */
  upstreamStatus: number;
  upstreamRawHeaders: readonly RawHeader[] | null;
  /** Target index (in the service's upstream) of the last attempt, -1 before any; earlier attempts' on retries. */
  targetIndex: number;
  earlierTargets: number[] | null;
  /** Host header a plugin set through `:authority`, else null. */
  hostOverride: string | null;
  /** The route's plugin chain for this listener, or null (no plugins: no cost). */
  chain: RouteChain | null;
  /** The body as plugins read it (created on first need), or null. */
  reader: BodyReader | null;
  /** Largest body a plugin may read whole, bytes (0 = unlimited): the gateway's, lowered by limitBody. */
  maxBody: number;
  /** A response a plugin or the gateway decided on, waiting for the response phase; or null. */
  answer: LocalAnswer | null;
  /** Per chain slot: plugin state, made on the first setState. */
  states: unknown[] | null;
  /** Per chain slot: the consumer-specific handler picked in access (consumer-scoped chains only). */
  resolved: (PluginHandler | null)[] | null;
  responseHead: ResponseHead | null;
  /** Fields plugins added to the log entry (setLogValue), or null. */
  logExtra: Record<string, unknown> | null;
  /** The consumer an auth plugin identified (or its anonymous consumer), else null. */
  consumer: Consumer | null;
  /** The id of the credential that authenticated the request; null when anonymous or none. */
  credentialId: string | null;
  authenticatedGroups: readonly string[] | null;
  aborted: boolean;
  /** The response is complete (or the connection was closed): the uWS response is gone. */
  finished: boolean;
  #serialized: Record<string, unknown> | null;
  #serializedJson: string | null;

  constructor(res: HttpResponse, req: HttpRequest, runtime: Runtime, owner: ContextOwner, scheme: 'http' | 'https', listenPort: number, requestId: string, startTime: number) {
    this.res = res;
    this.runtime = runtime;
    this.owner = owner;
    this.scheme = scheme;
    this.method = req.getCaseSensitiveMethod();
    this.url = req.getUrl();
    this.query = req.getQuery() ?? '';
    collecting = [];
    collectedBytes = 0;
    collectedConnection = '';
    req.forEach(collect);
    this.headers = collecting;
    this.headerBytes = collectedBytes;
    this.connection = collectedConnection;
    this.remoteAddress = decoder.decode(res.getRemoteAddressAsText());
    this.requestId = requestId;
    this.startTime = startTime;
    this.startedAt = Date.now();
    const hostHeader = req.getHeader('host');
    const split = splitHostPort(hostHeader);
    this.host = split === -1 ? hostHeader.toLowerCase() : hostHeader.slice(0, split).toLowerCase();
    this.port = split === -1 ? listenPort : Number(hostHeader.slice(split + 1)) || listenPort;
    this.path = this.url;
    this.route = null;
    this.service = null;
    this.matchedPathLength = 0;
    this.matchEntry = -1;
    this.setCookie = null;
    this.upstreamPath = '';
    this.pathOverride = null;
    this.rawUpstreamPath = null;
    this.upstreamHeaders = null;
    this.body = null;
    this.hasBody = false;
    this.declaredLength = -1;
    this.streamedLength = -1;
    this.abortUpstream = null;
    this.status = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.upstreamStart = 0;
    this.upstreamFirstByte = 0;
    this.tries = 0;
    this.upstreamStatus = 0;
    this.upstreamRawHeaders = null;
    this.targetIndex = -1;
    this.earlierTargets = null;
    this.hostOverride = null;
    this.chain = null;
    this.reader = null;
    this.maxBody = owner.maxBodyBytes;
    this.answer = null;
    this.states = null;
    this.resolved = null;
    this.responseHead = null;
    this.logExtra = null;
    this.consumer = null;
    this.credentialId = null;
    this.authenticatedGroups = null;
    this.aborted = false;
    this.finished = false;
    this.#serialized = null;
    this.#serializedJson = null;
  }

  /** First value of a header (lower-case name), or undefined. */
  header(name: string): string | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === name) return headers[i + 1];
    }
    return undefined;
  }

  // ---- plugin API: the request ----

  get routeName(): string {
    return this.route?.name ?? '';
  }

  get serviceName(): string {
    return this.service?.config.name ?? '';
  }

  readBody(): Buffer | Promise<Buffer> {
    const body = this.body;
    if (body instanceof Buffer) return body;
    if (!this.hasBody) return EMPTY_BODY;
    const reader = (this.reader ??= new BodyReader(this.res, this));
    const whole = reader.whole();
    if (whole instanceof Promise) {
      return whole.then((b) => {
        if (this.body === null) this.body = b;
        return this.body instanceof Buffer ? this.body : b;
      });
    }
    this.body = whole;
    return whole;
  }

  /** Lowers the body limit for this request (a plugin's own limit; 0 = none of its own). */
  limitBody(max: number): void {
    if (max > 0 && (this.maxBody === 0 || max < this.maxBody)) this.maxBody = max;
  }

  /** BodyOwner: the limit broke while a plugin read the body. */
  bodyTooLarge(): void {
    this.owner.bodyTooLarge(this);
  }

  setHeader(name: string, value: string): void {
    // Kong's set_header("Host", …) sets the Host sent upstream; the request keeps the client's.
    if (name === 'host') {
      this.hostOverride = value;
      return;
    }
    this.removeHeader(name);
    this.headers.push(name, value);
  }

  addHeader(name: string, value: string): void {
    if (name === 'host') {
      this.hostOverride = value;
      return;
    }
    this.headers.push(name, value);
  }

  uriCaptures(): RegExpExecArray | null {
    return this.matchEntry < 0 ? null : this.runtime.matcher.uriCaptures(this.matchEntry, this.path);
  }

  removeHeader(name: string): void {
    const headers = this.headers;
    let w = 0;
    for (let r = 0; r < headers.length; r += 2) {
      if (headers[r] === name) continue;
      if (w !== r) {
        headers[w] = headers[r] as string;
        headers[w + 1] = headers[r + 1] as string;
      }
      w += 2;
    }
    headers.length = w;
  }

  setQuery(query: string): void {
    this.query = query;
  }

  setMethod(method: string): void {
    this.method = method;
  }

  setPath(path: string): void {
    this.pathOverride = path;
  }

  setBody(body: Buffer): void {
    this.body = body;
  }

  // ---- plugin API: identity ----

  authenticate(consumer: Consumer, credentialId: string | null, identifier?: string): void {
    this.consumer = consumer;
    this.credentialId = credentialId;
    setConsumerHeaders(this.headers, null, consumer, credentialId === null ? null : (identifier ?? credentialId));
  }

  // ---- plugin API: answering ----

  exit(status: number, body?: string | Buffer | Record<string, unknown> | null, headers?: readonly string[]): void {
    const list = headers === undefined ? [] : [...headers];
    let payload: Buffer | string = '';
    if (body instanceof Buffer || typeof body === 'string') payload = body;
    else if (body !== null && body !== undefined) {
      payload = JSON.stringify(body);
      if (!hasHeader(list, 'content-type')) list.push('content-type', 'application/json; charset=utf-8');
    }
    this.answer = { status, headers: list, body: payload };
  }

  get exited(): boolean {
    return this.answer !== null || this.finished;
  }

  getState(slot: number): unknown {
    return this.states === null ? undefined : this.states[slot];
  }

  setState(slot: number, value: unknown): void {
    const states = (this.states ??= new Array<unknown>(this.chain?.size ?? slot + 1));
    states[slot] = value;
  }

  /**
   * A responder plugin's answer head (status, flat header list) through the chain's
   * response phase; a promise only when a step paused. ctx.response holds the result.
   */
  startResponse(status: number, headers: readonly RawHeader[]): void | Promise<void> {
    const head = new ResponseHead(status, headers);
    this.responseHead = head;
    this.status = status;
    const steps = this.chain?.response ?? null;
    return steps === null ? undefined : runResponse(this, steps);
  }

  /** A responder plugin's body chunk through the chain's body phase. */
  filterBody(chunk: Buffer, last: boolean): Buffer {
    const steps = this.chain?.body ?? null;
    return steps === null ? chunk : runBody(this, steps, chunk, last);
  }

  get response(): ResponseHead {
    return this.responseHead ?? NO_RESPONSE;
  }

  setLogValue(key: string, value: unknown): void {
    (this.logExtra ??= {})[key] = value;
    // An entry already built is stale now (Kong builds it anew on each serialize()).
    this.#serialized = null;
    this.#serializedJson = null;
  }

  serialize(): Record<string, unknown> {
    return (this.#serialized ??= serializeForLog(this));
  }

  serializeJson(): string {
    return (this.#serializedJson ??= JSON.stringify(this.serialize()));
  }

  /** An upstream attempt starts on `target` (the exchange's constructor). */
  noteTry(target: number): void {
    if (this.targetIndex >= 0) (this.earlierTargets ??= []).push(this.targetIndex);
    this.targetIndex = target;
  }

  get upstreamHost(): string {
    return this.#target(this.targetIndex)?.host ?? '';
  }

  get upstreamPort(): number {
    return this.#target(this.targetIndex)?.port ?? 0;
  }

  /** The compiled target at `index` of this request's upstream, if any. */
  targetAt(index: number): { host: string; port: number } | undefined {
    return this.#target(index);
  }

  #target(index: number): { host: string; port: number } | undefined {
    return index < 0 ? undefined : this.service?.upstream.targets[index]?.target;
  }

  get fromUpstream(): boolean {
    // upstreamFirstByte: set by every upstream client when the answer's head arrives (the
    // proxy's and the AI exchange's alike); an answer of the gateway's replaces it.
    return this.upstreamFirstByte > 0 && this.answer === null;
  }
}

function hasHeader(list: readonly string[], name: string): boolean {
  for (let i = 0; i < list.length; i += 2) if ((list[i] as string).toLowerCase() === name) return true;
  return false;
}

/** Index of the `:` before a port in a Host value (IPv6-literal aware), or -1. */
function splitHostPort(value: string): number {
  const colon = value.lastIndexOf(':');
  if (colon === -1) return -1;
  // `[::1]` or `[::1]:8000`: the port colon comes after the closing bracket.
  const bracket = value.lastIndexOf(']');
  if (bracket !== -1 && colon < bracket) return -1;
  return colon;
}
