/**
 * Mock LLM providers speaking the real wire formats, for tests, the bench and the
 * quickstart (no keys, no internet). One server answers every format, by path (the table
 * is in mock-llm/routes.ts): OpenAI chat, legacy completions and embeddings (also Azure's
 * deployment paths, Mistral's dialect for Mistral models, vLLM/llama.cpp paths), Anthropic
 * Messages (needs anthropic-version), Gemini generateContent / streamGenerateContent /
 * embeddings, Cohere v2 chat (`/v2/chat`, bearer key) and Bedrock Converse
 * (`/model/:id/converse[-stream]`, SigV4, binary event-stream).
 *
 * `provider` limits the server to one format (others 404). Answers are deterministic (see
 * mock-llm/scenario.ts for the usage rule; embeddings: prompt tokens = words of every input),
 * with tool calls when the request has tools.
 * Latency and faults come from options (changeable at run time with configure()) or per
 * request from headers: x-mock-status, x-mock-retry-after, x-mock-ttft-ms,
 * x-mock-token-delay-ms, x-mock-drop-after (tokens, then the socket is destroyed),
 * x-mock-hang (never answer), x-mock-no-usage. Every request is recorded (`requests`,
 * `lastRequest()`), headers included, so tests can see what a gateway sent upstream.
 *
 * CLI: `node dist/bench/upstreams/mock-llm.js --port N [--host H] [--provider P]
 *       [--ttft-ms N] [--token-delay-ms N]` prints `listening <port>`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkAuth } from './mock-llm/auth.js';
import { AZURE_FILTER_FRAME, azureRejects } from './mock-llm/azure.js';
import { MOCK_AWS_ACCESS_KEY_ID, MOCK_AWS_SECRET_ACCESS_KEY, bedrockBody, bedrockError, bedrockFrames, readBedrockChat } from './mock-llm/bedrock.js';
import type { BedrockCredentials } from './mock-llm/bedrock.js';
import { cohereBody, cohereFrames } from './mock-llm/cohere.js';
import {
  anthropicBody, anthropicFrames, completionBody, completionFrames, errorBody, geminiBody, geminiFrames, openAiBody, openAiFrames, readChat, readCompletion,
} from './mock-llm/formats.js';
import { MockFormat } from './mock-llm/formats.js';
import { isMistralModel, mistralFrames, mistralRejects } from './mock-llm/mistral.js';
import { mockRoute } from './mock-llm/routes.js';
import type { MockRoute } from './mock-llm/routes.js';
import { DEFAULT_REPLY, answer, wordCount } from './mock-llm/scenario.js';
import type { MockAnswer, MockChat } from './mock-llm/scenario.js';
import { runIfEntry, serveUntilSignal } from './serve-cli.js';

export { DEFAULT_REPLY, TOOL_CALL_TOKENS, replyTokens, wordCount } from './mock-llm/scenario.js';
export { MOCK_AWS_ACCESS_KEY_ID, MOCK_AWS_SECRET_ACCESS_KEY } from './mock-llm/bedrock.js';
export type { BedrockCredentials } from './mock-llm/bedrock.js';

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
  /** The AWS key Bedrock requests must be signed with (default: MOCK_AWS_ACCESS_KEY_ID / MOCK_AWS_SECRET_ACCESS_KEY). */
  bedrock?: BedrockCredentials;
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
  /** TCP connections accepted so far (keep-alive reuse shows as few). */
  readonly connections: number;
  /** The newest request whose path starts with `pathPrefix` (any request when omitted). */
  lastRequest(pathPrefix?: string): RecordedRequest | undefined;
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

function answerId(fmt: MockFormat, legacy: boolean, n: number): string {
  switch (fmt) {
    case 'anthropic': return `msg_mock_${n}`;
    case 'gemini': return `mock-${n}`;
    case 'cohere': return `cohere-mock-${n}`;
    case 'bedrock': return '';
    default: return legacy ? `cmpl-mock-${n}` : `chatcmpl-mock-${n}`;
  }
}

/** A whole (non-streamed) answer; without usage when the provider would send none. */
function renderBody(fmt: MockFormat, legacy: boolean, a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): string {
  if (legacy) return completionBody(a, chat, id, created, withUsage);
  switch (fmt) {
    case 'openai': return openAiBody(a, chat, id, created, withUsage);
    case 'cohere': return cohereBody(a, id, withUsage);
    case 'bedrock': return bedrockBody(a, withUsage);
    default: {
      const out = fmt === 'anthropic' ? anthropicBody(a, chat, id) : geminiBody(a, chat, id);
      if (withUsage) return out;
      const o = JSON.parse(out) as Record<string, unknown>;
      delete o['usage'];
      delete o['usageMetadata'];
      return JSON.stringify(o);
    }
  }
}

interface OutFrame {
  bytes: string | Uint8Array;
  /** Carries a token: paced by token-delay, counted by drop-after. */
  token: boolean;
}

const TOKEN_FRAME = /"(content|text|partial_json|arguments)":"[^"]/;

function sse(frames: string[]): OutFrame[] {
  return frames.map((f) => ({ bytes: f, token: TOKEN_FRAME.test(f) || f.includes('"functionCall"') }));
}

function renderFrames(fmt: MockFormat, legacy: boolean, mistral: boolean, a: MockAnswer, chat: MockChat, id: string, created: number, withUsage: boolean): OutFrame[] {
  if (legacy) return sse(completionFrames(a, chat, id, created, withUsage));
  switch (fmt) {
    case 'openai': return sse(mistral ? mistralFrames(a, chat, id, created, withUsage) : openAiFrames(a, chat, id, created, withUsage));
    case 'anthropic': return sse(anthropicFrames(a, chat, id));
    case 'cohere': return sse(cohereFrames(a, id, withUsage));
    case 'bedrock': return bedrockFrames(a, withUsage);
    case 'gemini': {
      const frames = geminiFrames(a, chat, id);
      return sse(withUsage ? frames : frames.map((f) => f.replace(/,"usageMetadata":\{[^}]*\}/, '')));
    }
  }
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
  const bedrockCreds: BedrockCredentials = opts.bedrock ?? { accessKeyId: MOCK_AWS_ACCESS_KEY_ID, secretAccessKey: MOCK_AWS_SECRET_ACCESS_KEY };
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
    const r = mockRoute(url.pathname);
    if (req.method !== 'POST' || r === null || (only !== 'all' && only !== r.format)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(r?.format ?? 'openai', 404, `no mock route for ${req.method} ${url.pathname}`));
      return;
    }
    const fmt = r.format;
    const refused = checkAuth(r, req, url, raw, bedrockCreds);
    if (refused !== null) {
      res.writeHead(refused.status, { 'content-type': 'application/json', ...refused.headers }).end(refused.body);
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(fmt, 400, 'body must be a JSON object'));
      return;
    }
    if (fmt === 'anthropic' && req.headers['anthropic-version'] === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(fmt, 400, 'anthropic-version: header is required'));
      return;
    }
    const json = body as Record<string, unknown>;
    const mistral = fmt === 'openai' && r.azure !== true && r.embeddings === undefined && isMistralModel(json['model']);
    const mistralError = mistral ? mistralRejects(json) : null;
    if (mistralError !== null) {
      res.writeHead(422, { 'content-type': 'application/json' }).end(mistralError);
      return;
    }
    const azureError = r.azure === true ? azureRejects(url.searchParams.get('api-version') ?? '', json) : null;
    if (azureError !== null) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(azureError);
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
      const message = (fail as MockFailure).message ?? `mock failure ${fail.status}`;
      if (fmt === 'bedrock') Object.assign(headers, bedrockError(fail.status, message).headers);
      await sleep(headerNumber(req, 'x-mock-ttft-ms') ?? behaviour.ttftMs);
      res.writeHead(fail.status, headers).end(errorBody(fmt, fail.status, message));
      return;
    }
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
    const chat = legacy ? readCompletion(json, 'mock-model')
      : fmt === 'bedrock' ? readBedrockChat(json, r.model ?? 'mock-model', r.stream === true)
      : readChat(fmt, json, r.model ?? 'mock-model');
    if (r.stream !== undefined) chat.stream = r.stream;
    const a = answer(chat, behaviour.reply, n);
    const id = answerId(fmt, legacy, n);
    const created = 1_700_000_000 + n;
    await sleep(ttft);
    if (res.destroyed) return;
    if (!chat.stream) {
      if (dropAfter !== null) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(renderBody(fmt, legacy, a, chat, id, created, withUsage));
      return;
    }
    const frames = renderFrames(fmt, legacy, mistral, a, chat, id, created, withUsage);
    if (r.azure === true) frames.unshift({ bytes: AZURE_FILTER_FRAME, token: false });
    const contentType = fmt === 'bedrock' ? 'application/vnd.amazon.eventstream' : 'text/event-stream';
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Frames before the first token (role/start) go at once; each token frame after a delay.
    let tokensSent = 0;
    for (const frame of frames) {
      if (frame.token) {
        if (dropAfter !== null && tokensSent >= dropAfter) {
          // Flush what was written, then close without the final chunk: a truncated stream.
          req.socket.end();
          return;
        }
        if (tokensSent > 0) await sleep(tokenDelay);
        tokensSent++;
      }
      if (res.destroyed) return;
      res.write(frame.bytes);
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
  let connections = 0;
  server.on('connection', (s: Socket) => {
    connections++;
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
        get connections() {
          return connections;
        },
        lastRequest(pathPrefix) {
          for (let i = requests.length - 1; i >= 0; i--) {
            const r = requests[i]!;
            if (pathPrefix === undefined || r.path.startsWith(pathPrefix)) return r;
          }
          return undefined;
        },
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
  if (provider !== 'all' && !Object.values(MockFormat).includes(provider as MockFormat)) throw new Error(`bad --provider ${provider}`);
  const opts: MockLlmOptions = { port, provider: provider as MockLlmOptions['provider'] & string };
  const host = readFlag(args, '--host');
  if (host !== undefined) opts.host = host;
  const ttft = readFlag(args, '--ttft-ms');
  if (ttft !== undefined) opts.ttftMs = Number(ttft);
  const delay = readFlag(args, '--token-delay-ms');
  if (delay !== undefined) opts.tokenDelayMs = Number(delay);
  const server = await startMockLlm(opts);
  serveUntilSignal(server);
}

runIfEntry(import.meta.url, main);
