/**
 * Kong's log serializer (kong.log.serialize, the object http-log, file-log, tcp-log,
 * udp-log and syslog send): request, response, latencies, route, service, consumer,
 * client_ip, started_at, upstream_uri, tries. Built at most once per request (the
 * context caches it), only when a log plugin asks, in the log phase.
 */
import type { RequestContext } from '../worker/context.js';

function headerObject(list: readonly (string | Buffer)[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = String(list[i]).toLowerCase();
    const value = String(list[i + 1]);
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
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

function ms(value: number): number {
  return Math.round(value);
}

export function serializeForLog(ctx: RequestContext): Record<string, unknown> {
  const now = performance.now();
  const upstreamStarted = ctx.upstreamStart > 0;
  const route = ctx.route;
  const service = ctx.service;
  const consumer = ctx.consumer;
  const url = `${ctx.scheme}://${ctx.host === '' ? '127.0.0.1' : ctx.host}:${ctx.port}${ctx.url}${ctx.query === '' ? '' : `?${ctx.query}`}`;
  const entry: Record<string, unknown> = {
    request: {
      method: ctx.method,
      uri: ctx.url + (ctx.query === '' ? '' : `?${ctx.query}`),
      url,
      querystring: queryObject(ctx.query),
      headers: headerObject(ctx.headers),
      size: ctx.headerBytes + ctx.bytesIn,
      id: ctx.requestId,
    },
    upstream_uri: upstreamStarted ? ctx.upstreamPath : '',
    response: {
      status: ctx.status,
      headers: headerObject(ctx.response.headers),
      size: ctx.bytesOut,
    },
    tries: ctx.tries,
    latencies: {
      request: ms(now - ctx.startTime),
      kong: ms((upstreamStarted ? ctx.upstreamStart : now) - ctx.startTime),
      proxy: upstreamStarted && ctx.upstreamFirstByte > 0 ? ms(ctx.upstreamFirstByte - ctx.upstreamStart) : -1,
    },
    client_ip: ctx.remoteAddress,
    started_at: ctx.startedAt,
    source: upstreamStarted && ctx.answer === null ? 'upstream' : ctx.answer !== null ? 'exit' : 'kong',
  };
  if (route !== null) entry['route'] = { id: route.id, name: route.name, protocols: route.protocols, strip_path: route.stripPath, preserve_host: route.preserveHost };
  if (service !== null) {
    const s = service.config;
    entry['service'] = { id: s.id, name: s.name, protocol: s.protocol, path: s.path, retries: s.retries, connect_timeout: s.connectTimeout, read_timeout: s.readTimeout, write_timeout: s.writeTimeout };
  }
  if (consumer !== null) {
    entry['consumer'] = { id: consumer.id, username: consumer.username, custom_id: consumer.customId };
    if (ctx.credentialId !== null) entry['authenticated_entity'] = { id: ctx.credentialId };
  }
  const extra = ctx.logExtra;
  if (extra !== null) for (const key of Object.keys(extra)) entry[key] = extra[key];
  return entry;
}
