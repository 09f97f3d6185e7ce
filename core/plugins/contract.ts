/**
 * The worker side of the plugin contract: what a plugin folder's `handler.ts` exports, and
 * the per-request API its phase methods get (Kong's PDK, in the shape the hot path can
 * afford). Type-only: worker files import it with `import type`.
 *
 *   phases (Kong's, every one in chain order = descending priority):
 *     rewrite      global plugins only, before the others (Kong: no route/consumer yet)
 *     access       auth, limits, guards, transformations; may read the whole body, exit,
 *                  or return a promise (the chain waits; sync until a step returns one)
 *     requestBody  streamed request-body transform (WASM filters); null = answered
 *     respond      one plugin per route may answer instead of the upstream (ai-proxy)
 *     response     Kong's header_filter: status and headers before they are sent
 *     body         Kong's body_filter: each response chunk, `last` on the final one
 *     log          after the response (or the client's abort), for every request
 *
 * A handler implements only the phases it needs; an absent method costs nothing: the
 * chain of a route lists, per phase, only the steps that implement it, and a phase no
 * step implements is null.
 */
import type { Consumer } from './consumer.js';
import type { ResponseHead } from './response-head.js';
import type { TokenCounters } from '../shared/token-counters.js';

/** What a plugin can read and change about one request. RequestContext implements it. */
export interface PluginRequest {
  // ---- the client's request ----
  /** Request method (a plugin may change the upstream's with setMethod). */
  readonly method: string;
  /** Raw path as received (no query). */
  readonly url: string;
  /** Normalised path the router matched. */
  readonly path: string;
  /** Raw query string without `?` ('' when none). */
  readonly query: string;
  /** Flat `[name, value, …]`, names lower-case: the request as it will go upstream. */
  readonly headers: readonly string[];
  /** First value of a header (lower-case name). */
  header(name: string): string | undefined;
  readonly scheme: 'http' | 'https';
  /** Host header without port, lower-case. */
  readonly host: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly requestId: string;
  /** Route / service names for logs and headers ('' when none). */
  readonly routeName: string;
  readonly serviceName: string;
  /** The request carries a body (Content-Length > 0 or chunked). */
  readonly hasBody: boolean;
  /**
   * The whole request body (within the gateway's body limit); a promise when it has not all
   * arrived yet. The body then goes upstream as one buffer (or as setBody left it).
   */
  readBody(): Buffer | Promise<Buffer>;
  /** Lowers the body limit for this request (a plugin's own limit; 0: none). */
  limitBody(max: number): void;

  /**
   * The route's regex path match (numbered and named groups: Kong's uri_captures), or
   * null when the route matched no regex. Matches again on each call: call it once, and
   * only when a capture is needed.
   */
  uriCaptures(): RegExpExecArray | null;

  // ---- the request sent upstream ----
  /** Replaces every `name` header (lower-case); `host` sets the Host sent upstream (Kong's set_header("Host")), the client's stays readable. */
  setHeader(name: string, value: string): void;
  /** Adds one more `name` header (`host`: as setHeader). */
  addHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  setQuery(query: string): void;
  setMethod(method: string): void;
  /** Replaces the whole upstream path (Kong's kong.service.request.set_path: the service's path and strip_path no longer apply). */
  setPath(path: string): void;
  /** Replaces the body sent upstream (reads nothing more from the client). */
  setBody(body: Buffer): void;

  // ---- identity ----
  readonly consumer: Consumer | null;
  readonly credentialId: string | null;
  /**
   * Kong's authenticated consumer; sets the X-Consumer-* upstream headers (anonymous when
   * credentialId is null). `identifier` is the X-Credential-Identifier value when the
   * plugin names its credential by something else than its id (basic-auth and hmac-auth:
   * the username, jwt: the key); default: credentialId.
   */
  authenticate(consumer: Consumer, credentialId: string | null, identifier?: string): void;
  /** Groups an auth plugin found for the consumer (Kong's authenticated_groups), or null. */
  authenticatedGroups: readonly string[] | null;

  // ---- answering ----
  /**
   * Kong's kong.response.exit: the request ends here with this response (a string or
   * Buffer body as is, an object as JSON); the remaining access steps do not run, the
   * response and log phases do.
   */
  exit(status: number, body?: string | Buffer | Record<string, unknown> | null, headers?: readonly string[]): void;
  /** exit() was called (or the gateway answered): later steps must not change the request. */
  readonly exited: boolean;

  // ---- per-request plugin state (slot = the step's index, given to every phase method) ----
  getState(slot: number): unknown;
  setState(slot: number, value: unknown): void;

  // ---- response side (response, body, log phases) ----
  /** The response about to be sent (response phase), then as sent (body, log). */
  readonly response: ResponseHead;
  /** Final status (log phase); 499 when the client went away. */
  readonly status: number;
  /** Adds a field to this request's access-log line and log plugins' entries (Kong's kong.log.set_serialize_value). */
  setLogValue(key: string, value: unknown): void;
  /** Kong's log serializer entry (built once per request, on first use; read it, never change it). */
  serialize(): Record<string, unknown>;
  /** serialize() as JSON text, also built once per request (log plugins share it). */
  serializeJson(): string;

  // ---- timings and outcome (log phase) ----
  /** performance.now() at arrival. */
  readonly startTime: number;
  /** Date.now() at arrival. */
  readonly startedAt: number;
  /** performance.now() when the last upstream attempt was dispatched / its headers arrived; 0: never. */
  readonly upstreamStart: number;
  readonly upstreamFirstByte: number;
  /** Upstream attempts made (0: none). */
  readonly tries: number;
  /** Status the upstream answered with (0: none). */
  readonly upstreamStatus: number;
  /** Host and port of the target of the last upstream attempt ('' / 0: none). */
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** The response sent is the upstream's (Kong's kong.response.get_source() == "service"). */
  readonly fromUpstream: boolean;
  /** Request header and body bytes received; response body bytes sent. */
  readonly headerBytes: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Options of Kong's prometheus plugin that decide which traffic series a request feeds. */
export interface TrafficSeries {
  /** Fill the consumer label (kong_http_requests_total, kong_bandwidth_bytes). */
  readonly perConsumer: boolean;
  readonly statusCodes: boolean;
  readonly latency: boolean;
  readonly bandwidth: boolean;
}

/** The worker's metrics as plugins may feed them (exposed on the admin /metrics). */
export interface PluginMetrics {
  /** Counts work a plugin failed to do off the request path: gatehouse_plugin_failures_total{plugin,kind}. */
  failure(plugin: string, kind: string, count?: number): void;
  /** Records this request into Kong's traffic series with these options (the prometheus plugin). */
  traffic(req: PluginRequest, series: TrafficSeries): void;
}

/** The live objects a handler may use, the same for every request of one config version. */
export interface PluginEnv {
  readonly workerIndex: number;
  /** The plain proxy listener's configured address and port (correlation-id's tracker names where a request was served). */
  readonly listen: { readonly host: string; readonly port: number };
  /** Every consumer of this config version, by CompiledPlugins.consumers index. */
  readonly consumers: readonly Consumer[];
  /** Token counters shared by every worker (AI token limits). */
  readonly tokenCounters: TokenCounters;
  /** Reports a plugin's own failure (a log sink it cannot reach, …) without failing the request; rate-limited per plugin. */
  warn(plugin: string, message: string): void;
  /** Traffic series and failure counters on the admin /metrics. */
  readonly metrics: PluginMetrics;
}

export interface PluginHandler {
  rewrite?(req: PluginRequest, slot: number): void | Promise<void>;
  access?(req: PluginRequest, slot: number): void | Promise<void>;
  /** Streamed request-body transform: the bytes to send on, or null after an exit. */
  requestBody?(req: PluginRequest, slot: number, chunk: Buffer, last: boolean): Buffer | null;
  /** Answers the request instead of the upstream; writes through `req.downstream()`. */
  respond?(req: PluginRequest, slot: number): void;
  response?(req: PluginRequest, slot: number): void | Promise<void>;
  /** `chunk` may be a view of the upstream client's read buffer, valid only during the call: a step that keeps bytes copies them. */
  body?(req: PluginRequest, slot: number, chunk: Buffer, last: boolean): Buffer;
  log?(req: PluginRequest, slot: number): void;
  /** The config version this handler belongs to is retired (close sockets, timers). */
  close?(): void;
  /** Keys of the upstream pools it uses (core/proxy/upstream.ts), kept open across reloads. */
  readonly pools?: readonly string[];
}

/** What `core/plugins/<name>/handler.ts` exports as `handler`. */
export interface PluginHandlerModule<K = unknown, S = unknown> {
  readonly name: string;
  /** Plugin-wide live state from the definition's `shared` data, once per config version. */
  shared?(data: unknown, env: PluginEnv): S;
  /** One handler per plugin entity (shared by every route it applies to). */
  create(config: K, env: PluginEnv, shared: S): PluginHandler;
}
