/**
 * Mock LLM providers speaking the real wire formats, for tests, the bench and the
 * quickstart (no keys, no internet). One server answers, by path:
 *
 *   POST /v1/chat/completions, /chat/completions,
 *        /openai/deployments/:id/chat/completions   OpenAI (also Azure, Mistral, vLLM shape)
 *   POST /v1/completions, /openai/deployments/:id/completions   OpenAI legacy completions
 *   POST /v1/embeddings, /openai/deployments/:id/embeddings     OpenAI embeddings (8 deterministic dims)
 *   POST /v1/messages                               Anthropic Messages (needs anthropic-version)
 *   POST /v1beta/models/:model:generateContent      Gemini
 *   POST /v1beta/models/:model:streamGenerateContent?alt=sse
 *   POST /v1beta/models/:model:embedContent, :batchEmbedContents   Gemini embeddings (no usage, as Gemini)
 *
 * `provider` limits the server to one format (others 404). Answers are deterministic (see
 * mock-llm/scenario.ts for the usage rule; embeddings: prompt tokens = words of every input),
 * with tool calls when the request has tools.
 * Latency and faults come from options (changeable at run time with configure()) or per
 * request from headers: x-mock-status, x-mock-retry-after, x-mock-ttft-ms,
 * x-mock-token-delay-ms, x-mock-drop-after (tokens, then the socket is destroyed),
 * x-mock-hang (never answer), x-mock-no-usage.
 *
 * CLI: `node dist/bench/upstreams/mock-llm.js --port N [--host H] [--provider P]
 *       [--ttft-ms N] [--token-delay-ms N]` prints `listening <port>`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  anthropicBody, anthropicFrames, completionBody, completionFrames, errorBody, geminiBody, geminiFrames, openAiBody, openAiFrames, readChat, readCompletion,
} from './mock-llm/formats.js';
import type { MockFormat } from './mock-llm/formats.js';
import { DEFAULT_REPLY, answer, wordCount } from './mock-llm/scenario.js';

export { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, wordCount } from './mock-llm/scenario.js';

export interface MockFailure {
  status: number;
  /** How many requests fail before it heals; unset = all. */
  times?: number;
  /** Retry-After header value. */
  retryAfter?: string;
  message?: string;
}

export interface MockBehaviour {
  reply: string;
  ttftMs: number;
  tokenDelayMs: number;
  fail: MockFailure | null;
  /** Never answer (a client timeout). */
  hang: boolean;
  /** Streams: destroy the connection after this many tokens. Non-streams: before the body. */
  dropAfterTokens: number | null;
  /** Send no usage at all (to exercise estimates). */
  omitUsage: boolean;
}

export interface MockLlmOptions extends Partial<MockBehaviour> {
  port?: number;
  host?: string;
  provider?: MockFormat | 'all';
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface MockLlm {
  port: number;
  /** `http://host:port` */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  configure(patch: Partial<MockBehaviour>): void;
  close(): Promise<void>;
}

function headerNumber(req: IncomingMessage, name: string): number | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

interface MockRoute {
  format: MockFormat;
  stream?: boolean;
  model?: string;
  embeddings?: 'openai' | 'gemini-one' | 'gemini-batch';
  completions?: boolean;
}

function route(path: string): MockRoute | null {
  if (path === '/v1/chat/completions' || path === '/chat/completions' || /^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(path)) return { format: 'openai' };
  if (path === '/v1/completions' || path === '/completions' || /^\/openai\/deployments\/[^/]+\/completions$/.test(path)) return { format: 'openai', completions: true };
  if (path === '/v1/embeddings' || /^\/openai\/deployments\/[^/]+\/embeddings$/.test(path)) return { format: 'openai', embeddings: 'openai' };
  if (path === '/v1/messages') return { format: 'anthropic' };
  const g = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/.exec(path);
  if (g === null) return null;
  const model = decodeURIComponent(g[1] ?? '');
  if (g[2] === 'embedContent') return { format: 'gemini', model, embeddings: 'gemini-one' };
  if (g[2] === 'batchEmbedContents') return { format: 'gemini', model, embeddings: 'gemini-batch' };
  return { format: 'gemini', model, stream: g[2] === 'streamGenerateContent' };
}

/** Gemini `{content: {parts: [{text}]}}` -> its text. */
function geminiContentText(request: unknown): string {
  const content = typeof request === 'object' && request !== null ? (request as Record<string, unknown>)['content'] : undefined;
  const parts = typeof content === 'object' && content !== null ? (content as Record<string, unknown>)['parts'] : undefined;
  return Array.isArray(parts) ? parts.map((p) => String((p as Record<string, unknown>)['text'] ?? '')).join(' ') : '';
}

/** The mock's vector for a text: 8 dims from its SHA-256, each k/128 (exact in float32). */
export function mockEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: 8 }, (_, i) => (digest[i]! - 128) / 128);
}

export function startMockLlm(opts: MockLlmOptions = {}): Promise<MockLlm> {
  const behaviour: MockBehaviour = {
    reply: opts.reply ?? DEFAULT_REPLY,
    ttftMs: opts.ttftMs ?? 0,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    fail: opts.fail ?? null,
    hang: opts.hang ?? false,
    dropAfterTokens: opts.dropAfterTokens ?? null,
    omitUsage: opts.omitUsage ?? false,
  };
  const only = opts.provider ?? 'all';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;
  let failures = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://mock');
    let body: unknown;
    try {
      body = raw === '' ? {} : (JSON.parse(raw) as unknown);
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
    const r = route(url.pathname);
    if (req.method !== 'POST' || r === null || (only !== 'all' && only !== r.format)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(r?.format ?? 'openai', 404, `no mock route for ${req.method} ${url.pathname}`));
      return;
    }
    const fmt = r.format;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(fmt, 400, 'body must be a JSON object'));
      return;
    }
    if (fmt === 'anthropic' && req.headers['anthropic-version'] === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(fmt, 400, 'anthropic-version: header is required'));
      return;
    }
    const hang = behaviour.hang || req.headers['x-mock-hang'] !== undefined;
    if (hang) return; // the socket stays open until the client gives up or close()
    const forcedStatus = headerNumber(req, 'x-mock-status');
    const fail = forcedStatus !== undefined
      ? { status: forcedStatus, retryAfter: req.headers['x-mock-retry-after'] as string | undefined }
      : behaviour.fail !== null && (behaviour.fail.times === undefined || failures < behaviour.fail.times) ? behaviour.fail : null;
    if (fail !== null) {
      if (forcedStatus === undefined) failures++;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fail.retryAfter !== undefined) headers['retry-after'] = fail.retryAfter;
      await sleep(headerNumber(req, 'x-mock-ttft-ms') ?? behaviour.ttftMs);
      res.writeHead(fail.status, headers).end(errorBody(fmt, fail.status, (fail as MockFailure).message ?? `mock failure ${fail.status}`));
      return;
    }
    const json = body as Record<string, unknown>;
    const n = ++seq;
    const ttft = headerNumber(req, 'x-mock-ttft-ms') ?? behaviour.ttftMs;
    const tokenDelay = headerNumber(req, 'x-mock-token-delay-ms') ?? behaviour.tokenDelayMs;
    const dropAfter = headerNumber(req, 'x-mock-drop-after') ?? behaviour.dropAfterTokens;
    const withUsage = !behaviour.omitUsage && req.headers['x-mock-no-usage'] === undefined;

    if (r.embeddings === 'gemini-one' || r.embeddings === 'gemini-batch') {
      await sleep(ttft);
      if (r.embeddings === 'gemini-one') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ embedding: { values: mockEmbedding(geminiContentText(json)) } }));
        return;
      }
      const list = Array.isArray(json['requests']) ? json['requests'] : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ embeddings: list.map((q) => ({ values: mockEmbedding(geminiContentText(q)) })) }));
      return;
    }
    if (r.embeddings === 'openai') {
      const input = json['input'];
      const list = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
      const prompt = list.reduce((s, t) => s + wordCount(t), 0);
      await sleep(ttft);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        object: 'list', model: String(json['model'] ?? 'mock-embedding'),
        data: list.map((t, index) => ({ object: 'embedding', index, embedding: mockEmbedding(t) })),
        usage: { prompt_tokens: prompt, total_tokens: prompt },
      }));
      return;
    }

    const legacy = r.completions === true;
    const chat = legacy ? readCompletion(json, 'mock-model') : readChat(fmt, json, r.model ?? 'mock-model');
    if (r.stream !== undefined) chat.stream = r.stream;
    const a = answer(chat, behaviour.reply, n);
    const id = fmt === 'anthropic' ? `msg_mock_${n}` : fmt === 'gemini' ? `mock-${n}` : legacy ? `cmpl-mock-${n}` : `chatcmpl-mock-${n}`;
    const created = 1_700_000_000 + n;
    await sleep(ttft);
    if (res.destroyed) return;
    if (!chat.stream) {
      if (dropAfter !== null) {
        req.socket.destroy();
        return;
      }
      let out = legacy ? completionBody(a, chat, id, created, withUsage) : fmt === 'openai' ? openAiBody(a, chat, id, created, withUsage) : fmt === 'anthropic' ? anthropicBody(a, chat, id) : geminiBody(a, chat, id);
      if (!withUsage && fmt !== 'openai') {
        const o = JSON.parse(out) as Record<string, unknown>;
        delete o['usage'];
        delete o['usageMetadata'];
        out = JSON.stringify(o);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(out);
      return;
    }
    let frames = legacy ? completionFrames(a, chat, id, created, withUsage) : fmt === 'openai' ? openAiFrames(a, chat, id, created, withUsage) : fmt === 'anthropic' ? anthropicFrames(a, chat, id) : geminiFrames(a, chat, id);
    if (!withUsage && fmt === 'gemini') frames = frames.map((f) => f.replace(/,"usageMetadata":\{[^}]*\}/, ''));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Frames before the first token (role/start) go at once; each token frame after a delay.
    let tokensSent = 0;
    for (const frame of frames) {
      const isToken = /"(content|text|partial_json|arguments)":"[^"]/.test(frame) || frame.includes('"functionCall"');
      if (isToken) {
        if (dropAfter !== null && tokensSent >= dropAfter) {
          // Flush what was written, then close without the final chunk: a truncated stream.
          req.socket.end();
          return;
        }
        if (tokensSent > 0) await sleep(tokenDelay);
        tokensSent++;
      }
      if (res.destroyed) return;
      res.write(frame);
    }
    res.end();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }));
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `http://${host}:${port}`,
        requests,
        configure(patch) {
          Object.assign(behaviour, patch);
          if (patch.fail !== undefined) failures = 0;
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

function readFlag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(args: readonly string[]): Promise<void> {
  const port = Number(readFlag(args, '--port') ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${readFlag(args, '--port') ?? ''}`);
  const provider = readFlag(args, '--provider') ?? 'all';
  if (!['all', 'openai', 'anthropic', 'gemini'].includes(provider)) throw new Error(`bad --provider ${provider}`);
  const opts: MockLlmOptions = { port, provider: provider as MockLlmOptions['provider'] & string };
  const host = readFlag(args, '--host');
  if (host !== undefined) opts.host = host;
  const ttft = readFlag(args, '--ttft-ms');
  if (ttft !== undefined) opts.ttftMs = Number(ttft);
  const delay = readFlag(args, '--token-delay-ms');
  if (delay !== undefined) opts.tokenDelayMs = Number(delay);
  const server = await startMockLlm(opts);
  process.stdout.write(`listening ${server.port}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
