/**
 * Kong's log serializer (kong.log.serialize, Kong 3.x): the entry http-log, file-log,
 * tcp-log, udp-log and syslog send. Built at most once per request (the context caches
 * it, and its JSON text), only when a log plugin asks, in the log phase.
 *
 *   request        id, uri, url, querystring, method, headers (authorization and
 *                  proxy-authorization REDACTED, as Kong 3.x does), size
 *   upstream_uri, upstream_status ('' when the upstream never answered)
 *   response       status, headers as sent to the client, size
 *   latencies      kong, proxy (-1 without an upstream answer), request, receive (ms)
 *   tries          one entry per upstream attempt: ip, port (and timing for the last)
 *   route, service, consumer, authenticated_entity (when known)
 *   client_ip, started_at, source ('upstream' | 'kong'), workspace, workspace_name
 *
 * Fields plugins set with setLogValue are applied last; a dotted key (`a.b.c`) sets a
 * nested field, creating the objects on its way (Kong's set_serialize_value, mode "set").
 */
import type { RequestContext } from '../worker/context.js';
import type { RawHeader } from '../plugins/response-head.js';
import { isDroppedResponseHeader, VIA_TOKEN } from '../lib/headers.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';

/**
 * Gatehouse has one workspace, Kong's `default`; its id is the one config/ids.ts derives
 * for it (deriveId('workspace', 'default')), stable across nodes and restarts.
 */
export const DEFAULT_WORKSPACE_ID = '0f99ed8b-c42e-5160-89ff-1153b49a75e3';

const REDACTED_REQUEST_HEADERS = new Set(['authorization', 'proxy-authorization']);

type HeaderObject = Record<string, string | string[]>;

function addHeader(out: HeaderObject, name: string, value: string): void {
  const prev = out[name];
  if (prev === undefined) out[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [prev, value];
}

function requestHeaders(list: readonly string[]): HeaderObject {
  const out: HeaderObject = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    addHeader(out, name, REDACTED_REQUEST_HEADERS.has(name) ? 'REDACTED' : (list[i + 1] as string));
  }
  return out;
}

function text(v: RawHeader): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

/** The headers the client got: a plugin-edited head, else the upstream's less hop-by-hop ones, plus the gateway's. */
function responseHeaders(ctx: RequestContext): HeaderObject {
  const out: HeaderObject = {};
  const head = ctx.responseHead;
  const fromUpstream = head === null && ctx.upstreamRawHeaders !== null && ctx.answer === null;
  const list: readonly RawHeader[] = head !== null ? head.list() : fromUpstream ? (ctx.upstreamRawHeaders as readonly RawHeader[]) : [];
  let via = '';
  for (let i = 0; i < list.length; i += 2) {
    const name = text(list[i] as RawHeader).toLowerCase();
    const value = text(list[i + 1] as RawHeader);
    if (name === 'via') {
      via = via === '' ? value : `${via}, ${value}`;
      continue;
    }
    if (isDroppedResponseHeader(name) && name !== 'content-length') continue;
    addHeader(out, name, value);
  }
  if (ctx.status === 0) return out;
  out['via'] = via === '' ? VIA_TOKEN : `${via}, ${VIA_TOKEN}`;
  out[REQUEST_ID_HEADER] = ctx.requestId;
  if (fromUpstream) {
    out['x-gatehouse-upstream-latency'] = String(Math.round(ctx.upstreamFirstByte - ctx.upstreamStart));
    out['x-gatehouse-proxy-latency'] = String(Math.round(ctx.upstreamStart - ctx.startTime));
  }
  return out;
}

function queryObject(query: string): Record<string, string | boolean | string[]> {
  const out: Record<string, string | boolean | string[]> = {};
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string | boolean;
    try {
      name = decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq === -1 ? true : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      name = eq === -1 ? part : part.slice(0, eq);
      value = eq === -1 ? true : part.slice(eq + 1);
    }
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else out[name] = [...(Array.isArray(prev) ? prev : [String(prev)]), String(value)];
  }
  return out;
}

/** Kong's `tries`: one entry per upstream attempt, the last with its dispatch time. */
function triesOf(ctx: RequestContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const index of ctx.earlierTargets ?? []) {
    const t = ctx.targetAt(index);
    if (t !== undefined) out.push({ ip: t.host, port: t.port });
  }
  const last = ctx.targetAt(ctx.targetIndex);
  if (last !== undefined) {
    out.push({ ip: last.host, port: last.port, balancer_start: Math.round(ctx.startedAt + (ctx.upstreamStart - ctx.startTime)), balancer_latency: 0 });
  }
  return out;
}

/** Kong's set_serialize_value with mode "set": dotted keys address nested objects. */
function applyValue(root: Record<string, unknown>, key: string, value: unknown): void {
  if (!key.includes('.')) {
    root[key] = value;
    return;
  }
  const parts = key.split('.');
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = node[part];
    if (next === undefined || next === null || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function serializeForLog(ctx: RequestContext): Record<string, unknown> {
  const now = performance.now();
  const upstreamStarted = ctx.upstreamStart > 0;
  const route = ctx.route;
  const service = ctx.service;
  const consumer = ctx.consumer;
  const uri = ctx.url + (ctx.query === '' ? '' : `?${ctx.query}`);
  const entry: Record<string, unknown> = {
    request: {
      id: ctx.requestId,
      uri,
      url: `${ctx.scheme}://${ctx.host === '' ? '127.0.0.1' : ctx.host}:${ctx.port}${uri}`,
      querystring: queryObject(ctx.query),
      method: ctx.method,
      headers: requestHeaders(ctx.headers),
      size: ctx.headerBytes + ctx.bytesIn,
    },
    upstream_uri: upstreamStarted ? ctx.upstreamPath : '',
    upstream_status: ctx.upstreamStatus === 0 ? '' : String(ctx.upstreamStatus),
    response: {
      status: ctx.status,
      headers: responseHeaders(ctx),
      size: ctx.bytesOut,
    },
    latencies: {
      kong: Math.round((upstreamStarted ? ctx.upstreamStart : now) - ctx.startTime),
      proxy: upstreamStarted && ctx.upstreamFirstByte > 0 ? Math.round(ctx.upstreamFirstByte - ctx.upstreamStart) : -1,
      request: Math.round(now - ctx.startTime),
      receive: ctx.upstreamFirstByte > 0 ? Math.round(now - ctx.upstreamFirstByte) : 0,
    },
    tries: triesOf(ctx),
    client_ip: ctx.remoteAddress,
    started_at: ctx.startedAt,
    source: ctx.fromUpstream ? 'upstream' : 'kong',
    workspace: DEFAULT_WORKSPACE_ID,
    workspace_name: 'default',
  };
  if (route !== null) {
    entry['route'] = {
      id: route.id,
      name: route.name,
      protocols: route.protocols,
      strip_path: route.stripPath,
      preserve_host: route.preserveHost,
      path_handling: route.pathHandling,
      https_redirect_status_code: route.httpsRedirectStatusCode,
      ws_id: DEFAULT_WORKSPACE_ID,
    };
  }
  if (service !== null) {
    const s = service.config;
    entry['service'] = {
      id: s.id,
      name: s.name,
      protocol: s.protocol,
      path: s.path,
      retries: s.retries,
      connect_timeout: s.connectTimeout,
      read_timeout: s.readTimeout,
      write_timeout: s.writeTimeout,
      ws_id: DEFAULT_WORKSPACE_ID,
    };
  }
  if (consumer !== null) {
    entry['consumer'] = { id: consumer.id, username: consumer.username, custom_id: consumer.customId };
    if (ctx.credentialId !== null) entry['authenticated_entity'] = { id: ctx.credentialId, consumer_id: consumer.id };
  }
  const extra = ctx.logExtra;
  if (extra !== null) for (const key of Object.keys(extra)) applyValue(entry, key, extra[key]);
  return entry;
}
