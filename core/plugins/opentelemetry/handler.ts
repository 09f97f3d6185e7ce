/**
 * opentelemetry, worker side.
 *
 *   access    W3C `traceparent` from the client (when extracted and valid) gives the trace
 *             id, the parent and the sampling decision; otherwise a new trace, sampled with
 *             probability sampling_rate. Headers in `clear` are removed; `traceparent` is
 *             injected upstream with the id of the upstream-call span as its parent (as
 *             Kong injects its balancer span).
 *   response  (only with http_response_header_for_traceid) the trace id on the response.
 *   log       sampled requests: a SERVER span "kong" for the request and a CLIENT span
 *             "kong.balancer" for the upstream call, timed from the request context,
 *             encoded to OTLP protobuf once and queued; batches go to the collector off
 *             the request path (retried with backoff, counted when lost).
 */
import { hostname } from 'node:os';
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { acquireQueue, releaseQueue, type LogQueue } from '../../observe/log-queue.js';
import { exportBatch, exportTarget, type ExportTarget } from '../../observe/http-export.js';
import { GATEHOUSE_VERSION } from '../../lib/version.js';
import { encodeExport, encodeResource, encodeSpan, SpanKind, StatusCode, type AttributeValue } from './otlp.js';
import { formatTraceparent, parseTraceparent, randomHex, randomUnit } from './trace-context.js';
import type { CompiledOtel } from './definition.js';

/** One request's trace ids and sampling decision (the step's state slot). */
class Trace {
  readonly traceId: string;
  readonly rootSpanId: string;
  readonly clientSpanId: string;
  /** The client's span ('' when the request started the trace). */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly sampled: boolean;
  constructor(traceId: string, parentSpanId: string, traceState: string, sampled: boolean) {
    this.traceId = traceId;
    this.rootSpanId = randomHex(8);
    this.clientSpanId = randomHex(8);
    this.parentSpanId = parentSpanId;
    this.traceState = traceState;
    this.sampled = sampled;
  }
}

/** Idle connections to the collector (Kong keeps lua-resty-http's default pool keepalive, 60 s). */
const KEEPALIVE_MS = 60_000;

/** The collector accepts a batch with 200 (Kong's check). */
const accepted = (status: number): boolean => status === 200;

function nanos(performanceMs: number): bigint {
  return BigInt(Math.round((performance.timeOrigin + performanceMs) * 1e6));
}

class Otel implements PluginHandler {
  readonly #c: CompiledOtel;
  readonly #queue: LogQueue<Uint8Array>;
  readonly #target: ExportTarget;
  readonly #resource: Buffer;

  constructor(c: CompiledOtel, env: PluginEnv) {
    this.#c = c;
    this.#target = exportTarget(c.origin, { connectMs: c.connectTimeoutMs, readMs: c.readTimeoutMs, totalMs: c.connectTimeoutMs + c.sendTimeoutMs + c.readTimeoutMs }, KEEPALIVE_MS, c.queue.concurrencyLimit);
    const attributes = new Map<string, string>([
      ['service.name', 'kong'],
      ['service.version', GATEHOUSE_VERSION],
      ['service.instance.id', `${hostname()}-${process.pid}`],
    ]);
    for (const [k, v] of c.resourceAttributes) attributes.set(k, v);
    this.#resource = encodeResource([...attributes]);
    this.#queue = acquireQueue<Uint8Array>(c.queueName, 'opentelemetry', c.queue, (spans) => this.#send(spans), env);
  }

  access(req: PluginRequest, slot: number): void {
    const c = this.#c;
    const trace = this.#begin(req);
    req.setState(slot, trace);
    for (const name of c.clear) req.removeHeader(name);
    if (c.inject) req.setHeader('traceparent', formatTraceparent(trace.traceId, trace.clientSpanId, trace.sampled));
  }

  log(req: PluginRequest, slot: number): void {
    // A request answered before access (a global plugin on a 404) is traced from here.
    const trace = (req.getState(slot) as Trace | undefined) ?? this.#begin(req);
    if (!trace.sampled) return;
    const end = nanos(performance.now());
    const uri = req.query === '' ? req.url : `${req.url}?${req.query}`;
    const root: [string, AttributeValue][] = [
      ['http.method', req.method],
      ['http.url', `${req.scheme}://${req.host}${uri}`],
      ['http.host', req.host],
      ['http.scheme', req.scheme],
      ['http.flavor', '1.1'],
      ['http.client_ip', req.remoteAddress],
      ['net.peer.ip', req.remoteAddress],
      ['kong.request.id', req.requestId],
      ['http.status_code', { int: req.status }],
    ];
    this.#queue.enqueue(
      encodeSpan({ traceId: trace.traceId, spanId: trace.rootSpanId, parentSpanId: trace.parentSpanId, traceState: trace.traceState, name: 'kong', kind: SpanKind.SERVER, startNs: nanos(req.startTime), endNs: end, attributes: root, status: StatusCode.UNSET }),
    );
    if (req.upstreamStart === 0) return;
    const call: [string, AttributeValue][] = [
      ['try_count', { int: req.tries }],
      ['net.peer.ip', req.upstreamHost],
      ['net.peer.port', { int: req.upstreamPort }],
      ['net.peer.name', req.upstreamHost],
      ['http.method', req.method],
    ];
    if (req.upstreamStatus !== 0) call.push(['http.status_code', { int: req.upstreamStatus }]);
    this.#queue.enqueue(
      encodeSpan({
        traceId: trace.traceId,
        spanId: trace.clientSpanId,
        parentSpanId: trace.rootSpanId,
        traceState: '',
        name: 'kong.balancer',
        kind: SpanKind.CLIENT,
        startNs: nanos(req.upstreamStart),
        endNs: end,
        attributes: call,
        // The upstream never answered (refused, timed out, reset): Kong marks the try failed.
        status: req.upstreamStatus === 0 ? StatusCode.ERROR : StatusCode.UNSET,
      }),
    );
  }

  close(): void {
    releaseQueue(this.#queue);
  }

  #begin(req: PluginRequest): Trace {
    const c = this.#c;
    const parent = c.extract ? parseTraceparent(req.header('traceparent')) : null;
    if (parent !== null) return new Trace(parent.traceId, parent.spanId, req.header('tracestate') ?? '', parent.sampled);
    return new Trace(randomHex(16), '', '', c.samplingRate > 0 && randomUnit() < c.samplingRate);
  }

  #send(spans: readonly Uint8Array[]): Promise<void> {
    const c = this.#c;
    return exportBatch(this.#target, { path: c.path, method: 'POST', headers: c.headers, body: encodeExport(this.#resource, spans) }, accepted);
  }
}

/** With http_response_header_for_traceid: the same, plus the trace id on the response. */
class OtelWithTraceHeader extends Otel {
  readonly #header: string;

  constructor(c: CompiledOtel, env: PluginEnv, header: string) {
    super(c, env);
    this.#header = header;
  }

  response(req: PluginRequest, slot: number): void {
    const trace = req.getState(slot) as Trace | undefined;
    if (trace !== undefined) req.response.set(this.#header, trace.traceId);
  }
}

export const handler: PluginHandlerModule<CompiledOtel, undefined> = {
  name: 'opentelemetry',
  create: (config, env) => (config.traceIdHeader === null ? new Otel(config, env) : new OtelWithTraceHeader(config, env, config.traceIdHeader)),
};
