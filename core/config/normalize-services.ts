/**
 * Services and routes: url shorthand, Kong defaults, nested routes hoisted to the top
 * level with their service id, and the route checks Kong makes (something to match on,
 * regex paths that compile, no `host` header rule, protocols from one group), plus the
 * refusal of what we cannot serve (grpc/stream protocols, SNI and expression matching).
 */
import type { RawRoute, RawService } from './document-types.js';
import type { NormalizeContext } from './normalize-context.js';
import { nonEmpty } from './normalize-context.js';
import type { NormalizedRoute, NormalizedService, Protocol } from './types.js';
import { joinPath } from './schema-errors.js';
import { ROUTE_DEFAULTS } from './schema/route.js';
import { SERVICE_DEFAULTS } from './schema/service.js';
import { isServedProtocol, routeProtocolsProblem } from './protocols.js';
import { parseServiceUrl } from './service-url.js';

export interface PlacedRoute {
  raw: RawRoute;
  path: string;
  id: string;
  /** Id of the enclosing service for nested routes. */
  parentService: string | null;
  /** The schema pass rejected it: registered and its children visited, but not built. */
  bad: boolean;
}

export interface PlacedService {
  raw: RawService;
  path: string;
  id: string;
  bad: boolean;
}

/** Register services and every route (nested and top-level) so references can resolve. */
export function registerServicesAndRoutes(ctx: NormalizeContext, services: RawService[] | undefined, routes: RawRoute[] | undefined): {
  services: PlacedService[];
  routes: PlacedRoute[];
} {
  const placedServices: PlacedService[] = [];
  const placedRoutes: PlacedRoute[] = [];
  for (const { item, path, bad } of ctx.items(services, 'services', true)) {
    const id = ctx.services.register(ctx, path, item, item.name, typeof item.name === 'string' ? item.name : `#${path}`);
    placedServices.push({ raw: item, path, id, bad });
    for (const r of ctx.items(item.routes, joinPath(path, 'routes'), true)) {
      const rid = ctx.routes.register(ctx, r.path, r.item, r.item.name, typeof r.item.name === 'string' ? r.item.name : `#${r.path}`);
      placedRoutes.push({ raw: r.item, path: r.path, id: rid, parentService: id, bad: r.bad });
    }
  }
  for (const { item, path, bad } of ctx.items(routes, 'routes', true)) {
    const id = ctx.routes.register(ctx, path, item, item.name, typeof item.name === 'string' ? item.name : `#${path}`);
    placedRoutes.push({ raw: item, path, id, parentService: null, bad });
  }
  return { services: placedServices, routes: placedRoutes };
}

export function buildService(ctx: NormalizeContext, { raw, path, id }: PlacedService): NormalizedService | null {
  let protocol: Protocol | undefined;
  let host = raw.host;
  let port = raw.port;
  let upstreamPath = raw.path;
  const before = ctx.errors.length;
  if (raw.url !== undefined) {
    // Kong expands the url shorthand over protocol, host, port and path, without a
    // warning: the url wins, and a part it leaves out takes its default, never the field
    // written beside it (kong/db/schema/entities/services.lua shorthand_fields).
    const parsed = parseServiceUrl(raw.url);
    if (typeof parsed === 'string') {
      ctx.error(joinPath(path, 'url'), parsed);
    } else {
      protocol = parsed.protocol;
      host = parsed.host;
      port = parsed.port ?? undefined;
      upstreamPath = parsed.path ?? undefined;
    }
  } else {
    // The schema refused every protocol but these two.
    if (raw.protocol !== undefined && isServedProtocol(raw.protocol)) protocol = raw.protocol;
    if (host === undefined) ctx.error(path, 'must set url or host');
  }
  const clientCertificate = raw.client_certificate === undefined
    ? null
    : ctx.certificates.resolve(ctx, joinPath(path, 'client_certificate'), raw.client_certificate);
  const caCertificates = raw.ca_certificates === undefined || raw.ca_certificates === null
    ? null
    : raw.ca_certificates.map((ref, i) => ctx.caCertificates.resolve(ctx, joinPath(joinPath(path, 'ca_certificates'), i), ref) ?? ref);
  if (ctx.errors.length > before || host === undefined) return null;

  const proto = protocol ?? SERVICE_DEFAULTS.protocol;
  const lowerHost = host.toLowerCase();
  return {
    id,
    name: raw.name ?? null,
    protocol: proto,
    host: lowerHost,
    port: port ?? (proto === 'https' ? SERVICE_DEFAULTS.httpsPort : SERVICE_DEFAULTS.httpPort),
    path: upstreamPath ?? null,
    retries: raw.retries ?? SERVICE_DEFAULTS.retries,
    connect_timeout: raw.connect_timeout ?? SERVICE_DEFAULTS.connect_timeout,
    write_timeout: raw.write_timeout ?? SERVICE_DEFAULTS.write_timeout,
    read_timeout: raw.read_timeout ?? SERVICE_DEFAULTS.read_timeout,
    enabled: raw.enabled ?? SERVICE_DEFAULTS.enabled,
    tags: raw.tags ?? [],
    upstream: ctx.upstreams.byName(lowerHost),
    tls_verify: raw.tls_verify ?? null,
    tls_verify_depth: raw.tls_verify_depth ?? null,
    ca_certificates: caCertificates,
    client_certificate: clientCertificate,
  };
}

/** Compile-check a regex the way the router will (JS RegExp), returning the reason on failure. */
function regexError(source: string, flags: string): string | null {
  try {
    new RegExp(source, flags);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // "Invalid regular expression: /(/: Unterminated group" -> "Unterminated group"
    const reason = message.slice(message.lastIndexOf(': ') + 2);
    return `invalid regex: ${reason}`;
  }
}

/**
 * Kong route fields that narrow matching in ways our router does not implement: when one
 * is set, refusing the route is the only safe answer (ignoring it would let through
 * traffic the route was written to keep out). Empty lists and a 0 priority change nothing.
 */
function checkUnsupportedRouteFields(ctx: NormalizeContext, raw: RawRoute, path: string): void {
  const unsupported = (field: string, why: string): void => ctx.error(joinPath(path, field), `not supported: ${why}`);
  if (nonEmpty(raw.snis)) unsupported('snis', 'Gatehouse routes do not match on the TLS server name');
  if (nonEmpty(raw.sources)) unsupported('sources', 'stream routes (client ip/port rules) are not served');
  if (nonEmpty(raw.destinations)) unsupported('destinations', 'stream routes (local ip/port rules) are not served');
  if (raw.expression !== undefined) unsupported('expression', "Kong's expressions router is not implemented; use paths, hosts, methods and headers");
  if (raw.priority !== undefined && raw.priority !== 0) unsupported('priority', "Kong's expressions router priority is not implemented (regex_priority orders regex paths)");
}

export function buildRoute(ctx: NormalizeContext, { raw, path, id, parentService }: PlacedRoute): NormalizedRoute | null {
  const before = ctx.errors.length;
  let service = parentService;
  if (parentService === null && raw.service !== undefined) {
    service = ctx.services.resolve(ctx, joinPath(path, 'service'), raw.service);
  }
  const protocols = (raw.protocols ?? [...ROUTE_DEFAULTS.protocols]) as Protocol[];
  const protocolProblem = routeProtocolsProblem(protocols);
  if (protocolProblem !== null) ctx.error(joinPath(path, 'protocols'), protocolProblem);
  checkUnsupportedRouteFields(ctx, raw, path);
  // Kong's http-route rule; a route of another protocol group is already refused above.
  if (protocolProblem === null && !nonEmpty(raw.methods) && !nonEmpty(raw.hosts) && !nonEmpty(raw.paths) && (raw.headers === undefined || Object.keys(raw.headers).length === 0)) {
    ctx.error(path, 'must set at least one of methods, hosts, headers, paths');
  }
  raw.paths?.forEach((p, i) => {
    if (!p.startsWith('~')) return;
    const problem = regexError(p.slice(1), '');
    if (problem !== null) ctx.error(joinPath(joinPath(path, 'paths'), i), problem);
  });
  let headers: Record<string, string[]> | null = null;
  if (raw.headers !== undefined && Object.keys(raw.headers).length > 0) {
    headers = {};
    for (const [name, values] of Object.entries(raw.headers)) {
      const headerPath = joinPath(joinPath(path, 'headers'), name);
      const lower = name.toLowerCase();
      if (lower === 'host') {
        ctx.error(headerPath, 'cannot match on the host header (use hosts)');
        continue;
      }
      values.forEach((v, i) => {
        if (!v.startsWith('~*')) return;
        const problem = regexError(v.slice(2), 'i');
        if (problem !== null) ctx.error(joinPath(headerPath, i), problem);
      });
      headers[lower] = [...(headers[lower] ?? []), ...values];
    }
  }
  if (ctx.errors.length > before) return null;
  return {
    id,
    name: raw.name ?? null,
    service,
    protocols,
    methods: nonEmpty(raw.methods) ? raw.methods.map((m) => m.toUpperCase()) : null,
    hosts: nonEmpty(raw.hosts) ? raw.hosts.map((h) => h.toLowerCase()) : null,
    paths: nonEmpty(raw.paths) ? [...raw.paths] : null,
    headers,
    strip_path: raw.strip_path ?? ROUTE_DEFAULTS.strip_path,
    preserve_host: raw.preserve_host ?? ROUTE_DEFAULTS.preserve_host,
    regex_priority: raw.regex_priority ?? ROUTE_DEFAULTS.regex_priority,
    path_handling: raw.path_handling ?? ROUTE_DEFAULTS.path_handling,
    https_redirect_status_code: raw.https_redirect_status_code ?? ROUTE_DEFAULTS.https_redirect_status_code,
    request_buffering: raw.request_buffering ?? ROUTE_DEFAULTS.request_buffering,
    response_buffering: raw.response_buffering ?? ROUTE_DEFAULTS.response_buffering,
    tags: raw.tags ?? [],
  };
}
