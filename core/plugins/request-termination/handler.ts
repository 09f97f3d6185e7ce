/**
 * request-termination, access phase: the configured response, or with `echo` a JSON
 * description of the request (method, path, headers, query, body) — only for requests
 * carrying `trigger` (a header or query argument) when one is set.
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { CompiledRequestTermination } from './definition.js';

function queryObject(query: string): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const [k, v] of new URLSearchParams(query)) out[k] = v === '' && !query.includes(`${k}=`) ? true : v;
  return out;
}

function headerObject(headers: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    out[name] = out[name] === undefined ? (headers[i + 1] as string) : `${out[name]}, ${headers[i + 1] as string}`;
  }
  return out;
}

function parsedBody(raw: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? '').toLowerCase();
  try {
    if (type.includes('json')) return JSON.parse(raw.toString('utf8'));
    if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  } catch {
    return null;
  }
  return null;
}

class RequestTermination implements PluginHandler {
  readonly #c: CompiledRequestTermination;
  constructor(c: CompiledRequestTermination) {
    this.#c = c;
  }

  access(req: PluginRequest): void | Promise<void> {
    const c = this.#c;
    // A trigger set and absent from the headers and the query: the request passes.
    if (c.trigger !== null && req.header(c.trigger) === undefined && !new URLSearchParams(req.query).has(c.trigger)) return;
    if (!c.echo) {
      req.exit(c.status, c.body, c.headers);
      return;
    }
    const body = req.readBody();
    if (body instanceof Promise) return body.then((b) => this.#echo(req, b));
    return this.#echo(req, body);
  }

  #echo(req: PluginRequest, raw: Buffer): void {
    const c = this.#c;
    const content = {
      message: c.message,
      request: {
        scheme: req.scheme,
        host: req.host,
        port: req.port,
        headers: headerObject(req.headers),
        query: queryObject(req.query),
        body: parsedBody(raw, req.header('content-type')),
        raw_body: raw.toString('utf8'),
        method: req.method,
        path: req.url,
      },
      matched_route: req.routeName === '' ? null : { name: req.routeName },
      matched_service: req.serviceName === '' ? null : { name: req.serviceName },
    };
    req.exit(c.status, content);
  }
}

export const handler: PluginHandlerModule<CompiledRequestTermination, undefined> = {
  name: 'request-termination',
  create: (config) => new RequestTermination(config),
};
