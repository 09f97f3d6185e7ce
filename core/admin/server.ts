/**
 * The admin listener (127.0.0.1:8001 by default): Kong's Admin API on node:http, on the
 * supervisor thread — admin traffic is light and must never share a thread with the
 * proxy's hot path. Each request: token check -> bounded body -> path table -> handler;
 * every AdminError becomes its status and JSON body, anything else a logged 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { adminBindProblem, tokenCheck } from './auth.js';
import { MAX_ADMIN_BODY_BYTES, readBody } from './body.js';
import { PathTable } from './dispatch.js';
import { AdminError, unauthorized } from './errors.js';
import { AdminState, type AdminSupervisor } from './state.js';
import { configRoutes } from './routes/config.js';
import { debugEndpointsEnabled, debugRoutes } from './routes/debug.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { consumerRoutes } from './routes/consumers.js';
import { credentialRoutes } from './routes/credentials.js';
import { filterChainRoutes } from './routes/filter-chains.js';
import { pluginSchemaRoutes } from './routes/plugin-schemas.js';
import { pluginRoutes } from './routes/plugins.js';
import { routeRoutes } from './routes/routes.js';
import { serviceRoutes } from './routes/services.js';
import { statusRoutes } from './routes/status.js';
import { targetRoutes } from './routes/targets.js';
import { upstreamRoutes } from './routes/upstreams.js';

export interface AdminOptions {
  /** Required on every request when set (GATEHOUSE_ADMIN_TOKEN). */
  token?: string | null;
  /** Every successful change is written here as a declarative document (--persist-config). */
  persistPath?: string | null;
  maxBodyBytes?: number;
  log?: Logger;
  /** Mount the debug endpoints (routes/debug.ts); default: GATEHOUSE_DEBUG_ENDPOINTS=1. */
  debugEndpoints?: boolean;
}

export function adminTable(debug = false): PathTable {
  const table = new PathTable().add(
    ...statusRoutes(),
    ...serviceRoutes(),
    ...routeRoutes(),
    ...upstreamRoutes(),
    ...targetRoutes(),
    ...consumerRoutes(),
    ...credentialRoutes(),
    // Before /plugins/:id, which would take `enabled` for an id.
    ...pluginSchemaRoutes(),
    ...pluginRoutes(),
    ...filterChainRoutes(),
    ...configRoutes(),
    ...metricsRoutes(),
    ...healthRoutes(),
  );
  return debug ? table.add(...debugRoutes()) : table;
}

function sendText(res: ServerResponse, status: number, text: string, contentType: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

function send(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  if (body === undefined || status === 204 || status === 304) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

export class AdminServerError extends Error {
  override readonly name = 'AdminServerError';
}

export function startAdminServer(
  supervisor: AdminSupervisor,
  host: string,
  port: number,
  options: AdminOptions = {},
): Promise<{ server: Server; port: number }> {
  const token = options.token ?? null;
  const problem = adminBindProblem(host, token);
  if (problem !== null) return Promise.reject(new AdminServerError(problem));
  const state = new AdminState(supervisor, options.persistPath ?? null, options.log ?? null);
  const table = adminTable(options.debugEndpoints ?? debugEndpointsEnabled());
  const authorized = tokenCheck(token);
  const limit = options.maxBodyBytes ?? MAX_ADMIN_BODY_BYTES;
  const log = options.log;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    try {
      if (authorized !== null && !authorized(req.headers)) throw unauthorized();
      const url = new URL(req.url ?? '/', 'http://admin');
      const found = table.resolve(req.method ?? 'GET', url.pathname);
      if (found instanceof AdminError) throw found;
      const rawBody = await readBody(req, limit);
      const out = await found.handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        params: found.params,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        rawBody,
        state,
      });
      if (out.text !== undefined) sendText(res, out.status, out.text, out.contentType ?? 'text/plain; charset=utf-8', head);
      else send(res, out.status, out.body, head);
    } catch (err) {
      if (err instanceof AdminError) {
        if (err.status === 413) res.setHeader('connection', 'close');
        send(res, err.status, err.body, head);
        return;
      }
      log?.error({ err: err instanceof Error ? err.message : String(err), method: req.method, url: req.url }, 'admin request failed');
      send(res, 500, { message: 'An unexpected error occurred' }, head);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
