/**
 * Micro benchmark: one access-log line for a finished request (a RequestContext over
 * stand-ins for uWS's request and response, as the pipeline has it at `finish`).
 *
 *   pino         the previous way: pino's logger.info(object) into a destination that
 *                keeps nothing (pino's own serialisation, no I/O)
 *   line         AccessLineWriter.line: fixed fragments + per-request values
 *   line-hostile the same with a path and an upstream_uri that need escaping
 *                (quotes, a control character, non-ASCII)
 *   line-ai      the same with a logExtra (an AI block like ai-proxy's)
 *   line+sink    `line` plus LineSink.write to /dev/null in 64 KiB batches, the event loop
 *                turning every 100 lines so the writes happen (they run in libuv's
 *                threads: the process CPU time per line counts them; the wall time
 *                includes waits for the sink to catch up, so read the CPU column)
 *
 * Plain Node script (no vitest); the command line is cases.ts's.
 *
 *   npm run build && node dist/bench/micro/access-line.bench.js [CASE] [--iterations N]
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { coarseNow, startClock, stopClock } from '../../core/lib/clock.js';
import { AccessLineWriter, type LogExtra } from '../../core/observe/access-line.js';
import { FILE_BATCH_BYTES, LineSink } from '../../core/observe/line-sink.js';
import { RequestContext, type ContextOwner } from '../../core/worker/context.js';
import { WorkerMetrics } from '../../core/observe/metrics.js';
import type { Runtime } from '../../core/worker/runtime.js';
import { microMain } from './cases.js';

const CASES = ['pino', 'line', 'line-hostile', 'line-ai', 'line+sink'] as const;
type Case = (typeof CASES)[number];

const ADDRESS = new TextEncoder().encode('127.0.0.1').buffer;
const HEADERS: readonly [string, string][] = [['host', '127.0.0.1:8000'], ['user-agent', 'wrk']];

function context(url: string): RequestContext {
  const res = { getRemoteAddressAsText: () => ADDRESS } as unknown as HttpResponse;
  const req = {
    getCaseSensitiveMethod: () => 'GET',
    getUrl: () => url,
    getQuery: () => undefined,
    forEach: (cb: (name: string, value: string) => void) => {
      for (const [n, v] of HEADERS) cb(n, v);
    },
    getHeader: (name: string) => (name === 'host' ? '127.0.0.1:8000' : ''),
  } as unknown as HttpRequest;
  const owner: ContextOwner = { maxBodyBytes: 0, bodyTooLarge: () => undefined, finish: () => undefined, metrics: new WorkerMetrics() };
  const ctx = new RequestContext(res, req, null as unknown as Runtime, owner, 'http', 8000, '47f473af0000000001', 1000);
  // What a proxied GET has at `finish`.
  ctx.route = { name: 'all' } as RequestContext['route'];
  ctx.service = { config: { name: 'echo' } } as RequestContext['service'];
  ctx.upstreamPath = `${url}?x=1`;
  ctx.status = 200;
  ctx.tries = 1;
  ctx.bytesOut = 13;
  ctx.upstreamStart = 1000.041;
  ctx.upstreamFirstByte = 1000.187;
  return ctx;
}

const AI_EXTRA: LogExtra = {
  ai: { plugin: 'ai-proxy', provider: 'openai', model: 'gpt-4o-mini', tries: 1, stream: false, usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29, estimated: false }, cost: 0.0000135, latency_ms: 12.5, ttft_ms: 3.25, error: null },
};

/** The access log before this writer: pino with the same bindings and object (core/observe/log.ts at ed34216). */
function pinoWrite(sinkBytes: { n: number }): (ctx: RequestContext, end: number) => void {
  const destination = { write: (s: string) => void (sinkBytes.n += s.length) };
  const logger = pino({ base: { worker: 0 }, timestamp: () => `,"time":${coarseNow()}` }, destination);
  const ms = (value: number): number => Math.round(value * 1000) / 1000;
  return (ctx, end) => {
    const route = ctx.route;
    const service = ctx.service;
    const upstreamStarted = ctx.upstreamStart > 0;
    logger.info({
      request_id: ctx.requestId,
      client_ip: ctx.remoteAddress,
      method: ctx.method,
      path: ctx.url,
      status: ctx.status,
      route: route === null ? null : route.name,
      service: service === null ? null : service.config.name,
      consumer: ctx.consumer === null ? null : ctx.consumer.logEntry,
      upstream_uri: upstreamStarted ? ctx.upstreamPath : null,
      tries: ctx.tries,
      latencies: {
        request: ms(end - ctx.startTime),
        kong: ms((upstreamStarted ? ctx.upstreamStart : end) - ctx.startTime),
        proxy: upstreamStarted && ctx.upstreamFirstByte > 0 ? ms(ctx.upstreamFirstByte - ctx.upstreamStart) : null,
      },
      bytes_in: ctx.bytesIn,
      bytes_out: ctx.bytesOut,
    }, 'access');
  };
}

async function runCase(name: Case, iterations: number): Promise<void> {
  startClock();
  const ctx = context(name === 'line-hostile' ? '/caf\u00e9/"quoted"/tab\there' : '/hello');
  const extra = name === 'line-ai' ? AI_EXTRA : null;
  const writer = new AccessLineWriter(0);
  const bytes = { n: 0 };
  const viaPino = pinoWrite(bytes);
  const sink = name === 'line+sink' ? LineSink.open('/dev/null', { batchBytes: FILE_BATCH_BYTES }) : null;
  // Distinct end times, as requests have.
  const one = name === 'pino' ? (i: number) => viaPino(ctx, 1000.5 + i * 1e-6) : (i: number) => {
    const line = writer.line(ctx, 1000.5 + i * 1e-6, extra);
    if (sink === null) bytes.n += line.length;
    else sink.write(line);
  };
  const cycle = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      one(i);
      // Let the sink's writes run, as the event loop does between requests; wait for them
      // past 1 MiB pending (this loop makes lines ~100x faster than a gateway serves requests).
      if (sink !== null && i % 100 === 99) {
        await new Promise((resolve) => setImmediate(resolve));
        while (sink.pendingBytes > 1 << 20) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };
  await cycle(Math.min(iterations, 200_000)); // warm-up
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await cycle(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  if (sink !== null) {
    await sink.flush();
    if (sink.dropped > 0) throw new Error(`the sink dropped ${sink.dropped} lines`);
    bytes.n = sink.written;
  }
  stopClock();
  const cpuNs = (used.user + used.system) * 1000;
  console.log(JSON.stringify({ case: name, iterations, nsPerLine: ns / iterations, cpuNsPerLine: cpuNs / iterations, out: bytes.n }));
}

microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 1_000_000,
  run: (name, iterations) => void runCase(name, iterations),
  header: (iterations) => {
    console.log(`access-line: ${iterations} lines per case, node ${process.version}`);
    console.log('case         | ns/line (wall) | ns/line (process cpu)');
  },
  report: (c, r) => {
    console.log(`${c.padEnd(12)} | ${(r['nsPerLine'] as number).toFixed(0).padStart(14)} | ${(r['cpuNsPerLine'] as number).toFixed(0).padStart(8)}`);
  },
});
