/**
 * The admin listener (127.0.0.1:8001 by default). This is the read-only core of Kong's
 * Admin API: `GET /` (node info) and `GET /status` (workers, config version and hash).
 * It runs on the supervisor thread with node:http: admin traffic is light and must
 * never share a thread with the proxy's hot path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Supervisor } from '../supervisor/main.js';

const VERSION = '0.1.0';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(supervisor: Supervisor, req: IncomingMessage, res: ServerResponse): void {
  const url = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { message: 'Method not allowed' });
    return;
  }
  if (url === '/') {
    send(res, 200, {
      tagline: 'Welcome to gatehouse',
      version: VERSION,
      hostname: hostname(),
      node_version: process.version,
      configuration: { proxy_port: supervisor.port, workers: supervisor.workerStates().length },
    });
    return;
  }
  if (url === '/status') {
    send(res, 200, {
      configuration_hash: supervisor.configHash,
      config_version: supervisor.version,
      workers: supervisor.workerStates(),
      worker_restarts: supervisor.restarts,
      config_reloads: supervisor.reloads,
      uptime_seconds: Math.round((Date.now() - supervisor.startedAt) / 1000),
      memory: { rss: process.memoryUsage.rss() },
    });
    return;
  }
  send(res, 404, { message: 'Not found' });
}

export function startAdminServer(supervisor: Supervisor, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => handle(supervisor, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
