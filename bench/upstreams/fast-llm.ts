/**
 * A mock OpenAI chat-completions endpoint on uWebSockets.js, for the AI bench scenarios.
 *
 * mock-llm.ts (node:http, every provider, faults, per-request options) is the mock the
 * tests and the quickstart use; at bench rates its own CPU would cap the measurement
 * (about 10k rps on one core), so the bench talks to this one instead. It speaks the same
 * wire format — the body and the stream frames are built once at start by mock-llm's own
 * format functions — and does per request only what it must: read the body, look for
 * `"stream":true` and `"include_usage":true`, write the precomputed answer.
 *
 *   POST /v1/chat/completions        the answer after --ttft-ms, stream tokens --token-delay-ms apart
 *   POST /ttft/v1/chat/completions   the same after --probe-ttft-ms, tokens --probe-token-delay-ms
 *                                    apart: the path of the time-to-first-token probe
 *   anything else                    404, OpenAI error shape
 *
 * The reply is `--tokens` words; usage counts are those of BENCH_PROMPT (the prompt the AI
 * scenarios send), whatever the request says.
 *
 * CLI: `node dist/bench/upstreams/fast-llm.js --port N [--host H] [--tokens 20] [--ttft-ms 0]
 *       [--token-delay-ms 0] [--probe-ttft-ms 20] [--probe-token-delay-ms 2]` prints `listening <port>`.
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { errorBody, openAiBody, openAiFrames } from './mock-llm/formats.js';
import { answer, type MockChat } from './mock-llm/scenario.js';
import { listenApp, loadUws, type ListeningApp } from './uws.js';
import { runIfEntry, serveUntilSignal } from './serve-cli.js';

/** The user message of the AI scenarios (9 words = 9 prompt tokens by the mock's rule). */
export const BENCH_PROMPT = 'Say hello to the gateway in a few words.';
export const BENCH_MODEL = 'gpt-4o-mini';

export interface FastLlmOptions {
  host?: string;
  port?: number;
  /** Words in the reply (stream: one token frame each). */
  tokens?: number;
  ttftMs?: number;
  tokenDelayMs?: number;
  probeTtftMs?: number;
  probeTokenDelayMs?: number;
}

export type FastLlm = ListeningApp;

/** One pacing of the answer: how long before the first frame, and between token frames. */
interface Pace {
  ttftMs: number;
  tokenDelayMs: number;
}

/** Everything a request can be answered with, serialised once. */
export interface Answers {
  /** Token frames in a stream (the reply's words). */
  tokens: number;
  body: string;
  /** Stream frames without / with the final usage chunk (`stream_options.include_usage`). */
  frames: readonly string[];
  framesWithUsage: readonly string[];
}

export function benchReply(tokens: number): string {
  return Array.from({ length: tokens }, (_, i) => `word${i + 1}`).join(' ');
}

export function buildAnswers(tokens: number): Answers {
  const chat: MockChat = { model: BENCH_MODEL, promptText: BENCH_PROMPT, tools: [], afterToolResult: false, stream: true, includeUsage: true };
  const a = answer(chat, benchReply(tokens), 1);
  const id = 'chatcmpl-bench-1';
  const created = 1_700_000_001;
  return {
    tokens: a.tokens.length,
    body: openAiBody(a, chat, id, created, true),
    frames: openAiFrames(a, { ...chat, includeUsage: false }, id, created, true),
    framesWithUsage: openAiFrames(a, chat, id, created, true),
  };
}

const STREAM_RE = /"stream"\s*:\s*true/;
const USAGE_RE = /"include_usage"\s*:\s*true/;
const NOT_FOUND = errorBody('openai', 404, 'no mock route');

function sendStream(res: HttpResponse, frames: readonly string[], tokens: number, pace: Pace, state: { aborted: boolean }): void {
  const head = (): void => {
    res.writeStatus('200 OK');
    res.writeHeader('content-type', 'text/event-stream');
    res.writeHeader('cache-control', 'no-cache');
  };
  if (pace.tokenDelayMs === 0 || tokens < 2) {
    // The throughput path: the whole stream in one corked write (still chunked, frame by frame).
    res.cork(() => {
      head();
      res.write(frames.join(''));
      res.end();
    });
    return;
  }
  // Role frame and first token together, then one token frame every tokenDelayMs
  // (the frames after the last token — finish, usage, [DONE] — go with it).
  let next = 2;
  res.cork(() => {
    head();
    res.write(frames[0]! + (frames[1] ?? ''));
  });
  // frames: [role, token 1 .. token N, finish, (usage), [DONE]]
  const tick = (): void => {
    if (state.aborted) return;
    const last = next >= tokens;
    const chunk = last ? frames.slice(next).join('') : frames[next]!;
    next++;
    res.cork(() => {
      res.write(chunk);
      if (last) res.end();
    });
    if (!last) setTimeout(tick, pace.tokenDelayMs);
  };
  setTimeout(tick, pace.tokenDelayMs);
}

function handler(answers: Answers, pace: Pace) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    const respond = (body: string): void => {
      const stream = STREAM_RE.test(body);
      const usage = USAGE_RE.test(body);
      const reply = (): void => {
        if (state.aborted) return;
        if (stream) sendStream(res, usage ? answers.framesWithUsage : answers.frames, answers.tokens, pace, state);
        else res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(answers.body));
      };
      if (pace.ttftMs === 0) reply();
      else setTimeout(reply, pace.ttftMs);
    };
    const length = req.getHeader('content-length');
    if ((length === '' || length === '0') && req.getHeader('transfer-encoding') === '') {
      respond('');
      return;
    }
    let body = '';
    res.onData((chunk, isLast) => {
      // Copied at once: uWS neuters the chunk when this callback returns.
      body += Buffer.from(chunk).toString('latin1');
      if (isLast) respond(body);
    });
  };
}

/** Starts the mock; resolves once it listens (port 0 picks a free port). */
export function startFastLlm(opts: FastLlmOptions = {}): Promise<FastLlm> {
  const uws = loadUws();
  const host = opts.host ?? '127.0.0.1';
  const answers = buildAnswers(opts.tokens ?? 20);
  const main: Pace = { ttftMs: opts.ttftMs ?? 0, tokenDelayMs: opts.tokenDelayMs ?? 0 };
  const probe: Pace = { ttftMs: opts.probeTtftMs ?? 20, tokenDelayMs: opts.probeTokenDelayMs ?? 2 };
  const app = uws
    .App()
    .post('/v1/chat/completions', handler(answers, main))
    .post('/ttft/v1/chat/completions', handler(answers, probe))
    .any('/*', (res) => {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end(NOT_FOUND);
    });
  return listenApp(uws, app, host, opts.port ?? 0, 'fast-llm');
}

function readNumber(args: readonly string[], name: string): number | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const text = args[at + 1] ?? '';
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < 0) throw new Error(`bad ${name} ${text}`);
  return n;
}

async function main(args: readonly string[]): Promise<void> {
  const opts: FastLlmOptions = {};
  const host = args.indexOf('--host');
  if (host !== -1 && args[host + 1] !== undefined) opts.host = args[host + 1]!;
  const set = (key: Exclude<keyof FastLlmOptions, 'host'>, flag: string): void => {
    const n = readNumber(args, flag);
    if (n !== undefined) opts[key] = n;
  };
  set('port', '--port');
  set('tokens', '--tokens');
  set('ttftMs', '--ttft-ms');
  set('tokenDelayMs', '--token-delay-ms');
  set('probeTtftMs', '--probe-ttft-ms');
  set('probeTokenDelayMs', '--probe-token-delay-ms');
  if ((opts.tokens ?? 20) < 1) throw new Error('--tokens must be at least 1');
  const server = await startFastLlm(opts);
  serveUntilSignal(server);
}

runIfEntry(import.meta.url, main);
