/**
 * A fast HTTP echo upstream on uWebSockets.js: the bare target of the bench harness, the
 * quickstart's demo service and the tests' upstream.
 *
 *   GET  /hello            200 text "Hello, World!"
 *   ANY  /anything[/...]   200 JSON {method, path, query, headers, bodyLength, bodySha256}
 *   ANY  /echo             the request body streamed back, same content-type
 *   GET  /bytes/N          N pattern bytes (see byte-pattern.ts) with content-length
 *   GET  /chunked/N        the same bytes, chunked
 *   GET  /sse?events=N&interval=MS   text/event-stream, N events MS apart
 *   ANY  /status/N         status N with a JSON body
 *   ANY  /delay/MS         200 after MS milliseconds
 *   ANY  anything else     200 {"ok":true}
 *
 * CLI: `node dist/bench/upstreams/echo.js --port N [--host H]` prints `listening <port>`.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { echoBody, sendChunkedBytes, sendEvents, sendFixedBytes } from './echo-streams.js';
import { listenApp, loadUws, type ListeningApp } from './uws.js';
import { runIfEntry, serveUntilSignal } from './serve-cli.js';

export interface EchoServerOptions {
  host?: string;
  port?: number;
}

export type EchoServer = ListeningApp;

const JSON_TYPE = 'application/json';
const OK_BODY = '{"ok":true}';
/** Longest accepted `/delay/MS`, so a typo cannot park a connection for hours. */
const MAX_DELAY_MS = 60_000;

function sendJson(res: HttpResponse, status: number, body: string): void {
  res.writeStatus(`${status} ${STATUS_CODES[status] ?? 'Unknown'}`);
  res.writeHeader('content-type', JSON_TYPE);
  // 1xx, 204 and 304 carry no body.
  if (status < 200 || status === 204 || status === 304) res.endWithoutBody();
  else res.end(body);
}

/** Parses a non-negative integer path/query parameter; NaN when it is not one. */
function parseCount(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
}

/** True when the request announces a body (so uWS will deliver onData). */
function hasBody(req: HttpRequest): boolean {
  const length = req.getHeader('content-length');
  return (length !== '' && length !== '0') || req.getHeader('transfer-encoding') !== '';
}

function queryObject(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

function anything(res: HttpResponse, req: HttpRequest): void {
  // The request object dies with this call: copy everything now.
  const method = req.getCaseSensitiveMethod();
  const path = req.getUrl();
  const query = queryObject(req.getQuery() ?? '');
  const headers: Record<string, string> = {};
  req.forEach((key, value) => {
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  });
  const hash = createHash('sha256');
  let bodyLength = 0;
  let aborted = false;
  const reply = (): void => {
    const body = JSON.stringify({ method, path, query, headers, bodyLength, bodySha256: hash.digest('hex') });
    res.cork(() => sendJson(res, 200, body));
  };
  if (!hasBody(req)) {
    reply();
    return;
  }
  res.onAborted(() => {
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    // update() hashes synchronously, before uWS neuters the chunk.
    hash.update(new Uint8Array(chunk));
    bodyLength += chunk.byteLength;
    if (isLast && !aborted) reply();
  });
}

function delay(res: HttpResponse, req: HttpRequest): void {
  const ms = parseCount(req.getParameter(0) ?? '');
  if (!(ms <= MAX_DELAY_MS)) {
    sendJson(res, 400, JSON.stringify({ message: `delay must be 0..${MAX_DELAY_MS} ms` }));
    return;
  }
  let aborted = false;
  const timer = setTimeout(() => {
    if (!aborted) res.cork(() => sendJson(res, 200, JSON.stringify({ delayMs: ms })));
  }, ms);
  res.onAborted(() => {
    aborted = true;
    clearTimeout(timer);
  });
}

function status(res: HttpResponse, req: HttpRequest): void {
  const code = parseCount(req.getParameter(0) ?? '');
  if (!(code >= 100 && code <= 599)) {
    sendJson(res, 400, JSON.stringify({ message: 'status must be 100..599' }));
    return;
  }
  sendJson(res, code, JSON.stringify({ status: code }));
}

function bytes(chunked: boolean) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const total = parseCount(req.getParameter(0) ?? '');
    if (Number.isNaN(total)) {
      sendJson(res, 400, JSON.stringify({ message: 'byte count must be a non-negative integer' }));
    } else if (chunked) {
      sendChunkedBytes(res, total);
    } else {
      sendFixedBytes(res, total);
    }
  };
}

function sse(res: HttpResponse, req: HttpRequest): void {
  const events = parseCount(req.getQuery('events') || '10');
  const interval = parseCount(req.getQuery('interval') || '0');
  if (Number.isNaN(events) || !(interval <= MAX_DELAY_MS)) {
    sendJson(res, 400, JSON.stringify({ message: 'events and interval must be non-negative integers' }));
    return;
  }
  sendEvents(res, events, interval);
}

/** Starts the echo upstream; resolves once it listens (port 0 picks a free port). */
export function startEchoServer(opts: EchoServerOptions = {}): Promise<EchoServer> {
  const uws = loadUws();
  const host = opts.host ?? '127.0.0.1';
  const app = uws
    .App()
    .get('/hello', (res) => {
      res.writeHeader('content-type', 'text/plain').end('Hello, World!');
    })
    .any('/anything', anything)
    .any('/anything/*', anything)
    .any('/echo', (res, req) => {
      if (hasBody(req)) echoBody(res, req.getHeader('content-type'));
      else res.end();
    })
    .get('/bytes/:n', bytes(false))
    .get('/chunked/:n', bytes(true))
    .get('/sse', sse)
    .any('/status/:code', status)
    .any('/delay/:ms', delay)
    .any('/*', (res) => {
      res.writeHeader('content-type', JSON_TYPE).end(OK_BODY);
    });
  return listenApp(uws, app, host, opts.port ?? 0, 'echo upstream');
}

function readFlag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(args: readonly string[]): Promise<void> {
  const portText = readFlag(args, '--port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${portText}`);
  const host = readFlag(args, '--host');
  const server = await startEchoServer(host === undefined ? { port } : { port, host });
  serveUntilSignal(server);
}

runIfEntry(import.meta.url, main);
