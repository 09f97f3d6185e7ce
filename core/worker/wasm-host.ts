/**
 * The proxy-wasm host's view of one real request (core/wasm/host-request.ts's contract),
 * over the worker's RequestContext. Header maps are built only when a filter asks for
 * them. The request map lies over `ctx.headers` itself (HeaderMap.over): what the filters
 * change there is what goes upstream, with no copy in or out; the pseudo-headers
 * (`:path`, `:method`, `:authority`) are read back once the request-headers phase is done.
 * The filter-chain step (wasm-chain.ts) extends this class: one object per request.
 */
import { MapType } from '../wasm/abi/constants.js';
import { HeaderMap } from '../wasm/header-map.js';
import type { HostRequest, PropertyValue } from '../wasm/host-request.js';
import type { RequestContext } from './context.js';
import type { RawHeader } from '../plugins/response-head.js';

function rawText(v: RawHeader): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

export class GatewayHostRequest implements HostRequest {
  readonly ctx: RequestContext;
  #requestHeaders: HeaderMap | null = null;
  /** `:authority` as the client sent it, set when the request map is built. */
  #authority = '';
  /**
   * The upstream response's status and raw headers, set by the exchange; the map a filter
   * sees is built from them only when a filter asks for it (a filter that never reads the
   * response headers costs no map and no re-encoding).
   */
  #responseStatus = 0;
  #responseRaw: readonly RawHeader[] | null = null;
  #responseMap: HeaderMap | null = null;
  /** Trailer maps, made on first use (HTTP/1.1 clients rarely send trailers). */
  #requestTrailers: HeaderMap | null = null;
  #responseTrailers: HeaderMap | null = null;

  constructor(ctx: RequestContext) {
    this.ctx = ctx;
  }

  headers(map: MapType): HeaderMap | null {
    switch (map) {
      case MapType.HttpRequestHeaders:
        return (this.#requestHeaders ??= this.#buildRequestMap());
      case MapType.HttpRequestTrailers:
        return (this.#requestTrailers ??= new HeaderMap());
      case MapType.HttpResponseHeaders:
        return this.#responseHeaders();
      case MapType.HttpResponseTrailers:
        return this.#responseRaw === null ? null : (this.#responseTrailers ??= new HeaderMap());
      default:
        return null;
    }
  }

  headerCount(map: MapType): number {
    switch (map) {
      case MapType.HttpRequestHeaders:
        // The client's headers plus :method, :path, :authority, :scheme.
        return this.#requestHeaders !== null ? this.#requestHeaders.size : this.ctx.headers.length / 2 + 4;
      case MapType.HttpResponseHeaders:
        if (this.#responseMap !== null) return this.#responseMap.size;
        return this.#responseRaw === null ? 0 : this.#responseRaw.length / 2 + 1;
      case MapType.HttpRequestTrailers:
        return this.#requestTrailers?.size ?? 0;
      case MapType.HttpResponseTrailers:
        return this.#responseTrailers?.size ?? 0;
      default:
        return 0;
    }
  }

  /** The upstream response started: its headers become visible to the response phases. */
  setUpstreamResponse(status: number, raw: readonly RawHeader[]): void {
    this.#responseStatus = status;
    this.#responseRaw = raw;
    this.#responseMap = null;
  }

  /** The response map if a filter built it (null: no filter looked, nothing changed). */
  get responseHeaderMap(): HeaderMap | null {
    return this.#responseMap;
  }

  #responseHeaders(): HeaderMap | null {
    if (this.#responseMap !== null) return this.#responseMap;
    const raw = this.#responseRaw;
    if (raw === null) return null;
    const map = new HeaderMap([[':status', String(this.#responseStatus)]]);
    for (let i = 0; i < raw.length; i += 2) {
      map.add(rawText(raw[i] as RawHeader).toLowerCase(), rawText(raw[i + 1] as RawHeader));
    }
    this.#responseMap = map;
    return map;
  }

  #buildRequestMap(): HeaderMap {
    const ctx = this.ctx;
    this.#authority = ctx.header('host') ?? '';
    // uWS lower-cases header names, as HeaderMap.over requires.
    return HeaderMap.over(ctx.headers, [':method', ctx.method, ':path', this.originalPath(), ':authority', this.#authority, ':scheme', ctx.scheme]);
  }

  /**
   * After the request-headers phase: the `:path`, `:method` and `:authority` a filter set
   * become the upstream path, method and Host. (The regular headers are ctx.headers already.)
   */
  protected applyRequestPseudoHeaders(): void {
    const map = this.#requestHeaders;
    if (map === null) return;
    const ctx = this.ctx;
    const path = map.get(':path');
    if (path !== undefined && path !== this.originalPath()) ctx.rawUpstreamPath = path;
    const method = map.get(':method');
    if (method !== undefined && method !== '') ctx.method = method;
    const authority = map.get(':authority');
    if (authority !== undefined && authority !== this.#authority) ctx.hostOverride = authority;
  }

  /** `:path` as the client sent it (path and query). */
  originalPath(): string {
    const ctx = this.ctx;
    return ctx.query.length > 0 ? `${ctx.url}?${ctx.query}` : ctx.url;
  }

  property(path: readonly string[]): PropertyValue | undefined {
    const ctx = this.ctx;
    switch (path.join('.')) {
      case 'request.path':
        return this.originalPath();
      case 'request.url_path':
        return ctx.url;
      case 'request.query':
        return ctx.query;
      case 'request.method':
        return ctx.method;
      case 'request.host':
        return ctx.header('host') ?? '';
      case 'request.scheme':
        return ctx.scheme;
      case 'request.protocol':
        return 'HTTP/1.1';
      case 'request.id':
        return ctx.requestId;
      case 'request.headers':
        return this.headers(MapType.HttpRequestHeaders);
      case 'request.useragent':
        return ctx.header('user-agent') ?? null;
      case 'request.referer':
        return ctx.header('referer') ?? null;
      case 'request.size':
        return ctx.bytesIn;
      case 'source.address':
        return ctx.remoteAddress;
      case 'destination.port':
        return ctx.port;
      case 'response.code':
        return ctx.status === 0 ? undefined : ctx.status;
      case 'response.headers':
        return this.#responseHeaders() ?? undefined;
      case 'route_name':
        return ctx.route?.name ?? undefined;
      case 'route_id':
        return ctx.route?.id ?? undefined;
      case 'service_name':
        return ctx.service?.config.name ?? undefined;
      case 'service_id':
        return ctx.service?.config.id ?? undefined;
      case 'consumer.id':
        return ctx.consumer?.id ?? undefined;
      case 'consumer.username':
        return ctx.consumer?.username ?? undefined;
      default:
        return undefined;
    }
  }
}
