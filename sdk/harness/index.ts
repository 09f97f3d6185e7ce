/**
 * The plugin test harness: run a `.wasm` filter against the real proxy-wasm host (the same
 * validation, instrumentation, limits and fault rules as the gateway) with scripted
 * requests, no server. Importable from vitest and used by `gatehouse plugin test`.
 *
 *   const h = createHarness(wasm, { config: { header: 'x-hello' } });
 *   const r = await h.run(get('/hello'));
 *   expect(r.request.headers['x-hello']).toBe('world');
 */
import { ABI_TABLE, MapType } from '../../core/wasm/abi/constants.js';
import type { OnError } from '../../core/wasm/faults.js';
import type { HeaderPair } from '../../core/wasm/header-map.js';
import { SimpleHostRequest } from '../../core/wasm/host-request.js';
import { Verdict, type HttpStream } from '../../core/wasm/http-stream.js';
import { WasmInstance, type WasmInstanceOptions, type WasmLogRecord } from '../../core/wasm/instance.js';
import { resolveLimits, type WasmLimits, type WasmLimitsInput } from '../../core/wasm/limits.js';
import { WasmMetrics } from '../../core/wasm/metrics.js';
import { contentHash, prepareModuleSync, type PreparedModule } from '../../core/wasm/prepare/prepare.js';
import { SharedKv } from '../../core/shared/kv.js';
import { bodyBytes, type BodyInit, type ScriptedRequest, type ScriptedResponse } from './request.js';

export { get, post, response, type ScriptedRequest, type ScriptedResponse } from './request.js';
export { Verdict } from '../../core/wasm/http-stream.js';
export type { WasmLogRecord } from '../../core/wasm/instance.js';

export interface HarnessOptions {
  /** Filter name (`plugin_name`); defaults to "plugin". */
  readonly name?: string;
  readonly rootId?: string;
  readonly config?: WasmInstanceOptions['config'];
  readonly vmConfig?: string | Uint8Array;
  readonly onError?: OnError;
  readonly limits?: WasmLimitsInput;
  /** Share a table between harnesses (or with worker threads); a fresh one by default. */
  readonly kv?: SharedKv;
  readonly metrics?: WasmMetrics;
  /** Lowest log level kept, by name; default 'trace' (everything). */
  readonly logLevel?: keyof typeof ABI_TABLE.LogLevel;
  readonly resolveUpstream?: (name: string) => string | null;
}

export interface LocalResponseView {
  readonly status: number;
  readonly details: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
  readonly bodyBytes: Uint8Array;
}

export interface RunResult {
  /** Where the filter stopped the request, or 'completed'. */
  readonly stoppedAt: 'request_headers' | 'request_body' | 'response_headers' | 'response_body' | 'completed';
  readonly localResponse: LocalResponseView | null;
  /** The request as forwarded upstream (after the filter's changes). */
  readonly request: { readonly headers: Record<string, string | string[]>; readonly body: string; readonly bodyBytes: Uint8Array };
  /** The response as sent to the client (after the filter's changes); null if a local response replaced it. */
  readonly response: { readonly status: number; readonly headers: Record<string, string | string[]>; readonly body: string } | null;
  readonly fault: { readonly kind: string; readonly message: string } | null;
}

const decoder = new TextDecoder();

/** Prepared modules by content hash: instrumenting with binaryen is the slow step of a harness. */
const prepared = new Map<string, PreparedModule>();

function prepare(wasm: Uint8Array, limits: WasmLimits): PreparedModule {
  const hash = contentHash(wasm, limits.memoryPages, limits.fuelPerCallback);
  let p = prepared.get(hash);
  if (p === undefined) {
    p = prepareModuleSync({ wasm, memoryPages: limits.memoryPages, fuel: limits.fuelPerCallback });
    prepared.set(hash, p);
  }
  return p;
}

function view(stream: HttpStream): LocalResponseView | null {
  const r = stream.localResponse;
  if (r === null) return null;
  const headers: Record<string, string | string[]> = {};
  for (const [n, v] of r.headers as HeaderPair[]) {
    const prev = headers[n];
    headers[n] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { status: r.status, details: r.details, headers, body: decoder.decode(r.body), bodyBytes: r.body };
}

/** One request driven phase by phase, for tests that need the steps apart. */
export class HarnessRequest {
  readonly host: SimpleHostRequest;
  readonly stream: HttpStream;

  constructor(host: SimpleHostRequest, stream: HttpStream) {
    this.host = host;
    this.stream = stream;
  }

  requestHeaders(endOfStream = false): Promise<Verdict> {
    return Promise.resolve(this.stream.requestHeaders(endOfStream));
  }

  requestBody(body: BodyInit, endOfStream = true): Verdict {
    return this.stream.requestBody(bodyBytes(body), endOfStream);
  }

  requestTrailers(): Verdict {
    return this.stream.requestTrailers();
  }

  responseHeaders(response: ScriptedResponse, endOfStream = false): Promise<Verdict> {
    this.host.setResponse(response);
    return Promise.resolve(this.stream.responseHeaders(endOfStream));
  }

  responseBody(body: BodyInit, endOfStream = true): Verdict {
    return this.stream.responseBody(bodyBytes(body), endOfStream);
  }

  responseTrailers(): Verdict {
    return this.stream.responseTrailers();
  }

  /** proxy_on_log, proxy_on_done, proxy_on_delete. */
  finish(): void {
    this.stream.finish();
  }

  get localResponse(): LocalResponseView | null {
    return view(this.stream);
  }
}

export class Harness {
  readonly instance: WasmInstance;
  readonly metrics: WasmMetrics;
  readonly kv: SharedKv;
  readonly limits: WasmLimits;
  readonly logs: WasmLogRecord[] = [];

  constructor(wasm: Uint8Array, options: HarnessOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.metrics = options.metrics ?? new WasmMetrics(this.limits.maxMetrics);
    this.kv = options.kv ?? SharedKv.create();
        const instanceOptions: WasmInstanceOptions = {
      name: options.name ?? 'plugin',
      ...(options.rootId === undefined ? {} : { rootId: options.rootId }),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.vmConfig === undefined ? {} : { vmConfig: options.vmConfig }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      ...(options.resolveUpstream === undefined ? {} : { resolveUpstream: options.resolveUpstream }),
      limits: this.limits,
      kv: this.kv,
      metrics: this.metrics,
      logLevel: ABI_TABLE.LogLevel[options.logLevel ?? 'Trace'],
      log: (record) => this.logs.push(record),
    };
    this.instance = new WasmInstance(prepare(wasm, this.limits), instanceOptions);
  }

  /** Start a request; drive it with the returned object's phase methods. */
  request(init: ScriptedRequest = {}): HarnessRequest {
    const host = new SimpleHostRequest(init);
    return new HarnessRequest(host, this.instance.stream(host));
  }

  /** Drive a whole request: headers, body, upstream response headers and body, log. */
  async run(init: ScriptedRequest = {}): Promise<RunResult> {
    const req = this.request(init);
    const body = init.body === undefined ? null : bodyBytes(init.body);
    const upstream: ScriptedResponse = init.response ?? { status: 200 };
    const upstreamBody = upstream.body === undefined ? null : bodyBytes(upstream.body);
    let stoppedAt: RunResult['stoppedAt'] = 'completed';
    const forwarded: Uint8Array[] = [];
    const sent: Uint8Array[] = [];
    try {
      if ((await req.requestHeaders(body === null)) === Verdict.LocalResponse) {
        stoppedAt = 'request_headers';
      } else if (body !== null && req.requestBody(body, true) === Verdict.LocalResponse) {
        stoppedAt = 'request_body';
      } else {
        forwarded.push(req.stream.takeRequestBody());
        if ((await req.responseHeaders(upstream, upstreamBody === null)) === Verdict.LocalResponse) {
          stoppedAt = 'response_headers';
        } else if (upstreamBody !== null && req.responseBody(upstreamBody, true) === Verdict.LocalResponse) {
          stoppedAt = 'response_body';
        } else {
          sent.push(req.stream.takeResponseBody());
        }
      }
    } finally {
      req.finish();
    }
    const local = req.localResponse;
    const requestBody = Buffer.concat(forwarded);
    const fault = req.stream.fault;
    return {
      stoppedAt,
      localResponse: local,
      request: { headers: req.host.requestHeaders.toRecord(), body: decoder.decode(requestBody), bodyBytes: requestBody },
      response:
        local !== null || req.host.responseHeaders === null
          ? null
          : {
              status: Number(req.host.responseHeaders.get(':status') ?? 0),
              headers: req.host.responseHeaders.toRecord(),
              body: decoder.decode(Buffer.concat(sent)),
            },
      fault: fault === null ? null : { kind: fault.kind, message: fault.message },
    };
  }

  /** A shared-data value as text, or null. */
  sharedData(key: string): string | null {
    const e = this.kv.get(key);
    return e === null ? null : decoder.decode(e.value);
  }

  /** A guest metric's value by name. */
  metric(name: string): number | undefined {
    return this.metrics.valueOf(name);
  }

  faults(kind?: string): number {
    return this.metrics.faultCount(this.instance.name, kind);
  }

  /** Log messages at or above a level name. */
  messages(level?: WasmLogRecord['level']): string[] {
    return this.logs.filter((r) => level === undefined || r.level === level).map((r) => r.message);
  }

  close(): void {
    this.instance.close();
  }
}

export function createHarness(wasm: Uint8Array, options: HarnessOptions = {}): Harness {
  return new Harness(wasm, options);
}

export { MapType };
