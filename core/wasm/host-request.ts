/**
 * The contract between the proxy-wasm host and whoever owns an HTTP request: the header
 * maps of each phase and the request-level properties. The harness implements it with fake
 * requests (SimpleHostRequest below); the worker pipeline implements it over its
 * RequestContext. Bodies are not here: the host buffers them itself (http-stream.ts).
 */
import { MapType } from './abi/constants.js';
import { encodePairs } from './abi/pairs.js';
import { HeaderMap, type HeaderPair } from './header-map.js';
import type { WasmLimits } from './limits.js';

/**
 * A property value before encoding: strings are UTF-8, numbers and bigints are int64
 * little-endian (as Envoy serialises integers), header maps use the pairs layout, bytes
 * pass through. `null` means the property exists but is empty; `undefined` means unknown.
 */
export type PropertyValue = string | number | bigint | boolean | Uint8Array | HeaderMap | null;

const encoder = new TextEncoder();

/** A property's bytes as the guest reads them (null: a header map over the pair limits). */
export function encodePropertyValue(value: PropertyValue, limits: WasmLimits): Uint8Array | null {
  if (value === null) return new Uint8Array(0);
  if (typeof value === 'string') return encoder.encode(value);
  if (typeof value === 'boolean') return Uint8Array.of(value ? 1 : 0);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, BigInt(typeof value === 'number' ? Math.trunc(value) : value)), true);
    return out;
  }
  if (value instanceof HeaderMap) return encodePairs(value.pairs(), limits);
  return value;
}

export interface HostRequest {
  /** The header map for a map type, or null when it does not exist (yet) in this request. */
  headers(map: MapType): HeaderMap | null;
  /** A request-level property by path segments (`['request', 'path']`), or undefined. */
  property(path: readonly string[]): PropertyValue | undefined;
  /**
   * The number of pairs in a map (the count each headers callback is given), if the owner
   * can tell it without building the map; hosts that build maps lazily implement this so a
   * filter that never reads headers never costs a map.
   */
  headerCount?(map: MapType): number;
}

/** A response produced by the filter itself (`proxy_send_local_response`) or by a fault policy. */
export interface LocalResponse {
  readonly status: number;
  readonly details: string;
  readonly headers: readonly HeaderPair[];
  readonly body: Uint8Array;
}

export interface SimpleRequestInit {
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  readonly scheme?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>> | readonly HeaderPair[];
  readonly trailers?: readonly HeaderPair[];
  readonly id?: string;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly routeName?: string;
  readonly serviceName?: string;
  readonly consumerId?: string;
  readonly consumerUsername?: string;
  /** Extra properties by dotted path (`'my.custom'`). */
  readonly properties?: Readonly<Record<string, PropertyValue>>;
}

export interface SimpleResponseInit {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>> | readonly HeaderPair[];
  readonly trailers?: readonly HeaderPair[];
}

function toMap(headers: SimpleRequestInit['headers']): HeaderMap {
  if (headers === undefined) return new HeaderMap();
  if (Array.isArray(headers)) return new HeaderMap(headers as readonly HeaderPair[]);
  return HeaderMap.fromRecord(headers as Readonly<Record<string, string | readonly string[]>>);
}

let nextRequestId = 1;

/** A plain in-memory request: what the harness drives, and a reference for the pipeline's adapter. */
export class SimpleHostRequest implements HostRequest {
  readonly requestHeaders: HeaderMap;
  readonly requestTrailers: HeaderMap;
  responseHeaders: HeaderMap | null = null;
  responseTrailers: HeaderMap | null = null;
  readonly #init: SimpleRequestInit;
  readonly #id: string;

  constructor(init: SimpleRequestInit = {}) {
    this.#init = init;
    this.#id = init.id ?? `req-${nextRequestId++}`;
    const map = new HeaderMap([
      [':method', init.method ?? 'GET'],
      [':path', init.path ?? '/'],
      [':authority', init.authority ?? 'localhost'],
      [':scheme', init.scheme ?? 'http'],
    ]);
    for (const [n, v] of toMap(init.headers).pairs()) map.add(n, v);
    this.requestHeaders = map;
    this.requestTrailers = new HeaderMap(init.trailers ?? []);
  }

  /** Set the upstream response's headers (`:status` first) before the response phases. */
  setResponse(init: SimpleResponseInit): void {
    const map = new HeaderMap([[':status', String(init.status)]]);
    for (const [n, v] of toMap(init.headers).pairs()) map.add(n, v);
    this.responseHeaders = map;
    this.responseTrailers = new HeaderMap(init.trailers ?? []);
  }

  headers(map: MapType): HeaderMap | null {
    switch (map) {
      case MapType.HttpRequestHeaders:
        return this.requestHeaders;
      case MapType.HttpRequestTrailers:
        return this.requestTrailers;
      case MapType.HttpResponseHeaders:
        return this.responseHeaders;
      case MapType.HttpResponseTrailers:
        return this.responseTrailers;
      default:
        return null;
    }
  }

  property(path: readonly string[]): PropertyValue | undefined {
    const key = path.join('.');
    const extra = this.#init.properties?.[key];
    if (extra !== undefined) return extra;
    const h = this.requestHeaders;
    switch (key) {
      case 'request.path':
        return h.get(':path') ?? null;
      case 'request.url_path': {
        const p = h.get(':path') ?? '';
        const q = p.indexOf('?');
        return q === -1 ? p : p.slice(0, q);
      }
      case 'request.query': {
        const p = h.get(':path') ?? '';
        const q = p.indexOf('?');
        return q === -1 ? '' : p.slice(q + 1);
      }
      case 'request.method':
        return h.get(':method') ?? null;
      case 'request.host':
        return h.get(':authority') ?? null;
      case 'request.scheme':
        return h.get(':scheme') ?? null;
      case 'request.protocol':
        return 'HTTP/1.1';
      case 'request.id':
        return this.#id;
      case 'request.headers':
        return h;
      case 'request.useragent':
        return h.get('user-agent') ?? null;
      case 'request.referer':
        return h.get('referer') ?? null;
      case 'source.address':
        return this.#init.sourceAddress ?? '127.0.0.1';
      case 'source.port':
        return this.#init.sourcePort ?? 0;
      case 'response.code':
        return this.responseHeaders === null ? undefined : Number(this.responseHeaders.get(':status') ?? 0);
      case 'response.headers':
        return this.responseHeaders ?? undefined;
      case 'route_name':
        return this.#init.routeName ?? undefined;
      case 'service_name':
        return this.#init.serviceName ?? undefined;
      case 'consumer.id':
        return this.#init.consumerId ?? undefined;
      case 'consumer.username':
        return this.#init.consumerUsername ?? undefined;
      default:
        return undefined;
    }
  }
}
