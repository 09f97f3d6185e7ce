/**
 * RequestContext: everything one request needs, copied from the uWS request at once
 * (a uWS HttpRequest is valid only inside its handler). A fixed-shape class: the
 * constructor sets every field, so V8 keeps one hidden class for all requests.
 */
import type { HttpRequest, HttpResponse } from './http-front.js';
import type { CompiledRoute } from '../compile/types.js';
import type { Runtime, ServiceRuntime } from './runtime.js';
import type { RequestBodyStream } from '../proxy/request-body.js';
import type { FilteredRequest } from './filtered-request.js';
import type { AiExchange } from '../ai/exchange.js';
import type { Consumer } from '../plugins/consumer.js';

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

export class RequestContext {
  readonly res: HttpResponse;
  readonly runtime: Runtime;
  /** Request method (a WASM filter may change it before dispatch). */
  method: string;
  /** Raw path as received (before normalisation), without the query. */
  readonly url: string;
  /** Raw query string without `?`, or ''; key-auth's hide_credentials removes the key from it. */
  query: string;
  /** Flat `[name, value, …]`, names lower-case, in arrival order. */
  headers: string[];
  readonly headerBytes: number;
  /** The Connection header's value ('' when absent): its tokens are hop-by-hop too. */
  readonly connection: string;
  readonly remoteAddress: string;
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startTime: number;
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
  /** Headers to send upstream, built once (reused by retries). */
  upstreamHeaders: string[] | null;
  /** null (no body), a complete Buffer, or a stream fed by uWS onData. */
  body: Buffer | RequestBodyStream | null;
  /** Content-Length sent upstream with a streamed body (-1: chunked); kept for a retry. */
  streamedLength: number;
  /** Aborts the current upstream request (set by undici's onConnect). */
  abortUpstream: ((err: Error) => void) | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** performance.now() when the upstream request was dispatched / answered; 0 = not yet. */
  upstreamStart: number;
  upstreamFirstByte: number;
  tries: number;
  /** Host header a WASM filter set through `:authority`, else null. */
  hostOverride: string | null;
  /** The WASM filter state of a route with filters, else null (no cost for other routes). */
  filtered: FilteredRequest | null;
  /** The AI exchange of a route with ai-proxy / ai-proxy-advanced, else null. */
  ai: AiExchange | null;
  /** The consumer an auth plugin identified (or its anonymous consumer), else null. */
  consumer: Consumer | null;
  /** The id of the credential that authenticated the request; null when anonymous or none. */
  credentialId: string | null;
  aborted: boolean;
  /** The response is complete (or the connection was closed): the uWS response is gone. */
  finished: boolean;

  constructor(res: HttpResponse, req: HttpRequest, runtime: Runtime, listenPort: number, requestId: string, startTime: number) {
    this.res = res;
    this.runtime = runtime;
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
    this.upstreamHeaders = null;
    this.body = null;
    this.streamedLength = -1;
    this.abortUpstream = null;
    this.status = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.upstreamStart = 0;
    this.upstreamFirstByte = 0;
    this.tries = 0;
    this.hostOverride = null;
    this.filtered = null;
    this.ai = null;
    this.consumer = null;
    this.credentialId = null;
    this.aborted = false;
    this.finished = false;
  }

  /** First value of a header (lower-case name), or undefined. */
  header(name: string): string | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === name) return headers[i + 1];
    }
    return undefined;
  }
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
